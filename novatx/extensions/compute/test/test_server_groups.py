"""C{/os-server-groups} over HTTP, at 2.1, 2.15 and 2.64."""

from __future__ import annotations

from novatx.extensions.compute.test._http import ComputeAPITestCase, async_test


class ServerGroupTests(ComputeAPITestCase):
    @async_test
    async def test_create_at_2_1_shows_policies_and_metadata(self) -> None:
        await self.start()
        created = await self.post("/v2.1/os-server-groups",
                                  {"server_group": {"name": "web", "policies": ["anti-affinity"]}})
        self.assertEqual(created.code, 200, created.text)
        group = created.body["server_group"]
        self.assertEqual(
            (group["name"], group["policies"], group["members"], group["metadata"]),
            ("web", ["anti-affinity"], [], {}),
        )
        self.assertNotIn("project_id", group)
        shown = await self.get("/v2.1/os-server-groups/" + group["id"], version="2.13")
        self.assertEqual((shown.body["server_group"]["project_id"], shown.body["server_group"]["user_id"]),
                         ("p1", "alice"))
        latest = await self.get("/v2.1/os-server-groups/" + group["id"], version="latest")
        self.assertEqual((latest.body["server_group"]["policy"], latest.body["server_group"]["rules"]),
                         ("anti-affinity", {}))
        self.assertNotIn("policies", latest.body["server_group"])

    @async_test
    async def test_soft_policies_from_2_15(self) -> None:
        await self.start()
        body = {"server_group": {"name": "soft", "policies": ["soft-affinity"]}}
        self.assertFault(await self.post("/v2.1/os-server-groups", body, version="2.14"), 400, "badRequest")
        created = await self.post("/v2.1/os-server-groups", body, version="2.15")
        self.assertEqual(created.body["server_group"]["policies"], ["soft-affinity"])

    @async_test
    async def test_policy_and_rules_from_2_64(self) -> None:
        await self.start()
        body = {"server_group": {"name": "spread", "policy": "anti-affinity",
                                 "rules": {"max_server_per_host": 3}}}
        created = await self.post("/v2.1/os-server-groups", body, version="2.64")
        self.assertEqual(created.code, 200, created.text)
        self.assertEqual(created.body["server_group"]["rules"], {"max_server_per_host": 3})
        for bad in (
            {"server_group": {"name": "x", "policy": "affinity", "rules": {"max_server_per_host": 3}}},
            {"server_group": {"name": "x", "policy": "anti-affinity", "rules": {"max_server_per_host": 0}}},
            {"server_group": {"name": "x", "policies": ["affinity"]}},
            {"server_group": {"name": "x", "policy": "spread-out"}},
        ):
            self.assertFault(await self.post("/v2.1/os-server-groups", bad, version="2.64"), 400, "badRequest")
        old_style = await self.post("/v2.1/os-server-groups", body, version="2.63")
        self.assertFault(old_style, 400, "badRequest")

    @async_test
    async def test_groups_belong_to_their_project(self) -> None:
        await self.start()
        created = await self.post("/v2.1/os-server-groups",
                                  {"server_group": {"name": "mine", "policies": ["affinity"]}})
        group_id = created.body["server_group"]["id"]
        other = await self.get("/v2.1/os-server-groups", user="bob", project="p2")
        self.assertEqual(other.body["server_groups"], [])
        self.assertFault(await self.get("/v2.1/os-server-groups/" + group_id, user="bob", project="p2"),
                         404, "itemNotFound")
        self.assertFault(await self.get("/v2.1/os-server-groups?all_projects=True", user="bob", project="p2"),
                         403, "forbidden")
        everyone = await self.get("/v2.1/os-server-groups?all_projects=True", user="admin", project="p9")
        self.assertEqual([g["id"] for g in everyone.body["server_groups"]], [group_id])
        deleted = await self.delete("/v2.1/os-server-groups/" + group_id)
        self.assertEqual(deleted.code, 204, deleted.text)
        self.assertFault(await self.delete("/v2.1/os-server-groups/" + group_id), 404, "itemNotFound")

    @async_test
    async def test_listing_pages_with_limit_and_offset(self) -> None:
        await self.start()
        for name in ("a", "b", "c"):
            await self.post("/v2.1/os-server-groups", {"server_group": {"name": name, "policies": ["affinity"]}})
        page = await self.get("/v2.1/os-server-groups?limit=2&offset=1")
        self.assertEqual(len(page.body["server_groups"]), 2)
        self.assertFault(await self.get("/v2.1/os-server-groups?offset=-1"), 400, "badRequest")
