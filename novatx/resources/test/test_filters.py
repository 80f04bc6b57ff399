"""
Tests for the native filters, each over real HTTP through a paste pipeline:
request ids, faultwrap, sizelimit, http_proxy_to_wsgi, cors, the access log.
"""

from __future__ import annotations

import io
import json
import re
from typing import Any

from treq.testing import StubTreq
from twisted.internet import reactor
from twisted.logger import formatEvent, formatEventAsClassicLogText, globalLogPublisher
from twisted.trial.unittest import TestCase
from twisted.web.client import Agent, FileBodyProducer, readBody
from twisted.web.http_headers import Headers
from twisted.web.iweb import UNKNOWN_LENGTH
from twisted.web.resource import IResource
from zope.interface.verify import verifyObject

from novatx.resources.filters.cors import CORSFilter
from novatx.resources.filters.faultwrap import FaultWrapFilter
from novatx.resources.filters.http_proxy_to_wsgi import HTTPProxyToWSGIFilter
from novatx.resources.filters.keystone import AuthTokenFilter, KeystoneContextFilter
from novatx.resources.filters.noauth import NoAuthFilter
from novatx.resources.filters.request_id import ComputeRequestIdFilter, RequestIdFilter
from novatx.resources.filters.request_log import RequestLogFilter
from novatx.resources.filters.sizelimit import SizeLimitFilter, bounded_request_factory
from novatx.resources.loader import load_api
from novatx.resources.runtime import Runtime
from novatx.resources.test.test_loader_apps import TEST_PASTE, Echo, paste_config, serve_paste
from novatx.test.helpers import serve_resource

REQUEST_ID = re.compile(
    r"^req-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"
)
TOKEN = {"X-Auth-Token": "alice:p1"}


class UnsizedProducer(FileBodyProducer):
    """A body of unknown length: treq sends it chunked."""

    def __init__(self, data: bytes) -> None:
        super().__init__(io.BytesIO(data))
        self.length = UNKNOWN_LENGTH


def capture_access_log(testcase):
    """The access log events logged until C{testcase} ends."""
    events = []

    def observer(event):
        if event.get("novatx_access"):
            events.append(event)

    globalLogPublisher.addObserver(observer)
    testcase.addCleanup(globalLogPublisher.removeObserver, observer)
    return events


class RequestIdTests(TestCase):
    async def test_compute_pipeline_sends_both_headers(self):
        listening, _ = serve_paste(self, "osapi_compute", TEST_PASTE)
        response = await listening.client.get(listening.url + "/v2.1/x", headers=TOKEN)
        seen = json.loads(await response.content())
        [openstack] = response.headers.getRawHeaders("x-openstack-request-id")
        [compute] = response.headers.getRawHeaders("x-compute-request-id")
        self.assertRegex(openstack, REQUEST_ID)
        self.assertEqual(compute, openstack)
        self.assertEqual(seen["request_id"], openstack)
        self.assertEqual(seen["context"]["request_id"], openstack)

    async def test_each_request_has_its_own_id(self):
        listening, _ = serve_paste(self, "osapi_compute", TEST_PASTE)
        ids = set()
        for _ in range(3):
            response = await listening.client.get(listening.url + "/v2.1/x", headers=TOKEN)
            await response.content()
            ids.update(response.headers.getRawHeaders("x-openstack-request-id"))
        self.assertEqual(len(ids), 3)

    async def test_request_id_alone_on_other_apis(self):
        listening, _ = serve_paste(self, "metadata")
        response = await listening.client.get(listening.url + "/latest")
        await response.content()
        self.assertRegex(response.headers.getRawHeaders("x-openstack-request-id")[0], REQUEST_ID)
        self.assertIsNone(response.headers.getRawHeaders("x-compute-request-id"))

    async def test_errors_carry_the_request_id(self):
        listening, _ = serve_paste(self, "osapi_compute", TEST_PASTE)
        response = await listening.client.get(
            listening.url + "/v2.1/x", headers={"X-Auth-Token": "a:b:c:d"}
        )
        await response.content()
        self.assertEqual(response.code, 401)
        self.assertRegex(response.headers.getRawHeaders("x-compute-request-id")[0], REQUEST_ID)


