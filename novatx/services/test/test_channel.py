"""
L{APISite} and L{LimitedHTTPChannel} in this process, over real TCP on port 0:
limits answered in each API's format, keep-alive, draining.
"""

from __future__ import annotations

import json

from twisted.internet import reactor
from twisted.internet.defer import Deferred, inlineCallbacks
from twisted.internet.task import Clock, deferLater
from twisted.logger import globalLogPublisher
from twisted.trial.unittest import TestCase
from twisted.web.resource import Resource
from twisted.web.server import NOT_DONE_YET

from novatx.services.channel import APISite, ConnectionLimit
from novatx.services.test.daemon import raw_exchange


class _Root(Resource):
    isLeaf = True

    def __init__(self) -> None:
        super().__init__()
        self.held: list = []

    def render_GET(self, request):
        if request.path == b"/hold":
            self.held.append(request)
            return NOT_DONE_YET
        if request.path.startswith(b"/echo"):
            return b"%s %s %s" % (request.getHeader(b"host"), request.path, request.uri)
        return b"ok"


class ChannelTests(TestCase):
    def serve(self, api_name="osapi_compute", url_limit=8192, **kwargs):
        self.root = _Root()
        self.site = APISite(self.root, api_name, url_limit, 16384, reactor=reactor, **kwargs)
        port = reactor.listenTCP(0, self.site, interface="127.0.0.1")
        self.addCleanup(port.stopListening)
        return port.getHost().port

    @inlineCallbacks
    def test_url_over_the_limit_gets_a_compute_fault(self):
        port = self.serve(url_limit=100)
        answer = yield raw_exchange(port, b"GET /" + b"x" * 100 + b" HTTP/1.1\r\nHost: a\r\n\r\n")
        head, _, body = answer.partition(b"\r\n\r\n")
        self.assertIn(b"HTTP/1.1 414 Request-URI Too Long", head)
        self.assertIn(b"Connection: close", head)
        self.assertEqual(
            json.loads(body),
            {"computeFault": {"code": 414, "message": "The request URI is longer than 100 bytes."}},
        )

    @inlineCallbacks
    def test_absolute_form_targets_are_served_with_their_authority_as_host(self):
        port = self.serve()
        answers = []
        for target in (b"http://proxied:8774/echo/a?x=1", b"HTTPS://proxied/echo", b"http://proxied"):
            answer = yield raw_exchange(
                port, b"GET %s HTTP/1.1\r\nHost: ignored\r\nConnection: close\r\n\r\n" % target)
            answers.append(answer.partition(b"\r\n\r\n")[2])
        self.assertEqual(answers, [
            b"proxied:8774 /echo/a /echo/a?x=1",
            b"proxied /echo /echo",
            b"ok",
        ])
        origin = yield raw_exchange(port, b"GET /echo/http://x HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
        self.assertTrue(origin.endswith(b"h /echo/http://x /echo/http://x"), origin)

    @inlineCallbacks
    def test_metadata_limits_answer_plain_text(self):
        port = self.serve("metadata")
        answer = yield raw_exchange(
            port, b"GET / HTTP/1.1\r\n" + b"".join(b"H%d: v\r\n" % i for i in range(101)) + b"\r\n"
        )
        self.assertTrue(answer.startswith(b"HTTP/1.1 431 Request Header Fields Too Large"))
        self.assertTrue(answer.endswith(b"The request has more than 100 headers.\n"))

    @inlineCallbacks
    def test_one_hundred_headers_are_accepted(self):
        port = self.serve()
        answer = yield raw_exchange(
            port,
            b"GET / HTTP/1.1\r\nConnection: close\r\n"
            + b"".join(b"H%d: v\r\n" % i for i in range(99))
            + b"\r\n",
        )
        self.assertTrue(answer.startswith(b"HTTP/1.1 200 OK"), answer)

    @inlineCallbacks
    def test_keep_alive_off_closes_after_each_response(self):
        port = self.serve(keep_alive=False)
        answer = yield raw_exchange(port, b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        self.assertIn(b"Connection: close", answer)
        self.assertTrue(answer.endswith(b"ok"))

    @inlineCallbacks
    def test_drain_closes_idle_connections_and_lets_requests_in_flight_finish(self):
        port = self.serve()
        busy = raw_exchange(port, b"GET /hold HTTP/1.1\r\nHost: a\r\n\r\n")
        idle = raw_exchange(port, b"")
        while len(self.root.held) < 1 or self.site.open_connections() < 2:
            yield deferLater(reactor, 0.05, lambda: None)
        drained = self.site.drain()
        idle_answer = yield idle
        self.assertEqual(idle_answer, b"")
        self.assertFalse(drained.called)
        request = self.root.held[0]
        request.write(b"done")
        request.finish()
        busy_answer = yield busy
        self.assertIn(b"Connection: close", busy_answer)
        self.assertTrue(busy_answer.startswith(b"HTTP/1.1 200 OK"))
        self.assertIn(b"done", busy_answer)
        yield drained
        self.assertEqual(self.site.open_connections(), 0)

    @inlineCallbacks
    def test_abort_cuts_connections_that_outlive_the_grace_period(self):
        port = self.serve()
        busy = raw_exchange(port, b"GET /hold HTTP/1.1\r\nHost: a\r\n\r\n")
        while not self.root.held:
            yield deferLater(reactor, 0.05, lambda: None)
        drained: Deferred = self.site.drain()
        self.site.abort()
        yield drained
        answer = yield busy
        self.assertEqual(answer, b"")


class ConnectionLimitTests(TestCase):
    def test_refusals_are_logged_at_most_once_a_minute(self):
        clock = Clock()
        limit = ConnectionLimit(2, clock)
        events = []
        globalLogPublisher.addObserver(events.append)
        self.addCleanup(globalLogPublisher.removeObserver, events.append)
        self.assertTrue(limit.admit("ec2"))
        limit.open = 2
        answers = [limit.admit("ec2") for _ in range(5)]
        clock.advance(59)
        answers.append(limit.admit("ec2"))
        clock.advance(1)
        answers.append(limit.admit("ec2"))
        self.assertEqual(answers, [False] * 7)
        refusals = [e for e in events if "max_connections" in e.get("log_format", "")]
        self.assertEqual([e["refused"] for e in refusals], [1, 7])
