"""
The controlled clock where the APIs read time: a SigV4 request signed by
botocore at the clock's time is accepted and one 301 s behind it refused (as
is one signed at the machine's time, weeks away); an IMDSv2 token lives its
TTL on the clock, not on the machine's time.
"""

from __future__ import annotations

import datetime
from typing import Any

from twisted.trial.unittest import TestCase

from novatx.compute.context import RequestContext
from novatx.compute.interfaces import CreateRequest
from novatx.extensions.ec2.test.served import fast_config
from novatx.extensions.ec2.test.signing import sign
from novatx.test.helpers import serve_api

CHRISTMAS = datetime.datetime(2026, 12, 24, tzinfo=datetime.timezone.utc)
ALICE = RequestContext(user_id="alice", project_id="p1")


def controlled() -> Any:
    conf = fast_config()
    conf.set_override("enabled", True, "behaviours")
    conf.set_override("clock", "controlled", "behaviours")
    return conf


def _bytes(body: Any) -> bytes:
    return body.encode("utf-8") if isinstance(body, str) else body


class SignatureWindowTests(TestCase):
    async def test_the_window_is_read_on_the_controlled_clock(self):
        served = await serve_api(self, "ec2", controlled())
        behaviours = served.compute.api.behaviours
        await behaviours.set_clock(CHRISTMAS.timestamp())
        credential = await served.compute.api.create_ec2_credential("alice", "p1")

        async def answer(at: datetime.datetime | None) -> tuple[int, bytes]:
            prepared = sign(credential.access, credential.secret,
                            {"Action": "DescribeRegions", "Version": "2016-11-15"},
                            url=served.url + "/", at=at)
            headers = {name: value for name, value in prepared.headers.items()
                       if name.lower() != "content-length"}
            response = await served.client.post(served.url + "/", data=_bytes(prepared.body),
                                                headers=headers)
            return response.code, await response.content()

        code, body = await answer(CHRISTMAS)
        self.assertEqual(200, code, body)
        self.assertIn(b"DescribeRegionsResponse", body)
        for at in (CHRISTMAS - datetime.timedelta(seconds=301), None):
            code, body = await answer(at)
            self.assertEqual(400, code, body)
            self.assertIn(b"<Code>RequestExpired</Code>", body)
        await behaviours.advance_clock(301)
        code, body = await answer(CHRISTMAS)
        self.assertEqual(400, code, body)
        self.assertIn(b"<Code>RequestExpired</Code>", body)


class TokenLifetimeTests(TestCase):
    async def test_an_imdsv2_token_lives_its_ttl_on_the_controlled_clock(self):
        conf = controlled()
        conf.set_override("use_forwarded_for", True, "api")
        served = await serve_api(self, "metadata", conf)
        compute, behaviours = served.compute.api, served.compute.api.behaviours
        images = await compute.list_images(ALICE, filters={"name": "cirros"})
        [made] = await compute.create_servers(ALICE, CreateRequest(
            name="vm", flavor_id="1", image_id=images.items[0].id))
        await behaviours.advance_clock(conf.simulated.boot_seconds)
        instance = await compute.get_server(ALICE, made.uuid)
        self.assertEqual("active", instance.vm_state)
        url = served.url + "/latest/meta-data/instance-id"
        issued = await served.client.put(
            served.url + "/latest/api/token",
            headers={"X-aws-ec2-metadata-token-ttl-seconds": "60",
                     "X-Forwarded-For": instance.fixed_ip})
        self.assertEqual(200, issued.code, await issued.text())
        token = (await issued.text()).strip()

        async def read() -> int:
            response = await served.client.get(url, headers={
                "X-Forwarded-For": instance.fixed_ip, "X-aws-ec2-metadata-token": token})
            await response.content()
            return response.code

        self.assertEqual(200, await read())
        await behaviours.advance_clock(59)
        self.assertEqual(200, await read())
        await behaviours.advance_clock(1)
        self.assertEqual(401, await read())