class FaultWrapTests(TestCase):
    async def test_unexpected_error_is_a_compute_fault(self):
        listening, _ = serve_paste(self, "osapi_compute", TEST_PASTE)
        response = await listening.client.get(listening.url + "/failing")
        body = await response.content()
        self.assertEqual(response.code, 500)
        self.assertEqual(
            json.loads(body),
            {
                "computeFault": {
                    "code": 500,
                    "message": "The server has either erred or is incapable of "
                    "performing the requested operation.",
                }
            },
        )
        self.assertNotIn(b"secret internals", body)
        self.assertNotIn(b"Traceback", body)
        self.assertRegex(response.headers.getRawHeaders("x-compute-request-id")[0], REQUEST_ID)
        self.assertEqual(len(self.flushLoggedErrors(ZeroDivisionError)), 1)

    async def test_unexpected_error_is_an_ec2_error_with_the_request_id(self):
        listening, _ = serve_paste(self, "ec2", TEST_PASTE)
        response = await listening.client.get(listening.url + "/failing")
        body = (await response.content()).decode("utf-8")
        [request_id] = response.headers.getRawHeaders("x-openstack-request-id")
        self.assertEqual(response.code, 500)
        self.assertIn("<Code>InternalError</Code>", body)
        self.assertIn("<RequestID>%s</RequestID>" % request_id, body)
        self.assertNotIn("secret internals", body)
        self.assertEqual(len(self.flushLoggedErrors(ZeroDivisionError)), 1)

    async def test_escaped_internal_api_exceptions_get_their_faults(self):
        listening, _ = serve_paste(self, "osapi_compute", TEST_PASTE)
        for kind, status, name in (
            ("NotFound", 404, "itemNotFound"),
            ("Invalid", 400, "badRequest"),
            ("Conflict", 409, "conflictingRequest"),
        ):
            response = await listening.client.get(listening.url + "/failing?raise=" + kind)
            body = json.loads(await response.content())
            self.assertEqual((kind, response.code), (kind, status))
            self.assertEqual(
                body, {name: {"code": status, "message": "the %s the handler meant" % kind}}
            )
        self.assertEqual(self.flushLoggedErrors(), [])

    async def test_server_keeps_serving_after_an_error(self):
        listening, _ = serve_paste(self, "osapi_compute", TEST_PASTE)
        for _ in range(2):
            response = await listening.client.get(listening.url + "/failing")
            await response.content()
        response = await listening.client.get(listening.url + "/v2.1/x", headers=TOKEN)
        await response.content()
        self.assertEqual(response.code, 200)
        self.assertEqual(len(self.flushLoggedErrors(ZeroDivisionError)), 2)


class SizeLimitTests(TestCase):
    LIMIT = 1024

    def serve(self):
        listening, _ = serve_paste(
            self,
            "osapi_compute",
            TEST_PASTE,
            **{"oslo_middleware.max_request_body_size": self.LIMIT},
        )
        return listening

    async def assert_too_large(self, response):
        body = json.loads(await response.content())
        self.assertEqual(response.code, 413)
        self.assertEqual(body, {"overLimit": {"code": 413, "message": "Request is too large."}})

    async def test_body_at_the_limit_passes(self):
        listening = self.serve()
        response = await listening.client.post(
            listening.url + "/v2.1/x", data=b"x" * self.LIMIT, headers=TOKEN
        )
        seen = json.loads(await response.content())
        self.assertEqual((response.code, seen["body_length"]), (200, self.LIMIT))

    async def test_content_length_over_the_limit(self):
        listening = self.serve()
        response = await listening.client.post(
            listening.url + "/v2.1/x", data=b"x" * (self.LIMIT + 1), headers=TOKEN
        )
        await self.assert_too_large(response)

    async def test_chunked_body_over_the_limit(self):
        listening = self.serve()
        response = await listening.client.post(
            listening.url + "/v2.1/x",
            data=UnsizedProducer(b"x" * (self.LIMIT * 3)),
            headers=TOKEN,
        )
        await self.assert_too_large(response)

    async def test_chunked_body_under_the_limit_passes(self):
        listening = self.serve()
        response = await listening.client.post(
            listening.url + "/v2.1/x", data=UnsizedProducer(b"x" * 10), headers=TOKEN
        )
        seen = json.loads(await response.content())
        self.assertEqual((response.code, seen["body_length"]), (200, 10))

    async def test_next_request_is_served(self):
        listening = self.serve()
        response = await listening.client.post(
            listening.url + "/v2.1/x", data=b"x" * (self.LIMIT * 2), headers=TOKEN
        )
        await self.assert_too_large(response)
        response = await listening.client.get(listening.url + "/v2.1/x", headers=TOKEN)
        await response.content()
        self.assertEqual(response.code, 200)


