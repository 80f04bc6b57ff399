"""
boto3, unchanged, against the EC2 API over real HTTP: key pairs, the instance
lifecycle with boto3's own waiters, filters, tags, paging, ClientToken,
servers made through the compute API, and isolation between projects. boto3
calls run in threads (C{deferToThread}) so the reactor keeps serving them.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from twisted.internet import reactor
from twisted.internet.threads import deferToThread
from twisted.trial.unittest import TestCase

from novatx.compute.context import RequestContext
from novatx.compute.interfaces import CreateRequest
from novatx.extensions.ec2.test.served import client_for, fast_config, serve_ec2, snapshot
from novatx.test.helpers import serve_api


def f(name: str, *values: str) -> dict:
    """One of boto3's C{Filters}."""
    return {"Name": name, "Values": list(values)}


def tag(key: str, value: str | None = None) -> dict:
    """One of boto3's C{Tags}."""
    return {"Key": key} if value is None else {"Key": key, "Value": value}


def spec(*tags: dict) -> list[dict]:
    """boto3's C{TagSpecifications} for instances."""
    return [{"ResourceType": "instance", "Tags": list(tags)}]


def tag_pairs(item: dict) -> list[tuple[str, str]]:
    """The C{(key, value)} pairs of a described resource's tags, sorted."""
    return sorted((t["Key"], t["Value"]) for t in item["Tags"])


