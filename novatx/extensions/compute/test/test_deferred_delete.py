"""
Soft delete over real HTTP: with C{[DEFAULT] reclaim_instance_interval} a
delete leaves the server SOFT_DELETED; C{restore} brings it back,
C{forceDelete} deletes it at once, and the driver reclaims one left alone.
"""

from __future__ import annotations

from twisted.trial.unittest import TestCase

from novatx.extensions.compute.test._servers_kit import fast_config, serve_compute


def _soft_config(seconds: int) -> object:
    conf = fast_config()
    conf.set_override("reclaim_instance_interval", seconds)
    conf.set_override("poll_interval", 0.1, "simulated")
    return conf


class DeferredDeleteTests(TestCase):
    async def test_restore_and_force_delete(self):
        client = await serve_compute(self, _soft_config(3600))
        sid = (await client.create_active())["id"]
        active = await client.action(sid, {"restore": None})
        self.assertEqual(active.code, 409)
        self.assertEqual((await client.delete("/servers/" + sid)).code, 204)
        await client.wait_for(sid, "SOFT_DELETED")
        self.assertEqual((await client.action(sid, {"restore": None})).code, 202)
        await client.wait_for(sid, "ACTIVE")
        await client.delete("/servers/" + sid)
        await client.wait_for(sid, "SOFT_DELETED")
        other = client.as_user("bob", "p2")
        self.assertEqual((await other.action(sid, {"forceDelete": None})).code, 404)
        self.assertEqual((await client.action(sid, {"forceDelete": None})).code, 202)
        await client.wait_for(sid, "DELETED")
        actions = (await client.get("/servers/%s/os-instance-actions" % sid)).body
        names = [a["action"] for a in actions["instanceActions"]]
        self.assertEqual(names.count("delete"), 2)
        self.assertIn("restore", names)
        self.assertIn("forceDelete", names)
        self.assertEqual((await client.action("nope", {"restore": None})).code, 404)

    async def test_a_soft_deleted_server_is_reclaimed(self):
        client = await serve_compute(self, _soft_config(1))
        sid = (await client.create_active())["id"]
        await client.delete("/servers/" + sid)
        await client.wait_for(sid, "SOFT_DELETED")
        await client.wait_for(sid, "DELETED", timeout=10.0)
        self.assertEqual((await client.get("/servers/" + sid)).code, 404)