class BoundedBodyTests(TestCase):
    """A site with bounded_request_factory never stores a body past the limit."""

    async def test_chunked_body_is_not_stored_past_the_limit(self):
        listening = serve_resource(self, Echo("bounded"))
        listening.port.factory.requestFactory = bounded_request_factory(1024)
        response = await listening.client.post(
            listening.url + "/", data=UnsizedProducer(b"x" * (1024 * 1024))
        )
        seen = json.loads(await response.content())
        self.assertEqual(seen["body_length"], 1025)

    async def test_declared_length_over_the_limit_is_not_stored(self):
        listening = serve_resource(self, Echo("bounded"))
        listening.port.factory.requestFactory = bounded_request_factory(1024)
        response = await listening.client.post(listening.url + "/", data=b"x" * 200000)
        seen = json.loads(await response.content())
        self.assertEqual(seen["body_length"], 1025)

    async def test_filter_refuses_and_connection_serves_the_next_request(self):
        listening, _ = serve_paste(
            self, "osapi_compute", TEST_PASTE, **{"oslo_middleware.max_request_body_size": 1024}
        )
        listening.port.factory.requestFactory = bounded_request_factory(1024)
        response = await listening.client.post(
            listening.url + "/v2.1/x", data=UnsizedProducer(b"x" * 100000), headers=TOKEN
        )
        self.assertEqual(response.code, 413)
        await response.content()
        response = await listening.client.post(listening.url + "/v2.1/x", data=b"{}", headers=TOKEN)
        seen = json.loads(await response.content())
        self.assertEqual((response.code, seen["body_length"]), (200, 2))


