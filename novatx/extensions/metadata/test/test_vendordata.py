"""Vendordata: the static file and dynamic targets the test serves."""

from __future__ import annotations

import json
import time

from twisted.internet import reactor
from twisted.logger import globalLogPublisher
from twisted.trial.unittest import TestCase
from twisted.web.resource import Resource
from twisted.web.server import NOT_DONE_YET, Site
from zope.interface.verify import verifyObject

from novatx.extensions.interfaces import IAPIExtension, IResourceExtension, IVendorDataProvider
from novatx.extensions.metadata.resource import MetadataAPI
from novatx.extensions.metadata.test.fixtures import instance
from novatx.extensions.metadata.test.harness import FakeCompute, config, fetch, serve
from novatx.extensions.metadata.vendordata import DynamicJSON, StaticJSON, parse_targets


class _Target(Resource):
    """A dynamic vendordata target: answers per path, records what it was sent."""

    isLeaf = True

    def __init__(self) -> None:
        super().__init__()
        self.received: list[dict] = []
        self.pending: list = []

    def render_POST(self, request):
        body = json.loads(request.content.read())
        self.received.append(body)
        if request.path == b"/fast":
            request.setHeader(b"content-type", b"application/json")
            return json.dumps({"instance": body["instance-id"], "roles": ["web"]}).encode()
        if request.path == b"/fail":
            request.setResponseCode(500)
            return b"boom"
        if request.path == b"/garbage":
            return b"not json"
        self.pending.append(request)
        return NOT_DONE_YET


class VendorDataTests(TestCase):
    def setUp(self) -> None:
        self.target = _Target()
        port = reactor.listenTCP(0, Site(self.target), interface="127.0.0.1")
        self.addCleanup(port.stopListening)
        self.target_url = "http://127.0.0.1:%d" % port.getHost().port
        self.compute = FakeCompute()
        self.server = self.compute.add(instance(fixed_ip="127.0.0.1"))

    def test_extensions_provide_their_interfaces(self) -> None:
        for provider in (StaticJSON(), DynamicJSON()):
            verifyObject(IVendorDataProvider, provider)
            verifyObject(IAPIExtension, provider)
        verifyObject(IResourceExtension, MetadataAPI())

    def test_targets_without_name_or_repeated_are_skipped(self) -> None:
        self.assertEqual(
            parse_targets(["a@http://x", "http://nameless", "a@http://y", "b@http://z"]),
            [("a", "http://x"), ("b", "http://z")],
        )

    async def test_static_file(self) -> None:
        path = self.mktemp()
        with open(path, "w") as f:
            json.dump({"cloud": "novatx"}, f)
        url = serve(
            self,
            config(**{"api.vendordata_jsonfile_path": path}),
            self.compute,
        )
        _, headers, body = await fetch("GET", url + "/openstack/latest/vendor_data.json")
        self.assertEqual(json.loads(body), {"cloud": "novatx"})
        _, _, body = await fetch("GET", url + "/openstack/latest/vendor_data2.json")
        self.assertEqual(json.loads(body), {"static": {"cloud": "novatx"}})

    async def test_missing_or_broken_static_file_gives_empty(self) -> None:
        broken = self.mktemp()
        with open(broken, "w") as f:
            f.write("{nope")
        urls = [
            serve(self, config(**{"api.vendordata_jsonfile_path": p}), self.compute)
            for p in (broken, self.mktemp())
        ]
        for url in urls:
            status, _, body = await fetch("GET", url + "/openstack/latest/vendor_data.json")
            self.assertEqual((status, json.loads(body)), (200, {}))

    async def test_dynamic_targets_fast_slow_and_failing(self) -> None:
        targets = [
            "fast@%s/fast" % self.target_url,
            "slow@%s/slow" % self.target_url,
            "failing@%s/fail" % self.target_url,
            "garbage@%s/garbage" % self.target_url,
        ]
        url = serve(
            self,
            config(
                **{
                    "api.vendordata_providers": ["StaticJSON", "DynamicJSON"],
                    "api.vendordata_dynamic_targets": targets,
                    "api.vendordata_dynamic_connect_timeout": 3,
                    "api.vendordata_dynamic_read_timeout": 0,
                }
            ),
            self.compute,
        )

        logged: list[dict] = []
        globalLogPublisher.addObserver(logged.append)
        self.addCleanup(globalLogPublisher.removeObserver, logged.append)
        started = time.monotonic()
        status, _, body = await fetch("GET", url + "/openstack/latest/vendor_data2.json")
        elapsed = time.monotonic() - started
        self.assertEqual(status, 200)
        self.assertEqual(
            json.loads(body),
            {
                "static": {},
                "fast": {"instance": self.server.uuid, "roles": ["web"]},
                "slow": {},
                "failing": {},
                "garbage": {},
            },
        )
        self.assertLess(elapsed, 6)
        sent = self.target.received[0]
        self.assertEqual(sent["instance-id"], self.server.uuid)
        self.assertEqual(sent["project-id"], "p1")
        self.assertEqual(sent["metadata"], {"role": "webserver"})
        named = {e.get("name") for e in logged if e.get("log_namespace", "").endswith("vendordata")}
        self.assertEqual(named, {"slow", "failing", "garbage"})
        status, _, body = await fetch("GET", url + "/openstack/latest/meta_data.json")
        self.assertEqual(status, 200)
