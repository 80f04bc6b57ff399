"""
The catalog and the accounts around servers: key pairs (fingerprints as
ssh-keygen and openssl compute them), flavors with access and extra specs,
images and their EC2 ids, quotas, server groups, EC2 credentials, zones,
hosts and usage.
"""

from __future__ import annotations

import datetime
import os
import subprocess

from twisted.trial.unittest import TestCase

from novatx.compute import exceptions as exc
from novatx.compute.interfaces import CreateRequest
from novatx.compute.test.support import ADMIN, ALICE, BOB, ServiceMixin


def _ssh_keygen(directory: str) -> tuple[str, str]:
    path = os.path.join(directory, "key")
    subprocess.run(["ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-N", "", "-f", path],
                   check=True)
    listed = subprocess.run(["ssh-keygen", "-l", "-E", "md5", "-f", path + ".pub"],
                            check=True, capture_output=True, text=True).stdout
    with open(path + ".pub") as f:
        return f.read(), listed.split()[1][len("MD5:"):]


class KeyPairTests(ServiceMixin, TestCase):
    async def setUp(self):
        self.service = await self.start_service()
        self.api = self.service.api

    async def test_imported_ssh_key_has_ssh_keygen_fingerprint(self):
        directory = self.mktemp()
        os.makedirs(directory)
        public, fingerprint = _ssh_keygen(directory)
        key = await self.api.import_key_pair(ALICE, "mine", public)
        self.assertEqual(("mine", "alice", "ssh", fingerprint, None),
                         (key.name, key.user_id, key.type, key.fingerprint, key.private_key))
        with self.assertRaises(exc.KeyPairExists) as caught:
            await self.api.import_key_pair(ALICE, "mine", public)
        self.assertEqual("Key pair 'mine' already exists.", str(caught.exception))
        same_name = await self.api.import_key_pair(BOB, "mine", public)
        self.assertEqual("bob", same_name.user_id)

    async def test_generated_ssh_key_pair_matches(self):
        key = await self.api.create_key_pair(ALICE, "gen")
        self.assertIn("PRIVATE KEY", key.private_key)
        self.assertTrue(key.public_key.startswith("ssh-rsa "))
        directory = self.mktemp()
        os.makedirs(directory)
        path = os.path.join(directory, "gen.pub")
        with open(path, "w") as f:
            f.write(key.public_key + "\n")
        listed = subprocess.run(["ssh-keygen", "-l", "-E", "md5", "-f", path],
                                check=True, capture_output=True, text=True).stdout
        self.assertEqual("MD5:" + key.fingerprint, listed.split()[1])
        stored = await self.api.get_key_pair(ALICE, "gen")
        self.assertIsNone(stored.private_key)
        self.assertEqual(key.fingerprint, stored.fingerprint)

    async def test_generated_x509_fingerprint_is_openssl_sha1(self):
        key = await self.api.create_key_pair(ALICE, "cert", key_type="x509")
        self.assertIn("BEGIN CERTIFICATE", key.public_key)
        shown = subprocess.run(["openssl", "x509", "-noout", "-fingerprint", "-sha1"],
                               input=key.public_key, check=True, capture_output=True,
                               text=True).stdout
        self.assertEqual(shown.strip().split("=", 1)[1].lower(), key.fingerprint)

    async def test_bad_keys_and_names_are_refused(self):
        with self.assertRaises(exc.InvalidKeypair) as caught:
            await self.api.import_key_pair(ALICE, "bad", "ssh-rsa not-a-key")
        self.assertEqual("Keypair data is invalid: failed to generate fingerprint",
                         str(caught.exception))
        for name in ("", "x" * 256, "bad/name", " padded"):
            with self.assertRaises(exc.Invalid, msg=name):
                await self.api.create_key_pair(ALICE, name)
        with self.assertRaises(exc.Invalid):
            await self.api.create_key_pair(ALICE, "k", key_type="dsa")
        with self.assertRaises(exc.KeypairNotFound) as caught:
            await self.api.delete_key_pair(ALICE, "nope")
        self.assertEqual("Keypair nope not found for user alice", str(caught.exception))

    async def test_key_pairs_are_per_user_and_admins_may_name_one(self):
        await self.api.create_key_pair(ALICE, "a1")
        await self.api.create_key_pair(ALICE, "a2")
        await self.api.create_key_pair(ADMIN, "b1", user_id="bob")
        names = [k.name for k in (await self.api.list_key_pairs(ALICE)).items]
        self.assertEqual(["a1", "a2"], names)
        page = await self.api.list_key_pairs(ALICE, limit=1)
        self.assertEqual((["a1"], True), ([k.name for k in page.items], page.has_more))
        page = await self.api.list_key_pairs(ALICE, marker="a1")
        self.assertEqual(["a2"], [k.name for k in page.items])
        with self.assertRaises(exc.MarkerNotFound):
            await self.api.list_key_pairs(ALICE, marker="zz")
        self.assertEqual(["b1"], [k.name for k in (await self.api.list_key_pairs(BOB)).items])
        with self.assertRaises(exc.NotAuthorized):
            await self.api.list_key_pairs(ALICE, user_id="bob")
        await self.api.delete_key_pair(ALICE, "a1")
        with self.assertRaises(exc.KeypairNotFound):
            await self.api.get_key_pair(ALICE, "a1")

    async def test_key_pair_quota(self):
        await self.api.update_quotas(ADMIN, "p1", {"key_pairs": 1})
        await self.api.create_key_pair(ALICE, "only")
        with self.assertRaises(exc.OverLimit):
            await self.api.create_key_pair(ALICE, "more")

    async def test_a_server_carries_its_key(self):
        key = await self.api.create_key_pair(ALICE, "boot")
        instance = await self.boot(self.service, key_name="boot")
        self.assertEqual(("boot", key.public_key), (instance.key_name, instance.key_data))


