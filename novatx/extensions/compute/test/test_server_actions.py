"""
The actions of C{POST /servers/{id}/action} over real HTTP: each one's effect,
nova's 409 in the wrong state, 404 on another project's server, and the 400s
nova gives for a resize to the same flavor or a rebuild from a deleted image.
"""

from __future__ import annotations

from twisted.trial.unittest import TestCase

from novatx.extensions.compute.test._servers_kit import SMALL, TINY, serve_compute


class LifecycleTests(TestCase):
    async def test_stop_start_reboot(self):
        client = await serve_compute(self)
        server = await client.create_active()
        sid = server["id"]
        reply = await client.action(sid, {"os-stop": None})
        self.assertEqual(reply.code, 202)
        self.assertIsNone(reply.body)
        stopped = await client.wait_for(sid, "SHUTOFF")
        self.assertEqual(stopped["OS-EXT-STS:power_state"], 4)
        again = await client.action(sid, {"os-stop": None})
        self.assertEqual(again.code, 409)
        self.assertIn("Cannot 'stop' instance", again.body["conflictingRequest"]["message"])
        self.assertEqual((await client.action(sid, {"os-start": None})).code, 202)
        await client.wait_for(sid, "ACTIVE")
        self.assertEqual((await client.action(sid, {"reboot": {"type": "HARD"}})).code, 202)
        await client.wait_for(sid, "ACTIVE")
        soft = await client.action(sid, {"reboot": {"type": "soft"}})
        self.assertEqual(soft.code, 202)
        await client.wait_for(sid, "ACTIVE")
        bad = await client.action(sid, {"reboot": {"type": "GENTLE"}})
        self.assertEqual(bad.code, 400)

    async def test_resize_confirm_and_revert(self):
        client = await serve_compute(self)
        sid = (await client.create_active())["id"]
        reply = await client.action(sid, {"resize": {"flavorRef": SMALL}})
        self.assertEqual(reply.code, 202)
        verifying = await client.wait_for(sid, "VERIFY_RESIZE")
        self.assertEqual(verifying["flavor"]["id"], SMALL, "nova shows the new flavor while resized")
        confirm = await client.action(sid, {"confirmResize": None})
        self.assertEqual(confirm.code, 204)
        done = await client.wait_for(sid, "ACTIVE")
        self.assertEqual(done["flavor"]["id"], SMALL)
        await client.action(sid, {"resize": {"flavorRef": TINY}})
        verifying = await client.wait_for(sid, "VERIFY_RESIZE")
        self.assertEqual(verifying["flavor"]["id"], TINY)
        self.assertEqual((await client.action(sid, {"revertResize": None})).code, 202)
        reverted = await client.wait_for(sid, "ACTIVE")
        self.assertEqual(reverted["flavor"]["id"], SMALL)

    async def test_resize_refusals(self):
        client = await serve_compute(self)
        sid = (await client.create_active())["id"]
        same = await client.action(sid, {"resize": {"flavorRef": TINY}})
        self.assertEqual(same.code, 400)
        self.assertIn("flavor", same.body["badRequest"]["message"])
        unknown = await client.action(sid, {"resize": {"flavorRef": "999"}})
        self.assertEqual(unknown.code, 400)
        not_resized = await client.action(sid, {"confirmResize": None})
        self.assertEqual(not_resized.code, 409)

    async def test_rebuild_answers_the_server_and_a_password(self):
        client = await serve_compute(self)
        sid = (await client.create_active("old-name"))["id"]
        reply = await client.action(sid, {"rebuild": {"imageRef": client.image_id, "name": "new-name",
                                                      "metadata": {"rebuilt": "yes"}}})
        self.assertEqual(reply.code, 202)
        self.assertEqual(reply.body["server"]["id"], sid)
        self.assertEqual(reply.body["server"]["name"], "new-name")
        self.assertEqual(len(reply.body["server"]["adminPass"]), 12)
        rebuilt = await client.wait_for(sid, "ACTIVE")
        self.assertEqual(rebuilt["metadata"], {"rebuilt": "yes"})

    async def test_rebuild_with_a_key_name(self):
        client = (await serve_compute(self)).at("2.57")
        self.assertEqual((await client.post("/os-keypairs", {"keypair": {"name": "k1"}})).code, 201)
        sid = (await client.create_active("keyless"))["id"]
        self.assertIsNone((await client.get("/servers/" + sid)).body["server"]["key_name"])
        reply = await client.action(sid, {"rebuild": {"imageRef": client.image_id,
                                                      "key_name": "k1"}})
        self.assertEqual(reply.code, 202, reply.body)
        self.assertEqual(reply.body["server"]["key_name"], "k1")
        self.assertIsNone(reply.body["server"]["user_data"])
        self.assertEqual((await client.wait_for(sid, "ACTIVE"))["key_name"], "k1")
        unknown = await client.action(sid, {"rebuild": {"imageRef": client.image_id,
                                                        "key_name": "nope"}})
        self.assertEqual(unknown.code, 400, unknown.body)
        self.assertIn("key_name", unknown.body["badRequest"]["message"])
        self.assertEqual((await client.get("/servers/" + sid)).body["server"]["key_name"], "k1")
        removed = await client.action(sid, {"rebuild": {"imageRef": client.image_id,
                                                        "key_name": None}})
        self.assertEqual(removed.code, 202, removed.body)
        self.assertIsNone((await client.wait_for(sid, "ACTIVE"))["key_name"])
        self.assertNotIn("user_data", (await client.at("2.56").action(
            sid, {"rebuild": {"imageRef": client.image_id}})).body["server"])
        await client.wait_for(sid, "ACTIVE")
        before = await client.at("2.53").action(sid, {"rebuild": {"imageRef": client.image_id,
                                                                  "key_name": "k1"}})
        self.assertEqual(before.code, 400, before.body)
        self.assertIsNone((await client.get("/servers/" + sid)).body["server"]["key_name"])

    async def test_rebuild_with_a_deleted_image_is_400(self):
        client = await serve_compute(self)
        sid = (await client.create_active())["id"]
        snapshot = await client.at("2.45").action(sid, {"createImage": {"name": "snap"}})
        image_id = snapshot.body["image_id"]
        await client.wait_for(sid, "ACTIVE")
        admin = client.as_user("admin", "p1")
        deleted = await admin.delete("/images/" + image_id)
        self.assertEqual(deleted.code, 204)
        reply = await client.action(sid, {"rebuild": {"imageRef": image_id}})
        self.assertEqual(reply.code, 400)
        missing = await client.action(sid, {"rebuild": {"imageRef": "3d5a4a0e-0000-4000-8000-000000000000"}})
        self.assertEqual(missing.code, 400)

    async def test_create_image_location_before_2_45_body_after(self):
        client = await serve_compute(self)
        sid = (await client.create_active())["id"]
        old = await client.action(sid, {"createImage": {"name": "snap-old", "metadata": {"k": "v"}}})
        self.assertEqual(old.code, 202)
        self.assertIsNone(old.body)
        self.assertIn("/images/", old.header("Location"))
        await client.wait_for(sid, "ACTIVE")
        new = await client.at("2.45").action(sid, {"createImage": {"name": "snap-new"}})
        self.assertEqual(new.code, 202)
        self.assertIsNone(new.header("Location"))
        image = await client.get("/images/" + new.body["image_id"])
        self.assertEqual(image.body["image"]["name"], "snap-new")

    async def test_image_proxy_filters_by_server_id_or_link(self):
        client = await serve_compute(self)
        server = await client.create_active()
        snapshot = await client.at("2.45").action(server["id"], {"createImage": {"name": "snap"}})
        await client.wait_for(server["id"], "ACTIVE")
        for link in [server["id"]] + [link["href"] for link in server["links"]]:
            for listing in ("/images", "/images/detail"):
                found = await client.get(listing + "?server=" + link)
                self.assertEqual([i["id"] for i in found.body["images"]], [snapshot.body["image_id"]],
                                 (listing, link))
        none = await client.get("/images?server=3d5a4a0e-0000-4000-8000-000000000000")
        self.assertEqual(none.body["images"], [])

    async def test_lock_refuses_owner_actions_until_unlocked(self):
        client = await serve_compute(self)
        sid = (await client.create_active())["id"]
        reply = await client.at("2.73").action(sid, {"lock": {"locked_reason": "audit"}})
        self.assertEqual(reply.code, 202)
        shown = (await client.at("2.73").get("/servers/" + sid)).body["server"]
        self.assertIs(shown["locked"], True)
        self.assertEqual(shown["locked_reason"], "audit")
        refused = await client.action(sid, {"os-stop": None})
        self.assertEqual(refused.code, 409)
        self.assertIn("locked", refused.body["conflictingRequest"]["message"])
        self.assertEqual((await client.action(sid, {"unlock": None})).code, 202)
        self.assertEqual((await client.action(sid, {"os-stop": None})).code, 202)

    async def test_pause_suspend_shelve_round_trips(self):
        client = await serve_compute(self)
        sid = (await client.create_active())["id"]
        for action, status, back in (
            ("pause", "PAUSED", "unpause"),
            ("suspend", "SUSPENDED", "resume"),
            ("shelve", "SHELVED_OFFLOADED", "unshelve"),
        ):
            reply = await client.action(sid, {action: None})
            self.assertEqual(reply.code, 202, (action, reply.body))
            await client.wait_for(sid, status)
            reply = await client.action(sid, {back: None})
            self.assertEqual(reply.code, 202, (back, reply.body))
            await client.wait_for(sid, "ACTIVE")
        wrong = await client.action(sid, {"unpause": None})
        self.assertEqual(wrong.code, 409)

    async def test_change_password_and_console_output(self):
        client = await serve_compute(self)
        sid = (await client.create_active("consoled"))["id"]
        self.assertEqual((await client.action(sid, {"changePassword": {"adminPass": "s3cret"}})).code, 202)
        missing = await client.action(sid, {"changePassword": {}})
        self.assertEqual(missing.code, 400)
        whole = await client.action(sid, {"os-getConsoleOutput": {"length": None}})
        self.assertEqual(whole.code, 200)
        self.assertIn("consoled", whole.body["output"])
        tail = await client.action(sid, {"os-getConsoleOutput": {"length": 2}})
        self.assertLessEqual(len(tail.body["output"].splitlines()), 2)
        bad = await client.action(sid, {"os-getConsoleOutput": {"length": "lots"}})
        self.assertEqual(bad.code, 400)
        as_string = await client.action(sid, {"os-getConsoleOutput": {"length": "2"}})
        self.assertEqual(as_string.body, tail.body)
        huge = await client.action(sid, {"os-getConsoleOutput": {"length": "9" * 5000}})
        self.assertEqual(huge.code, 400, huge.body)
        self.assertIn("length", huge.body["badRequest"]["message"])
        self.assertEqual((await client.action(sid, {"os-getConsoleOutput": {"length": -1}})).body, whole.body)

    async def test_unknown_and_malformed_actions(self):
        client = await serve_compute(self)
        sid = (await client.create())["id"]
        unknown = await client.action(sid, {"levitate": None})
        self.assertEqual(unknown.code, 400)
        self.assertEqual(unknown.body["badRequest"]["message"], "There is no such action: levitate")
        two = await client.action(sid, {"os-stop": None, "os-start": None})
        self.assertEqual(two.code, 400)

    async def test_actions_on_another_projects_server_are_404(self):
        client = await serve_compute(self)
        sid = (await client.create_active())["id"]
        bob = client.as_user("bob", "p2")
        for body in ({"os-stop": None}, {"reboot": {"type": "HARD"}}, {"lock": None},
                     {"resize": {"flavorRef": SMALL}}, {"createImage": {"name": "x"}},
                     {"os-getConsoleOutput": {}}):
            reply = await bob.action(sid, body)
            self.assertEqual(reply.code, 404, (body, reply.body))
