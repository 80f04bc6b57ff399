"""
Finding and checking extensions: stevedore entry points, the operator's
whitelist and blacklist, and the core set no API starts without.

Every API has its namespace (L{namespace}); server-create hooks and
vendordata providers have one each. An entry point's name is the extension's
alias (a hook's or provider's C{name}), so the operator's lists are applied
before anything is imported: a blacklisted plugin that no longer imports does
not stop the start. Whatever is loaded is checked: its class must instantiate
with no arguments, provide what it declares (C{verifyObject} against each of
our interfaces it claims), serve the API it was found for, and carry the alias
its entry point names. Anything else stops the start with an
L{ExtensionLoadError} naming the entry point, because a half-loaded API is
worse than none.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import weakref
from typing import Any, Callable, Iterable, Sequence

from stevedore import ExtensionManager, NamedExtensionManager
from stevedore.extension import Extension
from twisted.logger import Logger
from zope.interface import providedBy
from zope.interface.exceptions import Invalid as InterfaceInvalid
from zope.interface.verify import verifyObject

from novatx.extensions import interfaces

#: The namespaces of server-create hooks and vendordata providers.
SERVER_CREATE_NAMESPACE = "novatx.api.server_create"
VENDORDATA_NAMESPACE = "novatx.api.vendordata"

#: The module whose C{CORE_ALIASES} lists each API's core extensions.
CORE_MODULES = {
    "osapi_compute": "novatx.extensions.compute",
    "ec2": "novatx.extensions.ec2",
    "metadata": "novatx.extensions.metadata",
}

log = Logger()

#: The config group of each API's C{extensions_whitelist}/C{extensions_blacklist}.
CONFIG_GROUPS = {"osapi_compute": "osapi_v21", "ec2": "ec2", "metadata": "metadata"}

#: Interfaces checked with C{verifyObject} when an object claims them.
CHECKED_INTERFACES = (
    interfaces.IAPIExtension,
    interfaces.IResourceExtension,
    interfaces.IControllerExtension,
    interfaces.IEC2Action,
    interfaces.IServerCreateHook,
    interfaces.IServerFieldProvider,
    interfaces.IPolicyDefaultsProvider,
    interfaces.IVendorDataProvider,
)


class ExtensionLoadError(Exception):
    """An API cannot start with the extensions it found; the message says why."""


def namespace(api_name: str) -> str:
    """The stevedore namespace of an API's extensions."""
    return "novatx.api.%s.extensions" % (api_name,)


def core_aliases(api_name: str) -> tuple[str, ...]:
    """The aliases without which C{api_name} refuses to start."""
    return tuple(importlib.import_module(CORE_MODULES[api_name]).CORE_ALIASES)


def _entry_points(group: str) -> list[importlib.metadata.EntryPoint]:
    """The installed entry points of C{group}: one scan of the installed distributions."""
    return list(importlib.metadata.entry_points(group=group))


def _names(entry_points: Iterable[importlib.metadata.EntryPoint]) -> list[str]:
    return sorted({ep.name for ep in entry_points})


def _selected(names: Iterable[str], whitelist: Sequence[str], blacklist: Sequence[str]) -> list[str]:
    return [n for n in names if (not whitelist or n in whitelist) and n not in blacklist]


def _load(group: str, entry_points: list[importlib.metadata.EntryPoint], names: list[str]) -> list[Extension]:
    """
    The entry points C{names} of C{group}, imported by a stevedore manager,
    in C{names} order.

    stevedore keeps the entry points it saw in a cache keyed by the path's
    mtimes packed as 32-bit floats (two minutes apart look the same), so a
    plugin installed moments after another process looked can be missing from
    it; what it missed is loaded from C{entry_points}, the caller's own scan
    of C{importlib.metadata}, so no group is scanned twice.

    @raise ExtensionLoadError: naming every entry point that failed to import.
    """
    failures: list[str] = []

    def failed(manager: Any, entry_point: Any, error: Exception) -> None:
        failures.append("%s (%s): %s: %s" % (entry_point.name, entry_point.value, type(error).__name__, error))

    manager = NamedExtensionManager(
        group, names, name_order=True, on_load_failure_callback=failed, propagate_map_exceptions=True
    )
    loaded = {ext.name: ext for ext in manager}
    for entry_point in entry_points:
        if entry_point.name in names and entry_point.name not in loaded:
            try:
                plugin = entry_point.load()
            except Exception as e:
                failed(manager, entry_point, e)
                continue
            loaded[entry_point.name] = Extension(entry_point.name, entry_point, plugin, None)
    if failures:
        raise ExtensionLoadError("Cannot load extensions of %s: %s" % (group, "; ".join(failures)))
    return [loaded[name] for name in names if name in loaded]