class FlavorTests(ServiceMixin, TestCase):
    async def setUp(self):
        self.service = await self.start_service()
        self.api = self.service.api

    async def test_nova_default_flavors(self):
        page = await self.api.list_flavors(ALICE)
        self.assertEqual([("1", "m1.tiny", 512, 1, 1), ("2", "m1.small", 2048, 1, 20),
                          ("3", "m1.medium", 4096, 2, 40), ("4", "m1.large", 8192, 4, 80),
                          ("5", "m1.xlarge", 16384, 8, 160)],
                         [(f.flavorid, f.name, f.memory_mb, f.vcpus, f.root_gb)
                          for f in page.items])
        big = await self.api.list_flavors(ALICE, min_ram=4096, sort_key="memory_mb",
                                          sort_dir="desc", limit=2)
        self.assertEqual((["5", "4"], True), ([f.flavorid for f in big.items], big.has_more))
        rest = await self.api.list_flavors(ALICE, min_ram=4096, sort_key="memory_mb",
                                           sort_dir="desc", marker="4")
        self.assertEqual(["3"], [f.flavorid for f in rest.items])
        with self.assertRaises(exc.MarkerNotFound):
            await self.api.list_flavors(ALICE, marker="99")

    async def test_private_flavors_need_access(self):
        private = await self.api.create_flavor(ADMIN, "secret", 256, 1, 1, flavorid="p1f",
                                               is_public=False)
        with self.assertRaises(exc.FlavorNotFound):
            await self.api.get_flavor(ALICE, private.flavorid)
        await self.api.add_flavor_access(ADMIN, "p1f", "p1")
        with self.assertRaises(exc.Conflict):
            await self.api.add_flavor_access(ADMIN, "p1f", "p1")
        self.assertEqual(["p1"], await self.api.list_flavor_access(ADMIN, "p1f"))
        self.assertEqual("secret", (await self.api.get_flavor(ALICE, "p1f")).name)
        names = [f.name for f in (await self.api.list_flavors(ALICE)).items]
        self.assertIn("secret", names)
        self.assertNotIn("secret", [f.name for f in (await self.api.list_flavors(BOB)).items])
        self.assertEqual(6, len((await self.api.list_flavors(ADMIN, is_public=None)).items))
        await self.api.remove_flavor_access(ADMIN, "p1f", "p1")
        with self.assertRaises(exc.FlavorNotFound):
            await self.api.get_flavor(ALICE, "p1f")

    async def test_admin_only_changes(self):
        with self.assertRaises(exc.NotAuthorized):
            await self.api.create_flavor(ALICE, "x", 1, 1, 1)
        with self.assertRaises(exc.NotAuthorized):
            await self.api.delete_flavor(ALICE, "1")
        with self.assertRaises(exc.FlavorExists) as caught:
            await self.api.create_flavor(ADMIN, "m1.tiny", 1, 1, 1)
        self.assertEqual("Flavor with name m1.tiny already exists.", str(caught.exception))
        with self.assertRaises(exc.Invalid):
            await self.api.create_flavor(ADMIN, "neg", -1, 1, 1)
        specs = await self.api.set_flavor_extra_specs(ADMIN, "1", {"hw:cpu_policy": "dedicated"})
        self.assertEqual({"hw:cpu_policy": "dedicated"}, specs)
        self.assertEqual(specs, (await self.api.get_flavor(ALICE, "1")).extra_specs)
        await self.api.delete_flavor_extra_spec(ADMIN, "1", "hw:cpu_policy")
        with self.assertRaises(exc.NotFound):
            await self.api.delete_flavor_extra_spec(ADMIN, "1", "hw:cpu_policy")
        updated = await self.api.update_flavor(ADMIN, "1", "tiny one")
        self.assertEqual("tiny one", updated.description)
        made = await self.api.create_flavor(ADMIN, "auto", 128, 1, 0)
        self.assertEqual(36, len(made.flavorid))

    async def test_a_deleted_flavor_stays_on_its_servers(self):
        flavor = await self.api.create_flavor(ADMIN, "short-lived", 256, 1, 1, flavorid="9")
        instance = await self.boot(self.service, flavor_id=flavor.flavorid)
        await self.api.delete_flavor(ADMIN, "9")
        with self.assertRaises(exc.FlavorNotFound):
            await self.api.get_flavor(ALICE, "9")
        again = await self.api.get_server(ALICE, instance.uuid)
        self.assertEqual(("9", "short-lived", 256), (again.flavor.flavorid, again.flavor.name,
                                                    again.flavor.memory_mb))


