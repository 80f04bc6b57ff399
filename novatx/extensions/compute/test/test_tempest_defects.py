"""
What tempest's compute tests found served unlike nova, over real HTTP at the
microversions involved: flavor ids as numbers, the rebuild answer, disk
config, IPv6 access addresses, shelve's snapshot, personality limits, image
times, deletion and properties, the admin host filter, blank ids, the
extension list, the flavor view at 2.102 and unknown security groups.
"""

from __future__ import annotations

import base64

from twisted.trial.unittest import TestCase

from novatx.extensions.compute.test._servers_kit import SMALL, serve_compute


def _file(path: str, text: str = "hello") -> dict:
    return {"path": path, "contents": base64.b64encode(text.encode()).decode()}


class FlavorTests(TestCase):
    async def test_create_takes_a_numeric_id(self):
        admin = (await serve_compute(self)).as_user("admin")
        body = {"flavor": {"name": "numbered", "ram": 64, "vcpus": 1, "disk": 0, "id": 4321}}
        made = await admin.post("/flavors", body)
        self.assertEqual(made.code, 200, made.body)
        self.assertEqual(made.body["flavor"]["id"], "4321")
        shown = await admin.get("/flavors/4321")
        self.assertEqual((shown.code, shown.body["flavor"]["name"]), (200, "numbered"))

    async def test_2_102_drops_disabled_and_rxtx_factor(self):
        client = await serve_compute(self)
        before = (await client.at("2.101").get("/flavors/1")).body["flavor"]
        after = (await client.at("2.102").get("/flavors/1")).body["flavor"]
        self.assertEqual((before["OS-FLV-DISABLED:disabled"], before["rxtx_factor"]), (False, 1.0))
        self.assertNotIn("OS-FLV-DISABLED:disabled", after)
        self.assertNotIn("rxtx_factor", after)
        listed = (await client.at("2.102").get("/flavors/detail")).body["flavors"]
        self.assertFalse([f for f in listed if "rxtx_factor" in f])


class RebuildAnswerTests(TestCase):
    async def test_key_name_from_2_54_and_user_data_from_2_57(self):
        client = await serve_compute(self)
        sid = (await client.create_active())["id"]
        old = await client.at("2.53").action(sid, {"rebuild": {"imageRef": client.image_id}})
        self.assertEqual(old.code, 202)
        self.assertNotIn("key_name", old.body["server"])
        await client.wait_for(sid, "ACTIVE")
        keyed = await client.at("2.54").action(
            sid, {"rebuild": {"imageRef": client.image_id, "key_name": None}})
        self.assertEqual(keyed.code, 202, keyed.body)
        self.assertIsNone(keyed.body["server"]["key_name"])
        self.assertNotIn("user_data", keyed.body["server"])
        await client.wait_for(sid, "ACTIVE")
        data = base64.b64encode(b"#!/bin/sh\n").decode()
        with_data = await client.at("2.57").action(
            sid, {"rebuild": {"imageRef": client.image_id, "user_data": data}})
        self.assertEqual(with_data.code, 202, with_data.body)
        self.assertEqual(with_data.body["server"]["user_data"], data)
        self.assertIn("key_name", with_data.body["server"])

    async def test_an_admin_s_full_answers_from_2_75_leave_out_the_extended_user_data(self):
        admin = (await serve_compute(self)).as_user("admin")
        sid = (await admin.create_active())["id"]
        shown = (await admin.at("2.75").get("/servers/" + sid)).body["server"]
        self.assertIn("OS-EXT-SRV-ATTR:user_data", shown)
        rebuilt = await admin.at("2.75").action(sid, {"rebuild": {"imageRef": admin.image_id}})
        self.assertEqual(rebuilt.code, 202, rebuilt.body)
        self.assertIn("OS-EXT-SRV-ATTR:host", rebuilt.body["server"])
        self.assertIn("user_data", rebuilt.body["server"])
        self.assertNotIn("OS-EXT-SRV-ATTR:user_data", rebuilt.body["server"])
        await admin.wait_for(sid, "ACTIVE")
        updated = await admin.at("2.75").put("/servers/" + sid, {"server": {"name": "renamed"}})
        self.assertEqual(updated.code, 200, updated.body)
        self.assertIn("OS-EXT-SRV-ATTR:host", updated.body["server"])
        self.assertNotIn("OS-EXT-SRV-ATTR:user_data", updated.body["server"])


