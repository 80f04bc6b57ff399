"""
The controlled clock over HTTP: nothing moves until a test moves the clock;
an advance returns once the transitions it made due are done (a server is
ACTIVE on the next request); stamps are the clock's; time never goes back;
a real clock and a non-admin are refused.
"""

from __future__ import annotations

from typing import Any

from twisted.trial.unittest import TestCase

from novatx.extensions.compute.test._servers_kit import ComputeClient, fast_config, serve_compute

CHRISTMAS = "2026-12-24T00:00:00Z"
CHRISTMAS_SECONDS = 1798070400.0


def controlled(boot_seconds: float = 10.0) -> Any:
    conf = fast_config()
    conf.set_override("enabled", True, "behaviours")
    conf.set_override("clock", "controlled", "behaviours")
    conf.set_override("boot_seconds", boot_seconds, "simulated")
    conf.set_override("action_seconds", 4.0, "simulated")
    return conf


def admin(client: ComputeClient) -> ComputeClient:
    return client.as_user("admin", "admin")


class ControlledClockTests(TestCase):
    async def test_a_server_stays_in_build_until_the_clock_moves(self):
        client = await serve_compute(self, controlled())
        await self.assertMoved(admin(client), {"set": CHRISTMAS}, CHRISTMAS_SECONDS)
        server = await client.create("web-1")
        for _ in range(3):
            shown = (await client.get("/servers/%s" % server["id"])).body["server"]
            self.assertEqual(("BUILD", CHRISTMAS), (shown["status"], shown["created"]))
        self.assertFalse(any(call.getTime() <= CHRISTMAS_SECONDS for call
                             in client.served.compute.api.behaviours.clock.getDelayedCalls()))
        await self.assertMoved(admin(client), {"advance": 9.5}, CHRISTMAS_SECONDS + 9.5)
        shown = (await client.get("/servers/%s" % server["id"])).body["server"]
        self.assertEqual("BUILD", shown["status"])
        await self.assertMoved(admin(client), {"advance": 0.5}, CHRISTMAS_SECONDS + 10)
        shown = (await client.get("/servers/%s" % server["id"])).body["server"]
        self.assertEqual(("ACTIVE", "2026-12-24T00:00:10Z"), (shown["status"], shown["updated"]))
        rebooted = await client.action(server["id"], {"reboot": {"type": "SOFT"}})
        self.assertEqual(202, rebooted.code)
        await self.assertMoved(admin(client), {"advance": 3600}, CHRISTMAS_SECONDS + 3610)
        shown = (await client.get("/servers/%s" % server["id"])).body["server"]
        self.assertEqual(("ACTIVE", None, "2026-12-24T00:00:14Z"),
                         (shown["status"], shown["OS-EXT-STS:task_state"], shown["updated"]))

    async def test_the_clock_is_shown_and_never_goes_back(self):
        client = admin(await serve_compute(self, controlled()))
        await self.assertMoved(client, {"set": CHRISTMAS}, CHRISTMAS_SECONDS)
        shown = await client.get("/behaviours/clock")
        self.assertEqual({"clock": {"mode": "controlled", "now": CHRISTMAS,
                                    "seconds": CHRISTMAS_SECONDS}}, shown.body)
        back = await client.post("/behaviours/clock", {"set": "2026-12-23T23:59:59Z"})
        self.assertEqual(400, back.code, back.body)
        self.assertIn("the clock only moves forward", back.body["badRequest"]["message"])
        negative = await client.post("/behaviours/clock", {"advance": -1})
        self.assertEqual(400, negative.code, negative.body)
        self.assertIn("advance must not be negative", negative.body["badRequest"]["message"])
        for body in ({}, {"advance": 1, "set": CHRISTMAS}, {"advance": "soon"},
                     {"set": "Christmas"}):
            refused = await client.post("/behaviours/clock", body)
            self.assertEqual(400, refused.code, (body, refused.body))
        still = await client.get("/behaviours/clock")
        self.assertEqual(CHRISTMAS_SECONDS, still.body["clock"]["seconds"])

    async def test_a_member_may_not_move_the_clock(self):
        client = await serve_compute(self, controlled())
        before = (await admin(client).get("/behaviours/clock")).body["clock"]["seconds"]
        for method, body in (("GET", None), ("POST", {"advance": 60})):
            refused = await client.request(method, "/behaviours/clock", body)
            self.assertEqual(403, refused.code, refused.body)
        after = (await admin(client).get("/behaviours/clock")).body["clock"]["seconds"]
        self.assertEqual(before, after)

    async def test_a_real_clock_is_shown_but_not_moved(self):
        conf = fast_config()
        conf.set_override("enabled", True, "behaviours")
        client = admin(await serve_compute(self, conf))
        shown = await client.get("/behaviours/clock")
        self.assertEqual("real", shown.body["clock"]["mode"])
        refused = await client.post("/behaviours/clock", {"advance": 60})
        self.assertEqual(409, refused.code, refused.body)
        self.assertIn("clock = controlled", refused.body["conflictingRequest"]["message"])

    async def assertMoved(self, client: ComputeClient, body: dict, seconds: float) -> None:
        moved = await client.post("/behaviours/clock", body)
        self.assertEqual(200, moved.code, moved.body)
        self.assertEqual(seconds, moved.body["clock"]["seconds"])
