"""C{/os-quota-sets} and C{/limits} over HTTP."""

from __future__ import annotations

from novatx.extensions.compute.test._http import ComputeAPITestCase, async_test


class LimitsTests(ComputeAPITestCase):
    @async_test
    async def test_limits_at_2_1_and_latest(self) -> None:
        await self.start()
        old = await self.get("/v2.1/limits")
        self.assertEqual(old.code, 200, old.text)
        self.assertEqual(old.body["limits"]["rate"], [])
        absolute = old.body["limits"]["absolute"]
        self.assertEqual((absolute["maxTotalInstances"], absolute["totalInstancesUsed"]), (10, 0))
        self.assertEqual(absolute["maxTotalFloatingIps"], 50)
        self.assertEqual(absolute["maxPersonality"], 5)
        new = (await self.get("/v2.1/limits", version="latest")).body["limits"]["absolute"]
        for gone in ("maxTotalFloatingIps", "maxSecurityGroups", "maxImageMeta", "maxPersonality"):
            self.assertNotIn(gone, new)
        self.assertEqual(new["maxTotalKeypairs"], 100)

    @async_test
    async def test_usage_counts_and_other_projects(self) -> None:
        await self.start()
        await self.post("/v2.1/os-server-groups", {"server_group": {"name": "g", "policies": ["affinity"]}})
        mine = await self.get("/v2.1/limits")
        self.assertEqual(mine.body["limits"]["absolute"]["totalServerGroupsUsed"], 1)
        refused = await self.get("/v2.1/limits?tenant_id=p2")
        self.assertFault(refused, 403, "forbidden")
        other = await self.get("/v2.1/limits?tenant_id=p2", user="admin")
        self.assertEqual(other.body["limits"]["absolute"]["totalServerGroupsUsed"], 0)


class QuotaSetTests(ComputeAPITestCase):
    @async_test
    async def test_show_defaults_and_detail(self) -> None:
        await self.start()
        shown = await self.get("/v2.1/os-quota-sets/p1")
        self.assertEqual(shown.code, 200, shown.text)
        quota = shown.body["quota_set"]
        self.assertEqual((quota["id"], quota["instances"], quota["floating_ips"]), ("p1", 10, 50))
        latest = (await self.get("/v2.1/os-quota-sets/p1", version="latest")).body["quota_set"]
        self.assertNotIn("floating_ips", latest)
        self.assertNotIn("injected_files", latest)
        self.assertEqual(latest["key_pairs"], 100)
        defaults = await self.get("/v2.1/os-quota-sets/p1/defaults")
        self.assertEqual(defaults.body["quota_set"]["cores"], 20)
        await self.post("/v2.1/os-server-groups", {"server_group": {"name": "g", "policies": ["affinity"]}})
        detail = await self.get("/v2.1/os-quota-sets/p1/detail")
        self.assertEqual(detail.body["quota_set"]["server_groups"], {"limit": 10, "in_use": 1, "reserved": 0})

    @async_test
    async def test_only_admins_see_other_projects_and_update(self) -> None:
        await self.start()
        self.assertFault(await self.get("/v2.1/os-quota-sets/p2"), 403, "forbidden")
        self.assertEqual((await self.get("/v2.1/os-quota-sets/p2", user="admin")).code, 200)
        body = {"quota_set": {"instances": 20, "cores": "40"}}
        self.assertFault(await self.put("/v2.1/os-quota-sets/p1", body), 403, "forbidden")
        updated = await self.put("/v2.1/os-quota-sets/p1", body, user="admin")
        self.assertEqual(updated.code, 200, updated.text)
        self.assertEqual((updated.body["quota_set"]["instances"], updated.body["quota_set"]["cores"]), (20, 40))
        self.assertNotIn("id", updated.body["quota_set"])
        limits = await self.get("/v2.1/limits")
        self.assertEqual(limits.body["limits"]["absolute"]["maxTotalInstances"], 20)
        reset = await self.delete("/v2.1/os-quota-sets/p1", user="admin")
        self.assertEqual(reset.code, 202, reset.text)
        self.assertEqual((await self.get("/v2.1/os-quota-sets/p1")).body["quota_set"]["instances"], 10)

    @async_test
    async def test_bad_updates(self) -> None:
        await self.start()
        for body in (
            {"quota_set": {"instances": -2}},
            {"quota_set": {"instances": "many"}},
            {"quota_set": {"colors": 3}},
            {"quota": {}},
        ):
            answer = await self.put("/v2.1/os-quota-sets/p1", body, user="admin")
            self.assertFault(answer, 400, "badRequest")
        gone = await self.put("/v2.1/os-quota-sets/p1", {"quota_set": {"floating_ips": 3}},
                              user="admin", version="2.36")
        self.assertFault(gone, 400, "badRequest")

    @async_test
    async def test_update_below_usage_needs_force(self) -> None:
        await self.start()
        for name in ("a", "b"):
            await self.post("/v2.1/os-server-groups", {"server_group": {"name": name, "policies": ["affinity"]}})
        below = await self.put("/v2.1/os-quota-sets/p1", {"quota_set": {"server_groups": 1}}, user="admin")
        self.assertFault(below, 400, "badRequest")
        unchanged = await self.get("/v2.1/os-quota-sets/p1")
        self.assertEqual(unchanged.body["quota_set"]["server_groups"], 10)
        forced = await self.put("/v2.1/os-quota-sets/p1", {"quota_set": {"server_groups": 1, "force": True}},
                                user="admin")
        self.assertEqual(forced.body["quota_set"]["server_groups"], 1)
        over = await self.post("/v2.1/os-server-groups", {"server_group": {"name": "c", "policies": ["affinity"]}})
        self.assertFault(over, 403, "forbidden")