class ImageTests(ServiceMixin, TestCase):
    async def setUp(self):
        self.service = await self.start_service()
        self.api = self.service.api

    async def test_visibility_and_ec2_ids(self):
        cirros = (await self.api.list_images(ALICE)).items[0]
        self.assertEqual(("cirros", "active", "public", "ami-00000001"),
                         (cirros.name, cirros.status, cirros.visibility, cirros.ec2_id))
        mine = await self.api.create_image_record(ALICE, "mine")
        self.assertEqual(("private", "p1", "ami-00000002"),
                         (mine.visibility, mine.owner, mine.ec2_id))
        self.assertEqual(["mine", "cirros"], [i.name for i in
                                              (await self.api.list_images(ALICE)).items])
        self.assertEqual(["cirros"], [i.name for i in (await self.api.list_images(BOB)).items])
        with self.assertRaises(exc.ImageNotFound):
            await self.api.get_image(BOB, mine.id)
        by_ec2 = await self.api.get_image_by_ec2_id(ALICE, mine.internal_id)
        self.assertEqual(mine.id, by_ec2.id)
        with self.assertRaises(exc.NotAuthorized):
            await self.api.create_image_record(ALICE, "pub", visibility="public")
        with self.assertRaises(exc.Invalid):
            await self.api.create_image_record(ALICE, "x", visibility="everyone")
        page = await self.api.list_images(ALICE, limit=1)
        self.assertTrue(page.has_more)
        with self.assertRaises(exc.MarkerNotFound):
            await self.api.list_images(ALICE, marker="nope")

    async def test_deleted_images_are_gone_even_for_their_owner(self):
        mine = await self.api.create_image_record(ALICE, "gone-soon")
        updated = await self.api.update_image_metadata(ALICE, mine.id, {"os": "linux"})
        self.assertEqual({"os": "linux"}, updated.properties)
        with self.assertRaises(exc.NotAuthorized):
            await self.api.delete_image(BOB, await self.cirros(self.service))
        await self.api.delete_image(ALICE, mine.id)
        with self.assertRaises(exc.ImageNotFound):
            await self.api.get_image(ALICE, mine.id)
        self.assertNotIn(mine.id, [i.id for i in (await self.api.list_images(ALICE)).items])
        with self.assertRaises(exc.ImageNotFound):
            await self.api.delete_image(ALICE, mine.id)


