"""
The example plugin's EC2 action and vendordata provider in a real C{twistd -n
nova}: a server made through the compute API with a colour is described by
C{DescribeInstanceColours} (signed by botocore with a credential from
C{novatx-manage}) and finds its colour in its own C{vendor_data2.json}.
"""

from __future__ import annotations

import json
import os
import re
import sys
from io import BytesIO
from typing import Any

from twisted.internet.utils import getProcessOutputAndValue
from twisted.trial.unittest import TestCase
from twisted.web.client import FileBodyProducer, readBody
from twisted.web.http_headers import Headers

from novatx.extensions.ec2.test.signing import sign
from novatx.extensions.test.test_example_plugin import ensure_installed
from novatx.services.test.daemon import HTTP, DaemonProcess, config_file
from novatx.test.helpers import noauth_headers

MANAGE = os.path.join(os.path.dirname(sys.executable), "novatx-manage")


class ExampleDaemonTests(TestCase):
    timeout = 120

    async def setUp(self) -> None:
        await ensure_installed(self)
        directory = os.path.abspath(self.mktemp())
        os.makedirs(directory)
        conf = config_file(
            directory, None, simulated__boot_seconds=0.1, api__use_forwarded_for="true",
            api__vendordata_providers="StaticJSON,ExampleColour",
        )
        out, err, code = await getProcessOutputAndValue(
            MANAGE, ("--config-file", conf, "ec2-credentials", "create", "--user-id", "alice",
                     "--project-id", "p1"), env=dict(os.environ))
        self.assertEqual(0, code, err.decode())
        values = dict(line.split("=", 1) for line in out.decode().split() if "=" in line)
        self.access, self.secret = values["AWS_ACCESS_KEY_ID"], values["AWS_SECRET_ACCESS_KEY"]
        self.daemon = DaemonProcess(self, directory, ["--config-file", conf])
        await self.daemon.serving()
        self.http = HTTP(self)

    def address(self, api: str, path: str) -> str:
        return "http://127.0.0.1:%d%s" % (self.daemon.ports[api], path)

    async def request(self, method: bytes, address: str, headers: dict[str, str],
                      body: bytes | None = None) -> tuple[int, bytes]:
        raw = Headers({name: [value] for name, value in headers.items()})
        producer = FileBodyProducer(BytesIO(body)) if body else None
        response = await self.http.agent.request(method, address.encode("ascii"), raw, producer)
        return response.code, await readBody(response)

    async def create_server(self, colour: str) -> dict[str, Any]:
        body = {"server": {"name": "painted", "flavorRef": "1",
                           "imageRef": "ami-00000001", "example:colour": colour}}
        images = json.loads((await self.request(
            b"GET", self.address("osapi_compute", "/v2.1/images"),
            noauth_headers("alice", "p1")))[1])
        body["server"]["imageRef"] = images["images"][0]["id"]
        code, content = await self.request(
            b"POST", self.address("osapi_compute", "/v2.1/servers"),
            noauth_headers("alice", "p1"), json.dumps(body).encode())
        self.assertEqual(202, code, content)
        server_id = json.loads(content)["server"]["id"]
        # The simulated build gives the server its address when it ends; each
        # look is a request the daemon answers, bounded in number.
        for _ in range(300):
            code, content = await self.request(
                b"GET", self.address("osapi_compute", "/v2.1/servers/%s" % server_id),
                noauth_headers("alice", "p1"))
            self.assertEqual(200, code, content)
            server = json.loads(content)["server"]
            if server["status"] != "BUILD":
                break
        self.assertEqual("ACTIVE", server["status"])
        return server

    async def ec2(self, **params: str) -> tuple[int, bytes]:
        prepared = sign(self.access, self.secret,
                        {"Version": "2016-11-15", **params}, url=self.address("ec2", "/"))
        headers = {name: value for name, value in prepared.headers.items()
                   if name.lower() != "content-length"}
        return await self.request(b"POST", prepared.url, headers, prepared.body.encode()
                                  if isinstance(prepared.body, str) else prepared.body)

    async def test_the_ec2_action_describes_the_colour(self) -> None:
        await self.create_server("blue")
        code, body = await self.ec2(Action="DescribeInstances")
        self.assertEqual(200, code, body)
        (instance_id,) = re.findall(rb"<instanceId>([^<]*)</instanceId>", body)
        code, body = await self.ec2(Action="DescribeInstanceColours",
                                    **{"InstanceId.1": instance_id.decode()})
        self.assertEqual(200, code, body)
        self.assertIn(b"<DescribeInstanceColoursResponse xmlns=", body)
        self.assertIn(b"<instanceColourSet><item><instanceId>%s</instanceId><colour>blue</colour>"
                      b"<rgb>#0000ff</rgb></item></instanceColourSet>" % (instance_id,), body)

    async def test_the_ec2_action_refuses_what_it_cannot_read(self) -> None:
        for params, error in (({}, b"MissingParameter"),
                              ({"InstanceId.1": "x-1"}, b"InvalidInstanceID.Malformed"),
                              ({"InstanceId.1": "i-0000ffff"}, b"InvalidInstanceID.NotFound")):
            code, body = await self.ec2(Action="DescribeInstanceColours", **params)
            self.assertEqual(400, code, body)
            self.assertIn(b"<Code>%s</Code>" % (error,), body)

    async def test_the_vendordata_provider_gives_the_instance_its_colour(self) -> None:
        server = await self.create_server("green")
        (address,) = [a["addr"] for net in server["addresses"].values() for a in net]
        code, body = await self.request(
            b"GET", self.address("metadata", "/openstack/latest/vendor_data2.json"),
            {"X-Forwarded-For": address})
        self.assertEqual(200, code, body)
        self.assertEqual({"static": {}, "example": {"colour": "green", "rgb": "#00ff00"}},
                         json.loads(body))
