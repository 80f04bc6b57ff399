"""
The routing table of one API: its extensions loaded, set up and checked against
each other.

Built once per runtime at start. Everything that can clash is found here,
before the first request: two routes on one path and method whose version
ranges overlap, two routes with one endpoint name, two actions of one name on
one collection, a route on a collection's C{.../action} path, a policy rule
nobody registered, an extension field declared twice. Each stops the start
with a message naming both parties. So does what would fail requests later:
a route or action that is not one, a path, methods or version range that
cannot be served, and an extension raising while it is set up or asked for
its routes, actions, fields or policies (named, not a bare traceback).
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Mapping
from typing import Any, Iterable

import attrs

from novatx.extensions import interfaces
from novatx.extensions.interfaces import Action, APIVersion, Route
from novatx.extensions.loading import (
    ExtensionLoadError,
    load_extensions,
    load_server_create_hooks,
    set_server_create_hooks,
)
from novatx.resources.policy import Policy

#: The roots a route may live under.
ROOTS = ("api", "image", "volume", "networking")

#: nova's default for a project id in the URL: hex digits and dashes.
DEFAULT_PROJECT_ID_REGEX = r"[0-9a-f\-]+"

_PARAM = re.compile(r"<(?:[^>]*:)?(\w+)>")


def _shape(path: str) -> str:
    """The path with its parameters anonymised: C{/servers/<>}."""
    return _PARAM.sub("<>", path)


def _params(path: str) -> list[str]:
    return _PARAM.findall(path)


def _version(value: Any) -> APIVersion | None:
    return APIVersion.parse(value) if isinstance(value, str) else value


def ranges_overlap(a: Any, b: Any) -> bool:
    """Whether two objects' C{[min_version, max_version]} ranges (None: open) meet."""
    a_lo, a_hi = _version(a.min_version), _version(a.max_version)
    b_lo, b_hi = _version(b.min_version), _version(b.max_version)
    return (a_lo is None or b_hi is None or a_lo <= b_hi) and (b_lo is None or a_hi is None or b_lo <= a_hi)


@attrs.frozen
class RouteEntry:
    """
    A route and who serves it.

    @ivar owner: the alias of the extension that contributed it.
    @ivar params: its path parameters' names, in order (the klein rule of its
        path group may spell them differently).
    @ivar collection: set for the router's own C{.../action} dispatch route.
    """

    route: Route
    owner: str
    params: tuple[str, ...]
    collection: str | None = None


@attrs.define
class RouteGroup:
    """
    The routes sharing one path shape (one klein rule).

    @ivar params: the parameter names as the group's klein rule spells them.
    """

    path: str
    entries: list[RouteEntry] = attrs.field(factory=list)
    params: tuple[str, ...] = attrs.field(init=False)
    _by_method: dict[str, list[RouteEntry]] = attrs.field(init=False, factory=dict, repr=False, eq=False)

    @params.default
    def _params_default(self) -> tuple[str, ...]:
        return tuple(_params(self.path))

    def entries_for(self, method: str) -> list[RouteEntry]:
        """The entries serving C{method}, in order (worked out once per method)."""
        found = self._by_method.get(method)
        if found is None:
            found = self._by_method[method] = [e for e in self.entries if method in e.route.methods]
        return found

    @property
    def endpoint(self) -> str:
        return "|".join(sorted(e.route.endpoint for e in self.entries))

    @property
    def methods(self) -> list[str]:
        return sorted({m for e in self.entries for m in e.route.methods})


@attrs.frozen
class ActionEntry:
    """An action and who serves it."""

    action: Action
    owner: str


