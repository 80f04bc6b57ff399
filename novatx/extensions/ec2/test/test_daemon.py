"""
The EC2 API in a real C{twistd -n nova}: the daemon's own site and channel
(with EC2's 16 KB URL limit), a store made by C{novatx-manage}, a credential
from C{novatx-manage ec2-credentials create}, requests signed by botocore and
sent by boto3 or as they are.
"""

from __future__ import annotations

import json
import os
import re
import sys
from io import BytesIO
from typing import Any

from twisted.internet.defer import Deferred
from twisted.internet.threads import deferToThread
from twisted.internet.utils import getProcessOutputAndValue
from twisted.trial.unittest import TestCase
from twisted.web.client import FileBodyProducer, readBody
from twisted.web.http_headers import Headers

from novatx.extensions.ec2.test.served import boto_client
from novatx.extensions.ec2.test.signing import sign
from novatx.services.test.daemon import HTTP, DaemonProcess, config_file
from novatx.test.helpers import noauth_headers

MANAGE = os.path.join(os.path.dirname(sys.executable), "novatx-manage")
VERSION = "2016-11-15"


def q(action: str, **params: str) -> dict[str, str]:
    return {"Action": action, "Version": VERSION, **params}


def code_of(body: bytes) -> str | None:
    found = re.search(rb"<Code>([^<]*)</Code>", body)
    return found.group(1).decode() if found else None


