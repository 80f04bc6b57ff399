"""
The unchanged clients against the resources around servers: the C{openstack}
CLI, openstacksdk and python-novaclient list and manage flavors, images, key
pairs, limits, quotas, server groups, zones, hypervisors and services.

The libraries are synchronous: they run in a thread while the reactor serves.
Each CLI call is a child process, so one test makes them all.
"""

from __future__ import annotations

import datetime
import json
import os
from typing import Any

import openstack
from keystoneauth1 import session as ks_session
from keystoneauth1.token_endpoint import Token
from novaclient import client as nova_client, exceptions as nova_exceptions
from twisted.internet import reactor
from twisted.internet.threads import deferToThread
from twisted.internet.utils import getProcessOutputAndValue

from novatx.extensions.compute.test._http import ComputeAPITestCase, async_test
from novatx.extensions.compute.test.test_clients_openstack_cli import CLOUDS, OPENSTACK
from novatx.extensions.compute.test.test_keypairs import public_key


class OpenStackCLITests(ComputeAPITestCase):
    timeout = 400

    async def cli(self, *args: str) -> Any:
        """C{openstack --os-cloud novatx ARGS -f json}, decoded (it must succeed)."""
        out, err, code = await getProcessOutputAndValue(
            OPENSTACK, ("--os-cloud", "novatx") + args + ("-f", "json"), env=self.env, reactor=reactor
        )
        if code != 0:
            self.fail("openstack %s exited %d: %s" % (" ".join(args), code, err.decode()))
        return json.loads(out.decode()) if out.strip() else None

    @async_test
    async def test_resources_through_the_cli(self) -> None:
        await self.start()
        clouds = self.mktemp() + ".yaml"
        with open(clouds, "w") as f:
            f.write(CLOUDS.format(url=self.served.url))
        key_file = self.mktemp() + ".pub"
        with open(key_file, "w") as f:
            f.write(public_key())
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
        self.env["OS_CLIENT_CONFIG_FILE"] = clouds

        flavors = await self.cli("flavor", "list")
        self.assertEqual([f["Name"] for f in flavors][:2], ["m1.tiny", "m1.small"])
        small = await self.cli("flavor", "show", "m1.small")
        self.assertEqual((small["ram"], small["disk"], small["vcpus"]), (2048, 20, 1))

        images = await self.cli("image", "list")
        self.assertEqual([i["Name"] for i in images], ["cirros"])
        cirros = await self.cli("image", "show", "cirros")
        self.assertEqual((cirros["status"], cirros["visibility"]), ("active", "public"))

        created = await self.cli("keypair", "create", "--public-key", key_file, "cli-key")
        self.assertEqual((created["name"], created["type"]), ("cli-key", "ssh"))
        listed = await self.cli("keypair", "list")
        self.assertEqual([(k["Name"], k["Fingerprint"]) for k in listed], [("cli-key", created["fingerprint"])])

        limits = {entry["Name"]: entry["Value"] for entry in await self.cli("limits", "show", "--absolute")}
        self.assertEqual((limits["max_total_instances"], limits["total_instances_used"]), (10, 0))

        group = await self.cli("server", "group", "create", "--policy", "anti-affinity", "cli-group")
        self.assertEqual((group["name"], group["policy"]), ("cli-group", "anti-affinity"))
        groups = await self.cli("server", "group", "list")
        self.assertEqual([g["ID"] for g in groups], [group["id"]])

        extensions = await self.cli("extension", "list", "--compute")
        self.assertIn("os-keypairs", [e["Alias"] for e in extensions])

        zones = await self.cli("availability", "zone", "list", "--compute")
        self.assertEqual(zones, [{"Zone Name": "nova", "Zone Status": "available"}])

        after = await self.get("/v2.1/os-keypairs", user="notused", project="notused")
        self.assertEqual([k["keypair"]["name"] for k in after.body["keypairs"]], ["cli-key"])