@attrs.define(eq=False)
class RouteTable:
    """
    Everything the router of one API serves.

    @ivar groups: by root (C{api}, C{image}, C{volume}): the path groups.
    @ivar actions: by collection, by action name: the entries (several only
        when their version ranges differ).
    @ivar controllers: by extended alias: the controller extensions.
    @ivar hooks: the server-create hooks.
    @ivar top_segments: by root: the first static path segments of its routes
        (never taken for a project id).
    @ivar trust_proxy_headers: C{[oslo_middleware] enable_proxy_headers_parsing}
        (read once: config lookups cost more than a request's routing).
    """

    runtime: Any
    policy: Policy
    groups: dict[str, list[RouteGroup]]
    actions: dict[str, dict[str, list[ActionEntry]]]
    controllers: dict[str, list[Any]]
    hooks: list[Any]
    top_segments: dict[str, frozenset[str]]
    project_id_regex: re.Pattern
    trust_proxy_headers: bool = False
    apps: dict[str, Any] = attrs.field(factory=dict)

    @property
    def api_name(self) -> str:
        return self.runtime.api_name


    def schema_properties(self, owner: str, endpoint: str, version: APIVersion | None) -> dict[str, Any]:
        """Body properties controller extensions (and, for C{servers.create}, hooks) add."""
        properties: dict[str, Any] = {}
        for ext in self.controllers.get(owner, ()):
            properties.update(ext.schema_properties(endpoint, version) or {})
        if endpoint == "servers.create":
            for hook in self.hooks:
                properties.update(hook.schema_properties(version) or {})
        return properties


def _label(ext: Any) -> str:
    return getattr(ext, "alias", None) or getattr(ext, "name", None) or repr(ext)


def _call(ext: Any, method: str, *args: Any) -> Any:
    """
    C{ext.method(*args)} at start: what it raises stops the start naming the
    extension, not as a bare traceback of the loader's.
    """
    try:
        return getattr(ext, method)(*args)
    except ExtensionLoadError:
        raise
    except Exception as e:
        raise ExtensionLoadError(
            "Extension %r failed in %s(): %s: %s" % (_label(ext), method, type(e).__name__, e)
        ) from e


def _check_range(min_version: Any, max_version: Any, what: str, owner: str) -> None:
    """A version range must parse (requests compare with it) and not be empty."""
    try:
        lo, hi = _version(min_version), _version(max_version)
        if not all(v is None or isinstance(v, APIVersion) for v in (lo, hi)):
            raise TypeError("not a version")
    except (ValueError, TypeError):
        raise ExtensionLoadError(
            "%s of %r has a version range that is not MajorNum.MinorNum: %r..%r"
            % (what, owner, min_version, max_version)
        ) from None
    if lo is not None and hi is not None and hi < lo:
        raise ExtensionLoadError("%s of %r has an empty version range %s..%s" % (what, owner, lo, hi))


def _check_versions(item: Any, what: str, owner: str) -> None:
    """A route's or action's own range, and its schema's ranges when it has several."""
    _check_range(item.min_version, item.max_version, what, owner)
    schema = item.schema
    if schema is None or isinstance(schema, Mapping):
        return
    try:
        ranges = [(lo, hi) for lo, hi, _ in schema]
    except (TypeError, ValueError):
        raise ExtensionLoadError(
            "%s of %r has a schema that is neither a dict nor (min_version, max_version, schema) triples"
            % (what, owner)
        ) from None
    for lo, hi in ranges:
        _check_range(lo, hi, what + " (its schema)", owner)


def _check_route(route: Any, owner: str) -> None:
    """What a request would otherwise trip over, refused at start naming its extension."""
    if not isinstance(route, Route):
        raise ExtensionLoadError("Extension %r returned %r from routes(), not a Route" % (owner, route))
    what = "Route %s" % (route.endpoint,)
    if not isinstance(route.path, str) or not route.path.startswith("/"):
        raise ExtensionLoadError("%s of %r has path %r; it must start with '/'" % (what, owner, route.path))
    methods = route.methods
    if isinstance(methods, (str, bytes)) or not methods or not all(
        isinstance(m, str) and m and m == m.upper() for m in methods
    ):
        raise ExtensionLoadError(
            "%s of %r has methods %r; they must be a tuple of upper-case names" % (what, owner, methods)
        )
    if route.root not in ROOTS:
        raise ExtensionLoadError(
            "%s of %r has root %r; it must be one of %s" % (what, owner, route.root, ", ".join(ROOTS))
        )
    _check_versions(route, what, owner)


def _check_action(action: Any, owner: str) -> None:
    if not isinstance(action, Action):
        raise ExtensionLoadError("Extension %r returned %r from actions(), not an Action" % (owner, action))
    _check_versions(action, "Action %r" % (action.name,), owner)


