"""
Loading extensions: the operator's lists, the checks on what is loaded, the
core set, hooks and vendordata providers, and the contracts themselves.
"""

from __future__ import annotations

from stevedore.extension import Extension, ExtensionManager
from twisted.logger import LogLevel, capturedLogs, formatEvent
from twisted.trial.unittest import TestCase
from zope.interface import implementer
from zope.interface.verify import verifyObject

from novatx.config import make_config
from novatx.extensions import compute as compute_extensions, interfaces, loading
from novatx.extensions.interfaces import (
    IAPIRequest,
    IResourceExtension,
    IServerCreateHook,
    IVendorDataProvider,
)
from novatx.extensions.loading import ExtensionLoadError
from novatx.resources.request import APIRequest
from novatx.resources.runtime import Runtime


@implementer(IResourceExtension)
class Good:
    name = "Good"
    version = 1
    api = "osapi_compute"

    def __init__(self, alias="good"):
        self.alias = alias

    def setup(self, context):
        pass

    def routes(self):
        return []

    def actions(self):
        return {}


@implementer(IResourceExtension)
class MissingRoutes:
    name = "Broken"
    alias = "broken"
    version = 1
    api = "osapi_compute"

    def setup(self, context):
        pass

    def actions(self):
        return {}


@implementer(IResourceExtension)
class MissingAlias:
    name = "No alias"
    version = 1
    api = "osapi_compute"

    def setup(self, context):
        pass

    def routes(self):
        return []

    def actions(self):
        return {}


class NotDeclared:
    name = "Plain"
    alias = "plain"
    version = 1
    api = "osapi_compute"


class Exploding(Good):
    def __init__(self):
        raise RuntimeError("no config file")


@implementer(IServerCreateHook)
class Hook:
    name = "lucky"
    writes = ()

    def schema_properties(self, version):
        return {}

    def create_kwargs(self, request, server_body, create_fields):
        pass


@implementer(IVendorDataProvider)
class Provider:
    name = "Fixed"

    def get(self, instance, context):
        return {}


def _manager(*pairs):
    """Extensions as stevedore has them: (entry point name, class or object)."""
    extensions = []
    for name, thing in pairs:
        if isinstance(thing, type):
            extensions.append(Extension(name, None, thing, None))
        else:
            extensions.append(Extension(name, None, type(thing), thing))
    return ExtensionManager.make_test_instance(extensions)


class LoadExtensionsTests(TestCase):
    def setUp(self):
        self.patch(compute_extensions, "CORE_ALIASES", ())
        self.conf = make_config([])

    def _load(self, *pairs):
        return loading.load_extensions("osapi_compute", self.conf, _manager(*pairs))

    def test_loads_classes_and_objects(self):
        loaded = self._load(("good", Good), ("other", Good("other")))
        self.assertEqual([e.alias for e in loaded], ["good", "other"])

    def test_whitelist_keeps_only_the_named(self):
        self.conf.set_override("extensions_whitelist", ["other"], group="osapi_v21")
        loaded = self._load(("good", Good), ("other", Good("other")))
        self.assertEqual([e.alias for e in loaded], ["other"])

    def test_blacklist_wins_over_the_whitelist(self):
        self.conf.set_override("extensions_whitelist", ["good", "other"], group="osapi_v21")
        self.conf.set_override("extensions_blacklist", ["other"], group="osapi_v21")
        loaded = self._load(("good", Good), ("other", Good("other")))
        self.assertEqual([e.alias for e in loaded], ["good"])

    def test_blacklisted_broken_extension_is_never_looked_at(self):
        self.conf.set_override("extensions_blacklist", ["broken"], group="osapi_v21")
        self.assertEqual(len(self._load(("good", Good), ("broken", MissingRoutes))), 1)

    def test_missing_method_refused_naming_it(self):
        error = self.assertRaises(ExtensionLoadError, self._load, ("good", Good), ("broken", MissingRoutes))
        self.assertIn("Extension 'broken' is broken:", str(error))
        self.assertIn("routes", str(error))

    def test_missing_attribute_refused_naming_it(self):
        error = self.assertRaises(ExtensionLoadError, self._load, ("noalias", MissingAlias))
        self.assertIn("Extension 'noalias' is broken:", str(error))
        self.assertIn("alias", str(error))

    def test_undeclared_class_refused(self):
        error = self.assertRaises(ExtensionLoadError, self._load, ("plain", NotDeclared))
        self.assertEqual(str(error), "Extension 'plain' is broken: it does not provide IAPIExtension")

    def test_failing_constructor_refused(self):
        error = self.assertRaises(ExtensionLoadError, self._load, ("good", Exploding))
        self.assertEqual(
            str(error), "Extension 'good' is broken: cannot instantiate it: RuntimeError: no config file"
        )

    def test_alias_must_match_the_entry_point(self):
        error = self.assertRaises(ExtensionLoadError, self._load, ("goods", Good))
        self.assertEqual(str(error), "Extension 'goods' has alias 'good': its entry point must be named after it")

    def test_wrong_api_refused(self):
        ec2 = Good()
        ec2.api = "ec2"
        error = self.assertRaises(ExtensionLoadError, self._load, ("good", ec2))
        self.assertEqual(
            str(error), "Extension 'good' serves 'ec2', but was found among the osapi_compute extensions"
        )

    def test_missing_core_refused_even_when_blacklisted(self):
        self.patch(compute_extensions, "CORE_ALIASES", ("good", "servers"))
        self.conf.set_override("extensions_blacklist", ["good"], group="osapi_v21")
        error = self.assertRaises(ExtensionLoadError, self._load, ("good", Good))
        self.assertEqual(str(error), "Missing core API extensions: good, servers")

    def test_each_api_has_its_own_lists(self):
        self.conf.set_override("extensions_blacklist", ["good"], group="ec2")
        self.assertEqual(len(self._load(("good", Good))), 1)


