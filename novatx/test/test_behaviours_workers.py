"""
Behaviours in a real C{twistd nova} whose compute API has two workers: a
behaviour made to fire once answers one of many concurrent requests, whichever
worker takes each; and the controlled clock is one for both workers (the
store's), a move answering once the server the other worker follows is built.
On SQLite, PostgreSQL and MariaDB.
"""

from __future__ import annotations

import json
import os
from io import BytesIO
from typing import Any

from twisted.internet.defer import Deferred, ensureDeferred, gatherResults
from twisted.trial.unittest import TestCase
from twisted.web.client import FileBodyProducer, readBody
from twisted.web.http_headers import Headers

from novatx.db.test.backends import temporary_database
from novatx.services.test.daemon import HTTP, DaemonProcess, config_file
from novatx.test.helpers import noauth_headers

CONCURRENT = 24


class TwoWorkersMixin:
    backend = "sqlite"
    timeout = 180

    async def setUp(self) -> None:
        url = temporary_database(self, self.backend)
        directory = os.path.abspath(self.mktemp())
        os.makedirs(directory)
        conf = config_file(directory, None, enabled_apis="osapi_compute",
                           osapi_compute_workers=2, database__connection=url,
                           behaviours__enabled=True, behaviours__clock="controlled",
                           simulated__boot_seconds=30)
        self.daemon = DaemonProcess(self, directory, ["--config-file", conf])
        await self.daemon.serving(("osapi_compute",))
        self.http = HTTP(self)

    def call(self, method: bytes, path: str, body: Any = None, user: str = "alice",
             project: str = "p1") -> Deferred:
        """C{(status, JSON body)} of a request, as a Deferred (to gather several)."""
        return ensureDeferred(self._call(method, path, body, user, project))

    async def _call(self, method: bytes, path: str, body: Any, user: str,
                    project: str) -> tuple[int, Any]:
        address = "http://127.0.0.1:%d/v2.1%s" % (self.daemon.ports["osapi_compute"], path)
        headers = Headers({k: [v] for k, v in noauth_headers(user, project).items()})
        producer = None
        if body is not None:
            producer = FileBodyProducer(BytesIO(json.dumps(body).encode()))
        response = await self.http.agent.request(method, address.encode("ascii"), headers,
                                                 producer)
        content = await readBody(response)
        return response.code, (json.loads(content) if content else None)

    def admin(self, method: bytes, path: str, body: Any = None) -> Any:
        return self.call(method, path, body, user="admin", project="admin")

    async def test_once_fires_once_under_concurrent_requests(self) -> None:
        made, _ = await self.admin(b"POST", "/behaviours", {"behaviour": {
            "project_id": "p1", "effect": "http_error", "params": {"status": 503},
            "method": "GET", "path": "/v2.1/flavors"}})
        self.assertEqual(201, made)
        answers = await gatherResults([self.call(b"GET", "/flavors")
                                       for _ in range(CONCURRENT)])
        codes = sorted(code for code, _ in answers)
        self.assertEqual([200] * (CONCURRENT - 1) + [503], codes)
        _, listed = await self.admin(b"GET", "/behaviours?project_id=p1")
        [behaviour] = listed["behaviours"]
        self.assertEqual((1, 0), (behaviour["fired"], behaviour["remaining"]))
        self.assertEqual(1, self.daemon.text().count("(http_error) of project p1 fired"))

    async def test_both_workers_read_the_one_controlled_clock(self) -> None:
        code, moved = await self.admin(b"POST", "/behaviours/clock",
                                       {"set": "2026-12-24T00:00:00Z"})
        self.assertEqual(200, code, moved)
        images = (await self.call(b"GET", "/images"))[1]["images"]
        servers = []
        for name in ("a", "b", "c", "d"):
            code, created = await self.call(b"POST", "/servers", {"server": {
                "name": name, "flavorRef": "1", "imageRef": images[0]["id"]}})
            self.assertEqual(202, code, created)
            servers.append(created["server"]["id"])
        clocks = await gatherResults([self.admin(b"GET", "/behaviours/clock")
                                      for _ in range(8)])
        self.assertEqual({"2026-12-24T00:00:00Z"}, {c["clock"]["now"] for _, c in clocks})
        code, moved = await self.admin(b"POST", "/behaviours/clock", {"advance": 30})
        self.assertEqual((200, "2026-12-24T00:00:30Z"), (code, moved["clock"]["now"]))
        shown = await gatherResults([self.call(b"GET", "/servers/%s" % uuid)
                                     for uuid in servers for _ in range(2)])
        self.assertEqual({("ACTIVE", "2026-12-24T00:00:30Z")},
                         {(s["server"]["status"], s["server"]["updated"]) for _, s in shown})


class SQLiteTwoWorkersTests(TwoWorkersMixin, TestCase):
    backend = "sqlite"


class PostgreSQLTwoWorkersTests(TwoWorkersMixin, TestCase):
    backend = "postgresql"


class MariaDBTwoWorkersTests(TwoWorkersMixin, TestCase):
    backend = "mysql"
