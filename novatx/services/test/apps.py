"""
Paste factories for the daemon's tests: small resources that show which API
and which process answered, a slow one for draining, one whose start a test holds,
and one that kills its process at start for the worker-restart tests.
"""

from __future__ import annotations

import json
import os
from typing import Any

from twisted.internet.task import deferLater
from twisted.logger import Logger
from twisted.web.resource import Resource
from twisted.web.server import NOT_DONE_YET

from novatx.resources.runtime import from_global_conf


class _Hello(Resource):
    """C{GET /} -> the API's name and the pid; C{GET /slow?seconds=N} answers after N s."""

    isLeaf = True
    _log = Logger()

    def __init__(self, runtime: Any, greeting: str) -> None:
        super().__init__()
        self._runtime = runtime
        self._greeting = greeting

    def render_GET(self, request: Any) -> Any:
        request.setHeader(b"content-type", b"application/json")
        if request.path == b"/slow":
            seconds = float(request.args.get(b"seconds", [b"1"])[0])
            self._log.info("{api}: slow request received", api=self._runtime.api_name)
            d = deferLater(self._runtime.reactor, seconds, self._document)

            def write(data: bytes) -> None:
                request.write(data)
                request.finish()

            d.addCallback(write)
            return NOT_DONE_YET
        return self._document()

    def _document(self) -> bytes:
        return json.dumps(
            {
                "api": self._runtime.api_name,
                "pid": os.getpid(),
                "greeting": self._greeting,
                "draining": self._runtime.draining,
            }
        ).encode()


def hello_factory(
    global_conf: dict, greeting: str = "hello", gate: str = "", **local_conf: str
) -> _Hello:
    """
    A resource greeting with C{greeting} (set in the paste file).

    With C{gate}, the path of a FIFO: while it exists, building the resource
    waits until a test opens the FIFO for writing and closes it, so that a
    test holds a worker in its start for as long as it needs.
    """
    if gate:
        try:
            with open(gate, "rb") as fifo:
                fifo.read()
        except FileNotFoundError:
            pass
    return _Hello(from_global_conf(global_conf), greeting)


def dying_factory(global_conf: dict, **local_conf: str) -> _Hello:
    """
    Exit the process at once when the file named by C{NOVATX_TEST_DIE}
    exists: a test creates it once the API serves, so that the workers
    started from then on die at start.
    """
    marker = os.environ.get("NOVATX_TEST_DIE")
    if marker and os.path.exists(marker):
        os._exit(3)
    return _Hello(from_global_conf(global_conf), "alive")
