"""
boto3 over real HTTP: instance and image attributes, tags on images, the
filters DescribeInstances knows, images of another project, a snapshot cut
short by a termination, and the password an instance posted to the metadata
API read back with GetPasswordData.
"""

from __future__ import annotations

import base64

from botocore.exceptions import ClientError
from twisted.internet import reactor
from twisted.trial.unittest import TestCase

from novatx.compute.context import RequestContext
from novatx.extensions.ec2.ids import parse_image_id, parse_instance_id
from novatx.extensions.ec2.test.served import client_for, fast_config, serve_ec2, snapshot
from novatx.resources.loader import load_api
from novatx.resources.runtime import Runtime
from novatx.test.helpers import serve_resource


def f(name: str, *values: str) -> dict:
    """One of boto3's C{Filters}."""
    return {"Name": name, "Values": list(values)}


async def failure(client, code: str, method: str, **kwargs) -> ClientError:
    """The C{ClientError} of C{method}, which must fail with C{code}."""
    try:
        await client.call(method, **kwargs)
    except ClientError as e:
        if e.response["Error"]["Code"] != code:
            raise
        return e
    raise AssertionError("%s did not fail with %s" % (method, code))


class _Served(TestCase):
    timeout = 120

    async def setUp(self) -> None:
        self.conf = fast_config()
        self.conf.set_override("describe_cache_seconds", 0, "ec2")
        self.served = await serve_ec2(self, self.conf)
        self.ec2 = await client_for(self.served, "alice", "p1")
        self.bob = await client_for(self.served, "bob", "p2")
        self.ami = (await self.ec2.call("describe_images"))["Images"][0]["ImageId"]

    async def run_instance(self, **kwargs) -> str:
        reply = await self.ec2.call("run_instances", ImageId=self.ami, MinCount=1, MaxCount=1,
                                    InstanceType="m1.tiny", **kwargs)
        instance_id = reply["Instances"][0]["InstanceId"]
        await self.ec2.wait("instance_running", InstanceIds=[instance_id])
        return instance_id

    async def describe(self, **kwargs) -> list[str]:
        reply = await self.ec2.call("describe_instances", **kwargs)
        return [i["InstanceId"] for r in reply["Reservations"] for i in r["Instances"]]

    async def attribute(self, instance_id: str, attribute: str) -> dict:
        reply = await self.ec2.call("describe_instance_attribute", InstanceId=instance_id,
                                    Attribute=attribute)
        self.assertEqual(reply["InstanceId"], instance_id)
        return reply


class InstanceFilterTests(_Served):
    async def test_addresses_devices_and_groups(self) -> None:
        instance_id = await self.run_instance()
        (instance,) = (await self.ec2.call("describe_instances"))["Reservations"][0]["Instances"]
        private_dns = instance["PrivateDnsName"]
        self.assertTrue(private_dns.startswith("ip-"))
        for name, value in (("private-dns-name", private_dns), ("private-ip-address", "10.*"),
                            ("root-device-type", "instance-store"),
                            ("root-device-name", "/dev/vda"), ("dns-name", ""),
                            ("owner-id", "p1"), ("group-name", "default"),
                            ("group-id", instance["SecurityGroups"][0]["GroupId"])):
            self.assertEqual(await self.describe(Filters=[f(name, value)]), [instance_id], name)
        for name, value in (("private-dns-name", "fake.com"), ("root-device-type", "ebs"),
                            ("ip-address", "*"), ("group-id", "sg-ffffffff"),
                            ("group-name", "web"),
                            ("block-device-mapping.device-name", "*"),
                            ("block-device-mapping.volume-id", "*")):
            self.assertEqual(await self.describe(Filters=[f(name, value)]), [], name)
        await failure(self.ec2, "InvalidParameterValue", "describe_instances",
                      Filters=[f("no-such-filter", "x")])


