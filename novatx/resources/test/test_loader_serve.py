"""
Tests for L{novatx.test.helpers.serve_api}: the packaged paste file, a real
compute service and the real router, over HTTP.
"""

from __future__ import annotations

import json
import uuid

from keystonemiddleware.fixture import AuthTokenFixture
from twisted.trial.unittest import TestCase

from novatx.config import make_config
from novatx.resources.loader import PACKAGED_PASTE_CONFIG
from novatx.resources.test.test_loader_apps import write_paste
from novatx.test.helpers import noauth_headers, serve_api


class ServeAPITests(TestCase):
    async def test_compute_api_answers_with_the_packaged_pipeline(self):
        served = await serve_api(self, "osapi_compute")
        self.assertTrue(served.url.startswith("http://127.0.0.1:"))
        response = await served.client.get(
            served.url + "/v2.1/flavors", headers=noauth_headers("alice", "p1", version="2.61")
        )
        body = json.loads(await response.content())
        self.assertEqual(response.code, 200)
        self.assertIn("flavors", body)
        self.assertEqual(response.headers.getRawHeaders("openstack-api-version"), ["compute 2.61"])
        self.assertTrue(response.headers.getRawHeaders("x-compute-request-id"))

    async def test_root_and_healthcheck(self):
        served = await serve_api(self, "osapi_compute")
        response = await served.client.get(served.url + "/")
        document = json.loads(await response.content())
        self.assertEqual(
            [v["links"][0]["href"] for v in document["versions"]],
            [served.url + "/v2/", served.url + "/v2.1/"],
        )
        served.runtime.draining = True
        response = await served.client.get(served.url + "/healthcheck")
        await response.content()
        self.assertEqual(response.code, 503)

    async def test_every_api_is_served(self):
        for api_name in ("ec2", "metadata"):
            served = await serve_api(self, api_name)
            response = await served.client.get(served.url + "/healthcheck")
            self.assertEqual((api_name, await response.content()), (api_name, b"OK"))

    def test_noauth_headers(self):
        self.assertEqual(
            noauth_headers(),
            {
                "X-Auth-Token": "demo:demo",
                "Accept": "application/json",
                "Content-Type": "application/json",
            },
        )
        self.assertEqual(
            noauth_headers("admin", "p1", "latest")["OpenStack-API-Version"], "compute latest"
        )
        self.assertEqual(noauth_headers("admin", "p1")["X-Auth-Token"], "admin:p1")


class KeystoneServeTests(TestCase):
    """The packaged keystone pipelines, with keystonemiddleware's own fixture."""

    async def serve(self):
        fixture = AuthTokenFixture()
        fixture.setUp()
        self.addCleanup(fixture.cleanUp)
        with open(PACKAGED_PASTE_CONFIG) as f:
            text = f.read().replace(
                "novatx.resources.filters.keystone:authtoken_filter_factory\n",
                "novatx.resources.filters.keystone:authtoken_filter_factory\n"
                "www_authenticate_uri = http://keystone.example.com:5000\n",
            )
        conf = make_config([])
        conf.set_override("api_paste_config", write_paste(self, text), "wsgi")
        conf.set_override("auth_strategy", "keystone", "api")
        return fixture, await serve_api(self, "osapi_compute", conf)

    async def test_valid_token_is_served_invalid_is_401(self):
        fixture, served = await self.serve()
        token = uuid.uuid4().hex
        fixture.add_token_data(
            token_id=token, user_id="u-1", project_id="p-1", role_list=["member"]
        )
        response = await served.client.get(
            served.url + "/v2.1/flavors", headers={"X-Auth-Token": token}
        )
        body = json.loads(await response.content())
        self.assertEqual(response.code, 200)
        self.assertIn("flavors", body)
        response = await served.client.get(
            served.url + "/v2.1/flavors", headers={"X-Auth-Token": "alice:p1"}
        )
        await response.content()
        self.assertEqual(response.code, 401)

    async def test_version_discovery_needs_no_token(self):
        _, served = await self.serve()
        for path in ("/", "/v2.1/"):
            response = await served.client.get(served.url + path)
            await response.content()
            self.assertEqual((path, response.code), (path, 200))
