"""
Cold and live migration and evacuation over real HTTP, as nova answers them
on a deployment with one compute host.
"""

from __future__ import annotations

from twisted.trial.unittest import TestCase

from novatx.extensions.compute.test._servers_kit import serve_compute


async def _host(admin, sid: str) -> str:
    return (await admin.get("/servers/" + sid)).body["server"]["OS-EXT-SRV-ATTR:host"]


async def _last_action(client, sid: str) -> dict:
    listed = await client.get("/servers/%s/os-instance-actions" % sid)
    return listed.body["instanceActions"][0]


class MoveTests(TestCase):
    async def test_cold_migration_has_no_host(self):
        client = await serve_compute(self)
        admin = client.as_user("admin")
        sid = (await client.create_active())["id"]
        self.assertEqual((await client.action(sid, {"migrate": None})).code, 403)
        for body in (None, {}):
            refused = await admin.action(sid, {"migrate": body})
            self.assertEqual(refused.code, 400)
            self.assertIn("No valid host", refused.body["badRequest"]["message"])
        missing = await admin.action("3d5a4a0e-0000-4000-8000-000000000000", {"migrate": {}})
        self.assertEqual(missing.code, 404)
        elsewhere = await admin.at("2.56").action(sid, {"migrate": {"host": "nowhere"}})
        self.assertEqual(elsewhere.code, 400)
        last = await _last_action(admin, sid)
        self.assertEqual(last["action"], "migrate")
        shown = await admin.at("2.84").get(
            "/servers/%s/os-instance-actions/%s" % (sid, last["request_id"]))
        (event,) = shown.body["instanceAction"]["events"]
        self.assertEqual(event["result"], "Error")
        self.assertIn("No valid host", event["details"])
        self.assertEqual((await client.get("/servers/" + sid)).body["server"]["status"], "ACTIVE")

    async def test_live_migration_is_accepted_and_fails(self):
        client = await serve_compute(self)
        admin = client.as_user("admin")
        sid = (await client.create_active())["id"]
        body = {"os-migrateLive": {"host": None, "block_migration": "auto"}}
        accepted = await admin.at("2.25").action(sid, body)
        self.assertEqual(accepted.code, 202, accepted.body)
        (failed,) = (await admin.at("2.23").get("/os-migrations")).body["migrations"]
        self.assertEqual((failed["migration_type"], failed["status"]), ("live-migration", "error"))
        self.assertEqual((await client.get("/servers/" + sid)).body["server"]["status"], "ACTIVE")
        same = await admin.at("2.25").action(sid, {"os-migrateLive": {
            "host": await _host(admin, sid), "block_migration": False}})
        self.assertEqual(same.code, 400)
        old = await admin.action(sid, {"os-migrateLive": {"host": None}})
        self.assertEqual(old.code, 400, "2.1 needs block_migration and disk_over_commit")
        await client.action(sid, {"os-stop": None})
        await client.wait_for(sid, "SHUTOFF")
        stopped = await admin.at("2.25").action(sid, body)
        self.assertEqual(stopped.code, 409)

    async def test_evacuate_needs_a_failed_host(self):
        client = await serve_compute(self)
        admin = client.as_user("admin")
        sid = (await client.create_active())["id"]
        host = await _host(admin, sid)
        in_use = await admin.at("2.14").action(sid, {"evacuate": {}})
        self.assertEqual(in_use.code, 400)
        self.assertEqual(in_use.body["badRequest"]["message"],
                         "Compute service of %s is still in use." % host)
        forced = await admin.at("2.53").get("/os-services?binary=nova-compute")
        service_id = forced.body["services"][0]["id"]
        await admin.at("2.53").put("/os-services/" + service_id, {"forced_down": True})
        accepted = await admin.at("2.14").action(sid, {"evacuate": {}})
        self.assertEqual((accepted.code, accepted.body), (200, None))
        old = await admin.action(sid, {"evacuate": {"onSharedStorage": False,
                                                    "adminPass": "pw123456"}})
        self.assertEqual((old.code, old.body), (200, {"adminPass": "pw123456"}))
        self.assertEqual((await _last_action(admin, sid))["action"], "evacuate")
