"""
A real C{twistd -n nova} with C{[api] auth_strategy = keystone}: whatever
keystonemiddleware answers by itself (keystone unreachable, a bogus token) is
nova's fault JSON on the compute API, and the daemon serves on.

Keystone is either a port nothing listens on or a tiny identity server of the
test's own (version discovery, a service token, and 404 for every token it is
asked to validate).
"""

from __future__ import annotations

import json
import os
import socket
from typing import Any

from twisted.internet import reactor
from twisted.trial.unittest import TestCase
from twisted.web.client import readBody
from twisted.web.http_headers import Headers
from twisted.web.resource import Resource
from twisted.web.server import Site

from novatx.services.test.daemon import HTTP, DaemonProcess, config_file


class FakeIdentity(Resource):
    """Keystone v3 as keystonemiddleware meets it: it knows no user token."""

    isLeaf = True

    def __init__(self) -> None:
        super().__init__()
        self.url = ""
        self.validations = 0

    def _json(self, request: Any, document: Any, code: int = 200) -> bytes:
        request.setResponseCode(code)
        request.setHeader(b"content-type", b"application/json")
        return json.dumps(document).encode()

    def render_GET(self, request: Any) -> bytes:
        if request.path.rstrip(b"/") == b"/v3/auth/tokens":
            self.validations += 1
            return self._json(request, {"error": {"code": 404, "title": "Not Found",
                                                  "message": "Could not find token."}}, 404)
        return self._json(request, {"version": {
            "id": "v3.14", "status": "stable", "updated": "2020-04-07T00:00:00Z",
            "links": [{"rel": "self", "href": self.url + "/v3/"}],
            "media-types": [{"base": "application/json",
                             "type": "application/vnd.openstack.identity-v3+json"}]}})

    def render_POST(self, request: Any) -> bytes:
        request.setHeader(b"x-subject-token", b"service-token")
        endpoints = [{"id": interface, "interface": interface, "region": "RegionOne",
                      "region_id": "RegionOne", "url": self.url + "/v3"}
                     for interface in ("public", "internal", "admin")]
        return self._json(request, {"token": {
            "methods": ["password"], "expires_at": "2099-01-01T00:00:00.000000Z",
            "issued_at": "2026-01-01T00:00:00.000000Z",
            "user": {"id": "nova", "name": "nova", "domain": {"id": "default", "name": "Default"}},
            "project": {"id": "service", "name": "service",
                        "domain": {"id": "default", "name": "Default"}},
            "roles": [{"id": "admin", "name": "admin"}],
            "catalog": [{"id": "keystone", "type": "identity", "name": "keystone",
                         "endpoints": endpoints}]}}, 201)


class KeystoneAnswersTests(TestCase):
    timeout = 120

    async def start(self, keystone_url: str) -> None:
        directory = os.path.abspath(self.mktemp())
        os.makedirs(directory)
        conf = config_file(
            directory, None, enabled_apis="osapi_compute", api__auth_strategy="keystone",
            keystone_authtoken__auth_type="password",
            keystone_authtoken__auth_url=keystone_url + "/v3",
            keystone_authtoken__www_authenticate_uri=keystone_url,
            keystone_authtoken__username="nova", keystone_authtoken__password="secret",
            keystone_authtoken__project_name="service",
            keystone_authtoken__user_domain_id="default",
            keystone_authtoken__project_domain_id="default",
            keystone_authtoken__http_request_max_retries=0,
        )
        self.daemon = DaemonProcess(self, directory, ["--config-file", conf])
        await self.daemon.serving(("osapi_compute",))
        self.url = "http://127.0.0.1:%d" % (self.daemon.ports["osapi_compute"],)
        self.http = HTTP(self)

    async def get(self, path: str, token: str | None = None) -> tuple[int, Any, Any]:
        headers = Headers({b"accept": [b"application/json"]})
        if token is not None:
            headers.setRawHeaders(b"x-auth-token", [token.encode()])
        response = await self.http.agent.request(b"GET", (self.url + path).encode(), headers)
        body = await readBody(response)
        self.assertEqual(response.headers.getRawHeaders(b"content-type"), [b"application/json"],
                         body)
        return response.code, json.loads(body), response.headers

    async def test_keystone_unreachable_is_nova_s_503(self) -> None:
        # Bound and never listening: every connection to it is refused.
        closed = socket.socket()
        closed.bind(("127.0.0.1", 0))
        self.addCleanup(closed.close)
        await self.start("http://127.0.0.1:%d" % closed.getsockname()[1])
        for path in ("/v2.1/servers", "/v2.1/flavors", "/image/v2/images"):
            code, body, _ = await self.get(path, token="anything")
            self.assertEqual((code, list(body)), (503, ["serviceUnavailable"]), (path, body))
            self.assertEqual(body["serviceUnavailable"]["code"], 503)
        code, body, _ = await self.get("/v2.1/")
        self.assertEqual((code, body["version"]["id"]), (200, "v2.1"))
        self.assertNotIn("Traceback", self.daemon.text())

    async def test_bogus_token_is_nova_s_401(self) -> None:
        identity = FakeIdentity()
        port = reactor.listenTCP(0, Site(identity), interface="127.0.0.1")
        self.addCleanup(port.stopListening)
        identity.url = "http://127.0.0.1:%d" % port.getHost().port
        await self.start(identity.url)
        code, body, headers = await self.get("/v2.1/servers", token="bogus")
        self.assertEqual((code, body),
                         (401, {"unauthorized": {"code": 401,
                                                 "message": "Authentication required"}}))
        self.assertEqual(headers.getRawHeaders(b"www-authenticate"),
                         [b'Keystone uri="%s"' % identity.url.encode()])
        self.assertGreater(identity.validations, 0)
        code, _, _ = await self.get("/v2.1/servers")
        self.assertEqual(code, 401)