class HooksAndProvidersTests(TestCase):
    def test_hooks_follow_the_compute_lists(self):
        conf = make_config([])
        self.assertEqual(len(loading.load_server_create_hooks(conf, _manager(("lucky", Hook)))), 1)
        conf.set_override("extensions_blacklist", ["lucky"], group="osapi_v21")
        self.assertEqual(loading.load_server_create_hooks(conf, _manager(("lucky", Hook))), [])

    def test_broken_hook_refused(self):
        error = self.assertRaises(
            ExtensionLoadError, loading.load_server_create_hooks, make_config([]), _manager(("hook", Good))
        )
        self.assertEqual(str(error), "Extension 'hook' is broken: it does not provide IServerCreateHook")

    def test_hooks_are_found_by_context(self):
        runtime = Runtime("osapi_compute", None, None, None)
        hook = Hook()
        loading.set_server_create_hooks(runtime, [hook])
        self.assertEqual(loading.server_create_hooks(runtime), [hook])
        self.assertEqual(loading.server_create_hooks(Runtime("osapi_compute", None, None, None)), [])

    def test_vendordata_providers_by_name(self):
        providers = loading.load_vendordata_providers(["Fixed"], _manager(("Fixed", Provider), ("Other", Provider)))
        self.assertEqual(list(providers), ["Fixed"])

    def test_installed_vendordata_names_checked(self):
        error = self.assertRaises(ExtensionLoadError, loading.load_vendordata_providers, ["NoSuchProvider"])
        self.assertEqual(str(error), "Unknown vendordata providers: NoSuchProvider")


class InstalledTests(TestCase):
    """The entry points this package installs load and pass the checks."""

    def test_every_installed_extension_passes_its_checks(self):
        conf = make_config([])
        for api in interfaces.API_NAMES:
            for ext in loading.load_extensions(api, conf):
                self.assertEqual(ext.api, api)
        loading.load_server_create_hooks(conf)


class ContractTests(TestCase):
    def test_api_request_provides_its_interface(self):
        request = APIRequest(None, None, None, {}, "GET", "/", None, None, "http://h/v2.1")
        self.assertTrue(verifyObject(IAPIRequest, request))

    def test_runtime_provides_the_extension_context(self):
        self.assertTrue(verifyObject(interfaces.IExtensionContext, Runtime("ec2", None, None, None)))

    def test_version_ranges(self):
        version = interfaces.APIVersion.parse("2.10")
        self.assertTrue(version > interfaces.APIVersion(2, 9))
        self.assertTrue(version.matches("2.1", None))
        self.assertFalse(version.matches("2.11", "2.20"))
        self.assertTrue(version.matches(None, "2.10"))


class UnknownNamesTests(TestCase):
    """An alias in a whitelist or blacklist that nothing installed has is named at start."""

    def test_unknown_names_are_warned_naming_them(self):
        conf = make_config([])
        conf.set_override("extensions_blacklist", ["os-no-such-thing", "os-hosts"], "osapi_v21")
        conf.set_override("extensions_blacklist", ["DescribeNothing"], "ec2")
        with capturedLogs() as events:
            loading.load_extensions("osapi_compute", conf)
            loading.load_extensions("ec2", conf)
        warned = [formatEvent(e) for e in events if e["log_level"] == LogLevel.warn]
        self.assertEqual(
            ["[osapi_v21] extensions_blacklist names 'os-no-such-thing', which no installed "
             "extension has",
             "[ec2] extensions_blacklist names 'DescribeNothing', which no installed extension has"],
            warned)
