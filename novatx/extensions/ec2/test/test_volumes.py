"""
boto3 over real HTTP: EC2's volumes and snapshots on block storage, their
states as the simulated driver moves them, attachments to instances, tags,
filters, paging and AWS's errors.
"""

from __future__ import annotations

from botocore.exceptions import ClientError
from botocore.waiter import WaiterModel, create_waiter_with_client
from twisted.internet.threads import deferToThread
from twisted.trial.unittest import TestCase

from novatx.extensions.ec2.test.served import client_for, fast_config, running_instance, serve_ec2


def f(name: str, *values: str) -> dict:
    """One of boto3's C{Filters}."""
    return {"Name": name, "Values": list(values)}


#: A waiter boto3 lacks: every attachment of the volumes is C{attached}.
_ATTACHED = WaiterModel({"version": 2, "waiters": {"VolumeAttached": {
    "operation": "DescribeVolumes", "delay": 0.1, "maxAttempts": 100,
    "acceptors": [{"state": "success", "matcher": "pathAll",
                   "argument": "Volumes[].Attachments[].State", "expected": "attached"}],
}}})


def wait_attached(client, volume_id: str):
    waiter = create_waiter_with_client("VolumeAttached", _ATTACHED, client.boto)
    return deferToThread(waiter.wait, VolumeIds=[volume_id])


async def failure(client, code: str, method: str, **kwargs) -> ClientError:
    """The C{ClientError} of C{method}, which must fail with C{code}."""
    try:
        await client.call(method, **kwargs)
    except ClientError as e:
        if e.response["Error"]["Code"] != code:
            raise
        return e
    raise AssertionError("%s did not fail with %s" % (method, code))


class _Volumes(TestCase):
    """The EC2 API served with quick volumes, a client in p1 and one in p2."""

    timeout = 120

    async def setUp(self) -> None:
        conf = fast_config()
        conf.set_override("describe_cache_seconds", 0, "ec2")
        conf.set_override("volume_create_seconds", 0.1, "simulated")
        conf.set_override("volume_attach_seconds", 0.1, "simulated")
        conf.set_override("volume_delete_seconds", 0.1, "simulated")
        self.served = await serve_ec2(self, conf)
        self.ec2 = await client_for(self.served, "alice", "p1")
        self.bob = await client_for(self.served, "bob", "p2")
        zones = await self.ec2.call("describe_availability_zones")
        self.zone = zones["AvailabilityZones"][0]["ZoneName"]

    async def volume(self, **kwargs) -> dict:
        created = await self.ec2.call("create_volume", AvailabilityZone=self.zone,
                                      **({"Size": 1} | kwargs))
        await self.ec2.wait("volume_available", VolumeIds=[created["VolumeId"]])
        return created



