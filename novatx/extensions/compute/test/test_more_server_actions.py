"""
The server actions nova has beyond the core ones, over real HTTP: resetState
and injectNetworkInfo (admins), createBackup with its rotation, rescue and
unrescue, trigger_crash_dump (2.17); each recorded as an instance action.
"""

from __future__ import annotations

from twisted.trial.unittest import TestCase

from novatx.extensions.compute.test._servers_kit import serve_compute


async def _actions(client, sid: str) -> list[str]:
    listed = await client.get("/servers/%s/os-instance-actions" % sid)
    return [a["action"] for a in listed.body["instanceActions"]]


class AdminActionTests(TestCase):
    async def test_reset_state_and_inject_network_info(self):
        client = await serve_compute(self)
        admin = client.as_user("admin", "admin")
        sid = (await client.create_active())["id"]
        refused = await client.action(sid, {"os-resetState": {"state": "error"}})
        self.assertEqual(refused.code, 403)
        reset = await admin.action(sid, {"os-resetState": {"state": "error"}})
        self.assertEqual(reset.code, 202, reset.body)
        shown = (await client.get("/servers/" + sid)).body["server"]
        self.assertEqual(shown["status"], "ERROR")
        bad = await admin.action(sid, {"os-resetState": {"state": "paused"}})
        self.assertEqual(bad.code, 400)
        back = await admin.action(sid, {"os-resetState": {"state": "active"}})
        self.assertEqual(back.code, 202)
        self.assertEqual((await client.get("/servers/" + sid)).body["server"]["status"], "ACTIVE")
        self.assertEqual((await client.action(sid, {"injectNetworkInfo": None})).code, 403)
        self.assertEqual((await admin.action(sid, {"injectNetworkInfo": None})).code, 202)
        recorded = await _actions(client, sid)
        self.assertIn("resetState", recorded)
        self.assertIn("injectNetworkInfo", recorded)


class BackupTests(TestCase):
    async def test_rotation_keeps_the_newest(self):
        client = await serve_compute(self)
        sid = (await client.create_active())["id"]
        made = []
        for index in range(3):
            reply = await client.at("2.45").action(sid, {"createBackup": {
                "name": "b%d" % index, "backup_type": "daily", "rotation": 2}})
            self.assertEqual(reply.code, 202, reply.body)
            made.append(reply.body["image_id"])
            await client.wait_for(sid, "ACTIVE")
        images = (await client.get("/images/detail?type=backup")).body["images"]
        self.assertEqual(sorted(i["id"] for i in images), sorted(made[1:]))
        first = next(i for i in images if i["id"] == made[2])
        self.assertEqual((first["metadata"]["backup_type"], first["status"]), ("daily", "ACTIVE"))
        self.assertEqual((await client.get("/images/" + made[0])).code, 404)
        old = await client.action(sid, {"createBackup": {
            "name": "b", "backup_type": "weekly", "rotation": "1"}})
        self.assertEqual(old.code, 202)
        self.assertIn("/images/", old.header("Location"))
        await client.wait_for(sid, "ACTIVE")
        none = await client.action(sid, {"createBackup": {
            "name": "b", "backup_type": "daily", "rotation": 0}})
        self.assertEqual((none.code, none.header("Location")), (202, None))
        await client.wait_for(sid, "ACTIVE")
        left = (await client.get("/images/detail?type=backup")).body["images"]
        self.assertEqual([i["metadata"]["backup_type"] for i in left], ["weekly"])
        missing = await client.action(sid, {"createBackup": {"name": "b", "backup_type": "x"}})
        self.assertEqual(missing.code, 400)
        self.assertIn("createBackup", await _actions(client, sid))


class RescueTests(TestCase):
    async def test_rescue_then_unrescue(self):
        client = await serve_compute(self)
        sid = (await client.create_active())["id"]
        rescued = await client.action(sid, {"rescue": {"adminPass": "s3cret"}})
        self.assertEqual((rescued.code, rescued.body), (200, {"adminPass": "s3cret"}))
        await client.wait_for(sid, "RESCUE")
        again = await client.action(sid, {"rescue": None})
        self.assertEqual(again.code, 409)
        self.assertEqual((await client.action(sid, {"unrescue": None})).code, 202)
        await client.wait_for(sid, "ACTIVE")
        self.assertEqual((await client.action(sid, {"unrescue": None})).code, 409)
        generated = await client.action(sid, {"rescue": None})
        self.assertEqual(generated.code, 200)
        self.assertTrue(generated.body["adminPass"])
        await client.wait_for(sid, "RESCUE")
        self.assertEqual([a for a in await _actions(client, sid) if "rescue" in a],
                         ["rescue", "unrescue", "rescue"])
        image = await client.action(sid, {"rescue": {"rescue_image_ref": client.image_id}})
        self.assertEqual(image.code, 409)


class CrashDumpTests(TestCase):
    async def test_from_2_17_on_a_running_server(self):
        client = await serve_compute(self)
        sid = (await client.create_active())["id"]
        old = await client.at("2.16").action(sid, {"trigger_crash_dump": None})
        self.assertEqual(old.code, 404)
        dumped = await client.at("2.17").action(sid, {"trigger_crash_dump": None})
        self.assertEqual(dumped.code, 202)
        await client.action(sid, {"os-stop": None})
        await client.wait_for(sid, "SHUTOFF")
        stopped = await client.at("2.17").action(sid, {"trigger_crash_dump": None})
        self.assertEqual(stopped.code, 409)
        self.assertIn("trigger_crash_dump", await _actions(client, sid))
