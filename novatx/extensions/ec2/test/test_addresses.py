"""
boto3 over real HTTP: EC2-Classic's Elastic IP addresses on the network's
floating IPs, from allocation to release, an associated address as the
instance's C{ipAddress} and the compute API's floating address, and AWS's
errors for bad requests.
"""

from __future__ import annotations

from botocore.exceptions import ClientError
from twisted.trial.unittest import TestCase

from novatx.compute.context import RequestContext
from novatx.extensions.ec2.ids import parse_instance_id
from novatx.extensions.ec2.test.served import client_for, fast_config, running_instance, serve_ec2

ALICE = RequestContext(user_id="alice", project_id="p1")


class AddressTests(TestCase):
    timeout = 120

    async def setUp(self) -> None:
        conf = fast_config()
        conf.set_override("describe_cache_seconds", 0, "ec2")
        conf.set_override("floating_range", "192.0.2.0/29", "network")
        self.served = await serve_ec2(self, conf)
        self.ec2 = await client_for(self.served, "alice", "p1")

    async def fails(self, expected: str, method: str, client=None, **kwargs) -> None:
        with self.assertRaises(ClientError) as raised:
            await (client or self.ec2).call(method, **kwargs)
        self.assertEqual(raised.exception.response["Error"]["Code"], expected,
                         raised.exception.response)

    async def addresses(self, **kwargs) -> list[dict]:
        return (await self.ec2.call("describe_addresses", **kwargs))["Addresses"]

    async def instance(self, instance_id: str) -> dict:
        reply = await self.ec2.call("describe_instances", InstanceIds=[instance_id])
        return reply["Reservations"][0]["Instances"][0]

    async def test_allocate_describe_release(self) -> None:
        """An address is allocated from the public pool, listed, found and released."""
        made = await self.ec2.call("allocate_address", Domain="standard")
        ip = made["PublicIp"]
        self.assertEqual(made["Domain"], "standard")
        self.assertTrue(ip.startswith("192.0.2."))
        other = (await self.ec2.call("allocate_address"))["PublicIp"]
        self.assertEqual(sorted(a["PublicIp"] for a in await self.addresses()),
                         sorted([ip, other]))
        (found,) = await self.addresses(PublicIps=[ip])
        self.assertEqual((found["PublicIp"], found["Domain"]), (ip, "standard"))
        self.assertNotIn("InstanceId", found)
        (found,) = await self.addresses(Filters=[{"Name": "public-ip", "Values": [other]}])
        self.assertEqual(found["PublicIp"], other)
        self.assertEqual(len(await self.addresses(
            Filters=[{"Name": "domain", "Values": ["standard"]}])), 2)
        # The compute API sees the same floating IPs.
        fips = await self.served.compute.api.list_floating_ips(ALICE)
        self.assertEqual(sorted(f.floating_ip_address for f in fips), sorted([ip, other]))
        await self.ec2.call("release_address", PublicIp=ip)
        self.assertEqual([a["PublicIp"] for a in await self.addresses()], [other])
        await self.fails("InvalidAddress.NotFound", "release_address", PublicIp=ip)

    async def test_bad_requests(self) -> None:
        """Domains, ids and addresses that are not: AWS's errors, nothing allocated."""
        await self.fails("InvalidParameterValue", "allocate_address", Domain="invalid")
        await self.fails("InvalidParameterValue", "allocate_address", Domain="vpc")
        await self.fails("InvalidParameterValue", "describe_addresses",
                         PublicIps=["invalidIp"])
        await self.fails("InvalidAddress.NotFound", "describe_addresses",
                         PublicIps=["198.51.100.1"])
        await self.fails("InvalidParameterValue", "describe_addresses",
                         Filters=[{"Name": "colour", "Values": ["red"]}])
        await self.fails("InvalidAllocationID.NotFound", "release_address",
                         AllocationId="eipalloc-12345678")
        await self.fails("MissingParameter", "release_address")
        await self.fails("InvalidParameterValue", "release_address", PublicIp="ip")
        self.assertEqual(await self.addresses(), [])
        # Another project's address does not exist for the caller.
        ip = (await self.ec2.call("allocate_address"))["PublicIp"]
        bob = await client_for(self.served, "bob", "p2")
        await self.fails("InvalidAddress.NotFound", "release_address", client=bob,
                         PublicIp=ip)
        await self.fails("InvalidAddress.NotFound", "describe_addresses", client=bob,
                         PublicIps=[ip])
        # The pool holds 5 addresses (a /29 less network, gateway and broadcast).
        for _ in range(4):
            await self.ec2.call("allocate_address")
        await self.fails("InsufficientAddressCapacity", "allocate_address")
        self.assertEqual(len(await self.addresses()), 5)

    async def test_associate_disassociate(self) -> None:
        """An associated address is the instance's ipAddress and its server's floating IP."""
        instance_id = await running_instance(self.ec2)
        ip = (await self.ec2.call("allocate_address"))["PublicIp"]
        await self.ec2.call("disassociate_address", PublicIp=ip)  # not associated: no error
        await self.fails("InvalidInstanceID.NotFound", "associate_address",
                         InstanceId="i-0000ffff", PublicIp=ip)
        await self.fails("InvalidAddress.NotFound", "associate_address",
                         InstanceId=instance_id, PublicIp="198.51.100.1")
        await self.ec2.call("associate_address", InstanceId=instance_id, PublicIp=ip)
        (found,) = await self.addresses(PublicIps=[ip])
        described = await self.instance(instance_id)
        self.assertEqual(found["InstanceId"], instance_id)
        self.assertEqual(found["PrivateIpAddress"], described["PrivateIpAddress"])
        self.assertEqual(described["PublicIpAddress"], ip)
        (found,) = await self.addresses(Filters=[{"Name": "instance-id",
                                                  "Values": [instance_id]}])
        self.assertEqual(found["PublicIp"], ip)
        by_ip = await self.ec2.call("describe_instances", Filters=[
            {"Name": "ip-address", "Values": [ip]}])
        self.assertEqual([r["Instances"][0]["InstanceId"] for r in by_ip["Reservations"]],
                         [instance_id])
        server = await self.served.compute.api.get_server_by_ec2_id(
            ALICE, parse_instance_id(instance_id))
        self.assertIn((ip, "floating"), [(a.address, a.type) for a in server.addresses])
        await self.ec2.call("disassociate_address", PublicIp=ip)
        self.assertNotIn("PublicIpAddress", await self.instance(instance_id))
        (found,) = await self.addresses(PublicIps=[ip])
        self.assertNotIn("InstanceId", found)
        # Releasing an associated address disassociates it first.
        await self.ec2.call("associate_address", InstanceId=instance_id, PublicIp=ip)
        await self.ec2.call("release_address", PublicIp=ip)
        self.assertNotIn("PublicIpAddress", await self.instance(instance_id))
        self.assertEqual(await self.addresses(), [])