class VolumeTests(_Volumes):
    async def test_create_describe_delete(self) -> None:
        created = await self.ec2.call("create_volume", Size=2, AvailabilityZone=self.zone)
        self.assertRegex(created["VolumeId"], r"\Avol-[0-9a-f]{8}\Z")
        self.assertEqual((created["Size"], created["State"], created["AvailabilityZone"]),
                         (2, "creating", self.zone))
        self.assertIsNotNone(created["CreateTime"])
        await self.ec2.wait("volume_available", VolumeIds=[created["VolumeId"]])
        shown = (await self.ec2.call("describe_volumes",
                                     VolumeIds=[created["VolumeId"]]))["Volumes"]
        self.assertEqual([(v["VolumeId"], v["State"], v["Attachments"]) for v in shown],
                         [(created["VolumeId"], "available", [])])
        self.assertEqual((await self.bob.call("describe_volumes"))["Volumes"], [])
        await failure(self.bob, "InvalidVolume.NotFound", "delete_volume",
                      VolumeId=created["VolumeId"])

        await self.ec2.call("delete_volume", VolumeId=created["VolumeId"])
        await self.ec2.wait("volume_deleted", VolumeIds=[created["VolumeId"]])
        await failure(self.ec2, "InvalidVolume.NotFound", "describe_volumes",
                      VolumeIds=[created["VolumeId"]])
        await failure(self.ec2, "InvalidVolume.NotFound", "delete_volume",
                      VolumeId=created["VolumeId"])

    async def test_bad_requests(self) -> None:
        await failure(self.ec2, "InvalidVolumeID.Malformed", "describe_volumes",
                      VolumeIds=["vol-xyz"])
        await failure(self.ec2, "InvalidSnapshotID.Malformed", "describe_snapshots",
                      SnapshotIds=["snap-1"])
        await failure(self.ec2, "InvalidSnapshot.NotFound", "create_volume",
                      AvailabilityZone=self.zone, SnapshotId="snap-0000abcd")
        await failure(self.ec2, "MissingParameter", "create_volume", AvailabilityZone=self.zone)
        await failure(self.ec2, "InvalidParameterValue", "create_volume", Size=1,
                      AvailabilityZone="nowhere")
        await failure(self.ec2, "InvalidParameterValue", "create_volume", Size=0,
                      AvailabilityZone=self.zone)
        self.assertEqual((await self.ec2.call("describe_volumes"))["Volumes"], [])

    async def test_snapshots_and_volumes_made_of_them(self) -> None:
        volume = await self.volume()
        snapshot = await self.ec2.call("create_snapshot", VolumeId=volume["VolumeId"],
                                       Description="first")
        self.assertEqual((snapshot["VolumeId"], snapshot["VolumeSize"], snapshot["Description"],
                          snapshot["OwnerId"]), (volume["VolumeId"], 1, "first", "p1"))
        await self.ec2.wait("snapshot_completed", SnapshotIds=[snapshot["SnapshotId"]])
        mine = await self.ec2.call("describe_snapshots", OwnerIds=["self"])
        self.assertEqual([(s["SnapshotId"], s["State"], s["Progress"]) for s in mine["Snapshots"]],
                         [(snapshot["SnapshotId"], "completed", "100%")])
        self.assertEqual((await self.bob.call("describe_snapshots"))["Snapshots"], [])

        bigger = await self.volume(Size=3, SnapshotId=snapshot["SnapshotId"])
        same = await self.ec2.call("create_volume", AvailabilityZone=self.zone,
                                   SnapshotId=snapshot["SnapshotId"])
        await self.ec2.wait("volume_available", VolumeIds=[same["VolumeId"]])
        self.assertEqual((bigger["Size"], same["Size"]), (3, 1))
        found = await self.ec2.call("describe_volumes",
                                    Filters=[f("snapshot-id", snapshot["SnapshotId"])])
        self.assertEqual(sorted(v["VolumeId"] for v in found["Volumes"]),
                         sorted([bigger["VolumeId"], same["VolumeId"]]))
        await failure(self.ec2, "IncorrectState", "delete_volume", VolumeId=volume["VolumeId"])

        await self.ec2.call("delete_snapshot", SnapshotId=snapshot["SnapshotId"])
        await failure(self.ec2, "InvalidSnapshot.NotFound", "delete_snapshot",
                      SnapshotId="snap-0000ffff")

    async def test_attach_detach_and_instances(self) -> None:
        instance_id = await running_instance(self.ec2)
        volume = await self.volume()
        attached = await self.ec2.call("attach_volume", VolumeId=volume["VolumeId"],
                                       InstanceId=instance_id, Device="/dev/vdc")
        self.assertEqual((attached["State"], attached["InstanceId"], attached["Device"]),
                         ("attaching", instance_id, "/dev/vdc"))
        await wait_attached(self.ec2, volume["VolumeId"])
        shown = (await self.ec2.call("describe_volumes",
                                     VolumeIds=[volume["VolumeId"]]))["Volumes"][0]
        self.assertEqual([(a["InstanceId"], a["Device"], a["State"], a["DeleteOnTermination"])
                          for a in shown["Attachments"]],
                         [(instance_id, "/dev/vdc", "attached", False)])
        for name, value in (("attachment.instance-id", instance_id),
                            ("attachment.device", "/dev/vdc"), ("status", "in-use"),
                            ("attachment.delete-on-termination", "false"),
                            ("attachment.attach-time", "20*Z")):
            found = await self.ec2.call("describe_volumes", Filters=[f(name, value)])
            self.assertEqual([v["VolumeId"] for v in found["Volumes"]], [volume["VolumeId"]])

        reservations = (await self.ec2.call("describe_instances", Filters=[
            f("block-device-mapping.volume-id", volume["VolumeId"])]))["Reservations"]
        mapped = reservations[0]["Instances"][0]["BlockDeviceMappings"]
        self.assertEqual([(m["DeviceName"], m["Ebs"]["VolumeId"], m["Ebs"]["Status"])
                          for m in mapped], [("/dev/vdc", volume["VolumeId"], "attached")])
        for name, value in (("block-device-mapping.delete-on-termination", "false"),
                            ("block-device-mapping.attach-time", "20*.???Z"),
                            ("block-device-mapping.status", "attached")):
            found = await self.ec2.call("describe_instances", Filters=[f(name, value)])
            self.assertEqual([i["InstanceId"] for r in found["Reservations"]
                              for i in r["Instances"]], [instance_id], name)
        none = await self.ec2.call("describe_instances", Filters=[
            f("block-device-mapping.device-name", "/dev/vdz")])
        self.assertEqual(none["Reservations"], [])

        other = await self.volume()
        await failure(self.ec2, "VolumeInUse", "attach_volume", VolumeId=volume["VolumeId"],
                      InstanceId=instance_id, Device="/dev/vdd")
        await failure(self.ec2, "VolumeInUse", "delete_volume", VolumeId=volume["VolumeId"])
        await failure(self.ec2, "IncorrectState", "detach_volume", VolumeId=other["VolumeId"])
        await failure(self.ec2, "InvalidInstanceID.NotFound", "attach_volume",
                      VolumeId=other["VolumeId"], InstanceId="i-0000ffff", Device="/dev/vdd")

        detached = await self.ec2.call("detach_volume", VolumeId=volume["VolumeId"])
        self.assertEqual(detached["State"], "detaching")
        await self.ec2.wait("volume_available", VolumeIds=[volume["VolumeId"]])
        mapped = (await self.ec2.call("describe_instances", InstanceIds=[instance_id]))
        self.assertEqual(mapped["Reservations"][0]["Instances"][0]["BlockDeviceMappings"], [])

        await self.ec2.call("attach_volume", VolumeId=volume["VolumeId"],
                            InstanceId=instance_id, Device="/dev/vdc")
        await wait_attached(self.ec2, volume["VolumeId"])
        await self.ec2.call("terminate_instances", InstanceIds=[instance_id])
        await self.ec2.wait("instance_terminated", InstanceIds=[instance_id])
        await self.ec2.wait("volume_available", VolumeIds=[volume["VolumeId"]])

    async def test_tags_filters_and_paging(self) -> None:
        volumes = [await self.volume() for _ in range(6)]
        ids = [v["VolumeId"] for v in volumes]
        snapshot = await self.ec2.call("create_snapshot", VolumeId=ids[0])
        await self.ec2.call("create_tags", Resources=ids[:2] + [snapshot["SnapshotId"]],
                            Tags=[{"Key": "team", "Value": "blue"}])
        tags = (await self.ec2.call("describe_tags", Filters=[f("key", "team")]))["Tags"]
        self.assertEqual(sorted((t["ResourceId"], t["ResourceType"]) for t in tags),
                         sorted([(ids[0], "volume"), (ids[1], "volume"),
                                 (snapshot["SnapshotId"], "snapshot")]))
        tagged = await self.ec2.call("describe_volumes", Filters=[f("tag:team", "blue")])
        self.assertEqual([v["VolumeId"] for v in tagged["Volumes"]], ids[:2])
        self.assertEqual(tagged["Volumes"][0]["Tags"], [{"Key": "team", "Value": "blue"}])
        shot = await self.ec2.call("describe_snapshots", Filters=[f("tag-key", "team")])
        self.assertEqual([s["SnapshotId"] for s in shot["Snapshots"]], [snapshot["SnapshotId"]])
        await failure(self.ec2, "InvalidVolume.NotFound", "create_tags",
                      Resources=[ids[2], "vol-0000ffff"], Tags=[{"Key": "k", "Value": "v"}])
        self.assertEqual((await self.ec2.call("describe_volumes", VolumeIds=[ids[2]]))[
            "Volumes"][0].get("Tags", []), [])
        await self.ec2.call("delete_tags", Resources=[ids[0], snapshot["SnapshotId"]],
                            Tags=[{"Key": "team"}])
        tags = (await self.ec2.call("describe_tags", Filters=[f("key", "team")]))["Tags"]
        self.assertEqual([t["ResourceId"] for t in tags], [ids[1]])

        first = await self.ec2.call("describe_volumes", MaxResults=5)
        rest = await self.ec2.call("describe_volumes", MaxResults=5,
                                   NextToken=first["NextToken"])
        self.assertEqual([v["VolumeId"] for v in first["Volumes"] + rest["Volumes"]], ids)
        self.assertNotIn("NextToken", rest)
        await failure(self.ec2, "InvalidParameterValue", "describe_volumes",
                      Filters=[f("no-such-filter", "x")])

    async def test_untagging_a_terminated_instance_succeeds(self) -> None:
        """
        The clean-up ec2-api's suite does after a termination: DeleteTags
        succeeds and leaves the terminated instance as it was.
        """
        instance_id = await running_instance(self.ec2)
        await self.ec2.call("create_tags", Resources=[instance_id],
                            Tags=[{"Key": "k", "Value": "v"}])
        await self.ec2.call("terminate_instances", InstanceIds=[instance_id])
        await self.ec2.wait("instance_terminated", InstanceIds=[instance_id])
        await failure(self.ec2, "IncorrectInstanceState", "create_tags", Resources=[instance_id],
                      Tags=[{"Key": "k2", "Value": "v"}])
        reply = await self.ec2.call("delete_tags", Resources=[instance_id], Tags=[{"Key": "k"}])
        self.assertEqual(reply["ResponseMetadata"]["HTTPStatusCode"], 200)
        described = await self.ec2.call("describe_instances", InstanceIds=[instance_id])
        self.assertEqual(described["Reservations"][0]["Instances"][0]["Tags"],
                         [{"Key": "k", "Value": "v"}])