class ImageTagTests(_Served):
    async def test_tags_on_an_image_are_the_tagging_project_s_own(self) -> None:
        await self.ec2.call("create_tags", Resources=[self.ami],
                            Tags=[{"Key": "role", "Value": "base"}, {"Key": "Name", "Value": "c"}])
        tags = await self.ec2.call("describe_tags", Filters=[f("resource-type", "image")])
        self.assertEqual(
            sorted((t["ResourceId"], t["ResourceType"], t["Key"], t["Value"])
                   for t in tags["Tags"]),
            [(self.ami, "image", "Name", "c"), (self.ami, "image", "role", "base")],
        )
        for filters in ([f("tag-key", "role")], [f("tag:role", "ba*")], [f("tag-value", "base")]):
            images = await self.ec2.call("describe_images", Filters=filters)
            self.assertEqual([i["ImageId"] for i in images["Images"]], [self.ami], filters)
        images = await self.ec2.call("describe_images", Filters=[f("tag:role", "other")])
        self.assertEqual(images["Images"], [])
        (image,) = (await self.ec2.call("describe_images", ImageIds=[self.ami]))["Images"]
        self.assertEqual(sorted((t["Key"], t["Value"]) for t in image["Tags"]),
                         [("Name", "c"), ("role", "base")])

        self.assertEqual((await self.bob.call("describe_tags"))["Tags"], [])
        (seen_by_bob,) = (await self.bob.call("describe_images", ImageIds=[self.ami]))["Images"]
        self.assertNotIn("Tags", seen_by_bob)

        await self.ec2.call("delete_tags", Resources=[self.ami], Tags=[{"Key": "role"}])
        tags = await self.ec2.call("describe_tags", Filters=[f("resource-id", self.ami)])
        self.assertEqual([t["Key"] for t in tags["Tags"]], ["Name"])

    async def test_a_missing_image_changes_nothing(self) -> None:
        instance_id = await self.run_instance()
        await failure(self.ec2, "InvalidAMIID.NotFound", "create_tags",
                      Resources=[instance_id, "ami-0000abcd"], Tags=[{"Key": "k", "Value": "v"}])
        self.assertEqual((await self.ec2.call("describe_tags"))["Tags"], [])
        await failure(self.ec2, "InvalidID", "create_tags", Resources=["vpc-00000001"],
                      Tags=[{"Key": "k", "Value": "v"}])
        await failure(self.ec2, "InvalidAMIID.Malformed", "create_tags", Resources=["ami-xyz"],
                      Tags=[{"Key": "k", "Value": "v"}])


