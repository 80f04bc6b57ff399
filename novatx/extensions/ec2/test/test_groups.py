"""
boto3 over real HTTP: an instance's EC2-Classic security groups, from the
groups its ports are in, on RunInstances and DescribeInstances (by name and
C{sg-} id), and the C{group-name} and C{group-id} filters.
"""

from __future__ import annotations

from botocore.exceptions import ClientError
from twisted.trial.unittest import TestCase

from novatx.compute.context import RequestContext
from novatx.extensions.ec2.test.served import client_for, fast_config, serve_ec2


def names(groups: list[dict]) -> list[str]:
    return [g["GroupName"] for g in groups]


def group_ids(groups: list[dict]) -> list[str]:
    return [g["GroupId"] for g in groups]


class InstanceGroupTests(TestCase):
    timeout = 120

    async def setUp(self) -> None:
        conf = fast_config()
        conf.set_override("describe_cache_seconds", 0, "ec2")
        self.served = await serve_ec2(self, conf)
        self.ec2 = await client_for(self.served, "alice", "p1")
        self.ami = (await self.ec2.call("describe_images"))["Images"][0]["ImageId"]

    async def run_one(self, **kwargs) -> dict:
        reply = await self.ec2.call("run_instances", ImageId=self.ami, MinCount=1, MaxCount=1,
                                    InstanceType="m1.tiny", **kwargs)
        instance_id = reply["Instances"][0]["InstanceId"]
        await self.ec2.wait("instance_running", InstanceIds=[instance_id])
        return reply

    async def described(self, **kwargs) -> list[dict]:
        return (await self.ec2.call("describe_instances", **kwargs))["Reservations"]

    async def test_default_group(self) -> None:
        """With no group named, an instance is in C{default}, as the reservation is."""
        reply = await self.run_one()
        self.assertEqual(names(reply["Groups"]), ["default"])
        self.assertEqual(names(reply["Instances"][0]["SecurityGroups"]), ["default"])
        (reservation,) = await self.described(InstanceIds=[reply["Instances"][0]["InstanceId"]])
        self.assertEqual(names(reservation["Groups"]), ["default"])
        self.assertEqual(names(reservation["Instances"][0]["SecurityGroups"]), ["default"])

    async def test_named_groups_and_filters(self) -> None:
        """C{SecurityGroup.N} puts the instance in those groups; the filters find it by them."""
        context = RequestContext(user_id="alice", project_id="p1")
        await self.served.compute.api.create_security_group(context, "web")
        web = await self.run_one(SecurityGroups=["web"])
        plain = await self.run_one()
        web_id = web["Instances"][0]["InstanceId"]
        (reservation,) = await self.described(InstanceIds=[web_id])
        self.assertEqual(names(reservation["Instances"][0]["SecurityGroups"]), ["web"])
        for name in ("group-name", "instance.group-name"):
            found = await self.described(Filters=[{"Name": name, "Values": ["web"]}])
            self.assertEqual([r["Instances"][0]["InstanceId"] for r in found], [web_id])
        found = await self.described(Filters=[{"Name": "group-name", "Values": ["default"]}])
        self.assertEqual([r["Instances"][0]["InstanceId"] for r in found],
                         [plain["Instances"][0]["InstanceId"]])

    async def test_unknown_group(self) -> None:
        """An unknown group is AWS's C{InvalidGroup.NotFound}; no instance is made."""
        with self.assertRaises(ClientError) as raised:
            await self.ec2.call("run_instances", ImageId=self.ami, MinCount=1, MaxCount=1,
                                InstanceType="m1.tiny", SecurityGroups=["nope"])
        self.assertEqual(raised.exception.response["Error"]["Code"], "InvalidGroup.NotFound")
        self.assertEqual(await self.described(), [])

    async def group_id(self, name: str) -> str:
        (group,) = (await self.ec2.call("describe_security_groups",
                                        GroupNames=[name]))["SecurityGroups"]
        return group["GroupId"]

    async def test_group_ids(self) -> None:
        """Groups show their C{sg-} ids; C{SecurityGroupId.N} names them; C{group-id} filters."""
        web_id = (await self.ec2.call("create_security_group", GroupName="web",
                                      Description="d"))["GroupId"]
        default_id = await self.group_id("default")
        reply = await self.run_one(SecurityGroupIds=[web_id])
        self.assertEqual(group_ids(reply["Groups"]), [web_id])
        self.assertEqual(names(reply["Instances"][0]["SecurityGroups"]), ["web"])
        web = reply["Instances"][0]["InstanceId"]
        both = (await self.run_one(SecurityGroupIds=[web_id], SecurityGroups=["default"]))[
            "Instances"][0]["InstanceId"]
        plain = await self.run_one()
        self.assertEqual(group_ids(plain["Groups"]), [default_id])
        (reservation,) = await self.described(InstanceIds=[both])
        self.assertEqual(sorted(group_ids(reservation["Instances"][0]["SecurityGroups"])),
                         sorted([web_id, default_id]))
        self.assertEqual(sorted(group_ids(reservation["Groups"])), sorted([web_id, default_id]))
        for name in ("group-id", "instance.group-id"):
            found = await self.described(Filters=[{"Name": name, "Values": [web_id]}])
            self.assertEqual(sorted(r["Instances"][0]["InstanceId"] for r in found),
                             sorted([web, both]))
        for bad, expected in (("sg-0000ffff", "InvalidGroup.NotFound"),
                              ("sg-1", "InvalidGroupId.Malformed")):
            with self.assertRaises(ClientError) as raised:
                await self.ec2.call("run_instances", ImageId=self.ami, MinCount=1, MaxCount=1,
                                    InstanceType="m1.tiny", SecurityGroupIds=[bad])
            self.assertEqual(raised.exception.response["Error"]["Code"], expected)
        self.assertEqual(len(await self.described()), 3)