class Boto3Tests(TestCase):
    timeout = 120

    async def setUp(self) -> None:
        self.served = await serve_ec2(self)
        self.ec2 = await client_for(self.served, "alice", "p1")
        images = await self.ec2.call("describe_images")
        self.ami = images["Images"][0]["ImageId"]

    async def assertClientError(self, code: str, method: str, **kwargs) -> ClientError:
        try:
            await self.ec2.call(method, **kwargs)
        except ClientError as e:
            self.assertEqual(e.response["Error"]["Code"], code)
            return e
        self.fail("%s did not fail with %s" % (method, code))

    async def run_instances(self, count: int = 1, **kwargs) -> list[dict]:
        kwargs.setdefault("InstanceType", "m1.tiny")
        reply = await self.ec2.call(
            "run_instances", ImageId=self.ami, MinCount=count, MaxCount=count, **kwargs
        )
        return reply["Instances"]

    async def describe(self, **kwargs) -> list[dict]:
        reply = await self.ec2.call("describe_instances", **kwargs)
        return [i for r in reply["Reservations"] for i in r["Instances"]]

    async def test_key_pair_lifecycle(self) -> None:
        created = await self.ec2.call("create_key_pair", KeyName="k1")
        private = serialization.load_pem_private_key(created["KeyMaterial"].encode(), None)
        der = private.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        digest = hashlib.sha1(der).hexdigest()
        generated = ":".join(digest[i:i + 2] for i in range(0, 40, 2))
        self.assertEqual(created["KeyFingerprint"], generated)
        await self.assertClientError("InvalidKeyPair.Duplicate", "create_key_pair", KeyName="k1")

        rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        rsa_line = rsa_key.public_key().public_bytes(
            serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
        )
        imported = await self.ec2.call("import_key_pair", KeyName="k2", PublicKeyMaterial=rsa_line)
        der = rsa_key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        digest = hashlib.md5(der).hexdigest()
        self.assertEqual(imported["KeyFingerprint"], ":".join(digest[i:i + 2] for i in range(0, 32, 2)))

        ed_line = ed25519.Ed25519PrivateKey.generate().public_key().public_bytes(
            serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
        )
        imported = await self.ec2.call("import_key_pair", KeyName="k3", PublicKeyMaterial=ed_line)
        blob = base64.b64decode(ed_line.split()[1])
        expected = base64.b64encode(hashlib.sha256(blob).digest()).decode()
        self.assertEqual(imported["KeyFingerprint"], expected)
        await self.assertClientError(
            "InvalidKey.Format", "import_key_pair", KeyName="k4", PublicKeyMaterial=b"ssh-rsa garbage"
        )

        described = await self.ec2.call("describe_key_pairs")
        self.assertEqual(sorted(k["KeyName"] for k in described["KeyPairs"]), ["k1", "k2", "k3"])
        only = await self.ec2.call("describe_key_pairs", KeyNames=["k3"])
        self.assertEqual(only["KeyPairs"][0]["KeyType"], "ed25519")
        filtered = await self.ec2.call("describe_key_pairs", Filters=[f("key-name", "k?")])
        self.assertEqual(len(filtered["KeyPairs"]), 3)
        by_fingerprint = await self.ec2.call("describe_key_pairs", Filters=[f("fingerprint", generated)])
        self.assertEqual([(k["KeyName"], k["KeyFingerprint"]) for k in by_fingerprint["KeyPairs"]],
                         [("k1", generated)])
        await self.assertClientError("InvalidKeyPair.NotFound", "describe_key_pairs", KeyNames=["nope"])

        await self.ec2.call("delete_key_pair", KeyName="k1")
        await self.ec2.call("delete_key_pair", KeyName="k1")
        described = await self.ec2.call("describe_key_pairs")
        self.assertEqual(sorted(k["KeyName"] for k in described["KeyPairs"]), ["k2", "k3"])
        (k2,) = [k for k in described["KeyPairs"] if k["KeyName"] == "k2"]
        self.assertRegex(k2["KeyPairId"], r"^key-[0-9a-f]{17}$")
        by_id = await self.ec2.call("describe_key_pairs", KeyPairIds=[k2["KeyPairId"]])
        self.assertEqual([k["KeyName"] for k in by_id["KeyPairs"]], ["k2"])
        await self.ec2.call("delete_key_pair", KeyPairId=k2["KeyPairId"])
        described = await self.ec2.call("describe_key_pairs")
        self.assertEqual([k["KeyName"] for k in described["KeyPairs"]], ["k3"])

    async def test_instance_lifecycle_with_waiters(self) -> None:
        await self.ec2.call("create_key_pair", KeyName="k1")
        user_data = base64.b64encode(b"#!/bin/sh\necho hi\n").decode()
        (instance,) = await self.run_instances(
            KeyName="k1",
            UserData=user_data,
            Placement={"AvailabilityZone": "nova"},
            TagSpecifications=spec(tag("Name", "web"), tag("env", "prod")),
        )
        instance_id = instance["InstanceId"]
        self.assertRegex(instance_id, r"^i-[0-9a-f]{8}$")
        self.assertEqual(instance["State"], {"Code": 0, "Name": "pending"})
        self.assertEqual(instance["KeyName"], "k1")
        await self.ec2.wait("instance_running", InstanceIds=[instance_id])
        (running,) = await self.describe(InstanceIds=[instance_id])
        self.assertEqual(running["State"], {"Code": 16, "Name": "running"})
        self.assertEqual(tag_pairs(running), [("Name", "web"), ("env", "prod")])
        self.assertEqual(running["ImageId"], self.ami)
        self.assertEqual(running["Placement"]["AvailabilityZone"], "nova")
        self.assertRegex(running["PrivateIpAddress"], r"^10\.0\.0\.\d+$")
        options = running["MetadataOptions"]
        self.assertEqual((options["HttpTokens"], options["HttpEndpoint"]), ("optional", "enabled"))

        status = await self.ec2.call("describe_instance_status", InstanceIds=[instance_id])
        self.assertEqual(status["InstanceStatuses"][0]["InstanceState"]["Name"], "running")
        console = await self.ec2.call("get_console_output", InstanceId=instance_id)
        self.assertTrue(console["Output"])

        stopped = await self.ec2.call("stop_instances", InstanceIds=[instance_id])
        self.assertEqual(stopped["StoppingInstances"][0]["PreviousState"]["Name"], "running")
        self.assertEqual(stopped["StoppingInstances"][0]["CurrentState"]["Name"], "stopping")
        await self.ec2.wait("instance_stopped", InstanceIds=[instance_id])
        await self.assertClientError(
            "IncorrectInstanceState", "reboot_instances", InstanceIds=[instance_id]
        )
        status = await self.ec2.call("describe_instance_status", InstanceIds=[instance_id])
        self.assertEqual(status["InstanceStatuses"], [])
        status = await self.ec2.call(
            "describe_instance_status", InstanceIds=[instance_id], IncludeAllInstances=True
        )
        self.assertEqual(status["InstanceStatuses"][0]["InstanceState"]["Name"], "stopped")

        started = await self.ec2.call("start_instances", InstanceIds=[instance_id])
        self.assertEqual(started["StartingInstances"][0]["CurrentState"]["Name"], "pending")
        await self.ec2.wait("instance_running", InstanceIds=[instance_id])
        await self.ec2.call("reboot_instances", InstanceIds=[instance_id])

        terminated = await self.ec2.call("terminate_instances", InstanceIds=[instance_id])
        self.assertEqual(terminated["TerminatingInstances"][0]["CurrentState"]["Name"], "shutting-down")
        await self.ec2.wait("instance_terminated", InstanceIds=[instance_id])
        (gone,) = await self.describe(InstanceIds=[instance_id])
        self.assertEqual(gone["State"], {"Code": 48, "Name": "terminated"})
        again = await self.ec2.call("terminate_instances", InstanceIds=[instance_id])
        self.assertEqual(again["TerminatingInstances"][0]["CurrentState"]["Name"], "terminated")
        await self.assertClientError(
            "IncorrectInstanceState", "start_instances", InstanceIds=[instance_id]
        )
        for method, arguments in (
            ("get_console_output", {"InstanceId": instance_id}),
            ("create_image", {"InstanceId": instance_id, "Name": "too-late"}),
            ("create_tags", {"Resources": [instance_id], "Tags": [tag("a", "b")]}),
        ):
            error = await self.assertClientError("IncorrectInstanceState", method, **arguments)
            self.assertIn(instance_id, error.response["Error"]["Message"])

    async def test_filters(self) -> None:
        await self.ec2.call("create_key_pair", KeyName="k1")
        small = await self.run_instances(2, InstanceType="m1.small", KeyName="k1")
        tiny = await self.run_instances(1, TagSpecifications=spec(tag("role", "db")))
        await self.ec2.wait("instance_running", InstanceIds=[i["InstanceId"] for i in small + tiny])

        def ids(instances):
            return sorted(i["InstanceId"] for i in instances)

        cases = [
            ([f("instance-type", "m1.small")], small),
            ([f("instance-type", "m1.*")], small + tiny),
            ([f("key-name", "k1")], small),
            ([f("instance-state-name", "running")], small + tiny),
            ([f("instance-state-code", "80")], []),
            ([{"Name": "instance-id", "Values": [tiny[0]["InstanceId"]]}], tiny),
            ([f("image-id", self.ami)], small + tiny),
            ([f("availability-zone", "nova")], small + tiny),
            ([f("reservation-id", "r-00000000")], []),
            ([f("tag:role", "db")], tiny),
            ([f("tag-key", "role")], tiny),
            ([f("instance-type", "m1.small"), f("tag-key", "role")], []),
        ]
        for filters, expected in cases:
            self.assertEqual(ids(await self.describe(Filters=filters)), ids(expected), filters)
        reservations = (await self.ec2.call("describe_instances"))["Reservations"]
        by_reservation = {r["ReservationId"]: ids(r["Instances"]) for r in reservations}
        self.assertIn(ids(small), by_reservation.values())
        small_reservation = [k for k, v in by_reservation.items() if v == ids(small)][0]
        self.assertRegex(small_reservation, r"^r-[0-9a-f]{8}$")
        by_reservation = await self.describe(Filters=[f("reservation-id", small_reservation)])
        self.assertEqual(ids(by_reservation), ids(small))
        tiny_ids = [tiny[0]["InstanceId"]]
        addresses = [i["PrivateIpAddress"] for i in await self.describe(InstanceIds=tiny_ids)]
        by_address = await self.describe(Filters=[f("private-ip-address", *addresses)])
        self.assertEqual(ids(by_address), ids(tiny))
        await self.assertClientError(
            "InvalidParameterValue", "describe_instances", Filters=[f("colour", "red")]
        )

    async def test_instance_status(self) -> None:
        instances = await self.run_instances(6)
        ids = sorted(i["InstanceId"] for i in instances)
        await self.ec2.wait("instance_running", InstanceIds=ids)
        await self.ec2.call("stop_instances", InstanceIds=[ids[0]])
        await self.ec2.wait("instance_stopped", InstanceIds=[ids[0]])

        page = await self.ec2.call("describe_instance_status", MaxResults=5)
        self.assertEqual(sorted(s["InstanceId"] for s in page["InstanceStatuses"]), ids[1:])
        self.assertNotIn("NextToken", page)
        (running,) = (await self.ec2.call("describe_instance_status", InstanceIds=[ids[1]]))["InstanceStatuses"]
        self.assertEqual(running["InstanceStatus"]["Status"], "ok")
        self.assertEqual(running["SystemStatus"]["Details"], [{"Name": "reachability", "Status": "passed"}])

        stopped = await self.ec2.call(
            "describe_instance_status", IncludeAllInstances=True,
            Filters=[f("instance-status.status", "not-applicable")],
        )
        (item,) = stopped["InstanceStatuses"]
        self.assertEqual((item["InstanceId"], item["InstanceState"]["Name"]), (ids[0], "stopped"))
        self.assertNotIn("Details", item["InstanceStatus"])
        for filters, expected in (
            ([f("system-status.reachability", "passed")], ids[1:]),
            ([f("instance-state-code", "80")], []),
            ([f("availability-zone", "nova"), f("instance-state-name", "running")], ids[1:]),
            ([f("event.code", "*")], []),
        ):
            reply = await self.ec2.call("describe_instance_status", Filters=filters)
            self.assertEqual(sorted(s["InstanceId"] for s in reply["InstanceStatuses"]), expected, filters)
        await self.assertClientError(
            "InvalidParameterValue", "describe_instance_status", Filters=[f("instance-type", "m1.tiny")]
        )
        await self.assertClientError(
            "InvalidParameterCombination", "describe_instance_status", InstanceIds=[ids[0]], MaxResults=5
        )

    async def test_tags(self) -> None:
        (instance,) = await self.run_instances()
        instance_id = instance["InstanceId"]
        self.assertEqual(instance["Tags"], [])
        await self.ec2.call(
            "create_tags", Resources=[instance_id], Tags=[tag("Name", "db-1"), tag("tier", "back")]
        )
        (tagged,) = await self.describe(InstanceIds=[instance_id])
        self.assertEqual(tag_pairs(tagged), [("Name", "db-1"), ("tier", "back")])
        server = await self.served.compute.api.get_server_by_ec2_id(
            RequestContext("alice", "p1"), int(instance_id[2:], 16)
        )
        self.assertEqual((server.name, server.metadata), ("db-1", {"tier": "back"}))

        tags = await self.ec2.call("describe_tags", Filters=[f("resource-id", instance_id)])
        self.assertEqual(
            sorted((t["Key"], t["Value"], t["ResourceType"]) for t in tags["Tags"]),
            [("Name", "db-1", "instance"), ("tier", "back", "instance")],
        )
        await self.ec2.call("delete_tags", Resources=[instance_id], Tags=[tag("tier", "other")])
        self.assertEqual(len((await self.describe(InstanceIds=[instance_id]))[0]["Tags"]), 2)
        await self.ec2.call("delete_tags", Resources=[instance_id], Tags=[tag("tier"), tag("Name")])
        self.assertEqual((await self.describe(InstanceIds=[instance_id]))[0]["Tags"], [])
        await self.assertClientError(
            "InvalidID", "create_tags", Resources=["vpc-1"], Tags=[tag("a", "b")]
        )

    async def test_refused_tags_change_nothing(self) -> None:
        first, second = await self.run_instances(2, TagSpecifications=spec(tag("Name", "web")))
        ids = [first["InstanceId"], second["InstanceId"]]
        await self.ec2.call("create_tags", Resources=[ids[1]], Tags=[tag("k%d" % n, "v") for n in range(48)])
        for tags, code in (
            ([tag("Name", " padded"), tag("a", "b")], "InvalidParameterValue"),
            ([tag("Name", "n" * 256)], "InvalidParameterValue"),
            ([tag("Name", "renamed"), tag("c", "v" * 256)], "InvalidParameterValue"),
            ([tag("a", "b"), tag("nul", "\x00")], "InvalidParameterValue"),
            ([tag("a", "b"), tag("bell", "\x07")], "InvalidParameterValue"),
            ([tag("a", "b"), tag("c", "d")], "TagLimitExceeded"),
        ):
            await self.assertClientError(code, "create_tags", Resources=ids, Tags=tags)
        described = {i["InstanceId"]: tag_pairs(i) for i in await self.describe(InstanceIds=ids)}
        self.assertEqual(described[ids[0]], [("Name", "web-1")])
        self.assertEqual(len(described[ids[1]]), 49)
        await self.assertClientError(
            "TagLimitExceeded", "run_instances", ImageId=self.ami, MinCount=1, MaxCount=1,
            TagSpecifications=spec(*[tag("k%d" % n, "v") for n in range(51)]),
        )
        (unnamed,) = await self.run_instances(TagSpecifications=spec(tag("Name", "")))
        await self.ec2.call("create_tags", Resources=[ids[0]], Tags=[tag("Name", "")])
        for instance in await self.describe(InstanceIds=[ids[0], unnamed["InstanceId"]]):
            self.assertEqual(instance["Tags"], [])
        await self.assertClientError(
            "InvalidInstanceID.NotFound", "create_tags", Resources=["i-0000abcd"], Tags=[tag("a", "b")]
        )

    async def test_pagination(self) -> None:
        created = await self.run_instances(7)
        paginator = self.ec2.boto.get_paginator("describe_instances")
        pages = await deferToThread(lambda: list(paginator.paginate(PaginationConfig={"PageSize": 5})))
        sizes = [sum(len(r["Instances"]) for r in page["Reservations"]) for page in pages]
        self.assertEqual(sizes, [5, 2])
        seen = [i["InstanceId"] for page in pages for r in page["Reservations"] for i in r["Instances"]]
        self.assertEqual(sorted(seen), sorted(i["InstanceId"] for i in created))
        first = await self.ec2.call("describe_instances", MaxResults=5)
        await self.assertClientError(
            "InvalidPaginationToken", "describe_instances", MaxResults=5, NextToken=first["NextToken"],
            Filters=[f("instance-type", "m1.tiny")],
        )

    async def test_dry_run_does_nothing(self) -> None:
        for method, arguments in (
            ("run_instances", {"ImageId": self.ami, "MinCount": 1, "MaxCount": 1}),
            ("create_key_pair", {"KeyName": "dry"}),
            ("describe_instances", {}),
        ):
            error = await self.assertClientError("DryRunOperation", method, DryRun=True, **arguments)
            self.assertEqual(error.response["ResponseMetadata"]["HTTPStatusCode"], 412)
        self.assertEqual(await self.describe(DryRun=False), [])
        self.assertEqual((await self.ec2.call("describe_key_pairs"))["KeyPairs"], [])

    async def test_quota(self) -> None:
        error = await self.assertClientError(
            "InstanceLimitExceeded", "run_instances", ImageId=self.ami, MinCount=11, MaxCount=11
        )
        self.assertIn("instances", error.response["Error"]["Message"])
        self.assertEqual(await self.describe(), [])

    async def test_client_token(self) -> None:
        first = await self.run_instances(2, ClientToken="token-1")
        again = await self.run_instances(2, ClientToken="token-1")
        self.assertEqual([i["InstanceId"] for i in first], [i["InstanceId"] for i in again])
        other = await self.run_instances(1, ClientToken="token-2")
        self.assertEqual(len(await self.describe()), 3)
        self.assertNotIn(other[0]["InstanceId"], [i["InstanceId"] for i in first])
        for changes in ({"InstanceType": "m1.small"}, {"MinCount": 3, "MaxCount": 3}):
            arguments = dict({"ImageId": self.ami, "MinCount": 2, "MaxCount": 2,
                              "InstanceType": "m1.tiny", "ClientToken": "token-1"}, **changes)
            await self.assertClientError("IdempotentParameterMismatch", "run_instances", **arguments)
        self.assertEqual(len(await self.describe()), 3)
        bob = await client_for(self.served, "bob", "p2")
        (bobs,) = (await bob.call("run_instances", ImageId=self.ami, MinCount=1, MaxCount=1,
                                  ClientToken="token-2"))["Instances"]
        self.assertNotIn(bobs["InstanceId"], [i["InstanceId"] for i in first + other])

    async def test_compute_server_shows_with_name_tag(self) -> None:
        context = RequestContext("alice", "p1")
        image = (await self.served.compute.api.list_images(context)).items[0]
        (server,) = await self.served.compute.api.create_servers(
            context,
            CreateRequest(
                name="from-compute", flavor_id="1", image_id=image.id, metadata={"team": "a"}
            ),
        )
        (shown,) = await self.describe(Filters=[f("tag:Name", "from-compute")])
        self.assertEqual(shown["InstanceId"], server.ec2_id)
        self.assertEqual(shown["InstanceType"], "m1.tiny")
        self.assertEqual(shown["ImageId"], image.ec2_id)
        self.assertEqual(tag_pairs(shown), [("Name", "from-compute"), ("team", "a")])

    async def test_metadata_xml_cannot_carry(self) -> None:
        (instance,) = await self.run_instances()
        context = RequestContext("alice", "p1")
        server = await self.served.compute.api.get_server_by_ec2_id(context, int(instance["InstanceId"][2:], 16))
        await self.served.compute.api.set_metadata(context, server.uuid, {"note": "a\x01b"})
        (described,) = await self.describe()
        self.assertEqual(tag_pairs(described), [("note", "a\ufffdb")])
        tags = await self.ec2.call("describe_tags")
        self.assertEqual([t["Value"] for t in tags["Tags"]], ["a\ufffdb"])

    async def test_projects_are_isolated(self) -> None:
        await self.ec2.call("create_key_pair", KeyName="alices")
        (mine,) = await self.run_instances(TagSpecifications=spec(tag("Name", "mine")))
        instance_id = mine["InstanceId"]
        await self.ec2.wait("instance_running", InstanceIds=[instance_id])
        image = {"ImageId": await snapshot(self.served, self.ec2, instance_id, "private")}
        bob = await client_for(self.served, "bob", "p2")
        reply = await bob.call("describe_instances")
        self.assertEqual(reply["Reservations"], [])
        self.assertEqual((await bob.call("describe_tags"))["Tags"], [])
        self.assertEqual((await bob.call("describe_instance_status"))["InstanceStatuses"], [])
        self.assertNotIn(image["ImageId"], [i["ImageId"] for i in (await bob.call("describe_images"))["Images"]])
        for method, arguments, code in (
            ("terminate_instances", {"InstanceIds": [instance_id]}, "InvalidInstanceID.NotFound"),
            ("stop_instances", {"InstanceIds": [instance_id]}, "InvalidInstanceID.NotFound"),
            ("reboot_instances", {"InstanceIds": [instance_id]}, "InvalidInstanceID.NotFound"),
            ("describe_instances", {"InstanceIds": [instance_id]}, "InvalidInstanceID.NotFound"),
            ("get_console_output", {"InstanceId": instance_id}, "InvalidInstanceID.NotFound"),
            ("create_tags", {"Resources": [instance_id], "Tags": [tag("a", "b")]}, "InvalidInstanceID.NotFound"),
            ("create_image", {"InstanceId": instance_id, "Name": "stolen"}, "InvalidInstanceID.NotFound"),
            ("describe_images", {"ImageIds": [image["ImageId"]]}, "InvalidAMIID.NotFound"),
            ("deregister_image", {"ImageId": image["ImageId"]}, "InvalidAMIID.NotFound"),
            ("run_instances", {"ImageId": image["ImageId"], "MinCount": 1, "MaxCount": 1}, "InvalidAMIID.NotFound"),
            ("run_instances", {"ImageId": self.ami, "MinCount": 1, "MaxCount": 1, "KeyName": "alices"},
             "InvalidKeyPair.NotFound"),
            ("describe_key_pairs", {"KeyNames": ["alices"]}, "InvalidKeyPair.NotFound"),
        ):
            try:
                await bob.call(method, **arguments)
            except ClientError as e:
                self.assertEqual(e.response["Error"]["Code"], code, method)
            else:
                self.fail(method)
        await bob.call("delete_key_pair", KeyName="alices")
        await bob.call("create_key_pair", KeyName="bobs")
        self.assertEqual([k["KeyName"] for k in (await self.ec2.call("describe_key_pairs"))["KeyPairs"]], ["alices"])
        (still,) = await self.describe()
        self.assertEqual((still["State"]["Name"], tag_pairs(still)), ("running", [("Name", "mine")]))
        self.assertEqual((await bob.call("describe_instances"))["Reservations"], [])

    async def test_images(self) -> None:
        (instance,) = await self.run_instances()
        await self.ec2.wait("instance_running", InstanceIds=[instance["InstanceId"]])
        error = await self.assertClientError(
            "InvalidParameterValue", "create_image", InstanceId=instance["InstanceId"], Name="snap-1"
        )
        self.assertIn("volume attached at root", error.response["Error"]["Message"])
        created = {"ImageId": await snapshot(self.served, self.ec2, instance["InstanceId"], "snap-1")}
        self.assertRegex(created["ImageId"], r"^ami-[0-9a-f]{8}$")
        mine = await self.ec2.call("describe_images", Owners=["self"])
        self.assertEqual([i["ImageId"] for i in mine["Images"]], [created["ImageId"]])
        self.assertEqual(mine["Images"][0]["Name"], "snap-1")
        self.assertIs(mine["Images"][0]["Public"], False)
        public = await self.ec2.call("describe_images", Filters=[f("is-public", "true")])
        self.assertEqual([i["ImageId"] for i in public["Images"]], [self.ami])
        await self.ec2.call("deregister_image", ImageId=created["ImageId"])
        after = await self.ec2.call("describe_images", Filters=[f("state", "available")])
        self.assertNotIn(created["ImageId"], [i["ImageId"] for i in after["Images"]])
        await self.assertClientError("InvalidAMIID.NotFound", "deregister_image", ImageId="ami-0000abcd")
        error = await self.assertClientError("AuthFailure", "deregister_image", ImageId=self.ami)
        self.assertEqual(error.response["Error"]["Message"], "Not authorized for image:" + self.ami)
        still = await self.ec2.call("describe_images", ImageIds=[self.ami])
        self.assertEqual(still["Images"][0]["State"], "available")

    async def test_zones_types_regions_attributes(self) -> None:
        zones = await self.ec2.call("describe_availability_zones")
        self.assertIn("nova", [z["ZoneName"] for z in zones["AvailabilityZones"]])
        self.assertEqual({z["RegionName"] for z in zones["AvailabilityZones"]}, {"RegionOne"})
        regions = await self.ec2.call("describe_regions")
        self.assertEqual([r["RegionName"] for r in regions["Regions"]], ["RegionOne"])
        regions = await self.ec2.call("describe_regions", Filters=[f("opt-in-status", "opt-in-not-required")])
        self.assertEqual([r["RegionName"] for r in regions["Regions"]], ["RegionOne"])
        types = await self.ec2.call("describe_instance_types", InstanceTypes=["m1.small"])
        (small,) = types["InstanceTypes"]
        sizes = (small["VCpuInfo"]["DefaultVCpus"], small["MemoryInfo"]["SizeInMiB"])
        self.assertEqual(sizes, (1, 2048))
        everything = await self.ec2.call("describe_instance_types")
        self.assertEqual(
            sorted(t["InstanceType"] for t in everything["InstanceTypes"]),
            ["m1.large", "m1.medium", "m1.small", "m1.tiny", "m1.xlarge"],
        )
        await self.assertClientError(
            "InvalidInstanceType", "describe_instance_types", InstanceTypes=["m9.huge"]
        )
        attributes = await self.ec2.call("describe_account_attributes", AttributeNames=["max-instances"])
        (attribute,) = attributes["AccountAttributes"]
        self.assertEqual(attribute["AttributeValues"][0]["AttributeValue"], "10")


