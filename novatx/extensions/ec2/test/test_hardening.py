"""
The EC2 API's signatures under attack, in a real C{twistd -n nova}: numbers in
other scripts' digits, SigV2 validity beyond a week, SigV2 switched off, the
SigV4 C{Date} header, and a credential deleted by C{novatx-manage} while two
workers hold it in their caches.
"""

from __future__ import annotations

import datetime
import os
import re
import sys
import time
from io import BytesIO
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from twisted.internet.utils import getProcessOutputAndValue
from twisted.trial.unittest import TestCase
from twisted.web.client import FileBodyProducer, readBody
from twisted.web.http_headers import Headers

from novatx.extensions.ec2.test.signing import sign, sign_v2_expires
from novatx.services.test.daemon import HTTP, DaemonProcess, config_file

MANAGE = os.path.join(os.path.dirname(sys.executable), "novatx-manage")
DESCRIBE = {"Action": "DescribeRegions", "Version": "2016-11-15"}


def code_of(body: bytes) -> str | None:
    found = re.search(rb"<Code>([^<]*)</Code>", body)
    return found.group(1).decode() if found else None


class EC2Daemon(TestCase):
    """A daemon serving EC2 with one credential of alice's."""

    timeout = 120
    options: dict[str, Any] = {}

    async def setUp(self) -> None:
        directory = os.path.abspath(self.mktemp())
        os.makedirs(directory)
        self.conf = config_file(directory, None, enabled_apis="ec2", **self.options)
        await self.manage("db", "sync")
        output = await self.manage(
            "ec2-credentials", "create", "--user-id", "alice", "--project-id", "p1")
        values = dict(line.split("=", 1) for line in output.split() if "=" in line)
        self.access, self.secret = values["AWS_ACCESS_KEY_ID"], values["AWS_SECRET_ACCESS_KEY"]
        self.daemon = DaemonProcess(self, directory, ["--config-file", self.conf])
        await self.daemon.serving(("ec2",))
        self.url = "http://127.0.0.1:%d/" % (self.daemon.ports["ec2"],)
        self.http = HTTP(self)

    async def manage(self, *args: str) -> str:
        out, err, code = await getProcessOutputAndValue(
            MANAGE, ("--config-file", self.conf) + args, env=dict(os.environ))
        self.assertEqual(code, 0, err.decode())
        return out.decode()

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
            prepared.method.encode("ascii"), prepared.url.encode("ascii"), headers, producer)
        return response.code, await readBody(response)

    async def get(self, url: str) -> tuple[int, bytes]:
        response = await self.http.agent.request(b"GET", url.encode("ascii"))
        return response.code, await readBody(response)


class SignatureNumbersTests(EC2Daemon):
    def presigned(self, expires: Any) -> str:
        return sign(self.access, self.secret, DESCRIBE, url=self.url, method="GET",
                    form="query", expires=expires).url

    def with_expires(self, url: str, value: str) -> str:
        parts = urlsplit(url)
        pairs = [(k, value if k == "X-Amz-Expires" else v) for k, v in parse_qsl(parts.query)]
        return parts._replace(query=urlencode(pairs)).geturl()

    async def test_expires_in_superscript_digits_is_auth_failure(self) -> None:
        url = self.with_expires(self.presigned(60), "\u00b2")
        self.assertIn("X-Amz-Expires=%C2%B2", url)
        status, body = await self.get(url)
        self.assertEqual((status, code_of(body)), (401, "AuthFailure"), body)
        self.assertNotIn("Traceback", self.daemon.text())

    async def test_expires_in_arabic_indic_digits_is_not_a_number(self) -> None:
        signed = self.presigned("\u0663")
        self.assertIn("X-Amz-Expires=%D9%A3", signed)
        status, body = await self.get(signed)
        self.assertEqual((status, code_of(body)), (401, "AuthFailure"), body)
        status, body = await self.get(self.presigned(3))
        self.assertEqual(status, 200, body)

    async def test_sigv2_expires_in_2099_is_refused(self) -> None:
        now = datetime.datetime.now(datetime.timezone.utc)
        far = datetime.datetime(2099, 1, 1, tzinfo=datetime.timezone.utc)
        prepared = sign_v2_expires(self.access, self.secret, far, url=self.url)
        self.assertIn("Expires=2099-01-01T00%3A00%3A00Z", prepared.url)
        status, body = await self.send(prepared)
        self.assertEqual((status, code_of(body)), (401, "AuthFailure"), body)
        status, body = await self.send(
            sign_v2_expires(self.access, self.secret, now + datetime.timedelta(days=6),
                            url=self.url))
        self.assertEqual(status, 200, body)

    async def test_sigv4_with_a_date_header(self) -> None:
        prepared = sign(self.access, self.secret, DESCRIBE, url=self.url,
                        headers={"Date": "x"})
        self.assertNotIn("X-Amz-Date", prepared.headers)
        self.assertIn("date", prepared.headers["Authorization"])
        status, body = await self.send(prepared)
        self.assertEqual(status, 200, body)
        prepared.headers["Date"] = re.sub("[0-9]", "\u00b2", prepared.headers["Date"], count=1)
        status, body = await self.send(prepared)
        self.assertEqual((status, code_of(body)), (401, "AuthFailure"), body)


class SigV2OffTests(EC2Daemon):
    options = {"ec2__allow_sigv2": "false"}

    async def test_only_sigv4_is_accepted(self) -> None:
        status, body = await self.send(sign(self.access, self.secret, DESCRIBE, url=self.url,
                                            form="v2"))
        self.assertEqual((status, code_of(body)), (401, "AuthFailure"), body)
        for form in ("header", "query"):
            status, body = await self.send(sign(self.access, self.secret, DESCRIBE, url=self.url,
                                                form=form, method="GET"))
            self.assertEqual(status, 200, body)


class DeletedCredentialTests(EC2Daemon):
    options = {"ec2_workers": 2, "ec2__credential_cache_seconds": 300}

    async def test_deletion_reaches_every_worker_within_a_second(self) -> None:
        await self.daemon.wait_for(r"ec2: started worker \d+")
        for _ in range(20):
            status, body = await self.send(sign(self.access, self.secret, DESCRIBE, url=self.url))
            self.assertEqual(status, 200, body)
        await self.manage("ec2-credentials", "delete", "--access", self.access)
        deleted = time.monotonic()
        # Requests before the bound may still pass; every one sent after it fails.
        refused_after_bound = []
        while len(refused_after_bound) < 20:
            sent = time.monotonic()
            status, body = await self.send(sign(self.access, self.secret, DESCRIBE, url=self.url))
            if sent - deleted >= 1.0:
                refused_after_bound.append((status, code_of(body)))
        self.assertEqual(set(refused_after_bound), {(401, "AuthFailure")})
