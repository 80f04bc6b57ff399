"""
Tests for L{novatx.resources.wsgi}: a WSGI middleware wrapping native parts,
and native parts under it, both ways over real HTTP.
"""

from __future__ import annotations

import json

from twisted.internet import reactor
from twisted.internet.defer import Deferred
from twisted.internet.error import ConnectionDone, ConnectionLost
from twisted.internet.task import deferLater
from twisted.trial.unittest import TestCase
from twisted.web.client import ResponseNeverReceived
from twisted.web.resource import IResource, Resource
from twisted.web.server import NOT_DONE_YET
from zope.interface.verify import verifyObject

from novatx.resources.filters.faultwrap import FaultWrapFilter
from novatx.resources.pipeline import NativeFilter, as_resource, as_wsgi, compose
from novatx.resources.runtime import Runtime
from novatx.resources.test.test_loader import started_pool
from novatx.resources.test.test_loader_apps import (
    TEST_PASTE,
    Echo,
    Failing,
    paste_config,
    serve_paste,
    wsgi_echo_app_factory,
    wsgi_header_filter_factory,
)
from novatx.resources.wsgi import NativeWSGIApplication
from novatx.test.helpers import serve_resource

TOKEN = {"X-Auth-Token": "alice:p1"}


class BridgedPipelineTests(TestCase):
    """C{compute_req_id faultwrap <WSGI middleware> noauth2 echo}."""

    def serve(self):
        self.pool = started_pool(self)
        listening, _ = serve_paste(self, "osapi_compute", TEST_PASTE, threadpool=self.pool)
        return listening

    async def test_request_and_response_cross_the_middleware(self):
        listening = self.serve()
        response = await listening.client.get(listening.url + "/bridged/a/b", headers=TOKEN)
        seen = json.loads(await response.content())
        self.assertEqual(response.code, 200)
        self.assertEqual(seen["wsgi_seen"], "yes")
        self.assertEqual(response.headers.getRawHeaders("x-wsgi-filter"), ["yes"])
        self.assertEqual((seen["prepath"], seen["postpath"]), (["bridged"], ["a", "b"]))
        self.assertEqual(self.pool.calls, 1)

    async def test_context_and_request_id_below_the_middleware(self):
        listening = self.serve()
        response = await listening.client.get(listening.url + "/bridged/x", headers=TOKEN)
        seen = json.loads(await response.content())
        [request_id] = response.headers.getRawHeaders("x-compute-request-id")
        self.assertEqual(seen["request_id"], request_id)
        self.assertEqual(seen["context"]["user_id"], "alice")
        self.assertEqual(seen["context"]["request_id"], request_id)

    async def test_quoted_path_and_query_cross_the_middleware(self):
        listening = self.serve()
        response = await listening.client.get(
            listening.url + "/bridged/a%20b/c%25d?x=1&y=%2F", headers=TOKEN
        )
        seen = json.loads(await response.content())
        self.assertEqual(seen["postpath"], ["a b", "c%d"])
        self.assertEqual(seen["uri"], "/bridged/a%20b/c%25d?x=1&y=%2F")

    async def test_body_crosses_the_middleware(self):
        listening = self.serve()
        response = await listening.client.post(
            listening.url + "/bridged/x", data=b"y" * 5000, headers=TOKEN
        )
        seen = json.loads(await response.content())
        self.assertEqual((seen["method"], seen["body_length"]), ("POST", 5000))

    async def test_native_status_and_headers_come_back(self):
        listening = self.serve()
        response = await listening.client.get(
            listening.url + "/bridged/x", headers={"X-Auth-Token": "a:b:c:d"}
        )
        body = json.loads(await response.content())
        self.assertEqual(response.code, 401)
        self.assertEqual(response.headers.getRawHeaders("content-type"), ["application/json"])
        self.assertEqual(body["unauthorized"]["code"], 401)
        self.assertEqual(response.headers.getRawHeaders("x-wsgi-filter"), ["yes"])

    async def test_head_has_no_body(self):
        listening = self.serve()
        response = await listening.client.head(listening.url + "/bridged/x", headers=TOKEN)
        self.assertEqual(response.code, 200)
        self.assertEqual(await response.content(), b"")