class PendingInstanceTests(TestCase):
    """An instance whose boot takes a minute: what it looks like meanwhile."""

    timeout = 60

    async def test_pending_instance(self) -> None:
        conf = fast_config()
        conf.set_override("boot_seconds", 60, "simulated")
        conf.set_override("require_token", True, "metadata")
        served = await serve_ec2(self, conf)
        ec2 = await client_for(served, "alice", "p1")
        ami = (await ec2.call("describe_images"))["Images"][0]["ImageId"]
        (instance,) = (await ec2.call("run_instances", ImageId=ami, MinCount=1, MaxCount=1))["Instances"]
        instance_id = instance["InstanceId"]
        self.assertEqual(instance["MetadataOptions"]["HttpTokens"], "required")
        (described,) = (await ec2.call("describe_instances"))["Reservations"][0]["Instances"]
        self.assertEqual(described["MetadataOptions"]["HttpTokens"], "required")
        console = await ec2.call("get_console_output", InstanceId=instance_id)
        self.assertEqual(console["InstanceId"], instance_id)
        self.assertNotIn("Output", console)
        status = await ec2.call("describe_instance_status", IncludeAllInstances=True)
        (item,) = status["InstanceStatuses"]
        self.assertEqual(
            (item["InstanceState"]["Name"], item["InstanceStatus"]["Status"]), ("pending", "initializing")
        )
        self.assertEqual((await ec2.call("describe_instance_status"))["InstanceStatuses"], [])
        try:
            await ec2.call("stop_instances", InstanceIds=[instance_id])
        except ClientError as e:
            self.assertEqual(e.response["Error"]["Code"], "IncorrectInstanceState")
        else:
            self.fail("a pending instance was stopped")