class InstanceAttributeTests(_Served):
    async def test_disable_api_termination(self) -> None:
        instance_id = await self.run_instance(DisableApiTermination=True)
        shown = await self.attribute(instance_id, "disableApiTermination")
        self.assertIs(shown["DisableApiTermination"]["Value"], True)
        error = await failure(self.ec2, "OperationNotPermitted", "terminate_instances",
                              InstanceIds=[instance_id])
        self.assertIn(instance_id, error.response["Error"]["Message"])
        self.assertEqual(await self.describe(Filters=[f("instance-state-name", "running")]),
                         [instance_id])

        await self.ec2.call("modify_instance_attribute", InstanceId=instance_id,
                            Attribute="disableApiTermination", Value="False")
        shown = await self.attribute(instance_id, "disableApiTermination")
        self.assertIs(shown["DisableApiTermination"]["Value"], False)
        await self.ec2.call("modify_instance_attribute", InstanceId=instance_id,
                            DisableApiTermination={"Value": True})
        await failure(self.ec2, "OperationNotPermitted", "terminate_instances",
                      InstanceIds=[instance_id])
        await self.ec2.call("modify_instance_attribute", InstanceId=instance_id,
                            DisableApiTermination={"Value": False})
        await self.ec2.call("terminate_instances", InstanceIds=[instance_id])
        await self.ec2.wait("instance_terminated", InstanceIds=[instance_id])

    async def test_described_attributes(self) -> None:
        script = "#!/bin/sh\necho hi\n"
        user_data = base64.b64encode(script.encode()).decode()
        instance_id = await self.run_instance(UserData=script,
                                              InstanceInitiatedShutdownBehavior="terminate")
        (default,) = (await self.ec2.call("describe_security_groups",
                                          GroupNames=["default"]))["SecurityGroups"]
        described = {
            "instanceType": ("InstanceType", {"Value": "m1.tiny"}),
            "userData": ("UserData", {"Value": user_data}),
            "instanceInitiatedShutdownBehavior": ("InstanceInitiatedShutdownBehavior",
                                                  {"Value": "terminate"}),
            "rootDeviceName": ("RootDeviceName", {"Value": "/dev/vda"}),
            "kernel": ("KernelId", {}),
            "ramdisk": ("RamdiskId", {}),
            "blockDeviceMapping": ("BlockDeviceMappings", []),
            "groupSet": ("Groups", [{"GroupName": "default", "GroupId": default["GroupId"]}]),
        }
        for attribute, (key, value) in described.items():
            self.assertEqual((await self.attribute(instance_id, attribute))[key], value, attribute)
        await failure(self.ec2, "InvalidParameterValue", "describe_instance_attribute",
                      InstanceId=instance_id, Attribute="fake_attribute")
        await failure(self.ec2, "InvalidParameterCombination", "describe_instance_attribute",
                      InstanceId=instance_id, Attribute="sourceDestCheck")
        await failure(self.ec2, "InvalidInstanceID.NotFound", "describe_instance_attribute",
                      InstanceId="i-0000abcd", Attribute="kernel")
        await failure(self.ec2, "InvalidInstanceID.Malformed", "describe_instance_attribute",
                      InstanceId="i-0", Attribute="kernel")

    async def test_modification_errors(self) -> None:
        instance_id = await self.run_instance()
        cases = [
            ("InvalidParameterValue", dict(Attribute="fake_attribute")),
            ("MissingParameter", dict(Attribute="disableApiTermination")),
            ("InvalidParameterCombination", dict()),
            ("InvalidParameterCombination", dict(Attribute="disableApiTermination", Value="True",
                                                 DisableApiTermination={"Value": False})),
            ("InvalidParameterCombination", dict(Groups=["sg-0"])),
            ("InvalidParameterCombination", dict(Attribute="sourceDestCheck", Value="False")),
            ("InvalidParameterValue", dict(Attribute="disableApiTermination", Value="maybe")),
            ("InvalidParameterValue", dict(InstanceInitiatedShutdownBehavior={"Value": "halt"})),
            ("IncorrectInstanceState", dict(Attribute="instanceType", Value="m1.small")),
            ("IncorrectInstanceState", dict(InstanceType={"Value": "m1.small"})),
            ("IncorrectInstanceState", dict(UserData={"Value": b"new"})),
            ("InvalidInstanceAttributeValue", dict(BlockDeviceMappings=[
                {"DeviceName": "/dev/vdh", "Ebs": {"DeleteOnTermination": True}}])),
        ]
        for code, kwargs in cases:
            await failure(self.ec2, code, "modify_instance_attribute", InstanceId=instance_id,
                          **kwargs)
        for attribute in ("fake_attribute", "disableApiTermination", "groupSet", "instanceType"):
            await failure(self.ec2, "InvalidParameterValue", "reset_instance_attribute",
                          InstanceId=instance_id, Attribute=attribute)
        await failure(self.ec2, "InvalidParameterValue", "reset_instance_attribute",
                      InstanceId="i-0", Attribute="disableApiTermination")
        await failure(self.ec2, "InvalidParameterCombination", "reset_instance_attribute",
                      InstanceId=instance_id, Attribute="sourceDestCheck")
        await failure(self.ec2, "IncorrectInstanceState", "reset_instance_attribute",
                      InstanceId=instance_id, Attribute="kernel")
        described = await self.attribute(instance_id, "instanceType")
        self.assertEqual(described["InstanceType"]["Value"], "m1.tiny")

    async def test_stopped_instance_changes_type_and_user_data(self) -> None:
        instance_id = await self.run_instance()
        await self.ec2.call("stop_instances", InstanceIds=[instance_id])
        await self.ec2.wait("instance_stopped", InstanceIds=[instance_id])
        await self.ec2.call("modify_instance_attribute", InstanceId=instance_id,
                            InstanceType={"Value": "m1.small"})
        await self.ec2.call("modify_instance_attribute", InstanceId=instance_id,
                            UserData={"Value": b"#cloud-config\n"})
        await self.ec2.call("modify_instance_attribute", InstanceId=instance_id,
                            Attribute="instanceInitiatedShutdownBehavior", Value="terminate")
        await failure(self.ec2, "InvalidParameterValue", "modify_instance_attribute",
                      InstanceId=instance_id, InstanceType={"Value": "m9.huge"})
        await self.ec2.call("reset_instance_attribute", InstanceId=instance_id, Attribute="kernel")
        (instance,) = (await self.ec2.call("describe_instances"))["Reservations"][0]["Instances"]
        self.assertEqual(instance["InstanceType"], "m1.small")
        user_data = (await self.attribute(instance_id, "userData"))["UserData"]["Value"]
        self.assertEqual(base64.b64decode(user_data), b"#cloud-config\n")
        behavior = await self.attribute(instance_id, "instanceInitiatedShutdownBehavior")
        self.assertEqual(behavior["InstanceInitiatedShutdownBehavior"]["Value"], "terminate")
        await self.ec2.call("start_instances", InstanceIds=[instance_id])
        await self.ec2.wait("instance_running", InstanceIds=[instance_id])
        (instance,) = (await self.ec2.call("describe_instances"))["Reservations"][0]["Instances"]
        self.assertEqual(instance["InstanceType"], "m1.small")


    async def test_a_larger_type_beyond_the_quota_changes_nothing(self) -> None:
        instance_id = await self.run_instance()
        await self.ec2.call("stop_instances", InstanceIds=[instance_id])
        await self.ec2.wait("instance_stopped", InstanceIds=[instance_id])
        admin = RequestContext(user_id="admin", project_id="admin", is_admin=True)
        await self.served.compute.api.update_quotas(admin, "p1", {"ram": 1024})
        error = await failure(self.ec2, "InstanceLimitExceeded", "modify_instance_attribute",
                              InstanceId=instance_id, InstanceType={"Value": "m1.small"})
        self.assertIn("ram", error.response["Error"]["Message"])
        described = await self.attribute(instance_id, "instanceType")
        self.assertEqual(described["InstanceType"]["Value"], "m1.tiny")