class EBSImageTests(_Volumes):
    """An EBS-backed image registered from a snapshot, its instances and their images."""

    async def test_register_run_and_image_an_ebs_instance(self) -> None:
        volume = await self.volume(Size=2)
        snapshot = await self.ec2.call("create_snapshot", VolumeId=volume["VolumeId"])
        await self.ec2.wait("snapshot_completed", SnapshotIds=[snapshot["SnapshotId"]])
        off_root = {"DeviceName": "/dev/vdb", "Ebs": {"SnapshotId": snapshot["SnapshotId"]}}
        await failure(self.ec2, "InvalidParameterValue", "register_image", Name="ebs-image",
                      RootDeviceName="/dev/vda", BlockDeviceMappings=[off_root])
        await failure(self.ec2, "InvalidSnapshot.NotFound", "register_image", Name="ebs-image",
                      RootDeviceName="/dev/vda", BlockDeviceMappings=[
                          {"DeviceName": "/dev/vda", "Ebs": {"SnapshotId": "snap-0000ffff"}}])
        registered = await self.ec2.call(
            "register_image", Name="ebs-image", RootDeviceName="/dev/vda",
            BlockDeviceMappings=[{"DeviceName": "/dev/vda", "Ebs": {
                "SnapshotId": snapshot["SnapshotId"], "VolumeSize": 3}}])
        (image,) = (await self.ec2.call("describe_images",
                                        ImageIds=[registered["ImageId"]]))["Images"]
        self.assertEqual((image["RootDeviceType"], image["RootDeviceName"]), ("ebs", "/dev/vda"))
        self.assertEqual([(m["DeviceName"], m["Ebs"]["SnapshotId"], m["Ebs"]["VolumeSize"])
                          for m in image["BlockDeviceMappings"]],
                         [("/dev/vda", snapshot["SnapshotId"], 3)])

        reply = await self.ec2.call("run_instances", ImageId=registered["ImageId"], MinCount=1,
                                    MaxCount=1, InstanceType="m1.tiny")
        instance_id = reply["Instances"][0]["InstanceId"]
        await self.ec2.wait("instance_running", InstanceIds=[instance_id])
        (instance,) = (await self.ec2.call("describe_instances", Filters=[
            f("root-device-type", "ebs")]))["Reservations"][0]["Instances"]
        self.assertEqual(instance["InstanceId"], instance_id)
        (root,) = instance["BlockDeviceMappings"]
        self.assertEqual((root["DeviceName"], root["Ebs"]["DeleteOnTermination"]),
                         ("/dev/vda", True))
        shown = await self.ec2.call("describe_instance_attribute", InstanceId=instance_id,
                                    Attribute="blockDeviceMapping")
        self.assertEqual([m["Ebs"]["VolumeId"] for m in shown["BlockDeviceMappings"]],
                         [root["Ebs"]["VolumeId"]])
        (made,) = (await self.ec2.call("describe_volumes",
                                       VolumeIds=[root["Ebs"]["VolumeId"]]))["Volumes"]
        self.assertEqual((made["Size"], made["SnapshotId"]), (3, snapshot["SnapshotId"]))

        bigger = await self.ec2.call("run_instances", ImageId=registered["ImageId"], MinCount=1,
                                     MaxCount=1, InstanceType="m1.tiny", BlockDeviceMappings=[
                                         {"DeviceName": "/dev/vda", "Ebs": {"VolumeSize": 4}}])
        bigger_id = bigger["Instances"][0]["InstanceId"]
        await self.ec2.wait("instance_running", InstanceIds=[bigger_id])
        (big,) = (await self.ec2.call("describe_instances", InstanceIds=[bigger_id]))[
            "Reservations"][0]["Instances"]
        (big_root,) = big["BlockDeviceMappings"]
        (big_volume,) = (await self.ec2.call(
            "describe_volumes", VolumeIds=[big_root["Ebs"]["VolumeId"]]))["Volumes"]
        self.assertEqual((big_root["DeviceName"], big_volume["Size"]), ("/dev/vda", 4))

        imaged = await self.ec2.call("create_image", InstanceId=instance_id, Name="of-ebs")
        await self.ec2.wait("image_available", ImageIds=[imaged["ImageId"]])
        (copy,) = (await self.ec2.call("describe_images",
                                       ImageIds=[imaged["ImageId"]]))["Images"]
        self.assertEqual(copy["RootDeviceType"], "ebs")
        (mapped,) = copy["BlockDeviceMappings"]
        self.assertRegex(mapped["Ebs"]["SnapshotId"], r"\Asnap-[0-9a-f]{8}\Z")
        self.assertNotEqual(mapped["Ebs"]["SnapshotId"], snapshot["SnapshotId"])

        await self.ec2.call("terminate_instances", InstanceIds=[instance_id])
        await self.ec2.wait("instance_terminated", InstanceIds=[instance_id])
        # The root goes with the instance, unless (as here) it has a snapshot,
        # which cinder would not delete: it is left available.
        await self.ec2.wait("volume_available", VolumeIds=[root["Ebs"]["VolumeId"]])

    async def test_run_instances_with_block_device_mappings(self) -> None:
        ami = (await self.ec2.call("describe_images"))["Images"][0]["ImageId"]
        volume = await self.volume()
        snapshot = await self.ec2.call("create_snapshot", VolumeId=volume["VolumeId"])
        await self.ec2.wait("snapshot_completed", SnapshotIds=[snapshot["SnapshotId"]])
        for code, mapping in (
            ("InvalidParameterValue", {"DeviceName": "/dev/vda", "Ebs": {"VolumeSize": 2}}),
            ("InvalidParameterValue", {"DeviceName": "/dev/sdb", "VirtualName": "ephemeral0"}),
            ("MissingParameter", {"DeviceName": "/dev/sdb", "Ebs": {"DeleteOnTermination": True}}),
            ("InvalidSnapshot.NotFound", {"DeviceName": "/dev/sdb",
                                          "Ebs": {"SnapshotId": "snap-0000ffff"}}),
        ):
            await failure(self.ec2, code, "run_instances", ImageId=ami, MinCount=1, MaxCount=1,
                          BlockDeviceMappings=[mapping])
        self.assertEqual((await self.ec2.call("describe_instances"))["Reservations"], [])

        reply = await self.ec2.call("run_instances", ImageId=ami, MinCount=1, MaxCount=1,
                                    InstanceType="m1.tiny", BlockDeviceMappings=[
                                        {"DeviceName": "/dev/vdb", "Ebs": {"VolumeSize": 2}},
                                        {"DeviceName": "/dev/vdc", "Ebs": {
                                            "SnapshotId": snapshot["SnapshotId"],
                                            "DeleteOnTermination": False}}])
        instance_id = reply["Instances"][0]["InstanceId"]
        await self.ec2.wait("instance_running", InstanceIds=[instance_id])
        (instance,) = (await self.ec2.call("describe_instances", InstanceIds=[instance_id]))[
            "Reservations"][0]["Instances"]
        self.assertEqual(instance["RootDeviceType"], "instance-store")
        devices = {m["DeviceName"]: m["Ebs"] for m in instance["BlockDeviceMappings"]}
        self.assertEqual(sorted(devices), ["/dev/vdb", "/dev/vdc"])
        self.assertEqual((devices["/dev/vdb"]["DeleteOnTermination"],
                          devices["/dev/vdc"]["DeleteOnTermination"]), (True, False))
        made = (await self.ec2.call("describe_volumes", VolumeIds=[
            devices["/dev/vdb"]["VolumeId"], devices["/dev/vdc"]["VolumeId"]]))["Volumes"]
        self.assertEqual([(v["Size"], v.get("SnapshotId") or None) for v in made],
                         [(2, None), (1, snapshot["SnapshotId"])])

        await self.ec2.call("terminate_instances", InstanceIds=[instance_id])
        await self.ec2.wait("instance_terminated", InstanceIds=[instance_id])
        await self.ec2.wait("volume_deleted", VolumeIds=[devices["/dev/vdb"]["VolumeId"]])
        await self.ec2.wait("volume_available", VolumeIds=[devices["/dev/vdc"]["VolumeId"]])