class ProxyHeadersTests(TestCase):
    FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "nova.example.com"}

    def serve_parsing(self, paste: str | None = None) -> Any:
        """The compute API from C{paste} (default: the packaged file), parsing proxy headers."""
        listening, _ = serve_paste(
            self, "osapi_compute", paste, **{"oslo_middleware.enable_proxy_headers_parsing": True}
        )
        return listening

    async def test_ignored_by_default(self):
        listening, _ = serve_paste(self, "osapi_compute")
        response = await listening.client.get(listening.url + "/", headers=self.FORWARDED)
        document = json.loads(await response.content())
        href = document["versions"][1]["links"][0]["href"]
        self.assertEqual(href, listening.url + "/v2.1/")

    async def test_x_forwarded_applied_when_enabled(self):
        listening = self.serve_parsing()
        response = await listening.client.get(listening.url + "/", headers=self.FORWARDED)
        document = json.loads(await response.content())
        self.assertEqual(
            document["versions"][1]["links"][0]["href"], "https://nova.example.com/v2.1/"
        )

    async def test_forwarded_header_applied_when_enabled(self):
        listening = self.serve_parsing(TEST_PASTE)
        response = await listening.client.get(
            listening.url + "/v2.1/x",
            headers=dict(TOKEN, Forwarded='for=10.0.0.1;proto=https;host="nova.example:8443"'),
        )
        seen = json.loads(await response.content())
        self.assertEqual((seen["secure"], seen["host"]), (True, "nova.example:8443"))

    async def test_prefix_goes_in_front_of_links(self):
        listening = self.serve_parsing()
        response = await listening.client.get(
            listening.url + "/", headers=dict(self.FORWARDED, **{"X-Forwarded-Prefix": "/compute"})
        )
        document = json.loads(await response.content())
        self.assertEqual(
            document["versions"][1]["links"][0]["href"], "https://nova.example.com/compute/v2.1/"
        )

    async def test_client_address_from_the_proxy(self):
        events = capture_access_log(self)
        listening = self.serve_parsing(TEST_PASTE)
        for headers in (
            {"X-Forwarded-For": "203.0.113.7"},
            {"Forwarded": 'for="[2001:db8::1]:4711";proto=http'},
            {"X-Forwarded-For": "not an address"},
        ):
            response = await listening.client.get(
                listening.url + "/v2.1/x", headers=dict(TOKEN, **headers)
            )
            await response.content()
        self.assertEqual(
            [event["client"] for event in events], ["203.0.113.7", "2001:db8::1", "127.0.0.1"]
        )

    async def test_forwarded_header_wins_over_x_forwarded(self):
        listening = self.serve_parsing(TEST_PASTE)
        response = await listening.client.get(
            listening.url + "/v2.1/x",
            headers=dict(TOKEN, Forwarded="host=a.example", **{"X-Forwarded-Proto": "https"}),
        )
        seen = json.loads(await response.content())
        self.assertEqual((seen["secure"], seen["host"]), (False, "a.example"))


class CORSTests(TestCase):
    ORIGIN = "https://dashboard.example.com"

    def serve(self):
        listening, _ = serve_paste(
            self, "osapi_compute", TEST_PASTE, **{"cors.allowed_origin": [self.ORIGIN]}
        )
        return listening

    async def test_allowed_origin_gets_cors_headers(self):
        listening = self.serve()
        response = await listening.client.get(
            listening.url + "/v2.1/x", headers=dict(TOKEN, Origin=self.ORIGIN)
        )
        seen = json.loads(await response.content())
        self.assertEqual(response.code, 200)
        self.assertEqual(seen["context"]["user_id"], "alice")
        self.assertEqual(
            response.headers.getRawHeaders("access-control-allow-origin"), [self.ORIGIN]
        )
        self.assertEqual(response.headers.getRawHeaders("vary"), ["Origin"])

    async def test_preflight(self):
        listening = self.serve()
        response = await listening.client.request(
            "OPTIONS",
            listening.url + "/v2.1/x",
            headers={"Origin": self.ORIGIN, "Access-Control-Request-Method": "GET"},
        )
        await response.content()
        self.assertEqual(
            response.headers.getRawHeaders("access-control-allow-origin"), [self.ORIGIN]
        )
        self.assertIn("GET", response.headers.getRawHeaders("access-control-allow-methods")[0])

    async def test_other_origin_gets_none(self):
        listening = self.serve()
        response = await listening.client.get(
            listening.url + "/v2.1/x", headers=dict(TOKEN, Origin="https://evil.example")
        )
        await response.content()
        self.assertEqual(response.code, 200)
        self.assertIsNone(response.headers.getRawHeaders("access-control-allow-origin"))

    async def test_no_origin_no_cors_headers(self):
        listening = self.serve()
        response = await listening.client.get(listening.url + "/v2.1/x", headers=TOKEN)
        await response.content()
        self.assertIsNone(response.headers.getRawHeaders("access-control-allow-origin"))