class OpenStackSDKTests(ComputeAPITestCase):
    timeout = 120

    @async_test
    async def test_resources_through_openstacksdk(self) -> None:
        await self.start()
        await deferToThread(self._use_sdk, self.served.url + "/v2.1")

    def _use_sdk(self, endpoint: str) -> None:
        image_endpoint = endpoint.rsplit("/", 1)[0] + "/image"
        alice = openstack.connect(auth_type="admin_token", auth={"token": "alice:p1", "endpoint": endpoint},
                                  image_endpoint_override=image_endpoint)
        admin = openstack.connect(auth_type="admin_token", auth={"token": "admin:admin", "endpoint": endpoint})
        try:
            flavor = admin.compute.create_flavor(name="sdk.private", ram=128, vcpus=1, disk=1,
                                                 is_public=False, description="for p1")
            admin.compute.create_flavor_extra_specs(flavor, {"hw:cpu_policy": "shared"})
            admin.compute.flavor_add_tenant_access(flavor, "p1")
            self.assertEqual(admin.compute.get_flavor_access(flavor), [{"flavor_id": flavor.id, "tenant_id": "p1"}])
            mine = {f.name: f for f in alice.compute.flavors(details=True)}
            self.assertIn("sdk.private", mine)
            self.assertEqual(mine["sdk.private"].extra_specs, {"hw:cpu_policy": "shared"})
            self.assertEqual(alice.compute.find_flavor("m1.tiny").ram, 512)

            key = alice.compute.create_keypair(name="sdk-key", public_key=public_key())
            self.assertEqual([k.name for k in alice.compute.keypairs()], ["sdk-key"])
            self.assertEqual(alice.compute.get_keypair("sdk-key").fingerprint, key.fingerprint)
            alice.compute.delete_keypair("sdk-key")
            self.assertEqual(list(alice.compute.keypairs()), [])

            group = alice.compute.create_server_group(name="sdk-group", policy="soft-anti-affinity")
            self.assertEqual([g.id for g in alice.compute.server_groups()], [group.id])
            alice.compute.delete_server_group(group)

            limits = alice.compute.get_limits()
            self.assertEqual(limits.absolute.instances, 10)
            quotas = admin.compute.get_quota_set("p1")
            self.assertEqual(quotas.instances, 10)
            admin.compute.update_quota_set(quotas, instances=12)
            self.assertEqual(alice.compute.get_limits().absolute.instances, 12)

            (hypervisor,) = list(admin.compute.hypervisors(details=True))
            self.assertEqual(hypervisor.state, "up")
            binaries = sorted(s.binary for s in admin.compute.services())
            self.assertEqual(binaries, ["nova-compute", "nova-conductor", "nova-scheduler"])
            self.assertEqual([z.name for z in alice.compute.availability_zones()], ["nova"])

            image = alice.image.find_image("cirros")
            self.assertEqual(image.status, "active")
            self.assertEqual([i.name for i in alice.image.images()], ["cirros"])
        finally:
            alice.close()
            admin.close()


class NovaClientTests(ComputeAPITestCase):
    timeout = 120

    @async_test
    async def test_resources_through_novaclient(self) -> None:
        await self.start()
        await deferToThread(self._use_novaclient, self.served.url + "/v2.1")

    def _use_novaclient(self, endpoint: str) -> None:
        def client(token: str, version: str = "2.1") -> Any:
            return nova_client.Client(version, session=ks_session.Session(auth=Token(endpoint, token)))

        alice, admin = client("alice:p1"), client("admin:admin", "2.79")
        self.assertEqual([f.name for f in alice.flavors.list()][:1], ["m1.tiny"])
        created = admin.flavors.create("nc.flavor", 256, 1, 2, flavorid="nc1")
        created.set_keys({"quota:disk_read_bytes_sec": "1000"})
        self.assertEqual(admin.flavors.get("nc1").get_keys(), {"quota:disk_read_bytes_sec": "1000"})
        with self.assertRaises(nova_exceptions.Forbidden):
            alice.flavors.create("not.mine", 256, 1, 2)

        key = alice.keypairs.create("nc-key")
        self.assertIn("PRIVATE KEY", key.private_key)
        with self.assertRaises(nova_exceptions.Conflict):
            alice.keypairs.create("nc-key")
        with self.assertRaises(nova_exceptions.BadRequest):
            alice.keypairs.create("bad-key", public_key="not-a-key")
        self.assertEqual([k.name for k in alice.keypairs.list()], ["nc-key"])

        absolute = {limit.name: limit.value for limit in alice.limits.get().absolute}
        self.assertEqual(absolute["maxTotalKeypairs"], 100)
        self.assertEqual(alice.quotas.get("p1").instances, 10)
        self.assertEqual(alice.quotas.defaults("p1").cores, 20)

        group = alice.server_groups.create(name="nc-group", policies=["affinity"])
        self.assertEqual([g.id for g in alice.server_groups.list()], [group.id])
        self.assertEqual([z.zoneName for z in alice.availability_zones.list(detailed=False)], ["nova"])
        self.assertEqual(len(admin.hypervisors.list()), 1)
        self.assertEqual(len(admin.services.list(binary="nova-compute")), 1)
        self.assertEqual(admin.usage.list(start=_day_ago(), end=_day_ahead()), [])


def _day_ago() -> datetime.datetime:
    return datetime.datetime.utcnow() - datetime.timedelta(days=1)


def _day_ahead() -> datetime.datetime:
    return datetime.datetime.utcnow() + datetime.timedelta(days=1)
