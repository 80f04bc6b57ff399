"""
The aws CLI, unchanged, as a child process against the EC2 API (the reactor
keeps serving while it runs).
"""

from __future__ import annotations

import json
import os
import sys

from twisted.internet.utils import getProcessOutputAndValue
from twisted.trial.unittest import TestCase

from novatx.extensions.ec2.test.served import REGION, client_for, serve_ec2

AWS = os.path.join(os.path.dirname(sys.executable), "aws")


class AwsCliTests(TestCase):
    timeout = 120

    async def setUp(self) -> None:
        self.served = await serve_ec2(self)
        self.credential = await client_for(self.served, "carol", "p3")
        home = self.mktemp()
        os.makedirs(home)
        self.env = {
            "HOME": home,
            "PATH": os.environ.get("PATH", ""),
            "AWS_ACCESS_KEY_ID": self.credential.access,
            "AWS_SECRET_ACCESS_KEY": self.credential.secret,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_CONFIG_FILE": os.path.join(home, "config"),
            "AWS_SHARED_CREDENTIALS_FILE": os.path.join(home, "credentials"),
            "AWS_MAX_ATTEMPTS": "1",
        }

    async def aws(self, *args: str, expect: int = 0) -> tuple[dict, str]:
        out, err, code = await getProcessOutputAndValue(
            AWS, ("--endpoint-url", self.served.url, "--output", "json", "ec2") + args, env=self.env
        )
        self.assertEqual(code, expect, err.decode())
        return (json.loads(out) if out.strip() else {}), err.decode()

    async def test_key_pair_and_instance(self) -> None:
        key, _ = await self.aws("create-key-pair", "--key-name", "cli-key")
        self.assertIn("BEGIN", key["KeyMaterial"])
        images, _ = await self.aws("describe-images")
        ami = images["Images"][0]["ImageId"]
        run, _ = await self.aws(
            "run-instances", "--image-id", ami, "--count", "2", "--instance-type", "m1.tiny",
            "--key-name", "cli-key",
            "--tag-specifications", "ResourceType=instance,Tags=[{Key=Name,Value=cli}]",
        )
        ids = sorted(i["InstanceId"] for i in run["Instances"])
        described, _ = await self.aws(
            "describe-instances", "--filters", "Name=tag:Name,Values=cli-*", "Name=key-name,Values=cli-key"
        )
        self.assertEqual(sorted(i["InstanceId"] for r in described["Reservations"] for i in r["Instances"]), ids)
        await self.aws("wait", "instance-running", "--instance-ids", *ids)
        terminated, _ = await self.aws("terminate-instances", "--instance-ids", *ids)
        self.assertEqual({i["PreviousState"]["Name"] for i in terminated["TerminatingInstances"]}, {"running"})

    async def test_attributes_password_and_image_tags(self) -> None:
        images, _ = await self.aws("describe-images")
        ami = images["Images"][0]["ImageId"]
        run, _ = await self.aws("run-instances", "--image-id", ami, "--instance-type", "m1.tiny",
                                "--disable-api-termination")
        (instance_id,) = [i["InstanceId"] for i in run["Instances"]]
        await self.aws("wait", "instance-running", "--instance-ids", instance_id)
        shown, _ = await self.aws("describe-instance-attribute", "--instance-id", instance_id,
                                  "--attribute", "disableApiTermination")
        self.assertEqual(shown["DisableApiTermination"], {"Value": True})
        _, err = await self.aws("terminate-instances", "--instance-ids", instance_id, expect=255)
        self.assertIn("OperationNotPermitted", err)
        await self.aws("modify-instance-attribute", "--instance-id", instance_id,
                       "--no-disable-api-termination")
        password, _ = await self.aws("get-password-data", "--instance-id", instance_id)
        self.assertEqual((password["InstanceId"], password["PasswordData"]), (instance_id, ""))
        await self.aws("terminate-instances", "--instance-ids", instance_id)

        await self.aws("create-tags", "--resources", ami, "--tags", "Key=team,Value=cli")
        tagged, _ = await self.aws("describe-images", "--filters", "Name=tag:team,Values=cli")
        self.assertEqual([i["ImageId"] for i in tagged["Images"]], [ami])
        _, err = await self.aws("describe-image-attribute", "--image-id", ami,
                                "--attribute", "description", expect=255)
        self.assertIn("AuthFailure", err)

    async def test_pages_and_client_token(self) -> None:
        arguments = ("run-instances", "--image-id", "ami-00000001", "--count", "6",
                     "--instance-type", "m1.tiny", "--client-token", "cli-token")
        first, _ = await self.aws(*arguments)
        again, _ = await self.aws(*arguments)
        ids = sorted(i["InstanceId"] for i in first["Instances"])
        self.assertEqual(sorted(i["InstanceId"] for i in again["Instances"]), ids)
        described, _ = await self.aws("describe-instances", "--page-size", "5")
        self.assertEqual(sorted(i["InstanceId"] for r in described["Reservations"] for i in r["Instances"]), ids)
        page, _ = await self.aws("describe-instances", "--no-paginate", "--max-results", "5")
        self.assertEqual(len([i for r in page["Reservations"] for i in r["Instances"]]), 5)
        self.assertIn("NextToken", page)

    async def test_errors_reach_the_cli(self) -> None:
        _, err = await self.aws("describe-instances", "--instance-ids", "i-xyz", expect=255)
        self.assertIn("InvalidInstanceID.Malformed", err)
        self.env["AWS_SECRET_ACCESS_KEY"] = "wrong"
        _, err = await self.aws("describe-instances", expect=255)
        self.assertIn("AuthFailure", err)