class _Skewed:
    """The global reactor, with a clock a test moves ahead instead of waiting."""

    def __init__(self) -> None:
        self.ahead = 0.0

    def seconds(self) -> float:
        return reactor.seconds() + self.ahead

    def __getattr__(self, name: str) -> Any:
        return getattr(reactor, name)


class TerminatedVisibilityTests(TestCase):
    timeout = 60

    async def test_terminated_instances_fade_after_the_window(self) -> None:
        conf = fast_config()
        conf.set_override("terminated_instance_seconds", 60, "ec2")
        conf.set_override("describe_cache_seconds", 0, "ec2")
        clock = _Skewed()
        served = await serve_api(self, "ec2", conf, reactor=clock)
        ec2 = await client_for(served, "alice", "p1")
        ami = (await ec2.call("describe_images"))["Images"][0]["ImageId"]
        (instance,) = (await ec2.call("run_instances", ImageId=ami, MinCount=1, MaxCount=1))["Instances"]
        instance_id = instance["InstanceId"]
        await ec2.call("terminate_instances", InstanceIds=[instance_id])
        await ec2.wait("instance_terminated", InstanceIds=[instance_id])
        described = await ec2.call("describe_instances", InstanceIds=[instance_id])
        self.assertEqual(len(described["Reservations"]), 1)
        clock.ahead = 61
        self.assertEqual((await ec2.call("describe_instances"))["Reservations"], [])
        try:
            await ec2.call("describe_instances", InstanceIds=[instance_id])
        except ClientError as e:
            self.assertEqual(e.response["Error"]["Code"], "InvalidInstanceID.NotFound")
        else:
            self.fail("a long-terminated instance is still described")