class AccessLogTests(TestCase):
    def capture(self):
        return capture_access_log(self)

    async def test_one_line_per_request(self):
        events = self.capture()
        listening, _ = serve_paste(self, "osapi_compute", TEST_PASTE)
        response = await listening.client.get(listening.url + "/v2.1/x?a=1", headers=TOKEN)
        body = await response.content()
        [request_id] = response.headers.getRawHeaders("x-openstack-request-id")
        [event] = events
        self.assertEqual(
            (event["api"], event["request_id"], event["method"], event["path"], event["status"]),
            ("osapi_compute", request_id, "GET", "/v2.1/x?a=1", 200),
        )
        self.assertEqual(event["length"], len(body))
        self.assertEqual(event["client"], "127.0.0.1")
        self.assertIsInstance(event["pid"], int)
        self.assertGreaterEqual(event["ms"], 0)
        self.assertEqual(
            formatEvent(event),
            'osapi_compute pid=%d %s 127.0.0.1 "GET /v2.1/x?a=1" status: 200 len: %d time: %.1fms'
            % (event["pid"], request_id, len(body), event["ms"]),
        )
        self.assertEqual(event["log_namespace"], "novatx.access")

    async def test_a_file_log_shows_the_line_as_sent_braces_and_all(self):
        events = self.capture()
        listening, _ = serve_paste(self, "osapi_compute", TEST_PASTE)
        # treq would percent-encode the braces; an Agent sends the bytes given.
        response = await Agent(reactor).request(
            b"GET", (listening.url + "/v2.1/x?q={name}%7D").encode("ascii"),
            Headers({name: [value] for name, value in TOKEN.items()}))
        await readBody(response)
        [event] = events
        text = formatEventAsClassicLogText(event, formatTime=lambda when: "T")
        self.assertEqual("T [novatx.access#info] %s\n" % event["access_line"], text)
        self.assertIn('"GET /v2.1/x?q={name}%7D" status: 200', text)

    async def test_errors_are_logged_with_their_status(self):
        events = self.capture()
        listening, _ = serve_paste(self, "osapi_compute", TEST_PASTE)
        response = await listening.client.get(listening.url + "/failing")
        await response.content()
        self.assertEqual([event["status"] for event in events], [500])
        self.flushLoggedErrors(ZeroDivisionError)

    async def test_forwarded_for_when_trusted(self):
        events = self.capture()
        listening, _ = serve_paste(
            self, "osapi_compute", TEST_PASTE, **{"api.use_forwarded_for": True}
        )
        response = await listening.client.get(
            listening.url + "/v2.1/x",
            headers=dict(TOKEN, **{"X-Forwarded-For": "203.0.113.9, 10.0.0.1"}),
        )
        await response.content()
        self.assertEqual(events[0]["client"], "203.0.113.9")


class FilterShapeTests(TestCase):
    """Every native filter is an IResource that passes the walk on."""

    def test_filters_provide_iresource(self):
        runtime = Runtime("osapi_compute", paste_config(self, TEST_PASTE), None, reactor)
        for cls in (
            RequestIdFilter,
            ComputeRequestIdFilter,
            FaultWrapFilter,
            SizeLimitFilter,
            HTTPProxyToWSGIFilter,
            RequestLogFilter,
            NoAuthFilter,
            KeystoneContextFilter,
            CORSFilter,
            AuthTokenFilter,
        ):
            self.assertTrue(verifyObject(IResource, cls(Echo("x"), runtime)), cls)

    def test_tree_without_sockets(self):
        """The same tree answers through treq's StubTreq, in memory."""
        runtime = Runtime("osapi_compute", paste_config(self, TEST_PASTE), None, reactor)
        stub = StubTreq(load_api(runtime))
        response = self.successResultOf(
            stub.get("http://nova.example/v2.1/x", headers={"X-Auth-Token": "a:b:c:d"})
        )
        body = json.loads(self.successResultOf(stub.content(response)))
        self.assertEqual(response.code, 401)
        self.assertEqual(body["unauthorized"]["code"], 401)
        response = self.successResultOf(stub.get("http://nova.example/v2.1/x"))
        self.assertEqual(response.code, 204)
        self.assertEqual(
            response.headers.getRawHeaders("x-server-management-url"),
            ["http://nova.example/v2.1/x/admin"],
        )
