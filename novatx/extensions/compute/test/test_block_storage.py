"""
The Block Storage (cinder v3) subset over real HTTP: version discovery without
a token, the microversion header, volumes, their metadata and extension,
snapshots, the default type, limits and zones in cinder's shapes, and the bad
requests answered in cinder's words with nothing made.
"""

from __future__ import annotations

import json

import attrs
from twisted.internet import reactor
from twisted.internet.task import deferLater
from twisted.trial.unittest import TestCase

from novatx.extensions.compute.test._servers_kit import Reply, serve_compute
from novatx.extensions.compute.test.test_volume_attachments import volume_config
from novatx.test.helpers import noauth_headers


@attrs.define
class CinderClient:
    """Requests to C{/volume/v3} as one user, at one volume microversion."""

    served: object
    user: str = "alice"
    project: str = "p1"
    version: str | None = None
    with_project: bool = True

    def at(self, version):
        return attrs.evolve(self, version=version)

    async def request(self, method, path, body=None, headers=None):
        sent = noauth_headers(self.user, self.project)
        if self.version is not None:
            sent["OpenStack-API-Version"] = "volume %s" % self.version
        sent.update(headers or {})
        base = "/volume/v3" + ("/" + self.project if self.with_project else "")
        response = await self.served.client.request(
            method, self.served.url + base + path, headers=sent,
            data=json.dumps(body).encode() if body is not None else None)
        content = await response.content()
        return Reply(response.code, response.headers, json.loads(content) if content else None)

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, body):
        return self.request("POST", path, body)

    def put(self, path, body):
        return self.request("PUT", path, body)

    def delete(self, path):
        return self.request("DELETE", path)

    async def status(self, path, status, timeout=5.0):
        """Poll C{path} until its document shows C{status}; the document."""
        waited = 0.0
        key = path.split("/")[1][:-1]
        while True:
            reply = await self.get(path)
            if reply.code == 200 and reply.body[key]["status"] == status:
                return reply.body[key]
            if waited >= timeout:
                raise AssertionError("%s never reached %s: %s" % (path, status, reply.body))
            await deferLater(reactor, 0.02, lambda: None)
            waited += 0.02

    async def available(self, size=1, **fields):
        created = await self.post("/volumes", {"volume": dict(fields, size=size)})
        if created.code != 202:
            raise AssertionError("create failed: %s %s" % (created.code, created.body))
        return await self.status("/volumes/%s" % created.body["volume"]["id"], "available")