class NativeUnderWSGITests(TestCase):
    """L{NativeWSGIApplication} renders a native resource for a WSGI caller."""

    def runtime(self):
        runtime = Runtime("osapi_compute", paste_config(self, TEST_PASTE), None, reactor)
        runtime.threadpool = started_pool(self)
        return runtime

    async def test_failure_below_is_a_fault_in_the_api_format(self):
        runtime = self.runtime()
        middleware = wsgi_header_filter_factory({})
        listening = serve_resource(
            self, as_resource(middleware(as_wsgi(Failing(), runtime)), runtime)
        )
        response = await listening.client.get(listening.url + "/")
        body = json.loads(await response.content())
        self.assertEqual(response.code, 500)
        self.assertEqual(body["computeFault"]["code"], 500)
        self.assertNotIn("secret", json.dumps(body))
        self.assertEqual(len(self.flushLoggedErrors(ZeroDivisionError)), 1)

    async def test_wsgi_filter_between_native_filters(self):
        runtime = self.runtime()
        faultwrap = NativeFilter(lambda app: FaultWrapFilter(app, runtime), runtime)
        tree = compose([faultwrap, wsgi_header_filter_factory({})], Echo("inner"), runtime)
        listening = serve_resource(self, as_resource(tree, runtime))
        response = await listening.client.get(listening.url + "/x?q=1")
        seen = json.loads(await response.content())
        self.assertEqual(
            (seen["app"], seen["wsgi_seen"], seen["postpath"]), ("inner", "yes", ["x"])
        )

    async def test_a_middleware_s_own_error_is_the_api_s_fault(self):
        def refusing(app):
            def middleware(environ, start_response):
                if environ["PATH_INFO"] == "/native":
                    return app(environ, start_response)
                start_response("403 Forbidden", [("Content-Type", "text/html"),
                                                 ("X-Kept", "yes")])
                return iter([b"<html><body>", b"Go away</body></html>"])
            return middleware

        for api, expected_type, shape in (
            ("osapi_compute", "application/json", b'{"forbidden": {"code": 403'),
            ("ec2", "text/xml", b'<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors>'),
            ("metadata", "text/plain; charset=UTF-8", b"Forbidden\n"),
        ):
            runtime = Runtime(api, paste_config(self, TEST_PASTE), None, reactor)
            runtime.threadpool = started_pool(self)
            listening = serve_resource(
                self, as_resource(refusing(as_wsgi(Echo("below"), runtime)), runtime))
            response = await listening.client.get(listening.url + "/refused")
            body = await response.content()
            self.assertEqual(response.code, 403)
            self.assertEqual(response.headers.getRawHeaders("content-type"), [expected_type])
            self.assertEqual(response.headers.getRawHeaders("x-kept"), ["yes"])
            self.assertTrue(body.startswith(shape), body)
            self.assertNotIn(b"html", body)
            native = await listening.client.get(listening.url + "/native")
            self.assertEqual(json.loads(await native.content())["app"], "below")
            self.assertIsNone(native.headers.getRawHeaders("x-novatx-native-answer"))

    def test_adapters_round_trip(self):
        """A mounted WSGI app given back to WSGI is the app itself, not a double bridge."""
        runtime = self.runtime()
        app = wsgi_echo_app_factory({})
        resource = as_resource(app, runtime)
        self.assertTrue(verifyObject(IResource, resource))
        self.assertIs(as_wsgi(resource, runtime), app)
        native = Echo("n")
        self.assertIsInstance(as_wsgi(native, runtime), NativeWSGIApplication)
        self.assertIs(as_resource(native, runtime), native)

    def test_neither_resource_nor_wsgi_is_refused(self):
        runtime = self.runtime()
        error = self.assertRaises(TypeError, as_resource, 42, runtime)
        self.assertIn("42", str(error))


class Hanging(Resource):
    """A native app that never answers, and records when its client leaves."""

    isLeaf = True

    def __init__(self) -> None:
        super().__init__()
        self.rendering = Deferred()
        self.gone = Deferred()

    def render(self, request):
        request.notifyFinish().addErrback(lambda reason: self.gone.callback(reason.value))
        self.rendering.callback(None)
        return NOT_DONE_YET


class DisconnectTests(TestCase):
    async def test_client_leaving_frees_the_pool_thread(self):
        runtime = Runtime("osapi_compute", paste_config(self, TEST_PASTE), None, reactor)
        pool = runtime.threadpool = started_pool(self)
        hanging = Hanging()
        tree = compose([wsgi_header_filter_factory({})], hanging, runtime)
        listening = serve_resource(self, as_resource(tree, runtime))
        request = listening.client.get(listening.url + "/")
        await hanging.rendering
        self.assertEqual(len(pool.working), 1)
        request.cancel()
        await self.assertFailure(request, ResponseNeverReceived)
        reason = await hanging.gone
        self.assertIsInstance(reason, (ConnectionDone, ConnectionLost))
        while pool.working:
            await deferLater(reactor, 0.01, lambda: None)