class ImageAttributeTests(_Served):
    async def snapshot(self) -> str:
        instance_id = await self.run_instance()
        return await snapshot(self.served, self.ec2, instance_id, "snap-1", "first")

    async def image_attribute(self, client, image_id: str, attribute: str) -> dict:
        reply = await client.call("describe_image_attribute", ImageId=image_id,
                                  Attribute=attribute)
        self.assertEqual(reply["ImageId"], image_id)
        return reply

    async def test_description_and_launch_permission(self) -> None:
        image_id = await self.snapshot()
        reply = await self.image_attribute(self.ec2, image_id, "description")
        self.assertEqual(reply["Description"], {"Value": "first"})
        await self.ec2.call("modify_image_attribute", ImageId=image_id, Attribute="description",
                            Value="second")
        await self.ec2.call("modify_image_attribute", ImageId=image_id,
                            Description={"Value": "third"})
        (image,) = (await self.ec2.call("describe_images", ImageIds=[image_id]))["Images"]
        self.assertEqual(image["Description"], "third")
        for attribute, key in (("kernel", "KernelId"), ("ramdisk", "RamdiskId")):
            self.assertNotIn(key, await self.image_attribute(self.ec2, image_id, attribute))

        reply = await self.image_attribute(self.ec2, image_id, "launchPermission")
        self.assertEqual(reply["LaunchPermissions"], [])
        await failure(self.bob, "InvalidAMIID.NotFound", "describe_images", ImageIds=[image_id])
        await self.ec2.call("modify_image_attribute", ImageId=image_id,
                            LaunchPermission={"Add": [{"UserId": "p2"}]})
        reply = await self.image_attribute(self.ec2, image_id, "launchPermission")
        self.assertEqual(reply["LaunchPermissions"], [{"UserId": "p2"}])
        (shared,) = (await self.bob.call("describe_images", ImageIds=[image_id]))["Images"]
        self.assertIs(shared["Public"], False)
        await failure(self.bob, "AuthFailure", "describe_image_attribute", ImageId=image_id,
                      Attribute="launchPermission")
        bob_runs = await self.bob.call("run_instances", ImageId=image_id, MinCount=1, MaxCount=1)
        self.assertEqual(bob_runs["Instances"][0]["ImageId"], image_id)

        await self.ec2.call("modify_image_attribute", ImageId=image_id,
                            Attribute="launchPermission", OperationType="remove", UserIds=["p2"])
        await failure(self.bob, "InvalidAMIID.NotFound", "describe_images", ImageIds=[image_id])
        await failure(self.ec2, "UnauthorizedOperation", "modify_image_attribute",
                      ImageId=image_id, LaunchPermission={"Add": [{"Group": "all"}]})
        await self.ec2.call("modify_image_attribute", ImageId=image_id,
                            Attribute="launchPermission", OperationType="add", UserIds=["p2"])
        await self.ec2.call("reset_image_attribute", ImageId=image_id,
                            Attribute="launchPermission")
        reply = await self.image_attribute(self.ec2, image_id, "launchPermission")
        self.assertEqual(reply["LaunchPermissions"], [])
        await failure(self.bob, "InvalidAMIID.NotFound", "describe_images", ImageIds=[image_id])

    async def test_a_public_image_s_permission(self) -> None:
        image_id = await self.snapshot()
        compute = self.served.compute.api
        admin = RequestContext(user_id="admin", project_id="admin", is_admin=True)
        image = await compute.get_image_by_ec2_id(admin, parse_image_id(image_id))
        await compute.update_image_access(admin, image.id, public=True)
        reply = await self.image_attribute(self.ec2, image_id, "launchPermission")
        self.assertEqual(reply["LaunchPermissions"], [{"Group": "all"}])
        (image,) = (await self.bob.call("describe_images", ImageIds=[image_id]))["Images"]
        self.assertIs(image["Public"], True)
        await self.ec2.call("modify_image_attribute", ImageId=image_id,
                            LaunchPermission={"Remove": [{"Group": "all"}]})
        (image,) = (await self.ec2.call("describe_images", ImageIds=[image_id]))["Images"]
        self.assertIs(image["Public"], False)

    async def test_another_project_s_image_and_bad_requests(self) -> None:
        cases = [
            ("InvalidRequest", "describe_image_attribute", dict(Attribute="unsupported")),
            ("AuthFailure", "describe_image_attribute", dict(Attribute="description")),
            ("InvalidParameterCombination", "modify_image_attribute",
             dict(Attribute="unsupported")),
            ("InvalidParameter", "modify_image_attribute", dict(Attribute="blockDeviceMapping")),
            ("InvalidParameterCombination", "modify_image_attribute", dict()),
            ("AuthFailure", "modify_image_attribute", dict(Description={"Value": "fake"})),
            ("AuthFailure", "modify_image_attribute",
             dict(LaunchPermission={"Add": [{"Group": "all"}]})),
            ("MissingParameter", "modify_image_attribute", dict(Attribute="description")),
            ("InvalidParameterCombination", "modify_image_attribute",
             dict(Attribute="launchPermission")),
            ("InvalidRequest", "reset_image_attribute", dict(Attribute="fake")),
            ("AuthFailure", "reset_image_attribute", dict(Attribute="launchPermission")),
            ("AuthFailure", "deregister_image", dict()),
        ]
        for code, method, kwargs in cases:
            await failure(self.ec2, code, method, ImageId=self.ami, **kwargs)
        await failure(self.ec2, "InvalidAMIID.NotFound", "describe_image_attribute",
                      ImageId="ami-0000abcd", Attribute="description")
        (image,) = (await self.ec2.call("describe_images", ImageIds=[self.ami]))["Images"]
        self.assertEqual((image["State"], image["Public"]), ("available", True))


