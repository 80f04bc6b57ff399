"""
Tests for the auth filters over real HTTP: C{noauth2}, and C{authtoken} +
C{keystonecontext} with keystonemiddleware's own C{AuthTokenFixture}.
"""

from __future__ import annotations

import json
import uuid

from keystonemiddleware.fixture import AuthTokenFixture
from twisted.trial.unittest import TestCase

from novatx.resources.filters.noauth import InvalidToken, parse_token
from novatx.resources.test.test_loader_apps import TEST_PASTE, serve_paste


async def context_of(listening, headers, path="/v2.1/servers"):
    response = await listening.client.get(listening.url + path, headers=headers)
    body = await response.content()
    return response, json.loads(body) if body else None


class ParseTokenTests(TestCase):
    def test_user_and_project(self):
        self.assertEqual(parse_token("alice:p1"), ("alice", "p1", ("member",)))
        self.assertEqual(parse_token("admin:p1"), ("admin", "p1", ("admin",)))

    def test_project_defaults_to_user(self):
        self.assertEqual(parse_token("alice"), ("alice", "alice", ("member",)))
        self.assertEqual(parse_token("alice:"), ("alice", "alice", ("member",)))

    def test_roles(self):
        self.assertEqual(parse_token("alice:p1:reader"), ("alice", "p1", ("reader",)))
        self.assertEqual(parse_token("bob::member, admin"), ("bob", "bob", ("member", "admin")))
        self.assertEqual(parse_token("admin:p1:reader"), ("admin", "p1", ("reader",)))

    def test_refused(self):
        for token in ("", "a:b:c:d", ":p1", "::", "a:b:", "a:b:reader,,member"):
            self.assertRaises(InvalidToken, parse_token, token)


class NoAuthTests(TestCase):
    def serve(self):
        listening, _ = serve_paste(self, "osapi_compute", TEST_PASTE)
        return listening

    async def test_user_and_project(self):
        response, seen = await context_of(self.serve(), {"X-Auth-Token": "alice:p1"})
        self.assertEqual(response.code, 200)
        context = seen["context"]
        self.assertEqual(
            (context["user_id"], context["project_id"], context["is_admin"], context["roles"]),
            ("alice", "p1", False, ["member"]),
        )
        self.assertEqual(context["auth_token"], "alice:p1")

    async def test_user_only(self):
        _, seen = await context_of(self.serve(), {"X-Auth-Token": "bob"})
        self.assertEqual(
            (seen["context"]["user_id"], seen["context"]["project_id"]), ("bob", "bob")
        )

    async def test_admin(self):
        _, seen = await context_of(self.serve(), {"X-Auth-Token": "admin:p2"})
        self.assertEqual(
            (seen["context"]["is_admin"], seen["context"]["roles"], seen["context"]["project_id"]),
            (True, ["admin"], "p2"),
        )

    async def test_roles_in_the_token(self):
        listening = self.serve()
        _, seen = await context_of(listening, {"X-Auth-Token": "alice:p1:reader"})
        self.assertEqual(
            (seen["context"]["user_id"], seen["context"]["project_id"],
             seen["context"]["is_admin"], seen["context"]["roles"]),
            ("alice", "p1", False, ["reader"]),
        )
        _, seen = await context_of(listening, {"X-Auth-Token": "carol:p1:member,admin"})
        self.assertEqual((seen["context"]["is_admin"], seen["context"]["roles"]),
                         (True, ["member", "admin"]))

    async def test_notused_is_a_plain_user(self):
        _, seen = await context_of(self.serve(), {"X-Auth-Token": "notused"})
        self.assertEqual(
            (seen["context"]["user_id"], seen["context"]["is_admin"]), ("notused", False)
        )

    async def test_bad_tokens_are_401_faults(self):
        listening = self.serve()
        for token in ("a:b:c:d", "", ":p1", "a:b:"):
            response, body = await context_of(listening, {"X-Auth-Token": token})
            self.assertEqual((token, response.code), (token, 401))
            self.assertEqual(body["unauthorized"]["code"], 401)
            self.assertIn("X-Auth-Token", body["unauthorized"]["message"])
        response, _ = await context_of(listening, {"X-Auth-Token": "alice"})
        self.assertEqual(response.code, 200)

    async def test_no_token_gets_the_legacy_auth_reply(self):
        response, _ = await context_of(
            self.serve(),
            {"X-Auth-User": "carol", "X-Auth-Project-Id": "p3", "Host": "nova.example.com:8774"},
        )
        self.assertEqual(response.code, 204)
        self.assertEqual(response.headers.getRawHeaders("x-auth-token"), ["carol:p3"])
        self.assertEqual(
            response.headers.getRawHeaders("x-server-management-url"),
            ["http://nova.example.com:8774/v2.1/servers/p3"],
        )

    async def test_no_token_defaults_to_admin(self):
        response, _ = await context_of(self.serve(), {})
        self.assertEqual(response.code, 204)
        self.assertEqual(response.headers.getRawHeaders("x-auth-token"), ["admin:admin"])

    async def test_api_root_needs_no_token(self):
        listening = self.serve()
        for path in ("/v2.1", "/v2.1/"):
            response, seen = await context_of(listening, {}, path)
            self.assertEqual((path, response.code, seen["context"]), (path, 200, None))


