"""
boto3 over real HTTP: EC2-Classic security groups on the network's groups,
their ingress permissions, AWS's errors for bad requests, and the compute
API's view of the same groups.
"""

from __future__ import annotations

from botocore.exceptions import ClientError
from twisted.trial.unittest import TestCase

from novatx.compute.context import RequestContext
from novatx.extensions.ec2.test.served import client_for, fast_config, serve_ec2

ALICE = RequestContext(user_id="alice", project_id="p1")


def code(raised: ClientError) -> str:
    return raised.response["Error"]["Code"]


class SecurityGroupTests(TestCase):
    timeout = 120

    async def setUp(self) -> None:
        conf = fast_config()
        conf.set_override("describe_cache_seconds", 0, "ec2")
        self.served = await serve_ec2(self, conf)
        self.ec2 = await client_for(self.served, "alice", "p1")

    async def fails(self, expected: str, method: str, **kwargs) -> str:
        """Call C{method}, which must fail with C{expected}; its message."""
        with self.assertRaises(ClientError) as raised:
            await self.ec2.call(method, **kwargs)
        self.assertEqual(code(raised.exception), expected, raised.exception.response)
        return raised.exception.response["Error"]["Message"]

    async def groups(self, **kwargs) -> list[dict]:
        return (await self.ec2.call("describe_security_groups", **kwargs))["SecurityGroups"]

    async def test_create_describe_delete(self) -> None:
        """A group is made, found by id, name and filters, and deleted by name or id."""
        made = await self.ec2.call("create_security_group", GroupName="web",
                                   Description="web servers")
        web_id = made["GroupId"]
        self.assertRegex(web_id, r"^sg-[0-9a-f]{8}$")
        names = sorted(g["GroupName"] for g in await self.groups())
        self.assertEqual(names, ["default", "web"])
        (by_id,) = await self.groups(GroupIds=[web_id])
        self.assertEqual((by_id["GroupName"], by_id["Description"], by_id["OwnerId"]),
                         ("web", "web servers", "p1"))
        self.assertEqual((by_id["IpPermissions"], by_id["IpPermissionsEgress"]), ([], []))
        (by_name,) = await self.groups(GroupNames=["web"])
        self.assertEqual(by_name["GroupId"], web_id)
        for name, value in (("group-name", "w*"), ("group-id", web_id),
                            ("description", "web ?ervers")):
            found = await self.groups(Filters=[{"Name": name, "Values": [value]}])
            self.assertEqual([g["GroupId"] for g in found], [web_id], name)
        found = await self.groups(Filters=[{"Name": "owner-id", "Values": ["p1"]}])
        self.assertEqual(sorted(g["GroupName"] for g in found), ["default", "web"])
        # The compute API sees the same group.
        (seen,) = [g for g in await self.served.compute.api.list_security_groups(ALICE)
                   if g.name == "web"]
        self.assertEqual(seen.description, "web servers")
        await self.ec2.call("delete_security_group", GroupName="web")
        self.assertEqual([g["GroupName"] for g in await self.groups()], ["default"])
        await self.fails("InvalidGroup.NotFound", "delete_security_group", GroupId=web_id)

    async def test_bad_creates(self) -> None:
        """A duplicate, C{default}, missing or bad fields: AWS's errors; nothing made."""
        await self.ec2.call("create_security_group", GroupName="web", Description="d")
        await self.fails("InvalidGroup.Duplicate", "create_security_group", GroupName="web",
                         Description="again")
        await self.fails("InvalidGroup.Reserved", "create_security_group",
                         GroupName="default", Description="d")
        await self.fails("MissingParameter", "create_security_group", GroupName="x",
                         Description="")
        await self.fails("MissingParameter", "create_security_group", GroupName="",
                         Description="d")
        await self.fails("InvalidParameterValue", "create_security_group",
                         GroupName="x" * 256, Description="d")
        await self.fails("InvalidParameterValue", "create_security_group",
                         GroupName="sg-12345678", Description="d")
        await self.fails("InvalidVpcID.NotFound", "create_security_group", GroupName="x",
                         Description="d", VpcId="vpc-12345678")
        self.assertEqual(sorted(g["GroupName"] for g in await self.groups()),
                         ["default", "web"])

    async def test_bad_lookups(self) -> None:
        """Unknown and malformed groups, filters not known, another project's groups."""
        await self.fails("InvalidGroup.NotFound", "describe_security_groups",
                         GroupNames=["nope"])
        await self.fails("InvalidGroup.NotFound", "describe_security_groups",
                         GroupIds=["sg-0000ffff"])
        await self.fails("InvalidGroupId.Malformed", "describe_security_groups",
                         GroupIds=["sg-1"])
        await self.fails("InvalidParameterValue", "describe_security_groups",
                         Filters=[{"Name": "colour", "Values": ["red"]}])
        made = await self.ec2.call("create_security_group", GroupName="web", Description="d")
        bob = await client_for(self.served, "bob", "p2")
        with self.assertRaises(ClientError) as raised:
            await bob.call("describe_security_groups", GroupIds=[made["GroupId"]])
        self.assertEqual(code(raised.exception), "InvalidGroup.NotFound")
        with self.assertRaises(ClientError) as raised:
            await bob.call("delete_security_group", GroupId=made["GroupId"])
        self.assertEqual(code(raised.exception), "InvalidGroup.NotFound")
        self.assertEqual([g["GroupName"] for g in (await bob.call(
            "describe_security_groups"))["SecurityGroups"]], ["default"])

    async def test_default_and_in_use_groups_stay(self) -> None:
        """C{default} cannot be deleted, nor a group an instance is in, nor one a rule names."""
        await self.fails("CannotDelete", "delete_security_group", GroupName="default")
        await self.ec2.call("create_security_group", GroupName="web", Description="d")
        await self.ec2.call("create_security_group", GroupName="db", Description="d")
        ami = (await self.ec2.call("describe_images"))["Images"][0]["ImageId"]
        reply = await self.ec2.call("run_instances", ImageId=ami, MinCount=1, MaxCount=1,
                                    InstanceType="m1.tiny", SecurityGroups=["web"])
        instance_id = reply["Instances"][0]["InstanceId"]
        await self.ec2.wait("instance_running", InstanceIds=[instance_id])
        await self.fails("InvalidGroup.InUse", "delete_security_group", GroupName="web")
        await self.ec2.call("authorize_security_group_ingress", GroupName="db",
                            IpPermissions=[{"IpProtocol": "tcp", "FromPort": 5432,
                                            "ToPort": 5432,
                                            "UserIdGroupPairs": [{"GroupName": "web"}]}])
        await self.ec2.call("terminate_instances", InstanceIds=[instance_id])
        await self.ec2.wait("instance_terminated", InstanceIds=[instance_id])
        await self.fails("DependencyViolation", "delete_security_group", GroupName="web")
        await self.ec2.call("delete_security_group", GroupName="db")
        await self.ec2.call("delete_security_group", GroupName="web")

    async def test_ingress_permissions(self) -> None:
        """Authorized permissions show merged by protocol and range; revoked ones go."""
        made = await self.ec2.call("create_security_group", GroupName="web", Description="d")
        web_id = made["GroupId"]
        (default,) = await self.groups(GroupNames=["default"])
        permissions = [
            {"IpProtocol": "icmp", "FromPort": -1, "ToPort": -1,
             "IpRanges": [{"CidrIp": "10.0.0.0/8"}]},
            {"IpProtocol": "tcp", "FromPort": 1, "ToPort": 65535,
             "UserIdGroupPairs": [{"GroupId": default["GroupId"]}]},
            {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
             "IpRanges": [{"CidrIp": "192.0.2.0/24", "Description": "office"},
                          {"CidrIp": "0.0.0.0/0"}]},
        ]
        await self.ec2.call("authorize_security_group_ingress", GroupId=web_id,
                            IpPermissions=permissions)
        (web,) = await self.groups(GroupIds=[web_id])
        shown = {(p["IpProtocol"], p.get("FromPort"), p.get("ToPort")): p
                 for p in web["IpPermissions"]}
        self.assertEqual(set(shown), {("icmp", -1, -1), ("tcp", 1, 65535), ("tcp", 22, 22)})
        self.assertEqual(shown[("icmp", -1, -1)]["IpRanges"], [{"CidrIp": "10.0.0.0/8"}])
        self.assertEqual([(g["GroupId"], g["GroupName"], g["UserId"])
                          for g in shown[("tcp", 1, 65535)]["UserIdGroupPairs"]],
                         [(default["GroupId"], "default", "p1")])
        self.assertEqual(shown[("tcp", 22, 22)]["IpRanges"],
                         [{"CidrIp": "192.0.2.0/24", "Description": "office"},
                          {"CidrIp": "0.0.0.0/0"}])
        for name, value in (("ip-permission.protocol", "icmp"),
                            ("ip-permission.cidr", "192.0.2.0/24"),
                            ("ip-permission.from-port", "22")):
            found = await self.groups(Filters=[{"Name": name, "Values": [value]}])
            self.assertEqual([g["GroupId"] for g in found], [web_id], name)
        # default lets its own members in: it names itself, as web now names it.
        found = await self.groups(Filters=[{"Name": "ip-permission.group-name",
                                            "Values": ["default"]}])
        self.assertEqual(sorted(g["GroupName"] for g in found), ["default", "web"])
        # The compute API shows the same rules (nova's shapes).
        (seen,) = [g for g in await self.served.compute.api.list_security_groups(ALICE)
                   if g.name == "web"]
        self.assertEqual(sum(1 for r in seen.rules if r.direction == "ingress"), 4)
        await self.ec2.call("revoke_security_group_ingress", GroupId=web_id,
                            IpPermissions=permissions[:2])
        (web,) = await self.groups(GroupIds=[web_id])
        self.assertEqual([(p["IpProtocol"], p["FromPort"]) for p in web["IpPermissions"]],
                         [("tcp", 22)])
        # Revoking what the group does not have is no error (EC2-Classic).
        await self.ec2.call("revoke_security_group_ingress", GroupId=web_id,
                            IpPermissions=permissions[:2])
        # The flat form of the older API versions.
        await self.ec2.call("authorize_security_group_ingress", GroupName="web",
                            IpProtocol="udp", FromPort=53, ToPort=53, CidrIp="10.1.0.0/16")
        await self.ec2.call("revoke_security_group_ingress", GroupName="web",
                            IpProtocol="udp", FromPort=53, ToPort=53, CidrIp="10.1.0.0/16")
        (web,) = await self.groups(GroupIds=[web_id])
        self.assertEqual(len(web["IpPermissions"]), 1)

    async def test_bad_permissions(self) -> None:
        """Duplicates, bad protocols, ranges, CIDRs and groups: AWS's errors; no rule added."""
        await self.ec2.call("create_security_group", GroupName="web", Description="d")
        ssh = {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
               "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}
        await self.ec2.call("authorize_security_group_ingress", GroupName="web",
                            IpPermissions=[ssh])
        (before,) = await self.groups(GroupNames=["web"])
        web_ok = {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80,
                  "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
        bad = [
            ("InvalidPermission.Duplicate", [web_ok, ssh]),
            ("InvalidPermission.Duplicate", [web_ok, web_ok]),
            ("InvalidParameterValue", [dict(ssh, IpProtocol="tcpx")]),
            ("InvalidParameterValue", [dict(ssh, FromPort=70000, ToPort=70000)]),
            ("InvalidParameterValue", [dict(ssh, FromPort=23, ToPort=22)]),
            ("InvalidParameterValue", [dict(ssh, IpRanges=[{"CidrIp": "10.0.0.0/33"}])]),
            ("InvalidParameterValue", [dict(ssh, IpRanges=[{"CidrIp": "nonsense"}])]),
            ("InvalidParameterValue", [{"IpProtocol": "icmp", "FromPort": -1, "ToPort": 3,
                                        "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}]),
            ("MissingParameter", [{"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80}]),
            ("InvalidGroup.NotFound", [dict(ssh, IpRanges=[], UserIdGroupPairs=[
                {"GroupName": "nope"}])]),
            ("InvalidGroupId.Malformed", [dict(ssh, IpRanges=[], UserIdGroupPairs=[
                {"GroupId": "sg-x"}])]),
        ]
        for expected, permissions in bad:
            await self.fails(expected, "authorize_security_group_ingress", GroupName="web",
                             IpPermissions=permissions)
        await self.fails("InvalidGroup.NotFound", "authorize_security_group_ingress",
                         GroupName="nope", IpPermissions=[ssh])
        await self.fails("MissingParameter", "authorize_security_group_ingress",
                         GroupName="web")
        (after,) = await self.groups(GroupNames=["web"])
        self.assertEqual(after, before)
        for method in ("authorize_security_group_egress", "revoke_security_group_egress"):
            await self.fails("InvalidParameterValue", method, GroupId=before["GroupId"],
                             IpPermissions=[ssh])

    async def test_paging(self) -> None:
        """C{MaxResults} pages the groups in order; not with C{GroupName.N}."""
        for index in range(6):
            await self.ec2.call("create_security_group", GroupName="g%d" % index,
                                Description="d")
        first = await self.ec2.call("describe_security_groups", MaxResults=5)
        second = await self.ec2.call("describe_security_groups", MaxResults=5,
                                     NextToken=first["NextToken"])
        self.assertNotIn("NextToken", second)
        self.assertEqual([g["GroupName"] for g in first["SecurityGroups"] +
                          second["SecurityGroups"]],
                         ["default"] + ["g%d" % index for index in range(6)])
        await self.fails("InvalidParameterCombination", "describe_security_groups",
                         MaxResults=5, GroupNames=["g1"])
        await self.fails("InvalidPaginationToken", "describe_security_groups",
                         MaxResults=5, NextToken="nonsense")


class SecurityGroupQuotaTests(TestCase):
    timeout = 60

    async def test_group_and_rule_quotas(self) -> None:
        """The network's quotas, as AWS's limit errors; nothing made beyond them."""
        conf = fast_config()
        conf.set_override("security_groups", 2, "quota")
        conf.set_override("security_group_rules", 7, "quota")
        served = await serve_ec2(self, conf)
        ec2 = await client_for(served, "alice", "p1")
        await ec2.call("create_security_group", GroupName="web", Description="d")
        with self.assertRaises(ClientError) as raised:
            await ec2.call("create_security_group", GroupName="db", Description="d")
        self.assertEqual(code(raised.exception), "SecurityGroupLimitExceeded")
        # default's 4 rules and web's 2 egress rules leave room for one more.
        ranges = [{"CidrIp": "10.%d.0.0/16" % index} for index in range(2)]
        with self.assertRaises(ClientError) as raised:
            await ec2.call("authorize_security_group_ingress", GroupName="web",
                           IpPermissions=[{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
                                           "IpRanges": ranges}])
        self.assertEqual(code(raised.exception), "RulesPerSecurityGroupLimitExceeded")
        (web,) = (await ec2.call("describe_security_groups",
                                 GroupNames=["web"]))["SecurityGroups"]
        self.assertEqual(web["IpPermissions"], [])
        self.assertEqual(sorted(g["GroupName"] for g in (await ec2.call(
            "describe_security_groups"))["SecurityGroups"]), ["default", "web"])
