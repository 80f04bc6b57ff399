"""
Numbers the compute API reads from text, over real HTTP: limits, sizes,
counts and ports are ASCII digits, and nothing Python's C{int()} would also
take (other scripts' digits, a trailing newline, 5,000 digits) is a number or
a 500: each is the API's own 400, or a limit capped as nova caps it.
"""

from __future__ import annotations

from urllib.parse import quote

from twisted.trial.unittest import TestCase

from novatx.extensions.compute.test._servers_kit import fast_config, serve_compute

ARABIC_THREE = quote("\u0663")
SUPERSCRIPT_TWO = quote("\u00b2")
NEWLINE_AFTER = "5" + quote("\n")
LONG = "9" * 5000


class QueryNumbersTests(TestCase):
    async def test_other_scripts_digits_are_400_in_nova_s_shape(self) -> None:
        client = await serve_compute(self)
        for path in (
            "/flavors?limit=" + ARABIC_THREE,
            "/flavors?minRam=" + ARABIC_THREE,
            "/flavors/detail?minDisk=" + SUPERSCRIPT_TWO,
            "/images?limit=" + ARABIC_THREE,
            "/images?minRam=" + SUPERSCRIPT_TWO,
            "/servers?limit=" + ARABIC_THREE,
            "/servers/detail?limit=" + NEWLINE_AFTER,
            "/flavors?limit=" + NEWLINE_AFTER,
            "/flavors?limit=+3",
            "/flavors?limit=1_0",
            "/flavors?limit=%203",
        ):
            reply = await client.get(path)
            self.assertEqual(reply.code, 400, (path, reply.body))
            self.assertEqual(list(reply.body), ["badRequest"], path)

    async def test_glance_limit_in_other_digits_is_400(self) -> None:
        client = await serve_compute(self)
        reply = await client.served.client.get(
            client.served.url + "/image/v2/images?limit=" + ARABIC_THREE,
            headers={"X-Auth-Token": "alice:p1"})
        self.assertEqual(reply.code, 400, await reply.content())

    async def test_a_limit_of_5000_digits_is_the_maximum(self) -> None:
        client = await serve_compute(self)
        sid = (await client.create_active())["id"]
        listed = await client.get("/servers?limit=" + LONG)
        self.assertEqual(listed.code, 200, listed.body)
        self.assertEqual([s["id"] for s in listed.body["servers"]], [sid])
        actions = await client.get("/servers/%s/os-instance-actions?limit=%s" % (sid, LONG))
        self.assertEqual(actions.code, 200, actions.body)
        self.assertEqual([a["action"] for a in actions.body["instanceActions"]], ["create"])
        none = await client.get("/servers/%s/os-instance-actions?limit=0" % (sid,))
        self.assertEqual(none.code, 200, none.body)

    async def test_console_length_with_a_newline_is_400(self) -> None:
        client = await serve_compute(self)
        sid = (await client.create_active())["id"]
        reply = await client.action(sid, {"os-getConsoleOutput": {"length": "2\n"}})
        self.assertEqual(reply.code, 400, reply.body)
        self.assertIn("length", reply.body["badRequest"]["message"])


class ForwardedPortTests(TestCase):
    async def test_a_port_not_in_ascii_digits_is_no_port(self) -> None:
        conf = fast_config()
        conf.set_override("enable_proxy_headers_parsing", True, "oslo_middleware")
        client = await serve_compute(self, conf)
        for host, expected in (
            (b"api.example:\xb2", (400, ["badRequest"])),
            (b"api.example:" + b"9" * 5000, (200, ["version"])),
            (b"api.example:8774", (200, ["version"])),
        ):
            reply = await client.served.client.get(
                client.served.url + "/v2.1/", headers={b"X-Forwarded-Host": host})
            body = await reply.json()
            self.assertEqual((reply.code, list(body)), expected, (host[:20], body))


class BodyNumbersTests(TestCase):
    async def test_numbers_in_bodies_are_ascii_digits_of_a_sane_length(self) -> None:
        client = await serve_compute(self)
        admin = client.as_user("admin", "admin").at("2.64")
        for path, body, field in (
            ("/os-quota-sets/p1", {"quota_set": {"instances": LONG}}, "instances"),
            ("/os-quota-sets/p1", {"quota_set": {"instances": "5\n"}}, "instances"),
            ("/flavors", {"flavor": {"name": "f", "ram": LONG, "vcpus": 1, "disk": 1}}, "ram"),
            ("/flavors", {"flavor": {"name": "f", "ram": 64, "vcpus": "1\n", "disk": 1}},
             "vcpus"),
            ("/os-server-groups", {"server_group": {
                "name": "g", "policy": "anti-affinity", "rules": {"max_server_per_host": LONG}}},
             "max_server_per_host"),
        ):
            method = admin.put if path.startswith("/os-quota-sets") else admin.post
            reply = await method(path, body)
            self.assertEqual(reply.code, 400, (path, reply.body))
            self.assertIn("attribute %s." % field, reply.body["badRequest"]["message"])
        quotas = await admin.get("/os-quota-sets/p1")
        self.assertEqual(quotas.body["quota_set"]["instances"], 10)
        flavors = await admin.get("/flavors")
        self.assertNotIn("f", [f["name"] for f in flavors.body["flavors"]])
        made = await admin.post("/flavors", {"flavor": {"name": "f", "ram": "64", "vcpus": 1,
                                                        "disk": "1"}})
        self.assertEqual((made.code, made.body["flavor"]["ram"]), (200, 64))