class DiskConfigTests(TestCase):
    async def test_create_update_rebuild_resize_keep_it(self):
        client = await serve_compute(self)
        created = await client.create("disky", **{"OS-DCF:diskConfig": "AUTO"})
        self.assertEqual(created["OS-DCF:diskConfig"], "AUTO")
        sid = created["id"]
        self.assertEqual((await client.wait_for(sid, "ACTIVE"))["OS-DCF:diskConfig"], "AUTO")
        updated = await client.put("/servers/" + sid, {"server": {"OS-DCF:diskConfig": "MANUAL"}})
        self.assertEqual(updated.body["server"]["OS-DCF:diskConfig"], "MANUAL")
        rebuilt = await client.action(
            sid, {"rebuild": {"imageRef": client.image_id, "OS-DCF:diskConfig": "AUTO"}})
        self.assertEqual(rebuilt.body["server"]["OS-DCF:diskConfig"], "AUTO")
        await client.wait_for(sid, "ACTIVE")
        resized = await client.action(
            sid, {"resize": {"flavorRef": SMALL, "OS-DCF:diskConfig": "MANUAL"}})
        self.assertEqual(resized.code, 202)
        verifying = await client.wait_for(sid, "VERIFY_RESIZE")
        self.assertEqual(verifying["OS-DCF:diskConfig"], "MANUAL")

    async def test_a_server_without_it_is_manual(self):
        client = await serve_compute(self)
        created = await client.create()
        self.assertEqual(created["OS-DCF:diskConfig"], "MANUAL")
        listed = (await client.get("/servers/detail")).body["servers"]
        self.assertEqual([s["OS-DCF:diskConfig"] for s in listed], ["MANUAL"])


class AccessAddressTests(TestCase):
    async def test_ipv6_is_stored_compressed(self):
        client = await serve_compute(self)
        created = await client.create(accessIPv6="0000:0000:0000:0000:0000:babe:220.12.22.2")
        shown = await client.get("/servers/" + created["id"])
        self.assertEqual(shown.body["server"]["accessIPv6"], "::babe:dc0c:1602")
        updated = await client.put("/servers/" + created["id"],
                                   {"server": {"accessIPv6": "2001:0db8:0000::0001"}})
        self.assertEqual(updated.body["server"]["accessIPv6"], "2001:db8::1")


class ShelveImageTests(TestCase):
    async def test_shelve_makes_a_snapshot_that_unshelve_deletes(self):
        client = await serve_compute(self)
        sid = (await client.create_active("keeper"))["id"]
        self.assertEqual((await client.action(sid, {"shelve": None})).code, 202)
        await client.wait_for(sid, "SHELVED_OFFLOADED")
        images = (await client.get("/images/detail?name=keeper-shelved")).body["images"]
        self.assertEqual([(i["name"], i["status"]) for i in images], [("keeper-shelved", "ACTIVE")])
        self.assertEqual(images[0]["metadata"]["instance_uuid"], sid)
        self.assertEqual((await client.action(sid, {"unshelve": None})).code, 202)
        await client.wait_for(sid, "ACTIVE")
        gone = await client.get("/images/" + images[0]["id"])
        self.assertEqual(gone.code, 404)


class PersonalityTests(TestCase):
    async def test_limits_and_encoding(self):
        client = await serve_compute(self)
        limits = (await client.get("/limits")).body["limits"]["absolute"]
        most = limits["maxPersonality"]
        files = [_file("/etc/f%d" % i) for i in range(most)]
        allowed = await client.post("/servers", {"server": {
            "name": "max", "flavorRef": "1", "imageRef": client.image_id, "personality": files}})
        self.assertEqual(allowed.code, 202, allowed.body)
        over = await client.post("/servers", {"server": {
            "name": "over", "flavorRef": "1", "imageRef": client.image_id,
            "personality": files + [_file("/etc/extra")]}})
        self.assertEqual(over.code, 403, over.body)
        self.assertEqual(over.body["forbidden"]["message"], "Personality file limit exceeded")
        plain = await client.post("/servers", {"server": {
            "name": "plain", "flavorRef": "1", "imageRef": client.image_id,
            "personality": [{"path": "/etc/x", "contents": "not base64 ***"}]}})
        self.assertEqual(plain.code, 400, plain.body)
        self.assertIn("base64", plain.body["badRequest"]["message"])
        names = [s["name"] for s in (await client.get("/servers")).body["servers"]]
        self.assertEqual(names, ["max"])
        sid = allowed.body["server"]["id"]
        await client.wait_for(sid, "ACTIVE")
        rebuild = await client.action(sid, {"rebuild": {
            "imageRef": client.image_id, "personality": files + [_file("/etc/extra")]}})
        self.assertEqual(rebuild.code, 403, rebuild.body)


