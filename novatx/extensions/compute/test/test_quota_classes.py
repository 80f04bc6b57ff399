"""
C{/os-quota-class-sets} over real HTTP: a class's limits per microversion,
and the C{default} class's standing over every project's defaults.
"""

from __future__ import annotations

from novatx.extensions.compute.test._http import ComputeAPITestCase, async_test


class QuotaClassTests(ComputeAPITestCase):
    @async_test
    async def test_show_by_microversion(self) -> None:
        await self.start()
        old = await self.get("/v2.1/os-quota-class-sets/default", user="admin")
        self.assertEqual(old.code, 200, old.text)
        shown = old.body["quota_class_set"]
        self.assertEqual((shown["id"], shown["instances"], shown["floating_ips"]),
                         ("default", 10, 50))
        self.assertNotIn("server_groups", shown)
        new = (await self.get("/v2.1/os-quota-class-sets/default", user="admin",
                              version="2.57")).body["quota_class_set"]
        self.assertEqual(new["server_groups"], 10)
        for gone in ("floating_ips", "injected_files"):
            self.assertNotIn(gone, new)
        refused = await self.get("/v2.1/os-quota-class-sets/default")
        self.assertEqual(refused.code, 403)

    @async_test
    async def test_default_class_moves_every_project_s_defaults(self) -> None:
        await self.start()
        changed = await self.put("/v2.1/os-quota-class-sets/default",
                                 {"quota_class_set": {"instances": 42, "cores": "30"}},
                                 user="admin")
        self.assertEqual(changed.code, 200, changed.text)
        self.assertEqual(changed.body["quota_class_set"]["instances"], 42)
        self.assertNotIn("id", changed.body["quota_class_set"])
        defaults = await self.get("/v2.1/os-quota-sets/p1/defaults")
        self.assertEqual(defaults.body["quota_set"]["instances"], 42)
        mine = await self.get("/v2.1/os-quota-sets/p1")
        self.assertEqual((mine.body["quota_set"]["instances"], mine.body["quota_set"]["cores"]),
                         (42, 30))
        limits = await self.get("/v2.1/limits")
        self.assertEqual(limits.body["limits"]["absolute"]["maxTotalInstances"], 42)
        other = await self.put("/v2.1/os-quota-class-sets/gold",
                               {"quota_class_set": {"instances": 99}}, user="admin")
        self.assertEqual(other.code, 200)
        self.assertEqual((await self.get("/v2.1/os-quota-sets/p1")).body["quota_set"]["instances"],
                         42)
        for body in ({"quota_class_set": {"instances": -2}},
                     {"quota_class_set": {"nothing": 1}}, {"instances": 1}):
            bad = await self.put("/v2.1/os-quota-class-sets/default", body, user="admin")
            self.assertEqual(bad.code, 400, body)
        user = await self.put("/v2.1/os-quota-class-sets/default",
                              {"quota_class_set": {"instances": 1}})
        self.assertEqual(user.code, 403)
        shown = await self.get("/v2.1/os-quota-class-sets/default", user="admin")
        self.assertEqual(shown.body["quota_class_set"]["instances"], 42)

    @async_test
    async def test_every_quota_shown_can_be_set_and_is_shown_back(self) -> None:
        """As tempest does: every value of the class raised by 100 comes back raised."""
        await self.start()
        path = "/v2.1/os-quota-class-sets/default"
        shown = (await self.get(path, user="admin")).body["quota_class_set"]
        del shown["id"]
        self.assertIn("fixed_ips", shown)
        raised = {name: value + 100 for name, value in shown.items()}
        changed = await self.put(path, {"quota_class_set": raised}, user="admin")
        self.assertEqual((changed.code, changed.body["quota_class_set"]), (200, raised),
                         changed.text)
        again = (await self.get(path, user="admin")).body["quota_class_set"]
        self.assertEqual(again, dict(raised, id="default"))
        project = await self.put("/v2.1/os-quota-sets/p2",
                                 {"quota_set": {"fixed_ips": 7, "floating_ips": 3}}, user="admin")
        self.assertEqual((project.body["quota_set"]["fixed_ips"],
                          project.body["quota_set"]["floating_ips"]), (7, 3), project.text)
