"""
C{/os-aggregates} over real HTTP: the admins' lifecycle of an aggregate, its
hosts and metadata, nova's refusals, and the zone it gives its hosts.
"""

from __future__ import annotations

from twisted.trial.unittest import TestCase

from novatx.extensions.compute.test._servers_kit import serve_compute


class AggregateTests(TestCase):
    async def _host(self, admin) -> str:
        hosts = (await admin.get("/os-hosts")).body["hosts"]
        return next(h["host_name"] for h in hosts if h["service"] == "compute")

    async def test_lifecycle(self):
        client = await serve_compute(self)
        admin = client.as_user("admin")
        self.assertEqual((await client.get("/os-aggregates")).code, 403)
        made = await admin.post("/os-aggregates", {"aggregate": {"name": "rack1"}})
        self.assertEqual(made.code, 200, made.body)
        self.assertEqual(sorted(made.body["aggregate"]), [
            "availability_zone", "created_at", "deleted", "deleted_at", "id", "name",
            "updated_at"])
        aid = made.body["aggregate"]["id"]
        path = "/os-aggregates/%d" % aid
        shown = (await admin.at("2.41").get(path)).body["aggregate"]
        self.assertEqual((shown["hosts"], shown["metadata"], shown["deleted"]), ([], {}, False))
        self.assertTrue(shown["uuid"])
        renamed = await admin.put(path, {"aggregate": {"name": "rack-1"}})
        self.assertEqual(renamed.body["aggregate"]["name"], "rack-1")
        self.assertIsNotNone(renamed.body["aggregate"]["updated_at"])
        host = await self._host(admin)
        added = await admin.post(path + "/action", {"add_host": {"host": host}})
        self.assertEqual((added.code, added.body["aggregate"]["hosts"]), (200, [host]))
        twice = await admin.post(path + "/action", {"add_host": {"host": host}})
        self.assertEqual(twice.code, 409)
        unknown = await admin.post(path + "/action", {"add_host": {"host": "nowhere"}})
        self.assertEqual(unknown.code, 404)
        meta = await admin.post(path + "/action", {"set_metadata": {"metadata": {"ssd": "yes"}}})
        self.assertEqual(meta.body["aggregate"]["metadata"], {"ssd": "yes"})
        cleared = await admin.post(path + "/action", {"set_metadata": {"metadata": {"ssd": None}}})
        self.assertEqual(cleared.body["aggregate"]["metadata"], {})
        busy = await admin.delete(path)
        self.assertEqual(busy.code, 400)
        removed = await admin.post(path + "/action", {"remove_host": {"host": host}})
        self.assertEqual(removed.body["aggregate"]["hosts"], [])
        gone = await admin.post(path + "/action", {"remove_host": {"host": host}})
        self.assertEqual(gone.code, 404)
        self.assertEqual((await admin.delete(path)).code, 200)
        self.assertEqual((await admin.get(path)).code, 404)
        self.assertEqual((await admin.get("/os-aggregates")).body["aggregates"], [])

    async def test_refusals(self):
        admin = (await serve_compute(self)).as_user("admin")
        await admin.post("/os-aggregates", {"aggregate": {"name": "taken"}})
        for body, code in (
            ({"aggregate": {"name": "taken"}}, 409),
            ({"aggregate": {"name": ""}}, 400),
            ({"aggregate": {"name": "x" * 256}}, 400),
            ({"aggregate": {"name": "ok", "availability_zone": "internal"}}, 400),
            ({"aggregate": {}}, 400),
        ):
            answer = await admin.post("/os-aggregates", body)
            self.assertEqual(answer.code, code, (body, answer.body))
        self.assertEqual((await admin.get("/os-aggregates/999")).code, 404)
        self.assertEqual((await admin.get("/os-aggregates/nope")).code, 404)
        listed = (await admin.get("/os-aggregates")).body["aggregates"]
        self.assertEqual([a["name"] for a in listed], ["taken"])
        empty = await admin.put("/os-aggregates/%d" % listed[0]["id"], {"aggregate": {}})
        self.assertEqual(empty.code, 400)

    async def test_zone_moves_its_hosts(self):
        client = await serve_compute(self)
        admin = client.as_user("admin")
        host = await self._host(admin)
        made = await admin.post(
            "/os-aggregates", {"aggregate": {"name": "a", "availability_zone": "zone-a"}})
        aid = made.body["aggregate"]["id"]
        self.assertEqual(made.body["aggregate"]["availability_zone"], "zone-a")
        before = [z["zoneName"] for z in
                  (await client.get("/os-availability-zone")).body["availabilityZoneInfo"]]
        self.assertNotIn("zone-a", before)
        await admin.post("/os-aggregates/%d/action" % aid, {"add_host": {"host": host}})
        zones = [z["zoneName"] for z in
                 (await client.get("/os-availability-zone")).body["availabilityZoneInfo"]]
        self.assertEqual(zones, ["zone-a"])
        other = await admin.post(
            "/os-aggregates", {"aggregate": {"name": "b", "availability_zone": "zone-b"}})
        clash = await admin.post("/os-aggregates/%d/action" % other.body["aggregate"]["id"],
                                 {"add_host": {"host": host}})
        self.assertEqual(clash.code, 400, clash.body)
        server = await client.create(availability_zone="zone-a")
        shown = await client.wait_for(server["id"], "ACTIVE")
        self.assertEqual(shown["OS-EXT-AZ:availability_zone"], "zone-a")
        unzoned = await admin.put(
            "/os-aggregates/%d" % aid, {"aggregate": {"availability_zone": None}})
        self.assertIsNone(unzoned.body["aggregate"]["availability_zone"])
        zones = [z["zoneName"] for z in
                 (await client.get("/os-availability-zone")).body["availabilityZoneInfo"]]
        self.assertEqual(zones, before)
