"""
C{/healthcheck} on each API: 200 while serving, 503 while draining.

A load balancer polls it (as oslo.middleware's healthcheck, with the same
C{OK} body) to take a draining worker out of rotation before it stops: the
service sets C{runtime.draining} when it starts to drain.
"""

from __future__ import annotations

from typing import Any

from twisted.web import http
from twisted.web.resource import Resource

from novatx.resources.runtime import Runtime, from_global_conf


class Healthcheck(Resource):
    """Answers the API's health as plain text."""

    isLeaf = True

    def __init__(self, runtime: Runtime) -> None:
        super().__init__()
        self._runtime = runtime

    def render(self, request: Any) -> bytes:
        request.setHeader(b"Content-Type", b"text/plain; charset=UTF-8")
        request.setHeader(b"Cache-Control", b"no-store")
        if self._runtime.draining:
            request.setResponseCode(http.SERVICE_UNAVAILABLE)
            return b"DRAINING"
        return b"OK"


def healthcheck_app_factory(global_conf: dict, **local_conf: str) -> Healthcheck:
    """Paste app factory of C{/healthcheck}."""
    return Healthcheck(from_global_conf(global_conf))
