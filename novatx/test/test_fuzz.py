"""
Bounded fuzzing of the three APIs in a real C{twistd -n nova}: a few thousand
generated requests each (L{novatx.test.fuzzing}, fixed seeds), sent a few at
a time. No answer may be a 5xx or carry a traceback, the daemon may log no
traceback, and it must still serve afterwards.
"""

from __future__ import annotations

import base64
import json
import os
import random
import sys
from io import BytesIO
from typing import Any, Iterable
from urllib.parse import quote

from twisted.internet import reactor
from twisted.internet.defer import ensureDeferred, gatherResults
from twisted.internet.utils import getProcessOutputAndValue
from twisted.trial.unittest import TestCase
from twisted.web.client import (
    Agent,
    FileBodyProducer,
    HTTPConnectionPool,
    PartialDownloadError,
    readBody,
)
from twisted.web.http_headers import Headers

from novatx.extensions.ec2.test.signing import sign
from novatx.services.test.daemon import DaemonProcess, config_file
from novatx.test import fuzzing
from novatx.test.fuzzing import NASTY_TEXT, FuzzRequest

MANAGE = os.path.join(os.path.dirname(sys.executable), "novatx-manage")
#: Requests per API: enough to reach every route with many values, small
#: enough to finish in well under a minute on a loaded CI machine.
COUNT = 2000
CONCURRENCY = 6
ALICE = {b"x-auth-token": [b"alice:p1"], b"accept": [b"application/json"],
         b"content-type": [b"application/json"]}


class _Fuzz(TestCase):
    timeout = 240
    partial: list[str]

    async def start(self, apis: str, **options: Any) -> None:
        directory = os.path.abspath(self.mktemp())
        os.makedirs(directory)
        self.conf = config_file(directory, None, enabled_apis=apis,
                                simulated__boot_seconds=0.05, simulated__delete_seconds=0.05,
                                simulated__action_seconds=0.05, **options)
        await self.manage("db", "sync")
        self.daemon = DaemonProcess(self, directory, ["--config-file", self.conf])
        await self.daemon.serving(tuple(apis.split(",")))
        self.pool = HTTPConnectionPool(reactor, persistent=True)
        self.pool.maxPersistentPerHost = CONCURRENCY
        self.addCleanup(self.pool.closeCachedConnections)
        self.agent = Agent(reactor, pool=self.pool)
        self.partial = []

    def base(self, api: str) -> str:
        return "http://127.0.0.1:%d" % (self.daemon.ports[api],)

    async def manage(self, *args: str) -> str:
        out, err, code = await getProcessOutputAndValue(
            MANAGE, ("--config-file", self.conf) + args, env=dict(os.environ))
        self.assertEqual(code, 0, err.decode())
        return out.decode()

    async def send(self, base: str, request: FuzzRequest) -> tuple[int, bytes]:
        body = FileBodyProducer(BytesIO(request.body)) if request.body is not None else None
        response = await self.agent.request(
            request.method, (base + request.path).encode("latin-1"), Headers(request.headers),
            body)
        try:
            return response.code, await readBody(response)
        except PartialDownloadError as e:
            # twisted.web's own answer to a request it cannot parse closes the
            # connection before its end; the status is what counts here.
            self.partial.append("%s for %s" % (e.status, request.label()))
            return response.code, e.response or b""

    async def fuzz(self, base: str, requests: Iterable[FuzzRequest]) -> int:
        """Send every request; fail with the first few that broke a rule. Returns how many."""
        failures: list[str] = []
        sent = []
        pending = iter(requests)

        async def worker() -> None:
            for request in pending:
                code, body = await self.send(base, request)
                sent.append(code)
                if code >= 500 or b"Traceback" in body:
                    failures.append("%d for %s: %r" % (code, request.label(), body[:300]))

        await gatherResults([ensureDeferred(worker()) for _ in range(CONCURRENCY)])
        self.assertEqual(failures[:5], [], "%d of %d broke a rule" % (len(failures), len(sent)))
        self.assertNotIn("Traceback", self.daemon.text())
        return len(sent)


