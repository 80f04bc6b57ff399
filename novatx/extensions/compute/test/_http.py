"""
A compute API served over real HTTP for the resource tests, and a small client.

Each test gets its own daemon-in-process (L{novatx.test.helpers.serve_api}:
SQLite store, port 0) and talks to it as a client would: JSON over HTTP with
noauth2 tokens and an C{OpenStack-API-Version} header.
"""

from __future__ import annotations

import functools
import json
from typing import Any, Awaitable, Callable

import attrs
from twisted.internet.defer import Deferred, ensureDeferred
from twisted.trial import unittest

from novatx.test.helpers import noauth_headers, serve_api


def async_test(method: Callable[..., Awaitable[Any]]) -> Callable[..., Deferred]:
    """Let trial run an C{async def} test: it waits on the Deferred."""

    @functools.wraps(method)
    def wrapper(self: Any) -> Deferred:
        return ensureDeferred(method(self))

    return wrapper


@attrs.frozen
class Answer:
    """A response as the tests read it: status, decoded JSON (or None), headers."""

    code: int
    body: Any
    headers: Any
    text: str

    def header(self, name: str) -> str | None:
        values = self.headers.getRawHeaders(name)
        return values[0] if values else None


class ComputeAPITestCase(unittest.TestCase):
    """A test with a compute API of its own (started by L{start})."""

    served: Any = None

    async def start(self, conf: Any = None) -> None:
        self.served = await serve_api(self, "osapi_compute", conf=conf)

    @property
    def compute(self) -> Any:
        """The internal API behind the served compute API."""
        return self.served.compute.api

    async def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        user: str | None = "alice",
        project: str | None = "p1",
        version: str | None = None,
        headers: dict[str, str] | None = None,
        raw: bytes | None = None,
    ) -> Answer:
        """
        C{method path} as C{user} in C{project} (C{user=None}: no token);
        C{path} starts at the server root (C{/v2.1/flavors}).
        """
        if user is None:
            sent = {"Accept": "application/json"}
        else:
            sent = noauth_headers(user, project if user != "admin" else project or "admin", version)
        if version is not None:
            sent["OpenStack-API-Version"] = "compute %s" % version
        sent.update(headers or {})
        data = raw if raw is not None else (json.dumps(body).encode("utf-8") if body is not None else None)
        response = await self.served.client.request(
            method, self.served.url + path, headers=sent, data=data
        )
        content = await response.content()
        text = content.decode("utf-8", "replace")
        try:
            document = json.loads(text) if text.strip() else None
        except ValueError:
            document = None
        return Answer(response.code, document, response.headers, text)

    def get(self, path: str, **kwargs: Any) -> Awaitable[Answer]:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> Awaitable[Answer]:
        return self.request("POST", path, body=body, **kwargs)

    def put(self, path: str, body: Any = None, **kwargs: Any) -> Awaitable[Answer]:
        return self.request("PUT", path, body=body, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Awaitable[Answer]:
        return self.request("DELETE", path, **kwargs)

    def assertFault(self, answer: Answer, code: int, name: str, contains: str = "") -> None:
        """C{answer} is nova's fault C{name} with status C{code}."""
        self.assertEqual(answer.code, code, answer.text)
        self.assertIn(name, answer.body, answer.text)
        self.assertEqual(answer.body[name]["code"], code)
        self.assertIn(contains, answer.body[name]["message"])