class BlockStorageTests(TestCase):
    async def setUp(self):
        self.compute = await serve_compute(self, volume_config())
        self.served = self.compute.served
        self.cinder = CinderClient(self.served)

    async def test_versions_are_discovered_without_a_token(self):
        for path, code in (("/volume/", 300), ("/volume/v3", 200), ("/volume/v3/", 200)):
            response = await self.served.client.get(self.served.url + path)
            self.assertEqual(code, response.code, path)
            (version,) = json.loads(await response.content())["versions"]
            self.assertEqual(("v3.0", "CURRENT", "3.0", "3.70"),
                             (version["id"], version["status"], version["min_version"],
                              version["version"]))
            self.assertEqual(self.served.url + "/volume/v3/", version["links"][0]["href"])

    async def test_the_microversion_is_negotiated_and_named_back(self):
        plain = await self.cinder.get("/volumes")
        self.assertEqual("volume 3.0", plain.header("OpenStack-API-Version"))
        latest = await self.cinder.at("latest").get("/volumes")
        self.assertEqual("volume 3.70", latest.header("OpenStack-API-Version"))
        too_new = await self.cinder.at("3.99").get("/volumes")
        self.assertEqual((406, "Version 3.99 is not supported by the API. Minimum is 3.0 and "
                          "maximum is 3.70."),
                         (too_new.code, too_new.body["computeFault"]["message"]))
        garbled = await self.cinder.at("three").get("/volumes")
        self.assertEqual(400, garbled.code)
        self.assertIn("is of invalid format", garbled.body["badRequest"]["message"])
        old = await self.cinder.at("3.0").get("/types/default")
        self.assertEqual(404, old.code)
        default = await self.cinder.at("3.62").get("/types/default")
        self.assertEqual("__DEFAULT__", default.body["volume_type"]["name"])

    async def test_a_volumes_life(self):
        cinder = self.cinder.at("3.65")
        created = await cinder.post("/volumes", {"volume": {
            "size": 1, "name": "v1", "description": "d", "metadata": {"k": "v"}}})
        self.assertEqual(202, created.code)
        volume = created.body["volume"]
        self.assertEqual(("creating", "v1", "d", {"k": "v"}, "false", "__DEFAULT__", False),
                         (volume["status"], volume["name"], volume["description"],
                          volume["metadata"], volume["bootable"], volume["volume_type"],
                          volume["multiattach"]))
        self.assertEqual(self.served.url + "/volume/v3/p1/volumes/" + volume["id"],
                         volume["links"][0]["href"])
        self.assertIn("consumes_quota", volume)
        self.assertNotIn("os-vol-tenant-attr:tenant_id", volume)
        path = "/volumes/" + volume["id"]
        await cinder.status(path, "available")
        admin = attrs.evolve(cinder, user="admin")
        self.assertEqual("p1", (await admin.get(path)).body["volume"][
            "os-vol-tenant-attr:tenant_id"])
        listed = await cinder.get("/volumes")
        self.assertEqual([{"id", "name", "links"}], [set(v) for v in listed.body["volumes"]])
        projectless = attrs.evolve(cinder, with_project=False)
        detail = await projectless.get("/volumes/detail")
        self.assertEqual([volume["id"]], [v["id"] for v in detail.body["volumes"]])
        updated = await cinder.put(path, {"volume": {"name": "v2"}})
        self.assertEqual("v2", updated.body["volume"]["name"])
        merged = await cinder.post(path + "/metadata", {"metadata": {"a": "1"}})
        self.assertEqual({"k": "v", "a": "1"}, merged.body["metadata"])
        item = await cinder.get(path + "/metadata/a")
        self.assertEqual({"meta": {"a": "1"}}, item.body)
        self.assertEqual(200, (await cinder.delete(path + "/metadata/a")).code)
        self.assertEqual(404, (await cinder.get(path + "/metadata/a")).code)
        extended = await cinder.post(path + "/action", {"os-extend": {"new_size": 3}})
        self.assertEqual(202, extended.code)
        grown = await cinder.status(path, "available")
        self.assertEqual(3, grown["size"])
        limits = (await cinder.get("/limits")).body["limits"]["absolute"]
        self.assertEqual((1, 3, 10), (limits["totalVolumesUsed"], limits["totalGigabytesUsed"],
                                      limits["maxTotalVolumes"]))
        renamed = (await admin.put(path, {"volume": {"name": "v3"}})).body["volume"]
        self.assertEqual("v3", renamed["name"])
        self.assertEqual(202, (await cinder.delete(path)).code)
        await self._gone(cinder, path)
        self.assertEqual([], (await cinder.get("/volumes")).body["volumes"])
        made = (await admin.post("/volumes", {"volume": {"size": 1}})).body["volume"]
        for answer in (made, renamed):
            self.assertNotIn("os-vol-tenant-attr:tenant_id", answer)
            self.assertNotIn("os-vol-host-attr:host", answer)

    async def test_the_bootable_flag_decides_boot_from_volume(self):
        volume = await self.cinder.available()
        path = "/volumes/%s" % volume["id"]
        mapping = {"boot_index": 0, "source_type": "volume", "destination_type": "volume",
                   "uuid": volume["id"]}
        boot = {"server": {"name": "bfv", "flavorRef": "1",
                           "block_device_mapping_v2": [mapping]}}
        refused = await self.compute.post("/servers", boot)
        self.assertEqual((400, "Block Device %s is not bootable." % volume["id"]),
                         (refused.code, refused.body["badRequest"]["message"]))
        self.assertEqual([], (await self.compute.get("/servers")).body["servers"])
        for bad in ({"bootable": "maybe"}, {}, "yes"):
            answer = await self.cinder.post(path + "/action", {"os-set_bootable": bad})
            self.assertEqual(400, answer.code, bad)
        self.assertEqual("false", (await self.cinder.get(path)).body["volume"]["bootable"])
        flagged = await self.cinder.post(path + "/action", {"os-set_bootable": {"bootable": "true"}})
        self.assertEqual((200, None), (flagged.code, flagged.body))
        self.assertEqual("true", (await self.cinder.get(path)).body["volume"]["bootable"])
        booted = await self.compute.post("/servers", boot)
        self.assertEqual(202, booted.code, booted.body)
        cleared = await self.cinder.post(path + "/action", {"os-set_bootable": {"bootable": False}})
        self.assertEqual(200, cleared.code)
        unknown = await self.cinder.post("/volumes/0e5a8c8d-1b2c-4d3e-8f4a-5b6c7d8e9f0a/action",
                                         {"os-set_bootable": {"bootable": True}})
        self.assertEqual(404, unknown.code)

    async def _gone(self, cinder, path):
        for _ in range(250):
            if (await cinder.get(path)).code == 404:
                return
            await deferLater(reactor, 0.02, lambda: None)
        self.fail("%s was not deleted" % path)

    async def test_snapshots_and_volumes_made_from_them_and_from_images(self):
        cinder = self.cinder.at("3.60")
        volume = await cinder.available(2)
        created = await cinder.post("/snapshots", {"snapshot": {
            "volume_id": volume["id"], "name": "s1"}})
        self.assertEqual(202, created.code)
        snapshot = await cinder.status("/snapshots/" + created.body["snapshot"]["id"],
                                       "available")
        self.assertEqual((volume["id"], 2, "100%"),
                         (snapshot["volume_id"], snapshot["size"],
                          snapshot["os-extended-snapshot-attributes:progress"]))
        restored = await cinder.post("/volumes", {"volume": {"snapshot_id": snapshot["id"]}})
        self.assertEqual((202, 2, snapshot["id"]),
                         (restored.code, restored.body["volume"]["size"],
                          restored.body["volume"]["snapshot_id"]))
        image = self.compute.image_id
        bootable = await cinder.post("/volumes", {"volume": {"size": 1, "imageRef": image}})
        self.assertEqual(202, bootable.code)
        done = await cinder.status("/volumes/" + bootable.body["volume"]["id"], "available")
        self.assertEqual("true", done["bootable"])
        snapshotted = await cinder.delete("/volumes/" + volume["id"])
        self.assertEqual(400, snapshotted.code)
        listed = await cinder.get("/snapshots/detail")
        self.assertEqual([snapshot["id"]], [s["id"] for s in listed.body["snapshots"]])
        self.assertEqual(202, (await cinder.delete("/snapshots/" + snapshot["id"])).code)

    async def test_types_and_zones(self):
        types = (await self.cinder.get("/types")).body["volume_types"]
        self.assertEqual(["__DEFAULT__"], [t["name"] for t in types])
        one = await self.cinder.get("/types/" + types[0]["id"])
        self.assertEqual(types[0], one.body["volume_type"])
        self.assertEqual(404, (await self.cinder.get("/types/nope")).code)
        zones = (await self.cinder.get("/os-availability-zone")).body
        self.assertEqual({"availabilityZoneInfo": [{"zoneName": "nova",
                                                    "zoneState": {"available": True}}]}, zones)

    async def test_bad_requests_in_cinders_words(self):
        cinder = self.cinder
        for size in (0, -1, "big"):
            refused = await cinder.post("/volumes", {"volume": {"size": size}})
            self.assertEqual(400, refused.code, size)
            self.assertIn("Invalid input for field/attribute size",
                          refused.body["badRequest"]["message"])
        none = await cinder.post("/volumes", {"volume": {"name": "no size"}})
        self.assertEqual((400, "Invalid input received: Volume size 'None' must be an integer "
                          "and greater than 0"), (none.code, none.body["badRequest"]["message"]))
        over = await cinder.post("/volumes", {"volume": {"size": 1001}})
        self.assertEqual(413, over.code)
        self.assertEqual({"code": 413, "retryAfter": "0", "message": (
            "Requested volume or snapshot exceeds allowed gigabytes quota. Requested 1001G, "
            "quota is 1000G and 0G has been consumed.")}, over.body["overLimit"])
        foreign = await attrs.evolve(cinder, project="p2").request(
            "GET", "/volumes", headers={"X-Auth-Token": "alice:p1"})
        self.assertEqual((400, "Malformed request url"),
                         (foreign.code, foreign.body["badRequest"]["message"]))
        self.assertEqual([], (await cinder.get("/volumes")).body["volumes"])
        creating = (await cinder.post("/volumes", {"volume": {"size": 1}})).body["volume"]
        early = await cinder.post("/snapshots", {"snapshot": {"volume_id": creating["id"]}})
        self.assertEqual(400, early.code)
        self.assertIn("current status is: creating", early.body["badRequest"]["message"])
        unknown = await cinder.post("/volumes/%s/action" % creating["id"], {"os-nope": {}})
        self.assertEqual((400, "There is no such action: os-nope"),
                         (unknown.code, unknown.body["badRequest"]["message"]))
        missing = await cinder.get("/volumes/0b5c6f7e-1d2e-4f3a-8b9c-0d1e2f3a4b5c")
        self.assertEqual((404, "Volume 0b5c6f7e-1d2e-4f3a-8b9c-0d1e2f3a4b5c could not be "
                          "found."), (missing.code, missing.body["itemNotFound"]["message"]))
        self.assertEqual([], (await cinder.get("/snapshots")).body["snapshots"])