class KeystoneTests(TestCase):
    def setUp(self):
        self.fixture = AuthTokenFixture()
        self.fixture.setUp()
        self.addCleanup(self.fixture.cleanUp)
        self.listening, _ = serve_paste(
            self, "osapi_compute", TEST_PASTE, **{"api.auth_strategy": "keystone"}
        )

    def add_token(self, **token_data):
        token = uuid.uuid4().hex
        self.fixture.add_token_data(token_id=token, **token_data)
        return token

    async def test_valid_token(self):
        token = self.add_token(user_id="u-1", project_id="p-1", role_list=["member", "reader"])
        response, seen = await context_of(self.listening, {"X-Auth-Token": token})
        self.assertEqual(response.code, 200)
        context = seen["context"]
        self.assertEqual(
            (context["user_id"], context["project_id"], context["is_admin"]),
            ("u-1", "p-1", False),
        )
        self.assertEqual(sorted(context["roles"]), ["member", "reader"])
        self.assertEqual(context["auth_token"], token)
        self.assertEqual(context["request_id"], seen["request_id"])

    async def test_admin_role(self):
        for role in ("admin", "Admin"):
            token = self.add_token(user_id="u-2", project_id="p-2", role_list=[role])
            _, seen = await context_of(self.listening, {"X-Auth-Token": token})
            self.assertTrue(seen["context"]["is_admin"], role)

    async def test_invalid_token(self):
        response = await self.listening.client.get(
            self.listening.url + "/v2.1/servers", headers={"X-Auth-Token": "not-a-token"}
        )
        body = json.loads(await response.content())
        self.assertEqual(response.code, 401)
        self.assertEqual(
            response.headers.getRawHeaders("www-authenticate"),
            ['Keystone uri="http://keystone.example.com:5000"'],
        )
        self.assertEqual(response.headers.getRawHeaders("content-type"), ["application/json"])
        self.assertEqual(body,
                         {"unauthorized": {"code": 401, "message": "Authentication required"}})

    async def test_forged_identity_headers_without_token(self):
        response = await self.listening.client.get(
            self.listening.url + "/v2.1/servers",
            headers={"X-User-Id": "admin", "X-Project-Id": "p", "X-Roles": "admin"},
        )
        await response.content()
        self.assertEqual(response.code, 401)

    async def test_forged_identity_headers_with_a_valid_token(self):
        token = self.add_token(user_id="u-3", project_id="p-3", role_list=["member"])
        _, seen = await context_of(
            self.listening,
            {"X-Auth-Token": token, "X-User-Id": "admin", "X-Roles": "admin"},
        )
        self.assertEqual((seen["context"]["user_id"], seen["context"]["is_admin"]), ("u-3", False))

    async def test_api_root_needs_no_token(self):
        response, seen = await context_of(self.listening, {}, "/v2.1/")
        self.assertEqual((response.code, seen["context"]), (200, None))