class ComputeFuzzTests(_Fuzz):
    async def test_compute_api(self) -> None:
        await self.start("osapi_compute")
        base = self.base("osapi_compute")
        code, body = await self.send(base, FuzzRequest(b"GET", "/v2.1/images", ALICE, None))
        image = json.loads(body)["images"][0]["id"]
        server = {"server": {"name": "fuzz", "flavorRef": "1", "imageRef": image}}
        code, body = await self.send(
            base, FuzzRequest(b"POST", "/v2.1/servers", ALICE, json.dumps(server).encode()))
        self.assertEqual(code, 202, body)
        ids = {"server": json.loads(body)["server"]["id"], "image": image, "flavor": "1",
               "keypair": "k1"}
        await self.send(base, FuzzRequest(b"POST", "/v2.1/os-keypairs", ALICE,
                                          b'{"keypair": {"name": "k1"}}'))
        routes = [
            ("GET", "/v2.1/servers", None),
            ("GET", "/v2.1/servers/detail", None),
            ("GET", "/v2.1/servers/{server}", None),
            ("PUT", "/v2.1/servers/{server}", {"server": {"name": "x"}}),
            ("POST", "/v2.1/servers", server),
            ("POST", "/v2.1/servers/{server}/action", {"reboot": {"type": "SOFT"}}),
            ("POST", "/v2.1/servers/{server}/action", {"os-getConsoleOutput": {"length": 5}}),
            ("POST", "/v2.1/servers/{server}/action", {"rebuild": {"imageRef": image}}),
            ("POST", "/v2.1/servers/{server}/action", {"resize": {"flavorRef": "2"}}),
            ("POST", "/v2.1/servers/{server}/action", {"createImage": {"name": "s"}}),
            ("GET", "/v2.1/servers/{server}/metadata", None),
            ("PUT", "/v2.1/servers/{server}/metadata", {"metadata": {"a": "b"}}),
            ("PUT", "/v2.1/servers/{server}/metadata/{key}", {"meta": {"a": "b"}}),
            ("GET", "/v2.1/servers/{server}/os-instance-actions", None),
            ("GET", "/v2.1/servers/{server}/ips", None),
            ("GET", "/v2.1/servers/{server}/tags", None),
            ("PUT", "/v2.1/servers/{server}/tags/{tag}", None),
            ("GET", "/v2.1/flavors", None),
            ("GET", "/v2.1/flavors/detail", None),
            ("GET", "/v2.1/flavors/{flavor}", None),
            ("GET", "/v2.1/flavors/{flavor}/os-extra_specs", None),
            ("GET", "/v2.1/images", None),
            ("GET", "/v2.1/images/{image}", None),
            ("GET", "/v2.1/os-keypairs", None),
            ("GET", "/v2.1/os-keypairs/{keypair}", None),
            ("POST", "/v2.1/os-keypairs", {"keypair": {"name": "k2"}}),
            ("GET", "/v2.1/limits", None),
            ("GET", "/v2.1/os-quota-sets/{project}", None),
            ("GET", "/v2.1/os-server-groups", None),
            ("POST", "/v2.1/os-server-groups", {"server_group": {"name": "g",
                                                                 "policies": ["affinity"]}}),
            ("GET", "/v2.1/os-availability-zone", None),
            ("GET", "/v2.1/os-simple-tenant-usage/{project}", None),
            ("GET", "/v2.1/", None),
            ("GET", "/", None),
            ("GET", "/image/v2/images", None),
            ("GET", "/image/v2/images/{image}", None),
        ]
        names = ("limit", "marker", "minRam", "minDisk", "name", "status", "sort_key",
                 "sort_dir", "changes-since", "changes-before", "all_tenants", "deleted",
                 "is_public", "tags", "ip", "offset", "start", "end", "detailed", "visibility",
                 "flavor", "image", "host")
        header_pool = [
            (b"openstack-api-version", ("compute 2.1", "compute 2.104", "compute latest",
                                        "compute 2.999", "compute \u00b2.1")),
            (b"x-openstack-nova-api-version", ("2.1", "latest")),
            (b"content-type", ("application/json", "text/plain", "application/xml")),
            (b"x-auth-token", ("bob:p2", "admin:admin", "", "a:b:c")),
        ]
        ids["project"] = "p1"
        sent = await self.fuzz(base, fuzzing.requests(
            20261207, COUNT, routes, names, ids, ALICE, header_pool))
        self.assertEqual(sent, COUNT)
        code, body = await self.send(base, FuzzRequest(b"GET", "/v2.1/servers", ALICE, None))
        self.assertEqual(code, 200, body)