def _setup(runtime: Any, extensions: list[Any], hooks: list[Any]) -> None:
    for ext in extensions:
        _call(ext, "setup", runtime)
        runtime.extensions[ext.alias] = ext
    set_server_create_hooks(runtime, hooks)


#: The fields already handed to each internal API: a reload (SIGHUP) builds
#: the tables again over the same internal API, which refuses a name twice.
_registered: "weakref.WeakKeyDictionary[Any, set[Any]]" = weakref.WeakKeyDictionary()


def _register_fields(runtime: Any, providers: Iterable[Any]) -> frozenset[str]:
    """
    Hand the fields the loaded providers declare to the internal API.

    @return: the names of the declared fields.
    """
    fields = []
    declared: dict[str, str] = {}
    for provider in providers:
        owner = _label(provider)
        for field in _call(provider, "fields"):
            if field.name in declared:
                raise ExtensionLoadError(
                    "Extension field %r declared by both %r and %r" % (field.name, declared[field.name], owner)
                )
            declared[field.name] = owner
            _check_range(field.min_version, field.max_version, "Field %r" % (field.name,), owner)
            fields.append(field if field.owner else attrs.evolve(field, owner=owner))
    if runtime.compute is None:
        return frozenset(declared)
    known = _registered.setdefault(runtime.compute, set())
    fresh = [field for field in fields if field not in known]
    if fresh:
        try:
            runtime.compute.register_fields(fresh)
        except ValueError as e:
            raise ExtensionLoadError("Extension fields clash: %s" % (e,)) from e
        known.update(fresh)
    return frozenset(declared)


def _check_hook_fields(hooks: Iterable[Any], declared: frozenset[str]) -> None:
    """
    Refuse a server-create hook that writes a field no loaded extension declares:
    its plugin's field provider was listed out (or never existed), and every
    create through the hook would fail.
    """
    for hook in hooks:
        missing = sorted(set(hook.writes) - declared)
        if missing:
            raise ExtensionLoadError(
                "Server-create hook %r writes %s, which no loaded extension declares"
                % (hook.name, ", ".join(repr(name) for name in missing))
            )


def _policy(runtime: Any, providers: Iterable[Any]) -> Policy:
    defaults = []
    for provider in providers:
        defaults.extend(_call(provider, "policies"))
    return Policy(runtime.config, defaults, runtime.reactor)


def _collect_actions(extensions: list[Any]) -> dict[str, dict[str, list[ActionEntry]]]:
    actions: dict[str, dict[str, list[ActionEntry]]] = {}
    resources = {
        e.alias: dict(_call(e, "actions") or {})
        for e in extensions
        if interfaces.IResourceExtension.providedBy(e)
    }

    def add(collection: str, action: Action, owner: str) -> None:
        _check_action(action, owner)
        entries = actions.setdefault(collection, {}).setdefault(action.name, [])
        for other in entries:
            if ranges_overlap(other.action, action):
                raise ExtensionLoadError(
                    "Duplicate action %r on %s: served by both %r and %r"
                    % (action.name, collection, other.owner, owner)
                )
        entries.append(ActionEntry(action, owner))

    for alias, by_collection in resources.items():
        for collection, items in sorted(by_collection.items()):
            for action in items:
                add(collection, action, alias)
    for ext in extensions:
        if not interfaces.IControllerExtension.providedBy(ext):
            continue
        # Its actions join the extended resource's own action collections;
        # a resource with none of its own gets /<extends>/<id>/action.
        own = sorted(resources.get(ext.extends, {}))
        added = list(_call(ext, "actions") or ())
        for collection in own or [ext.extends]:
            for action in added:
                add(collection, action, ext.alias)
    return actions


def _entries(extensions: list[Any], actions: dict[str, Any]) -> list[tuple[RouteEntry, str]]:
    entries = []
    for ext in extensions:
        if not interfaces.IResourceExtension.providedBy(ext):
            continue
        for route in _call(ext, "routes"):
            _check_route(route, ext.alias)
            entries.append((RouteEntry(route, ext.alias, tuple(_params(route.path))), route.root))
    for collection in sorted(actions):
        path = "/%s/<resource_id>/action" % (collection,)
        route = Route(path, ("POST",), handler=None, endpoint="%s.action" % (collection,))
        entries.append((RouteEntry(route, "(router)", ("resource_id",), collection), "api"))
    return entries


