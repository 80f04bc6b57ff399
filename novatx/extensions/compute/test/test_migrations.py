"""
C{/os-migrations} and C{/servers/{id}/migrations} over real HTTP: a resize's
record through confirm and revert, the fields by microversion, paging, and
the server's (always empty) in-progress live migrations.
"""

from __future__ import annotations

from twisted.trial.unittest import TestCase

from novatx.extensions.compute.test._servers_kit import SMALL, TINY, serve_compute


class MigrationTests(TestCase):
    async def test_a_resize_is_recorded_until_confirmed_or_reverted(self):
        client = await serve_compute(self)
        admin = client.as_user("admin")
        sid = (await client.create_active())["id"]
        self.assertEqual((await client.get("/os-migrations")).code, 403)
        self.assertEqual((await admin.get("/os-migrations")).body["migrations"], [])
        await client.action(sid, {"resize": {"flavorRef": SMALL}})
        await client.wait_for(sid, "VERIFY_RESIZE")
        (finished,) = (await admin.get("/os-migrations")).body["migrations"]
        self.assertEqual((finished["instance_uuid"], finished["status"]), (sid, "finished"))
        self.assertNotIn("migration_type", finished)
        self.assertNotEqual(finished["old_instance_type_id"], finished["new_instance_type_id"])
        await client.action(sid, {"confirmResize": None})
        await client.wait_for(sid, "ACTIVE")
        await client.action(sid, {"resize": {"flavorRef": TINY}})
        await client.wait_for(sid, "VERIFY_RESIZE")
        await client.action(sid, {"revertResize": None})
        await client.wait_for(sid, "ACTIVE")
        listed = (await admin.at("2.80").get("/os-migrations")).body["migrations"]
        self.assertEqual([m["status"] for m in listed], ["reverted", "confirmed"])
        self.assertEqual({m["migration_type"] for m in listed}, {"resize"})
        self.assertEqual({m["user_id"] for m in listed}, {"alice"})
        self.assertTrue(all(m["uuid"] for m in listed))
        confirmed = await admin.get("/os-migrations?status=confirmed&instance_uuid=" + sid)
        self.assertEqual(len(confirmed.body["migrations"]), 1)
        paged = (await admin.at("2.59").get("/os-migrations?limit=1")).body
        self.assertEqual(len(paged["migrations"]), 1)
        (link,) = paged["migrations_links"]
        self.assertIn("marker=" + listed[0]["uuid"], link["href"])
        rest = await admin.at("2.59").get("/os-migrations?limit=1&marker=" + listed[0]["uuid"])
        self.assertEqual(rest.body["migrations"][0]["uuid"], listed[1]["uuid"])
        bad = await admin.at("2.59").get("/os-migrations?marker=nope")
        self.assertEqual(bad.code, 400)

    async def test_server_live_migrations(self):
        client = await serve_compute(self)
        admin = client.as_user("admin")
        sid = (await client.create_active())["id"]
        self.assertEqual((await admin.at("2.22").get("/servers/%s/migrations" % sid)).code, 404)
        listed = await admin.at("2.23").get("/servers/%s/migrations" % sid)
        self.assertEqual((listed.code, listed.body), (200, {"migrations": []}))
        shown = await admin.at("2.23").get("/servers/%s/migrations/1" % sid)
        self.assertEqual(shown.code, 404)
        aborted = await admin.at("2.24").delete("/servers/%s/migrations/1" % sid)
        self.assertEqual(aborted.code, 404)
        self.assertEqual((await admin.at("2.23").get("/servers/nope/migrations")).code, 404)
