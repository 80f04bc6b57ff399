"""
C{/behaviours} over HTTP: absent unless enabled; admins make, list and remove
behaviours; bad input is a 400 naming what is wrong, a non-admin a 403, and
neither stores anything.
"""

from __future__ import annotations

from novatx.compute.behaviours import Match
from novatx.config import make_config
from novatx.extensions.compute.test._http import ComputeAPITestCase, async_test

ERROR = {"behaviour": {"project_id": "p1", "effect": "http_error",
                       "params": {"status": 503}, "count": "n", "times": 3,
                       "method": "GET", "path": "/v2.1/servers/detail"}}


def _enabled() -> object:
    conf = make_config([])
    conf.set_override("enabled", True, "behaviours")
    return conf


class PresenceTests(ComputeAPITestCase):
    @async_test
    async def test_without_the_option_there_is_no_route(self):
        await self.start()
        for method in ("GET", "POST", "DELETE"):
            answer = await self.request(method, "/v2.1/behaviours", body=ERROR, user="admin")
            self.assertEqual(404, answer.code, answer.text)
        for path in ("/v2.1/behaviours/clock", "/v2.1/extensions/behaviours"):
            answer = await self.get(path, user="admin")
            self.assertEqual(404, answer.code, answer.text)
        listed = await self.get("/v2.1/extensions", user="admin")
        self.assertNotIn("behaviours", [e["alias"] for e in listed.body["extensions"]])

    @async_test
    async def test_enabled_the_extension_is_listed(self):
        await self.start(_enabled())
        listed = await self.get("/v2.1/extensions", user="admin")
        self.assertIn("behaviours", [e["alias"] for e in listed.body["extensions"]])
        shown = await self.get("/v2.1/extensions/behaviours", user="admin")
        self.assertEqual("Behaviours", shown.body["extension"]["name"])


class BehavioursControlTests(ComputeAPITestCase):
    @async_test
    async def test_an_admin_makes_lists_and_removes_behaviours(self):
        await self.start(_enabled())
        made = await self.post("/v2.1/behaviours", ERROR, user="admin")
        self.assertEqual(201, made.code, made.text)
        document = made.body["behaviour"]
        self.assertEqual(("http_error", "n", 3, 0, 3, "admin", "/v2.1/servers/detail"),
                         (document["effect"], document["count"], document["times"],
                          document["fired"], document["remaining"], document["created_by"],
                          document["path"]))
        await self.post("/v2.1/behaviours", {"behaviour": {"effect": "http_error",
                                                           "params": {"status": 500},
                                                           "project_id": "p2"}}, user="admin")
        listed = await self.get("/v2.1/behaviours?project_id=p1", user="admin")
        self.assertEqual([document["id"]], [b["id"] for b in listed.body["behaviours"]])
        everything = await self.get("/v2.1/behaviours", user="admin")
        self.assertEqual(2, len(everything.body["behaviours"]))
        gone = await self.delete("/v2.1/behaviours/" + document["id"], user="admin")
        self.assertEqual(204, gone.code, gone.text)
        self.assertFault(await self.delete("/v2.1/behaviours/" + document["id"], user="admin"),
                         404, "itemNotFound", "could not be found")
        cleared = await self.delete("/v2.1/behaviours?project_id=p2", user="admin")
        self.assertEqual(204, cleared.code, cleared.text)
        self.assertEqual([], (await self.get("/v2.1/behaviours", user="admin")).body["behaviours"])

    @async_test
    async def test_firings_show_in_the_listing(self):
        await self.start(_enabled())
        made = (await self.post("/v2.1/behaviours", ERROR, user="admin")).body["behaviour"]
        await self.compute.behaviours.fire(self._detail_request())
        [listed] = (await self.get("/v2.1/behaviours", user="admin")).body["behaviours"]
        self.assertEqual((made["id"], 1, 2), (listed["id"], listed["fired"], listed["remaining"]))

    @staticmethod
    def _detail_request() -> Match:
        return Match(project_id="p1", effects=("http_error",), api="osapi_compute",
                     method="GET", path="/v2.1/servers/detail")

    @async_test
    async def test_a_non_admin_is_refused_and_nothing_is_stored(self):
        await self.start(_enabled())
        self.assertFault(await self.post("/v2.1/behaviours", ERROR), 403, "forbidden")
        self.assertFault(await self.get("/v2.1/behaviours"), 403, "forbidden")
        self.assertFault(await self.delete("/v2.1/behaviours"), 403, "forbidden")
        self.assertEqual([], await self.compute.behaviours.list())

    @async_test
    async def test_bad_input_is_a_400_naming_the_mistake_and_nothing_is_stored(self):
        await self.start(_enabled())
        cases = [
            ({"effect": "explode"}, "unknown effect 'explode'"),
            ({"effect": "http_error", "params": {"status": 503}, "count": "n", "times": -2},
             "count n needs times, a whole number of at least 1, not -2"),
            ({"effect": "latency", "params": {"seconds": -1}}, "seconds must be from 0"),
            ({"effect": "http_error", "params": {"status": 200}},
             "status must be an HTTP error status from 400 to 599, not 200"),
            ({"effect": "http_error", "params": {"status": 503}, "path": "/v2.1/[x"},
             "path is no glob"),
            ({"effect": "http_error", "params": {"status": 503},
              "not_before": "2026-12-24T10:00:00Z", "not_after": "2026-12-24T09:00:00Z"},
             "the window ends"),
            ({"effect": "http_error", "params": {"status": 503}, "not_before": "tomorrow"},
             "not_before"),
            ({"effect": "http_error", "colour": "red"}, "colour"),
            ({"effect": 7}, "effect"),
        ]
        for body, message in cases:
            answer = await self.post("/v2.1/behaviours", {"behaviour": body}, user="admin")
            self.assertFault(answer, 400, "badRequest", message)
        self.assertEqual([], await self.compute.behaviours.list())