def _describe(ext: Any) -> str:
    entry_point = getattr(ext, "entry_point", None)
    value = getattr(entry_point, "value", None)
    return "%r (%s)" % (ext.name, value) if value else repr(ext.name)


def _instantiate(ext: Any) -> Any:
    """The extension object of a stevedore C{Extension}: its C{obj}, or its class called."""
    if ext.obj is not None:
        return ext.obj
    try:
        return ext.plugin()
    except Exception as e:
        raise ExtensionLoadError(
            "Extension %s is broken: cannot instantiate it: %s: %s" % (_describe(ext), type(e).__name__, e)
        ) from e


def verify(obj: Any, label: str, required: Sequence[Any] = ()) -> None:
    """
    Check that C{obj} provides C{required} and everything of ours it declares.

    @param label: how errors name it.
    @raise ExtensionLoadError: naming C{label} and what is wrong.
    """
    declared = set(providedBy(obj))
    for iface in required:
        if iface not in declared and not iface.providedBy(obj):
            raise ExtensionLoadError(
                "Extension %s is broken: it does not provide %s" % (label, iface.__name__)
            )
    for iface in CHECKED_INTERFACES:
        if iface.providedBy(obj):
            try:
                verifyObject(iface, obj)
            except InterfaceInvalid as e:
                raise ExtensionLoadError(
                    "Extension %s is broken: %s" % (label, " ".join(str(e).split()))
                ) from e


def _warn_unknown(section: str, known: set[str], whitelist: list[str], blacklist: list[str]) -> None:
    """
    Log, naming it, every alias in the lists that no installed extension has:
    a misspelt blacklist entry would otherwise leave on what it meant to turn off.
    """
    for option, names in (("extensions_whitelist", whitelist), ("extensions_blacklist", blacklist)):
        for name in names:
            if name not in known:
                log.warn(
                    "[{section}] {option} names {name!r}, which no installed extension has",
                    section=section, option=option, name=name,
                )


def load_extensions(api_name: str, conf: Any, manager: ExtensionManager | None = None) -> list[Any]:
    """
    The checked extension objects of C{api_name}, in entry-point name order.

    @param manager: a stevedore manager to take them from instead of the
        installed entry points (tests: C{ExtensionManager.make_test_instance}).
    @raise ExtensionLoadError: a broken or misplaced extension, two with one
        alias, or a core extension missing ("Missing core API extensions: ...").
    """
    group = getattr(conf, CONFIG_GROUPS[api_name])
    whitelist, blacklist = list(group.extensions_whitelist), list(group.extensions_blacklist)
    if manager is None:
        installed = _entry_points(namespace(api_name))
        known = set(_names(installed))
        if api_name == "osapi_compute":
            known.update(_names(_entry_points(SERVER_CREATE_NAMESPACE)))
        _warn_unknown(CONFIG_GROUPS[api_name], known, whitelist, blacklist)
        selected = _load(namespace(api_name), installed, _selected(_names(installed), whitelist, blacklist))
    else:
        selected = [e for e in manager if e.name in _selected([e.name], whitelist, blacklist)]
    loaded: dict[str, Any] = {}
    labels: dict[str, str] = {}
    for ext in selected:
        label = _describe(ext)
        obj = _instantiate(ext)
        verify(obj, label, (interfaces.IAPIExtension,))
        if obj.api != api_name:
            raise ExtensionLoadError(
                "Extension %s serves %r, but was found among the %s extensions" % (label, obj.api, api_name)
            )
        if obj.alias != ext.name:
            raise ExtensionLoadError(
                "Extension %s has alias %r: its entry point must be named after it" % (label, obj.alias)
            )
        if obj.alias in loaded:
            raise ExtensionLoadError(
                "Extensions %s and %s share the alias %r" % (labels[obj.alias], label, obj.alias)
            )
        loaded[obj.alias] = obj
        labels[obj.alias] = label
    missing = [alias for alias in core_aliases(api_name) if alias not in loaded]
    if missing:
        raise ExtensionLoadError("Missing core API extensions: %s" % ", ".join(missing))
    return list(loaded.values())