class MetadataFuzzTests(_Fuzz):
    async def test_metadata_api(self) -> None:
        await self.start("osapi_compute,metadata", api__use_forwarded_for="true")
        compute = self.base("osapi_compute")
        code, body = await self.send(compute, FuzzRequest(b"GET", "/v2.1/images", ALICE, None))
        image = json.loads(body)["images"][0]["id"]
        created = {"server": {"name": "fuzz", "flavorRef": "1", "imageRef": image,
                              "user_data": base64.b64encode(b"#!/bin/sh\n").decode()}}
        code, body = await self.send(
            compute, FuzzRequest(b"POST", "/v2.1/servers", ALICE, json.dumps(created).encode()))
        self.assertEqual(code, 202, body)
        server_id = json.loads(body)["server"]["id"]
        address = ""
        while not address:
            code, body = await self.send(
                compute, FuzzRequest(b"GET", "/v2.1/servers/" + server_id, ALICE, None))
            addresses = json.loads(body)["server"]["addresses"]
            address = next((a["addr"] for net in addresses.values() for a in net), "")
        routes = [
            ("GET", "/", None),
            ("GET", "/latest/meta-data/", None),
            ("GET", "/{version}/meta-data/{key}", None),
            ("GET", "/latest/meta-data/public-keys/{index}/openssh-key", None),
            ("GET", "/latest/user-data", None),
            ("GET", "/openstack", None),
            ("GET", "/openstack/{osversion}/meta_data.json", None),
            ("GET", "/openstack/{osversion}/{file}", None),
            ("POST", "/openstack/latest/password", None),
            ("PUT", "/latest/api/token", None),
            ("GET", "/{version}/{key}/{key}/{key}", None),
        ]
        ids = {"version": "latest", "osversion": "2018-08-27", "key": "instance-id",
               "index": "0", "file": "network_data.json"}
        header_pool = [
            (b"x-aws-ec2-metadata-token-ttl-seconds", ("1", "21600", "21601", "\u0663")),
            (b"x-aws-ec2-metadata-token", ("abc.def", "")),
            (b"x-forwarded-for", (address, "10.0.0.999", "::ffff:" + address)),
            (b"x-instance-id", (server_id,)),
        ]
        sent = await self.fuzz(self.base("metadata"), fuzzing.requests(
            31337, COUNT, routes, ("a", "b"), ids, {b"x-forwarded-for": [address.encode()]},
            header_pool))
        self.assertEqual(sent, COUNT)
        code, body = await self.send(self.base("metadata"), FuzzRequest(
            b"GET", "/latest/meta-data/local-ipv4", {b"x-forwarded-for": [address.encode()]},
            None))
        self.assertEqual((code, body.decode()), (200, address))