class AccountTests(ServiceMixin, TestCase):
    async def setUp(self):
        self.service = await self.start_service()
        self.api = self.service.api

    async def test_quotas_defaults_project_and_user(self):
        defaults = await self.api.get_default_quotas(ALICE)
        self.assertEqual((10, 20, 51200, 128, 100),
                         tuple(defaults.limits[k] for k in
                               ("instances", "cores", "ram", "metadata_items", "key_pairs")))
        await self.boot(self.service)
        with self.assertRaises(exc.Invalid):
            await self.api.update_quotas(ADMIN, "p1", {"instances": 0})
        forced = await self.api.update_quotas(ADMIN, "p1", {"instances": 0}, force=True)
        self.assertEqual(0, forced.limits["instances"])
        with self.assertRaises(exc.QuotaExceeded):
            await self.boot(self.service)
        await self.api.delete_quotas(ADMIN, "p1")
        await self.api.update_quotas(ADMIN, "p1", {"instances": 1}, user_id="alice", force=True)
        with self.assertRaises(exc.QuotaExceeded):
            await self.boot(self.service)
        other_user = ALICE.__class__(user_id="carol", project_id="p1")
        await self.boot(self.service, context=other_user)
        usage = await self.api.get_quotas(ALICE, "p1", usages=True)
        self.assertEqual(2, usage.in_use["instances"])
        mine = await self.api.get_quotas(ALICE, "p1", user_id="alice", usages=True)
        self.assertEqual((1, 1), (mine.limits["instances"], mine.in_use["instances"]))
        with self.assertRaises(exc.NotAuthorized):
            await self.api.get_quotas(ALICE, "p2")
        with self.assertRaises(exc.NotAuthorized):
            await self.api.update_quotas(ALICE, "p1", {"instances": 100})
        with self.assertRaises(exc.Invalid):
            await self.api.update_quotas(ADMIN, "p1", {"instances": -2})

    async def test_server_groups(self):
        group = await self.api.create_server_group(ALICE, "g", "anti-affinity")
        with self.assertRaises(exc.Invalid):
            await self.api.create_server_group(ALICE, "g", "random")
        instance = await self.boot(self.service, server_group=group.uuid)
        self.assertEqual((group.uuid,), instance.server_groups)
        self.assertEqual((instance.uuid,),
                         (await self.api.get_server_group(ALICE, group.uuid)).members)
        with self.assertRaises(exc.ServerGroupNotFound):
            await self.api.get_server_group(BOB, group.uuid)
        with self.assertRaises(exc.ServerGroupNotFound):
            await self.boot(self.service, server_group="no-such-group")
        self.assertEqual([group.uuid], [g.uuid for g in await self.api.list_server_groups(ALICE)])
        self.assertEqual([], await self.api.list_server_groups(BOB))
        self.assertEqual(1, len(await self.api.list_server_groups(ADMIN, all_projects=True)))
        await self.api.delete_server_group(ALICE, group.uuid)
        with self.assertRaises(exc.ServerGroupNotFound):
            await self.api.delete_server_group(ALICE, group.uuid)

    async def test_ec2_credentials(self):
        made = await self.api.create_ec2_credential("alice", "p1")
        self.assertEqual(32, len(made.access))
        found = await self.api.get_ec2_credential(made.access)
        self.assertEqual((made.secret, "alice", "p1"),
                         (found.secret, found.user_id, found.project_id))
        self.assertEqual([made.access],
                         [c.access for c in await self.api.list_ec2_credentials("alice")])
        await self.api.delete_ec2_credential(made.access)
        with self.assertRaises(exc.NotFound):
            await self.api.get_ec2_credential(made.access)
        with self.assertRaises(exc.NotFound):
            await self.api.delete_ec2_credential(made.access)

    async def test_zones_hosts_and_usage(self):
        self.assertEqual([("nova", True)], await self.api.list_availability_zones(ALICE))
        hosts = await self.api.list_hosts(ADMIN)
        self.assertEqual("simulated", hosts[0]["hypervisor_type"])
        instance = await self.boot(self.service)
        self.assertEqual("nova", instance.availability_zone)
        self.assertEqual(hosts[0]["host"], instance.host)
        start = instance.created_at - datetime.timedelta(hours=1)
        end = instance.created_at + datetime.timedelta(hours=1)
        usage = await self.api.get_usage(ALICE, start, end)
        self.assertEqual(["p1"], [u["tenant_id"] for u in usage])
        self.assertAlmostEqual(1.0, usage[0]["total_hours"], places=2)
        self.assertAlmostEqual(512.0, usage[0]["total_memory_mb_usage"], places=0)
        self.assertEqual([instance.uuid], [s["instance_id"] for s in usage[0]["server_usages"]])
        self.assertEqual([], await self.api.get_usage(BOB, start, end))
        with self.assertRaises(exc.Invalid):
            await self.api.get_usage(ALICE, end, start)

    async def test_unknown_image_for_boot_from_volume_is_refused(self):
        with self.assertRaises(exc.Invalid):
            await self.api.create_servers(ALICE, CreateRequest(name="x", flavor_id="1",
                                                               image_id=None))
        with self.assertRaises(exc.Invalid) as caught:
            await self.api.create_servers(ALICE, CreateRequest(
                name="vol", flavor_id="1", image_id=None,
                block_device_mapping=({"boot_index": 0, "source_type": "volume",
                                       "uuid": "vol-1", "destination_type": "volume"},)))
        self.assertEqual("Block Device Mapping is Invalid: failed to get volume vol-1.",
                         str(caught.exception))