def load_server_create_hooks(conf: Any, manager: ExtensionManager | None = None) -> list[Any]:
    """
    The checked server-create hooks (C{[osapi_v21]} lists name them by C{name}).

    @raise ExtensionLoadError: a broken hook, or two with one name.
    """
    whitelist = list(conf.osapi_v21.extensions_whitelist)
    blacklist = list(conf.osapi_v21.extensions_blacklist)
    if manager is None:
        installed = _entry_points(SERVER_CREATE_NAMESPACE)
        selected = _load(SERVER_CREATE_NAMESPACE, installed, _selected(_names(installed), whitelist, blacklist))
    else:
        selected = [e for e in manager if e.name in _selected([e.name], whitelist, blacklist)]
    hooks: dict[str, Any] = {}
    for ext in selected:
        obj = _instantiate(ext)
        verify(obj, _describe(ext), (interfaces.IServerCreateHook,))
        if obj.name in hooks:
            raise ExtensionLoadError("Two server-create hooks are named %r" % (obj.name,))
        hooks[obj.name] = obj
    return list(hooks.values())


def load_vendordata_providers(
    names: Sequence[str],
    manager: ExtensionManager | None = None,
    context: Any = None,
    on_unknown: Callable[[list[str]], None] | None = None,
) -> dict[str, Any]:
    """
    The vendordata providers named (C{[api] vendordata_providers}), checked,
    and set up with C{context} (those that provide L{interfaces.IAPIExtension}).

    Whatever fails is named by the provider's own entry point, so that a
    plugin's broken provider is not blamed on the C{metadata} extension
    that loads it.

    @param on_unknown: called with the names no installed provider has, which
        are then skipped; without it they stop the start.
    @raise ExtensionLoadError: a name with no provider installed (without
        C{on_unknown}), or a provider that cannot be imported, made, verified
        or set up.
    """
    if manager is None:
        installed = _entry_points(VENDORDATA_NAMESPACE)
        unknown = [n for n in names if n not in _names(installed)]
        if unknown and on_unknown is None:
            raise ExtensionLoadError("Unknown vendordata providers: %s" % ", ".join(unknown))
        if unknown:
            on_unknown(unknown)
        known = [n for n in names if n not in unknown]
        extensions: Iterable[Any] = _load(VENDORDATA_NAMESPACE, installed, known)
    else:
        extensions = manager
    providers = {}
    for ext in extensions:
        if ext.name not in names:
            continue
        obj = _instantiate(ext)
        verify(obj, _describe(ext), (interfaces.IVendorDataProvider,))
        if context is not None and interfaces.IAPIExtension.providedBy(obj):
            try:
                obj.setup(context)
            except Exception as e:
                raise ExtensionLoadError(
                    "Vendordata provider %s failed in setup(): %s: %s"
                    % (_describe(ext), type(e).__name__, e)
                ) from e
        providers[ext.name] = obj
    return providers


_hooks_by_context: "weakref.WeakKeyDictionary[Any, list[Any]]" = weakref.WeakKeyDictionary()


def set_server_create_hooks(context: Any, hooks: list[Any]) -> None:
    """Record the hooks loaded for an API (the router does, once, at start)."""
    _hooks_by_context[context] = list(hooks)


def server_create_hooks(context: Any) -> list[Any]:
    """
    The server-create hooks loaded for the API whose L{IExtensionContext} is
    C{context}: the servers resource calls each one's C{create_kwargs}.
    """
    return list(_hooks_by_context.get(context, ()))


def installed_policy_defaults() -> list[Any]:
    """
    The policy defaults of every installed extension and hook, of every API
    (for the policy sample generator; nothing is set up).
    """
    defaults: list[Any] = []
    groups = [namespace(api) for api in interfaces.API_NAMES] + [SERVER_CREATE_NAMESPACE]
    for group in groups:
        installed = _entry_points(group)
        for ext in _load(group, installed, _names(installed)):
            obj = _instantiate(ext)
            if interfaces.IPolicyDefaultsProvider.providedBy(obj):
                defaults.extend(obj.policies())
    return defaults
