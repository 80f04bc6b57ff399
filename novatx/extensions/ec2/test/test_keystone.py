"""
Keys checked by keystone's ec2tokens (C{[ec2] keystone_ec2_url} under the
keystone strategy), against a stand-in keystone served over HTTP.
"""

from __future__ import annotations

import hashlib
import json

from botocore.exceptions import ClientError
from twisted.trial.unittest import TestCase
from twisted.web.resource import Resource

from novatx.extensions.ec2.test.served import EC2Client, boto_client, client_for, fast_config, serve_ec2
from novatx.test.helpers import serve_resource


#: The keys the stand-in keystone knows, and the roles it gives their holders.
KNOWN_KEYS = {"KS-AKID": "member", "KS-ADMIN": "Admin"}


class FakeEC2Tokens(Resource):
    """Keystone's ec2tokens as far as this test needs: the L{KNOWN_KEYS}."""

    isLeaf = True

    def __init__(self) -> None:
        super().__init__()
        self.documents: list[dict] = []
        self.down = False

    def render_POST(self, request) -> bytes:
        document = json.loads(request.content.read())
        self.documents.append(document)
        role = KNOWN_KEYS.get(document["credentials"]["access"])
        if role is None:
            request.setResponseCode(401)
            return b'{"error": {"code": 401, "message": "The request you have made requires authentication."}}'
        request.setResponseCode(200)
        request.setHeader(b"X-Subject-Token", b"tok-1")
        request.setHeader(b"Content-Type", b"application/json")
        return json.dumps(
            {"token": {"user": {"id": "kuser"}, "project": {"id": "kproj"}, "roles": [{"name": role}]}}
        ).encode()


class KeystoneTests(TestCase):
    timeout = 60

    async def setUp(self) -> None:
        self.keystone = FakeEC2Tokens()
        listening = serve_resource(self, self.keystone)
        conf = fast_config()
        conf.set_override("auth_strategy", "keystone", "api")
        conf.set_override("keystone_ec2_url", listening.url + "/v3/ec2tokens", "ec2")
        self.served = await serve_ec2(self, conf)

    async def test_keystone_key_acts_in_its_project(self) -> None:
        ec2 = EC2Client(boto_client(self.served.url, "KS-AKID", "keystone-secret"), "KS-AKID", "keystone-secret")
        ami = (await ec2.call("describe_images"))["Images"][0]["ImageId"]
        (instance,) = (await ec2.call("run_instances", ImageId=ami, MinCount=1, MaxCount=1))["Instances"]
        reply = await ec2.call("describe_instances")
        self.assertEqual(reply["Reservations"][0]["OwnerId"], "kproj")
        self.assertEqual(reply["Reservations"][0]["Instances"][0]["InstanceId"], instance["InstanceId"])

        credentials = self.keystone.documents[-1]["credentials"]
        self.assertEqual(credentials["host"], self.served.url.split("//")[1])
        self.assertEqual((credentials["verb"], credentials["path"]), ("POST", "/"))
        self.assertEqual(len(credentials["signature"]), 64)
        self.assertIn(credentials["signature"], credentials["headers"]["Authorization"])
        body = "Action=DescribeInstances&Version=2016-11-15".encode()
        self.assertEqual(credentials["body_hash"], hashlib.sha256(body).hexdigest())

    async def test_a_role_named_admin_in_any_case_is_an_administrator(self) -> None:
        """As oslo.policy compares roles: C{Admin} may remove the public image, C{member} not."""
        member = EC2Client(boto_client(self.served.url, "KS-AKID", "k"), "KS-AKID", "k")
        ami = (await member.call("describe_images"))["Images"][0]["ImageId"]
        try:
            await member.call("deregister_image", ImageId=ami)
        except ClientError as e:
            self.assertEqual(e.response["Error"]["Code"], "AuthFailure")
        else:
            self.fail("a member removed the public image")
        admin = EC2Client(boto_client(self.served.url, "KS-ADMIN", "k"), "KS-ADMIN", "k")
        await admin.call("deregister_image", ImageId=ami)
        self.assertNotIn(ami, [i["ImageId"] for i in (await member.call("describe_images"))["Images"]])

    async def test_key_keystone_refuses(self) -> None:
        ec2 = EC2Client(boto_client(self.served.url, "OTHER", "x"), "OTHER", "x")
        try:
            await ec2.call("describe_instances")
        except ClientError as e:
            self.assertEqual(e.response["Error"]["Code"], "AuthFailure")
        else:
            self.fail("keystone's refusal was not an AuthFailure")

    async def test_stored_keys_still_work_without_keystone(self) -> None:
        ec2 = await client_for(self.served, "alice", "p1")
        await ec2.call("describe_instances")
        self.assertEqual(self.keystone.documents, [])

    async def test_keystone_down(self) -> None:
        conf = fast_config()
        conf.set_override("auth_strategy", "keystone", "api")
        conf.set_override("keystone_ec2_url", "http://127.0.0.1:1/v3/ec2tokens", "ec2")
        served = await serve_ec2(self, conf)
        ec2 = EC2Client(boto_client(served.url, "KS-AKID", "x"), "KS-AKID", "x")
        try:
            await ec2.call("describe_regions")
        except ClientError as e:
            self.assertEqual((e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]), ("Unavailable", 503))
        else:
            self.fail("an unreachable keystone was not Unavailable")
