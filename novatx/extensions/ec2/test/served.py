"""
The EC2 API served for a test over real HTTP, with credentials, and boto3
clients that run in threads so the reactor keeps serving.
"""

from __future__ import annotations

from typing import Any

import attrs
import boto3
from botocore.config import Config
from twisted.internet.threads import deferToThread

from novatx.compute.context import RequestContext
from novatx.config import make_config
from novatx.extensions.ec2.ids import parse_instance_id
from novatx.test.helpers import serve_api

REGION = "RegionOne"


@attrs.define
class EC2Client:
    """A boto3 EC2 client for one credential; C{call} runs a method in a thread."""

    boto: Any
    access: str
    secret: str
    user: str = ""
    project: str = ""

    def call(self, method: str, **kwargs: Any) -> Any:
        return deferToThread(getattr(self.boto, method), **kwargs)

    def wait(self, waiter: str, **kwargs: Any) -> Any:
        w = self.boto.get_waiter(waiter)
        return deferToThread(w.wait, WaiterConfig={"Delay": 0.1, "MaxAttempts": 100}, **kwargs)


def fast_config() -> Any:
    """A config whose simulated machines change state quickly."""
    conf = make_config([])
    conf.set_override("boot_seconds", 0.2, "simulated")
    conf.set_override("action_seconds", 0.2, "simulated")
    conf.set_override("delete_seconds", 0.1, "simulated")
    return conf


async def serve_ec2(testcase: Any, conf: Any = None) -> Any:
    """Serve the EC2 API for C{testcase} (see L{novatx.test.helpers.serve_api})."""
    return await serve_api(testcase, "ec2", conf or fast_config())


def boto_client(url: str, access: str, secret: str, region: str = REGION) -> Any:
    return boto3.session.Session().client(
        "ec2",
        endpoint_url=url,
        region_name=region,
        aws_access_key_id=access,
        aws_secret_access_key=secret,
        config=Config(retries={"total_max_attempts": 1}),
    )


async def client_for(served: Any, user: str, project: str, **kwargs: Any) -> EC2Client:
    """A boto3 client signing with a new credential of C{user} in C{project}."""
    credential = await served.compute.api.create_ec2_credential(user, project)
    boto = boto_client(served.url, credential.access, credential.secret, **kwargs)
    return EC2Client(boto, credential.access, credential.secret, user, project)


async def running_instance(ec2: EC2Client) -> str:
    """The id of a new C{m1.tiny} instance of the first image, once running."""
    ami = (await ec2.call("describe_images"))["Images"][0]["ImageId"]
    reply = await ec2.call("run_instances", ImageId=ami, MinCount=1, MaxCount=1,
                           InstanceType="m1.tiny")
    instance_id = reply["Instances"][0]["InstanceId"]
    await ec2.wait("instance_running", InstanceIds=[instance_id])
    return instance_id


async def snapshot(served: Any, ec2: EC2Client, instance_id: str, name: str,
                   description: str | None = None) -> str:
    """
    The C{ami-} id of an image of C{instance_id} taken through the internal API
    (as the compute API's C{createImage} does: EC2's CreateImage takes EBS
    roots only), once available.
    """
    compute = served.compute.api
    context = RequestContext(user_id=ec2.user, project_id=ec2.project)
    instance = await compute.get_server_by_ec2_id(context, parse_instance_id(instance_id))
    metadata = {"description": description} if description else None
    image = await compute.create_image(context, instance.uuid, name, metadata)
    await ec2.wait("image_available", ImageIds=[image.ec2_id])
    return image.ec2_id