class ImageTests(TestCase):
    async def test_seeded_images_have_an_updated_time(self):
        client = await serve_compute(self)
        for image in (await client.get("/images/detail")).body["images"]:
            self.assertIsNotNone(image["updated"])
            self.assertEqual(image["updated"], image["created"])

    async def test_create_image_metadata_may_set_image_type_and_deleted_is_gone(self):
        client = await serve_compute(self)
        sid = (await client.create_active())["id"]
        reply = await client.action(sid, {"createImage": {
            "name": "backup-1", "metadata": {"image_type": "backup"}}})
        self.assertEqual(reply.code, 202)
        image_id = reply.header("Location").rsplit("/", 1)[-1]
        await client.wait_for(sid, "ACTIVE")
        shown = await client.get("/images/" + image_id)
        self.assertEqual(shown.body["image"]["metadata"]["image_type"], "backup")
        self.assertEqual((await client.delete("/images/" + image_id)).code, 204)
        gone = await client.get("/images/" + image_id)
        self.assertEqual(gone.code, 404)
        self.assertIn("itemNotFound", gone.body)

    async def test_blank_ids_are_404(self):
        client = await serve_compute(self)
        admin = client.as_user("admin")
        self.assertEqual((await client.delete("/images/")).code, 404)
        usage = await admin.get("/os-simple-tenant-usage/")
        self.assertEqual(usage.code, 404)
        self.assertIn("itemNotFound", usage.body)
        self.assertEqual((await admin.get("/os-simple-tenant-usage")).code, 200)


class AdminListingTests(TestCase):
    async def test_host_filter(self):
        client = await serve_compute(self)
        sid = (await client.create_active())["id"]
        admin = client.as_user("admin")
        host = (await admin.get("/servers/" + sid)).body["server"]["OS-EXT-SRV-ATTR:host"]
        none = await admin.get("/servers?host=nonexistent_host&all_tenants=1")
        self.assertEqual(none.body["servers"], [])
        found = await admin.get("/servers?host=%s&all_tenants=1" % host)
        self.assertEqual([s["id"] for s in found.body["servers"]], [sid])
        mine = await client.get("/servers?host=nonexistent_host")
        self.assertEqual([s["id"] for s in mine.body["servers"]], [sid],
                         "a non-admin's host filter is ignored, as nova does")

    async def test_hosts_with_a_blank_zone_lists_all(self):
        admin = (await serve_compute(self)).as_user("admin")
        every = (await admin.get("/os-hosts")).body["hosts"]
        blank = (await admin.get("/os-hosts?zone=")).body["hosts"]
        self.assertTrue(every)
        self.assertEqual(blank, every)


class ExtensionListTests(TestCase):
    async def test_lists_nova_aliases(self):
        client = await serve_compute(self)
        aliases = [e["alias"] for e in (await client.get("/extensions")).body["extensions"]]
        for alias in ("os-consoles", "os-hosts", "OS-DCF", "os-keypairs", "os-volumes"):
            self.assertIn(alias, aliases)
        self.assertEqual(aliases, sorted(aliases))
        self.assertEqual(len(aliases), len(set(aliases)))
        shown = await client.get("/extensions/os-consoles")
        self.assertEqual((shown.code, shown.body["extension"]["name"]), (200, "Consoles"))
        self.assertEqual((await client.get("/extensions/os-nothing")).code, 404)


class SecurityGroupTests(TestCase):
    async def test_only_default_is_known(self):
        client = await serve_compute(self)
        other = await client.post("/servers", {"server": {
            "name": "sg", "flavorRef": "1", "imageRef": client.image_id,
            "security_groups": [{"name": "no-such-group"}]}})
        self.assertEqual(other.code, 400, other.body)
        self.assertIn("no-such-group", other.body["badRequest"]["message"])
        fine = await client.post("/servers", {"server": {
            "name": "sg", "flavorRef": "1", "imageRef": client.image_id,
            "security_groups": [{"name": "default"}]}})
        self.assertEqual(fine.code, 202)