def _group(entries: list[tuple[RouteEntry, str]]) -> dict[str, list[RouteGroup]]:
    groups: dict[str, dict[str, RouteGroup]] = {root: {} for root in ROOTS}
    endpoints: dict[str, RouteEntry] = {}
    for entry, root in entries:
        route = entry.route
        if route.endpoint in endpoints:
            raise ExtensionLoadError(
                "Duplicate endpoint %r: routes of %r and %r"
                % (route.endpoint, endpoints[route.endpoint].owner, entry.owner)
            )
        endpoints[route.endpoint] = entry
        group = groups[root].setdefault(_shape(route.path), RouteGroup(route.path))
        for other in group.entries:
            shared = set(other.route.methods) & set(route.methods)
            if shared and ranges_overlap(other.route, route):
                raise ExtensionLoadError(
                    "Duplicate route %s %s: %r (%s) and %r (%s)"
                    % (
                        "/".join(sorted(shared)),
                        route.path,
                        other.owner,
                        other.route.endpoint,
                        entry.owner,
                        route.endpoint,
                    )
                )
        group.entries.append(entry)
    return {root: list(by_shape.values()) for root, by_shape in groups.items()}


def _check_policies(policy: Policy, entries: Iterable[tuple[RouteEntry, str]], actions: dict) -> None:
    named = [(e.route.policy, "route %s of %r" % (e.route.endpoint, e.owner)) for e, _ in entries]
    for collection, by_name in actions.items():
        for name, items in by_name.items():
            named.extend((i.action.policy, "action %r on %s of %r" % (name, collection, i.owner)) for i in items)
    for rule, user in named:
        if rule is not None and not policy.is_registered(rule):
            raise ExtensionLoadError(
                "Policy rule %r of %s is not registered: an extension providing "
                "IPolicyDefaultsProvider must define it" % (rule, user)
            )


def _top_segments(groups: list[RouteGroup]) -> frozenset[str]:
    tops = set()
    for group in groups:
        first = group.path.strip("/").split("/")[0]
        if first and "<" not in first:
            tops.add(first)
    return frozenset(tops)


def build_table(runtime: Any, manager: Any = None, hook_manager: Any = None) -> RouteTable:
    """
    Load, set up and check the extensions of C{runtime}'s API.

    @param manager: stevedore manager of the API's extensions (default: the
        installed entry points).
    @param hook_manager: the same for server-create hooks (compute only).
    @raise ExtensionLoadError: anything that stops the start.
    """
    conf = runtime.config
    extensions = load_extensions(runtime.api_name, conf, manager)
    hooks = load_server_create_hooks(conf, hook_manager) if runtime.api_name == "osapi_compute" else []
    _setup(runtime, extensions, hooks)
    everything = extensions + hooks
    declared = _register_fields(
        runtime, [o for o in everything if interfaces.IServerFieldProvider.providedBy(o)])
    _check_hook_fields(hooks, declared)
    policy = _policy(runtime, [o for o in everything if interfaces.IPolicyDefaultsProvider.providedBy(o)])
    actions = _collect_actions(extensions)
    entries = _entries(extensions, actions)
    _check_policies(policy, entries, actions)
    groups = _group(entries)
    controllers: dict[str, list[Any]] = {}
    for ext in sorted(extensions, key=lambda e: e.alias):
        if interfaces.IControllerExtension.providedBy(ext):
            controllers.setdefault(ext.extends, []).append(ext)
    regex = DEFAULT_PROJECT_ID_REGEX
    if runtime.api_name == "osapi_compute" and conf.osapi_v21.project_id_regex:
        regex = conf.osapi_v21.project_id_regex
    return RouteTable(
        runtime=runtime,
        policy=policy,
        groups=groups,
        actions=actions,
        controllers=controllers,
        hooks=hooks,
        top_segments={root: _top_segments(g) for root, g in groups.items()},
        project_id_regex=re.compile(regex),
        trust_proxy_headers=bool(conf.oslo_middleware.enable_proxy_headers_parsing),
    )