class SnapshotCutShortTests(_Served):
    async def test_terminating_while_imaging_deletes_the_image(self) -> None:
        instance_id = await self.run_instance()
        compute = self.served.compute.api
        context = RequestContext(user_id="alice", project_id="p1")
        instance = await compute.get_server_by_ec2_id(context, parse_instance_id(instance_id))
        image = await compute.create_image(context, instance.uuid, "cut-short")
        await self.ec2.call("terminate_instances", InstanceIds=[instance_id])
        await self.ec2.wait("instance_terminated", InstanceIds=[instance_id])
        await failure(self.ec2, "InvalidAMIID.NotFound", "describe_images", ImageIds=[image.ec2_id])
        mine = await self.ec2.call("describe_images", Owners=["self"])
        self.assertEqual(mine["Images"], [])


class PasswordDataTests(_Served):
    async def test_the_password_the_instance_posted(self) -> None:
        self.conf.set_override("use_forwarded_for", True, "api")
        metadata = serve_resource(
            self, load_api(Runtime("metadata", self.conf, self.served.compute.api, reactor)))
        instance_id = await self.run_instance()
        reply = await self.ec2.call("get_password_data", InstanceId=instance_id)
        self.assertEqual((reply["InstanceId"], reply["PasswordData"]), (instance_id, ""))
        self.assertIsNotNone(reply["Timestamp"])

        (instance,) = (await self.ec2.call("describe_instances"))["Reservations"][0]["Instances"]
        posted = base64.b64encode(b"encrypted with the key pair").decode()
        response = await metadata.client.post(
            metadata.url + "/openstack/latest/password", data=posted.encode(),
            headers={"X-Forwarded-For": instance["PrivateIpAddress"]})
        self.assertEqual(response.code, 200, await response.content())
        reply = await self.ec2.call("get_password_data", InstanceId=instance_id)
        self.assertEqual(reply["PasswordData"], posted)
        await failure(self.bob, "InvalidInstanceID.NotFound", "get_password_data",
                      InstanceId=instance_id)
        await failure(self.ec2, "MissingParameter", "get_password_data", InstanceId="")