#: EC2 actions and the parameters they read, for the EC2 generator.
EC2_ACTIONS = (
    "DescribeInstances", "DescribeInstanceStatus", "RunInstances", "TerminateInstances",
    "StartInstances", "StopInstances", "RebootInstances", "GetConsoleOutput", "DescribeImages",
    "CreateImage", "DeregisterImage", "CreateKeyPair", "ImportKeyPair", "DescribeKeyPairs",
    "DeleteKeyPair", "CreateTags", "DeleteTags", "DescribeTags", "DescribeAvailabilityZones",
    "DescribeRegions", "DescribeInstanceTypes", "DescribeAccountAttributes", "NoSuchAction",
)
EC2_PARAMS = (
    "InstanceId.1", "InstanceId.2", "ImageId", "ImageId.1", "MinCount", "MaxCount",
    "InstanceType", "KeyName", "KeyName.1", "PublicKeyMaterial", "UserData", "MaxResults",
    "NextToken", "Filter.1.Name", "Filter.1.Value.1", "ResourceId.1", "Tag.1.Key",
    "Tag.1.Value", "Name", "ClientToken", "Placement.AvailabilityZone", "DryRun",
    "TagSpecification.1.ResourceType", "TagSpecification.1.Tag.1.Key", "ZoneName.1",
    "RegionName.1", "AttributeName.1", "IncludeAllInstances", "Force",
)


def as_fuzz_request(prepared: Any, url: str) -> FuzzRequest:
    """A botocore-prepared request, to be sent as it is."""
    headers = {name.lower().encode("latin-1"): [value.encode("latin-1")]
               for name, value in prepared.headers.items() if name.lower() != "content-length"}
    body = prepared.body
    if isinstance(body, str):
        body = body.encode("utf-8")
    return FuzzRequest(prepared.method.encode(), prepared.url[len(url):], headers, body or None)


def ec2_requests(seed: int, count: int, url: str, access: str, secret: str) -> Any:
    """Signed EC2 requests (now and then with a broken signature or none)."""
    rng = random.Random(seed)
    for _ in range(count):
        params = {"Action": rng.choice(EC2_ACTIONS), "Version": "2016-11-15"}
        for _ in range(rng.randrange(5)):
            name = rng.choice(EC2_PARAMS) if rng.random() < 0.85 else rng.choice(NASTY_TEXT)
            params[name] = rng.choice(NASTY_TEXT + ("i-00000001", "ami-00000001", "1"))
        form = rng.choice(("header", "header", "query", "v2"))
        method = "GET" if form == "query" or rng.random() < 0.3 else "POST"
        signed = as_fuzz_request(
            sign(access, secret, params, url=url + "/", method=method, form=form), url)
        headers, body, path = signed.headers, signed.body, signed.path
        roll = rng.random()
        if roll < 0.05:
            headers.pop(b"authorization", None)
        elif roll < 0.1 and b"authorization" in headers:
            headers[b"authorization"] = [headers[b"authorization"][0][:rng.randrange(80)]]
        elif roll < 0.15:
            path += "&X-Amz-Expires=" + quote(rng.choice(NASTY_TEXT), safe="")
        elif roll < 0.2:
            body = rng.choice(fuzzing.GARBAGE_BODIES)
        yield FuzzRequest(signed.method, path, headers, body)


class EC2FuzzTests(_Fuzz):
    async def test_ec2_api(self) -> None:
        await self.start("ec2")
        output = await self.manage(
            "ec2-credentials", "create", "--user-id", "alice", "--project-id", "p1")
        values = dict(line.split("=", 1) for line in output.split() if "=" in line)
        access, secret = values["AWS_ACCESS_KEY_ID"], values["AWS_SECRET_ACCESS_KEY"]
        url = self.base("ec2")
        sent = await self.fuzz(url, ec2_requests(4242, COUNT, url, access, secret))
        self.assertEqual(sent, COUNT)
        describe = {"Action": "DescribeRegions", "Version": "2016-11-15"}
        code, body = await self.send(
            url, as_fuzz_request(sign(access, secret, describe, url=url + "/"), url))
        self.assertEqual(code, 200, body)
