"""
Tests for L{novatx.test.helpers.serve_api}: the packaged paste file, a real
compute service and the real router, over HTTP.
"""

from __future__ import annotations

import json

from twisted.trial.unittest import TestCase

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
