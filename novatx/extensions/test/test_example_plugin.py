"""
The example plugin (C{examples/novatx-example}) through real entry points and
the real pipeline (paste, noauth2, the internal API over SQLite): its resource,
its server field (accepted at create and update, stored, shown), its action, and all of it
gone when the operator lists it out. Also, through the same loader: a broken
plugin installed on the path stops the start, named; so do a plugin taking a
core route (both named) and a core extension listed out.

The plugin must be installed in the venv (CI: C{pip install
./examples/novatx-example}); if it is not, the first test installs it with pip.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import os
import shutil
import sys

from stevedore import _cache as stevedore_cache
from twisted.internet import reactor
from twisted.internet.defer import Deferred, DeferredQueue, inlineCallbacks
from twisted.internet.utils import getProcessOutputAndValue
from twisted.trial.unittest import TestCase

from novatx.compute.context import RequestContext
from novatx.compute.exceptions import Invalid
from novatx.config import make_config
from novatx.extensions import compute as compute_extensions
from novatx.extensions.loading import ExtensionLoadError
from novatx.resources.loader import load_api
from novatx.resources.runtime import Runtime
from novatx.compute.service import ComputeService
from novatx.test.helpers import noauth_headers, serve_api, serve_resource

EXAMPLE = os.path.join(os.path.dirname(__file__), "..", "..", "..", "examples", "novatx-example")
PLUGIN_ALIASES = ["example-colours", "example-server-colour"]


def _installed() -> bool:
    try:
        importlib.metadata.distribution("novatx-example")
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


@inlineCallbacks
def ensure_installed(testcase: TestCase) -> Deferred:
    """Install the example plugin into this venv with pip unless it is there."""
    if _installed():
        return
    source = os.path.join(testcase.mktemp(), "novatx-example")
    shutil.copytree(EXAMPLE, source)
    out, err, code = yield getProcessOutputAndValue(
        sys.executable,
        ["-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", source],
        env=dict(os.environ),
    )
    if code != 0:
        testcase.fail("pip could not install the example plugin: %s" % err.decode(errors="replace"))
    importlib.invalidate_caches()


def install_distribution(testcase, module, source, entry_point,
                         group="novatx.api.osapi_compute.extensions"):
    """A distribution on sys.path whose C{module} holds C{source}, with one entry point."""
    root = os.path.abspath(testcase.mktemp())
    info = os.path.join(root, "%s-1.0.dist-info" % (module,))
    os.makedirs(info)
    with open(os.path.join(root, module + ".py"), "w") as f:
        f.write(source)
    with open(os.path.join(info, "METADATA"), "w") as f:
        f.write("Metadata-Version: 2.1\nName: %s\nVersion: 1.0\n" % (module.replace("_", "-"),))
    with open(os.path.join(info, "entry_points.txt"), "w") as f:
        f.write("[%s]\n%s\n" % (group, entry_point))
    sys.path.insert(0, root)
    testcase.addCleanup(sys.modules.pop, module, None)
    testcase.addCleanup(sys.path.remove, root)
    importlib.invalidate_caches()


def _create_body(name, **extra):
    return {"server": {"name": name, "flavorRef": "1", "imageRef": "", "networks": "none", **extra}}


class ExamplePluginTests(TestCase):
    timeout = 60

    @inlineCallbacks
    def _serve(self, conf=None):
        yield ensure_installed(self)
        served = yield serve_api(self, "osapi_compute", conf)
        images = yield served.compute.api.list_images(RequestContext("alice", "p1"))
        self.image_id = images.items[0].id
        return served

    @inlineCallbacks
    def _call(self, served, method, path, body=None, version="2.37"):
        if method == "POST" and body is not None and "server" in body:
            body["server"]["imageRef"] = self.image_id
        data = None if body is None else __import__("json").dumps(body).encode()
        response = yield served.client.request(
            method, served.url + path, data=data, headers=noauth_headers("alice", "p1", version)
        )
        content = yield response.content()
        return response.code, (__import__("json").loads(content) if content else None)

    @inlineCallbacks
    def test_resource_appears(self):
        served = yield self._serve()
        code, body = yield self._call(served, "GET", "/v2.1/example-colours")
        self.assertEqual(code, 200)
        self.assertEqual([c["name"] for c in body["colours"]], ["blue", "green", "grey", "red"])
        self.assertEqual(body["colours"][0]["links"][0]["href"], served.url + "/v2.1/example-colours/blue")
        code, body = yield self._call(served, "GET", "/v2.1/example-colours/pink")
        self.assertEqual((code, body["itemNotFound"]["message"]), (404, "Colour pink could not be found."))

    @inlineCallbacks
    def test_field_is_accepted_stored_and_shown(self):
        served = yield self._serve()
        code, created = yield self._call(
            served, "POST", "/v2.1/servers", _create_body("red-one", **{"example:colour": "red"}))
        self.assertEqual(code, 202, created)
        server_id = created["server"]["id"]
        code, shown = yield self._call(served, "GET", "/v2.1/servers/" + server_id)
        self.assertEqual((code, shown["server"]["example:colour"]), (200, "red"))
        stored = yield served.compute.api.get_server(RequestContext("alice", "p1"), server_id)
        self.assertEqual(stored.extra["example:colour"], "red")
        code, plain = yield self._call(served, "POST", "/v2.1/servers", _create_body("plain"))
        code, detail = yield self._call(served, "GET", "/v2.1/servers/detail")
        colours = {s["name"]: s["example:colour"] for s in detail["servers"]}
        self.assertEqual(colours, {"red-one": "red", "plain": "grey"})

    @inlineCallbacks
    def test_the_driver_receives_the_field(self):
        served = yield self._serve()
        driver = served.compute.api.driver
        spawned = []
        spawn = driver.spawn

        def recording(instance, extra_fields):
            spawned.append((instance.name, dict(extra_fields)))
            return spawn(instance, extra_fields)

        self.patch(driver, "spawn", recording)
        yield self._call(served, "POST", "/v2.1/servers", _create_body("blue-one", **{"example:colour": "blue"}))
        yield self._call(served, "POST", "/v2.1/servers", _create_body("plain"))
        self.assertEqual(
            [(name, extra.get("example:colour")) for name, extra in spawned],
            [("blue-one", "blue"), ("plain", "grey")],
        )

    @inlineCallbacks
    def test_field_is_validated_by_the_hook_schema(self):
        served = yield self._serve()
        code, body = yield self._call(
            served, "POST", "/v2.1/servers", _create_body("pink", **{"example:colour": "pink"}))
        self.assertEqual(code, 400)
        self.assertTrue(
            body["badRequest"]["message"].startswith("Invalid input for field/attribute example:colour. Value: pink."),
            body,
        )

    @inlineCallbacks
    def test_an_update_changes_the_field_through_the_extension_schema(self):
        served = yield self._serve()
        _, created = yield self._call(served, "POST", "/v2.1/servers", _create_body("c", **{"example:colour": "red"}))
        path = "/v2.1/servers/" + created["server"]["id"]
        code, updated = yield self._call(served, "PUT", path, {"server": {"example:colour": "blue", "name": "d"}})
        self.assertEqual(code, 200, updated)
        self.assertEqual((updated["server"]["example:colour"], updated["server"]["name"]), ("blue", "d"))
        code, shown = yield self._call(served, "GET", path)
        self.assertEqual(shown["server"]["example:colour"], "blue")
        stored = yield served.compute.api.get_server(RequestContext("alice", "p1"), created["server"]["id"])
        self.assertEqual(stored.extra["example:colour"], "blue")

    @inlineCallbacks
    def test_a_bad_field_on_update_is_400_and_nothing_is_written(self):
        served = yield self._serve()
        _, created = yield self._call(served, "POST", "/v2.1/servers", _create_body("c", **{"example:colour": "red"}))
        path = "/v2.1/servers/" + created["server"]["id"]
        for value in (5, "pink", None):
            code, body = yield self._call(served, "PUT", path, {"server": {"example:colour": value, "name": "no"}})
            self.assertEqual(code, 400, body)
            self.assertTrue(body["badRequest"]["message"].startswith(
                "Invalid input for field/attribute example:colour."), body)
        code, body = yield self._call(served, "PUT", path, {"server": {"example:shade": "dark"}})
        self.assertEqual(code, 400, body)
        self.assertIn("'example:shade' was unexpected", body["badRequest"]["message"])
        code, shown = yield self._call(served, "GET", path)
        self.assertEqual((shown["server"]["example:colour"], shown["server"]["name"]), ("red", "c"))
        context = RequestContext("alice", "p1")
        yield self.assertFailure(
            served.compute.api.update_server(context, created["server"]["id"], extra={"example:colour": 5}), Invalid)
        yield self.assertFailure(
            served.compute.api.update_server(context, created["server"]["id"], extra={"example:shade": "x"}), Invalid)
        stored = yield served.compute.api.get_server(context, created["server"]["id"])
        self.assertEqual(stored.extra["example:colour"], "red")

    @inlineCallbacks
    def test_action_appears(self):
        served = yield self._serve()
        _, created = yield self._call(served, "POST", "/v2.1/servers", _create_body("b", **{"example:colour": "blue"}))
        code, body = yield self._call(
            served, "POST", "/v2.1/servers/%s/action" % created["server"]["id"], {"example:describeColour": None}
        )
        self.assertEqual(code, 200)
        self.assertEqual(body, {"colour": {"name": "blue", "rgb": "#0000ff", "complement": "#ffff00"}})

    @inlineCallbacks
    def test_a_reload_builds_again_over_the_same_internal_api(self):
        served = yield self._serve()
        again = Runtime("osapi_compute", served.runtime.config, served.compute.api, reactor)
        tree = load_api(again)
        self.assertIn("example-server-colour", again.extensions)
        self.assertIsNotNone(tree)

    @inlineCallbacks
    def test_listing_it_out_makes_it_disappear(self):
        yield ensure_installed(self)
        blacklisted = make_config([])
        blacklisted.set_override("extensions_blacklist", PLUGIN_ALIASES, "osapi_v21")
        whitelisted = make_config([])
        whitelisted.set_override("extensions_whitelist", list(compute_extensions.CORE_ALIASES), "osapi_v21")
        for conf in (blacklisted, whitelisted):
            served = yield self._serve(conf)
            code, _ = yield self._call(served, "GET", "/v2.1/example-colours")
            self.assertEqual(code, 404)
            code, body = yield self._call(
                served, "POST", "/v2.1/servers", _create_body("x", **{"example:colour": "red"}))
            self.assertEqual(code, 400)
            self.assertIn("'example:colour' was unexpected", body["badRequest"]["message"])
            code, created = yield self._call(served, "POST", "/v2.1/servers", _create_body("x"))
            server_id = created["server"]["id"]
            code, shown = yield self._call(served, "GET", "/v2.1/servers/" + server_id)
            self.assertNotIn("example:colour", shown["server"])
            code, body = yield self._call(served, "PUT", "/v2.1/servers/" + server_id,
                                          {"server": {"example:colour": "red"}})
            self.assertEqual(code, 400)
            self.assertIn("'example:colour' was unexpected", body["badRequest"]["message"])
            code, body = yield self._call(
                served, "POST", "/v2.1/servers/%s/action" % server_id, {"example:describeColour": None}
            )
            self.assertEqual((code, body["badRequest"]["message"]),
                             (400, "There is no such action: example:describeColour"))


BROKEN_MODULE = '''
from zope.interface import implementer
from novatx.extensions.interfaces import IResourceExtension


@implementer(IResourceExtension)
class HalfDone:
    name = "Half done"
    version = 1
    api = "osapi_compute"

    def setup(self, context):
        pass

    def routes(self):
        return []

    def actions(self):
        return {}
'''


CLASHING_MODULE = '''
from zope.interface import implementer
from novatx.extensions.interfaces import IResourceExtension, Route


@implementer(IResourceExtension)
class Mine:
    name = "Mine"
    alias = "mine"
    version = 1
    api = "osapi_compute"

    def setup(self, context):
        pass

    def routes(self):
        return [Route("/servers/<server_id>", ("GET",), lambda request, server_id: {}, "mine.show")]

    def actions(self):
        return {}
'''


FAILING_PROVIDER = '''
from zope.interface import implementer
from novatx.extensions.interfaces import IAPIExtension, IVendorDataProvider


@implementer(IVendorDataProvider, IAPIExtension)
class Failing:
    name = "Failing"
    alias = "Failing"
    version = 1
    api = "metadata"

    def setup(self, context):
        raise RuntimeError("no vendor service configured")

    def get(self, instance, context):
        return {}
'''


#: A hook of another package that writes the example's field (C{writes} names
#: it) and, when its body asks, a field it never named.
COLOUR_TOO_HOOK = '''
from zope.interface import implementer
from novatx.extensions.interfaces import IServerCreateHook


@implementer(IServerCreateHook)
class ColourToo:
    name = "colour-too"
    writes = ("example:colour",)

    def schema_properties(self, version):
        return {"colour-too:sneak": {"type": "boolean"}}

    def create_kwargs(self, request, server_body, create_fields):
        create_fields["extra"]["example:colour"] = "green"
        if server_body.get("colour-too:sneak"):
            create_fields["extra"]["example:favourite"] = "green"
'''


class BrokenPluginTests(TestCase):
    def _install(self, module, source, entry_point, group="novatx.api.osapi_compute.extensions"):
        install_distribution(self, module, source, entry_point, group)

    def _install_broken(self):
        """A distribution on sys.path whose extension lacks its alias."""
        self._install("novatx_broken_plugin", BROKEN_MODULE, "half-done = novatx_broken_plugin:HalfDone")

    @inlineCallbacks
    def test_a_plugin_taking_a_core_route_stops_the_start_naming_both(self):
        self._install("novatx_clashing_plugin", CLASHING_MODULE, "mine = novatx_clashing_plugin:Mine")
        error = yield self.assertFailure(serve_api(self, "osapi_compute"), ExtensionLoadError)
        self.assertEqual(
            str(error), "Duplicate route GET /servers/<server_id>: 'mine' (mine.show) and 'servers' (servers.show)"
        )

    @inlineCallbacks
    def test_a_plugin_that_does_not_import_stops_the_start_naming_it(self):
        self._install("novatx_unimportable_plugin", "import novatx_no_such_module\n",
                      "gone = novatx_unimportable_plugin:Gone")
        error = yield self.assertFailure(serve_api(self, "osapi_compute"), ExtensionLoadError)
        self.assertEqual(
            str(error),
            "Cannot load extensions of novatx.api.osapi_compute.extensions: gone "
            "(novatx_unimportable_plugin:Gone): ModuleNotFoundError: No module named 'novatx_no_such_module'",
        )
        conf = make_config([])
        conf.set_override("extensions_blacklist", ["gone"], "osapi_v21")
        served = yield serve_api(self, "osapi_compute", conf)
        response = yield served.client.get(served.url + "/v2.1/flavors", headers=noauth_headers())
        self.assertEqual(response.code, 200)
        yield response.content()

    @inlineCallbacks
    def test_a_hook_whose_field_is_listed_out_stops_the_start(self):
        yield ensure_installed(self)
        self._install("novatx_colour_too", COLOUR_TOO_HOOK, "colour-too = novatx_colour_too:ColourToo",
                      "novatx.api.server_create")
        conf = make_config([])
        conf.set_override("extensions_blacklist", ["example-server-colour"], "osapi_v21")
        error = yield self.assertFailure(serve_api(self, "osapi_compute", conf), ExtensionLoadError)
        self.assertEqual(
            str(error),
            "Server-create hook 'colour-too' writes 'example:colour', which no loaded extension declares",
        )

    @inlineCallbacks
    def test_a_hook_writing_a_field_it_did_not_name_is_a_500_and_creates_nothing(self):
        yield ensure_installed(self)
        self._install("novatx_colour_too", COLOUR_TOO_HOOK, "colour-too = novatx_colour_too:ColourToo",
                      "novatx.api.server_create")
        served = yield serve_api(self, "osapi_compute")
        headers = noauth_headers("alice", "p1", "2.37")
        response = yield served.client.get(served.url + "/v2.1/images", headers=noauth_headers("alice", "p1"))
        image_id = (yield response.json())["images"][0]["id"]
        body = _create_body("sneaky", **{"colour-too:sneak": True})
        body["server"]["imageRef"] = image_id
        response = yield served.client.post(served.url + "/v2.1/servers", json=body, headers=headers)
        self.assertEqual(500, response.code)
        self.assertIn("computeFault", (yield response.json()))
        self.flushLoggedErrors(RuntimeError)
        response = yield served.client.get(served.url + "/v2.1/servers", headers=headers)
        self.assertEqual([], (yield response.json())["servers"])
        body = _create_body("honest")
        body["server"]["imageRef"] = image_id
        response = yield served.client.post(served.url + "/v2.1/servers", json=body, headers=headers)
        self.assertEqual(202, response.code)
        server_id = (yield response.json())["server"]["id"]
        response = yield served.client.get(served.url + "/v2.1/servers/" + server_id, headers=headers)
        self.assertEqual("green", (yield response.json())["server"]["example:colour"])

    @inlineCallbacks
    def test_a_core_extension_listed_out_stops_the_start(self):
        conf = make_config([])
        conf.set_override("extensions_blacklist", ["servers", "flavors", "example-colours"], "osapi_v21")
        error = yield self.assertFailure(serve_api(self, "osapi_compute", conf), ExtensionLoadError)
        self.assertEqual(str(error), "Missing core API extensions: flavors, servers")

    @inlineCallbacks
    def test_a_vendordata_provider_failing_its_setup_is_named_not_metadata(self):
        self._install("novatx_failing_provider", FAILING_PROVIDER,
                      "Failing = novatx_failing_provider:Failing", "novatx.api.vendordata")
        conf = make_config([])
        conf.set_override("vendordata_providers", ["StaticJSON", "Failing"], "api")
        error = yield self.assertFailure(serve_api(self, "metadata", conf), ExtensionLoadError)
        self.assertEqual(
            "Vendordata provider 'Failing' (novatx_failing_provider:Failing) failed in setup(): "
            "RuntimeError: no vendor service configured", str(error))

    @inlineCallbacks
    def test_a_vendordata_provider_that_does_not_import_is_named(self):
        self._install("novatx_gone_provider", "import novatx_no_such_module\n",
                      "Gone = novatx_gone_provider:Gone", "novatx.api.vendordata")
        conf = make_config([])
        conf.set_override("vendordata_providers", ["Gone"], "api")
        error = yield self.assertFailure(serve_api(self, "metadata", conf), ExtensionLoadError)
        self.assertEqual(
            "Cannot load extensions of novatx.api.vendordata: Gone (novatx_gone_provider:Gone): "
            "ModuleNotFoundError: No module named 'novatx_no_such_module'", str(error))

    @inlineCallbacks
    def test_broken_plugin_stops_the_start_naming_it(self):
        self._install_broken()
        error = yield self.assertFailure(serve_api(self, "osapi_compute"), ExtensionLoadError)
        self.assertIn("Extension 'half-done' (novatx_broken_plugin:HalfDone) is broken", str(error))
        self.assertIn("alias", str(error))

    @inlineCallbacks
    def test_found_even_when_stevedore_cache_misses_it(self):
        self._install_broken()
        self.patch(stevedore_cache, "get_group_all", lambda group, path=None: [])
        error = yield self.assertFailure(serve_api(self, "osapi_compute"), ExtensionLoadError)
        self.assertIn("Extension 'half-done' (novatx_broken_plugin:HalfDone) is broken", str(error))

    @inlineCallbacks
    def test_blacklisted_broken_plugin_is_not_loaded(self):
        self._install_broken()
        conf = make_config([])
        conf.set_override("extensions_blacklist", ["half-done"], "osapi_v21")
        served = yield serve_api(self, "osapi_compute", conf)
        response = yield served.client.get(served.url + "/v2.1/flavors", headers=noauth_headers())
        self.assertEqual(response.code, 200)
        yield response.content()


VERSIONED_FIELD_MODULE = '''
from zope.interface import implementer
from novatx.compute.fields import ExtraField
from novatx.extensions.interfaces import IResourceExtension, IServerFieldProvider


@implementer(IResourceExtension, IServerFieldProvider)
class Since:
    name = "Since"
    alias = "test-since"
    version = 1
    api = "osapi_compute"

    def setup(self, context):
        pass

    def routes(self):
        return []

    def actions(self):
        return {}

    def fields(self):
        return [ExtraField("test:since", "string", "hello", min_version="2.60",
                           max_version="2.90")]
'''


class FieldVersionTests(TestCase):
    """
    A field's C{min_version}/C{max_version} gate it in every server document:
    show, detail, update and rebuild.
    """

    timeout = 60

    @inlineCallbacks
    def test_a_field_is_absent_outside_its_range(self):
        install_distribution(self, "novatx_since_plugin", VERSIONED_FIELD_MODULE,
                             "test-since = novatx_since_plugin:Since")
        served = yield serve_api(self, "osapi_compute")
        images = yield served.compute.api.list_images(RequestContext("alice", "p1"))
        body = _create_body("versioned")
        body["server"]["imageRef"] = images.items[0].id
        response = yield served.client.post(served.url + "/v2.1/servers", json=body,
                                            headers=noauth_headers("alice", "p1", "2.37"))
        server_id = (yield response.json())["server"]["id"]
        rebuild = {"rebuild": {"imageRef": images.items[0].id}}
        for version, shown in (("2.59", False), ("2.60", True), ("2.90", True), ("2.91", False)):
            documents = {}
            headers = noauth_headers("alice", "p1", version)
            response = yield served.client.get(served.url + "/v2.1/servers/" + server_id,
                                               headers=headers)
            documents["show"] = (yield response.json())["server"]
            response = yield served.client.get(served.url + "/v2.1/servers/detail",
                                               headers=headers)
            documents["detail"] = (yield response.json())["servers"][0]
            response = yield served.client.put(served.url + "/v2.1/servers/" + server_id,
                                               json={"server": {"name": "v" + version}},
                                               headers=headers)
            documents["update"] = (yield response.json())["server"]
            yield self._active(served, server_id)
            response = yield served.client.post(
                served.url + "/v2.1/servers/%s/action" % server_id, json=rebuild, headers=headers)
            self.assertEqual(202, response.code, (yield response.content()))
            documents["rebuild"] = (yield response.json())["server"]
            for view, document in documents.items():
                if shown:
                    self.assertEqual("hello", document.get("test:since"), (version, view))
                else:
                    self.assertNotIn("test:since", document, (version, view))

    @inlineCallbacks
    def _active(self, served, server_id):
        """
        Rebuild wants an ACTIVE server: wait for the simulated build to end,
        told by the internal API's observers, not by time.
        """
        changes = DeferredQueue()
        served.compute.api.add_observer(changes.put)
        while True:
            instance = yield served.compute.api.get_server(RequestContext("alice", "p1"),
                                                           server_id)
            if instance.status == "ACTIVE" and instance.task_state is None:
                return
            yield changes.get().addTimeout(30, reactor)

    @inlineCallbacks
    def test_a_field_with_a_bad_range_stops_the_start(self):
        install_distribution(
            self, "novatx_badrange_plugin",
            VERSIONED_FIELD_MODULE.replace('max_version="2.90"', 'max_version="2.50"')
            .replace('"test-since"', '"test-badrange"'),
            "test-badrange = novatx_badrange_plugin:Since")
        error = yield self.assertFailure(serve_api(self, "osapi_compute"), ExtensionLoadError)
        self.assertIn("Field 'test:since' of 'test-badrange' has an empty version range",
                      str(error))


class ListedOutTests(TestCase):
    """
    A server stored with the example's field, served after the operator listed
    the example out: the field is neither shown nor accepted.
    """

    timeout = 60

    @inlineCallbacks
    def _serve(self, state, blacklist=()):
        conf = make_config([])
        conf.set_override("state_path", state)
        conf.set_override("connection", "sqlite:///" + os.path.join(state, "nova.sqlite"),
                          "database")
        conf.set_override("extensions_blacklist", list(blacklist), "osapi_v21")
        compute = ComputeService(conf, reactor)
        yield compute.startService()
        self.addCleanup(compute.stopService)
        runtime = Runtime("osapi_compute", conf, compute.api, reactor)
        return serve_resource(self, load_api(runtime))

    @inlineCallbacks
    def test_a_stored_field_of_a_listed_out_plugin_is_not_shown(self):
        yield ensure_installed(self)
        state = os.path.abspath(self.mktemp())
        os.makedirs(state)
        first = yield self._serve(state)
        response = yield first.client.get(first.url + "/v2.1/images",
                                          headers=noauth_headers("alice", "p1"))
        image_id = (yield response.json())["images"][0]["id"]
        body = _create_body("red-one", **{"example:colour": "red"})
        body["server"]["imageRef"] = image_id
        response = yield first.client.post(first.url + "/v2.1/servers", json=body,
                                           headers=noauth_headers("alice", "p1", "2.37"))
        server_id = (yield response.json())["server"]["id"]
        response = yield first.client.get(first.url + "/v2.1/servers/" + server_id,
                                          headers=noauth_headers("alice", "p1"))
        self.assertEqual("red", (yield response.json())["server"]["example:colour"])

        second = yield self._serve(state, PLUGIN_ALIASES)
        headers = noauth_headers("alice", "p1", "2.37")
        response = yield second.client.get(second.url + "/v2.1/servers/" + server_id,
                                           headers=headers)
        self.assertNotIn("example:colour", (yield response.json())["server"])
        response = yield second.client.get(second.url + "/v2.1/servers/detail", headers=headers)
        self.assertNotIn("example:colour", (yield response.json())["servers"][0])
        response = yield second.client.put(second.url + "/v2.1/servers/" + server_id,
                                           json={"server": {"example:colour": "blue"}},
                                           headers=headers)
        self.assertEqual(400, response.code)
        self.assertIn("'example:colour' was unexpected",
                      (yield response.json())["badRequest"]["message"])