class DaemonTests(TestCase):
    timeout = 120

    async def setUp(self) -> None:
        directory = os.path.abspath(self.mktemp())
        os.makedirs(directory)
        conf = config_file(
            directory, None, enabled_apis="ec2,osapi_compute", simulated__boot_seconds=0.1,
            simulated__delete_seconds=10,
        )
        await self.manage(conf, "db", "sync")
        output = await self.manage(
            conf, "ec2-credentials", "create", "--user-id", "alice", "--project-id", "p1"
        )
        values = dict(line.split("=", 1) for line in output.split() if "=" in line)
        self.access, self.secret = values["AWS_ACCESS_KEY_ID"], values["AWS_SECRET_ACCESS_KEY"]
        self.daemon = DaemonProcess(self, directory, ["--config-file", conf])
        await self.daemon.serving(("ec2", "osapi_compute"))
        self.url = "http://127.0.0.1:%d" % (self.daemon.ports["ec2"],)
        self.compute_url = "http://127.0.0.1:%d/v2.1" % (self.daemon.ports["osapi_compute"],)
        self.http = HTTP(self)
        self.boto = boto_client(self.url, self.access, self.secret)

    async def manage(self, conf: str, *args: str) -> str:
        out, err, code = await getProcessOutputAndValue(
            MANAGE, ("--config-file", conf) + args, env=dict(os.environ)
        )
        self.assertEqual(code, 0, err.decode())
        return out.decode()

    def call(self, method: str, **kwargs: Any) -> Deferred:
        return deferToThread(getattr(self.boto, method), **kwargs)

    async def send(self, prepared: Any) -> tuple[int, bytes]:
        """Send a botocore-prepared request as it is; C{(status, body)}."""
        body = prepared.body or b""
        if isinstance(body, str):
            body = body.encode("utf-8")
        headers = Headers()
        for name, value in prepared.headers.items():
            if name.lower() != "content-length":
                headers.addRawHeader(name.encode("latin-1"), value.encode("latin-1"))
        producer = FileBodyProducer(BytesIO(body)) if body else None
        response = await self.http.agent.request(
            prepared.method.encode("ascii"), prepared.url.encode("ascii"), headers, producer
        )
        return response.code, await readBody(response)

    async def compute(self, method: bytes, path: str, document: Any = None) -> Any:
        """A compute API request as alice in p1 (noauth2); the JSON answer."""
        headers = Headers({name: [value] for name, value in noauth_headers("alice", "p1").items()})
        body = FileBodyProducer(BytesIO(json.dumps(document).encode())) if document else None
        response = await self.http.agent.request(
            method, (self.compute_url + path).encode("ascii"), headers, body
        )
        content = await readBody(response)
        self.assertLess(response.code, 300, content)
        return json.loads(content)

    def signed(self, params: dict[str, str], **kwargs: Any) -> Any:
        return sign(self.access, self.secret, params, url=self.url + "/", **kwargs)

    async def test_query_string_of_12000_bytes(self) -> None:
        run = await self.call("run_instances", ImageId="ami-00000001", MinCount=1, MaxCount=1)
        instance_id = run["Instances"][0]["InstanceId"]
        params = q("DescribeInstances", **{"Filter.1.Name": "instance-id"})
        index = 1
        while len("&".join("%s=%s" % kv for kv in params.items())) < 12000:
            params["Filter.1.Value.%d" % index] = "i-%08x" % (index + 0x1000,)
            index += 1
        params["Filter.1.Value.%d" % index] = instance_id
        prepared = self.signed(params, method="GET")
        self.assertGreater(len(prepared.url), 12000)
        status, body = await self.send(prepared)
        self.assertEqual(status, 200, body[:300])
        self.assertEqual(re.findall(rb"<instanceId>([^<]*)</instanceId>", body), [instance_id.encode()])

    async def test_bad_input_is_answered_and_the_daemon_serves_on(self) -> None:
        await self.call("run_instances", ImageId="ami-00000001", MinCount=1, MaxCount=1,
                        TagSpecifications=[{"ResourceType": "instance",
                                            "Tags": [{"Key": "Name", "Value": "a" * 255}]}])
        cut = self.signed(q("DescribeRegions"))
        cut.headers["Authorization"] = cut.headers["Authorization"][: len(cut.headers["Authorization"]) // 2]
        wildcards = {"Filter.1.Name": "tag:Name", "Filter.1.Value.1": "*" * 60 + "b"}
        for prepared, expected in (
            (self.signed(q("DescribeInstances", **wildcards)), (200, None)),
            (cut, (401, "AuthFailure")),
            (self.signed({}, body=b"Action=Describe\xffRegions&Version=" + VERSION.encode()),
             (400, "InvalidQueryParameter")),
            (self.signed({}, body=b'{"Action": "DescribeRegions"}', content_type="application/json"),
             (400, "InvalidQueryParameter")),
            (self.signed(q("DescribeInstances", **{"InstanceId.\u00b2": "i-00000001"})),
             (400, "InvalidParameterValue")),
            (self.signed(q("RunInstances", ImageId="ami-00000001", MinCount="1", MaxCount="1",
                           UserData="not base64!")), (400, "InvalidParameterValue")),
        ):
            status, body = await self.send(prepared)
            self.assertEqual((status, code_of(body)), expected, body[:300])
        regions = await self.call("describe_regions")
        self.assertEqual([r["RegionName"] for r in regions["Regions"]], ["RegionOne"])
        described = await self.call("describe_instances")
        self.assertEqual(len(described["Reservations"]), 1)

    async def test_one_store_two_apis(self) -> None:
        images = await self.compute(b"GET", "/images")
        image = images["images"][0]["id"]
        created = await self.compute(
            b"POST", "/servers",
            {"server": {"name": "from-compute", "flavorRef": "1", "imageRef": image,
                        "metadata": {"team": "a"}}},
        )
        reply = await self.call(
            "describe_instances", Filters=[{"Name": "tag:Name", "Values": ["from-compute"]}]
        )
        (shown,) = [i for r in reply["Reservations"] for i in r["Instances"]]
        self.assertEqual(
            sorted((t["Key"], t["Value"]) for t in shown["Tags"]),
            [("Name", "from-compute"), ("team", "a")],
        )
        self.assertEqual(shown["InstanceType"], "m1.tiny")
        run = await self.call(
            "run_instances", ImageId=shown["ImageId"], MinCount=1, MaxCount=1,
            TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "from-ec2"}]}],
        )
        servers = await self.compute(b"GET", "/servers")
        self.assertEqual(
            sorted(s["name"] for s in servers["servers"]), ["from-compute", "from-ec2"]
        )
        by_name = {s["name"]: s["id"] for s in servers["servers"]}
        self.assertEqual(by_name["from-compute"], created["server"]["id"])
        ec2_id = run["Instances"][0]["InstanceId"]
        waiter = self.boto.get_waiter("instance_running")
        await deferToThread(waiter.wait, InstanceIds=[ec2_id], WaiterConfig={"Delay": 0.1, "MaxAttempts": 100})
        await self.call("terminate_instances", InstanceIds=[ec2_id])
        server = await self.compute(b"GET", "/servers/" + by_name["from-ec2"])
        self.assertEqual(server["server"]["OS-EXT-STS:task_state"], "deleting")
