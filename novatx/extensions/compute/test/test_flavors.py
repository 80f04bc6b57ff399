"""C{/flavors} and its extensions over HTTP: listing, management, extra specs, access."""

from __future__ import annotations

from novatx.extensions.compute.test._http import ComputeAPITestCase, async_test


class FlavorListingTests(ComputeAPITestCase):
    @async_test
    async def test_index_lists_the_default_flavors_with_links(self) -> None:
        await self.start()
        answer = await self.get("/v2.1/flavors")
        self.assertEqual(answer.code, 200, answer.text)
        names = [f["name"] for f in answer.body["flavors"]]
        self.assertEqual(names, ["m1.tiny", "m1.small", "m1.medium", "m1.large", "m1.xlarge"])
        tiny = answer.body["flavors"][0]
        self.assertEqual(sorted(tiny), ["id", "links", "name"])
        self.assertEqual(
            tiny["links"],
            [
                {"rel": "self", "href": self.served.url + "/v2.1/flavors/1"},
                {"rel": "bookmark", "href": self.served.url + "/flavors/1"},
            ],
        )
        self.assertNotIn("flavors_links", answer.body)

    @async_test
    async def test_detail_differs_between_2_1_and_latest(self) -> None:
        await self.start()
        old = (await self.get("/v2.1/flavors/detail"))
        new = (await self.get("/v2.1/flavors/detail", version="latest"))
        self.assertEqual((old.code, new.code), (200, 200))
        self.assertEqual(new.header("OpenStack-API-Version"), "compute 2.104")
        old_tiny, new_tiny = old.body["flavors"][0], new.body["flavors"][0]
        self.assertEqual((old_tiny["swap"], new_tiny["swap"]), ("", 0))
        self.assertNotIn("description", old_tiny)
        self.assertNotIn("extra_specs", old_tiny)
        self.assertEqual((new_tiny["description"], new_tiny["extra_specs"]), (None, {}))
        self.assertEqual(old_tiny["ram"], 512)
        self.assertIs(old_tiny["os-flavor-access:is_public"], True)

    @async_test
    async def test_openstack_cli_query(self) -> None:
        """The CLI asks C{is_public=True} at 2.61 and reads the extra specs."""
        await self.start()
        answer = await self.get("/v2.1/flavors/detail?is_public=True", version="2.61")
        self.assertEqual(answer.code, 200, answer.text)
        self.assertEqual(len(answer.body["flavors"]), 5)
        self.assertEqual(answer.body["flavors"][0]["extra_specs"], {})

    @async_test
    async def test_show_and_unknown_flavor(self) -> None:
        await self.start()
        shown = await self.get("/v2.1/flavors/3")
        self.assertEqual((shown.code, shown.body["flavor"]["name"]), (200, "m1.medium"))
        missing = await self.get("/v2.1/flavors/nope")
        self.assertFault(missing, 404, "itemNotFound", "Flavor nope could not be found.")

    @async_test
    async def test_pages_follow_next_links(self) -> None:
        await self.start()
        first = await self.get("/v2.1/flavors?limit=2")
        self.assertEqual([f["id"] for f in first.body["flavors"]], ["1", "2"])
        (link,) = first.body["flavors_links"]
        self.assertEqual(link["rel"], "next")
        self.assertTrue(link["href"].startswith(self.served.url + "/v2.1/flavors?"))
        second = await self.get(link["href"][len(self.served.url):])
        self.assertEqual([f["id"] for f in second.body["flavors"]], ["3", "4"])

    @async_test
    async def test_filters_by_size_and_sorts(self) -> None:
        await self.start()
        answer = await self.get("/v2.1/flavors?minRam=4096&sort_key=memory_mb&sort_dir=desc")
        self.assertEqual([f["id"] for f in answer.body["flavors"]], ["5", "4", "3"])

    @async_test
    async def test_bad_queries_are_400(self) -> None:
        await self.start()
        for query, words in [
            ("limit=-1", "limit"),
            ("limit=many", "limit"),
            ("marker=nonexistent", "nonexistent"),
            ("minRam=big", "minRam"),
            ("sort_key=password", "sort key"),
        ]:
            answer = await self.get("/v2.1/flavors?" + query)
            self.assertFault(answer, 400, "badRequest", words)
        unknown = await self.get("/v2.1/flavors?color=red", version="2.75")
        self.assertFault(unknown, 400, "badRequest", "color")
        tolerated = await self.get("/v2.1/flavors?color=red", version="2.74")
        self.assertEqual(tolerated.code, 200)
        admin = await self.get("/v2.1/flavors?is_public=maybe", user="admin")
        self.assertFault(admin, 400, "badRequest", "Invalid is_public filter [maybe]")


class FlavorManageTests(ComputeAPITestCase):
    BODY = {"flavor": {"name": "m1.custom", "ram": 1024, "vcpus": 2, "disk": 10, "id": "custom"}}

    @async_test
    async def test_admin_creates_a_flavor_users_then_see(self) -> None:
        await self.start()
        created = await self.post("/v2.1/flavors", self.BODY, user="admin", version="2.75")
        self.assertEqual(created.code, 200, created.text)
        flavor = created.body["flavor"]
        self.assertEqual((flavor["id"], flavor["ram"], flavor["vcpus"], flavor["swap"]), ("custom", 1024, 2, 0))
        shown = await self.get("/v2.1/flavors/custom")
        self.assertEqual(shown.body["flavor"]["name"], "m1.custom")

    @async_test
    async def test_sizes_may_be_strings_of_digits(self) -> None:
        await self.start()
        body = {"flavor": {"name": "strings", "ram": "256", "vcpus": "1", "disk": "0",
                           "os-flavor-access:is_public": "false", "rxtx_factor": "2.5"}}
        created = await self.post("/v2.1/flavors", body, user="admin")
        self.assertEqual(created.code, 200, created.text)
        flavor = created.body["flavor"]
        self.assertEqual((flavor["ram"], flavor["rxtx_factor"]), (256, 2.5))
        self.assertIs(flavor["os-flavor-access:is_public"], False)

    @async_test
    async def test_non_admin_may_not_create(self) -> None:
        await self.start()
        answer = await self.post("/v2.1/flavors", self.BODY)
        self.assertFault(answer, 403, "forbidden", "os_compute_api:os-flavor-manage:create")
        self.assertFault(await self.get("/v2.1/flavors/custom"), 404, "itemNotFound")

    @async_test
    async def test_bad_bodies_are_400_and_store_nothing(self) -> None:
        await self.start()
        bad = [
            {"flavor": {"name": "x", "ram": "lots", "vcpus": 1, "disk": 1}},
            {"flavor": {"name": "x", "ram": 0, "vcpus": 1, "disk": 1}},
            {"flavor": {"name": "x" * 256, "ram": 1, "vcpus": 1, "disk": 1}},
            {"flavor": {"name": " x", "ram": 1, "vcpus": 1, "disk": 1}},
            {"flavor": {"name": "x", "ram": 1, "vcpus": 1}},
            {"flavor": {"name": "x", "ram": 1, "vcpus": 1, "disk": -1}},
            {"flavor": {"name": "x", "ram": 1, "vcpus": 1, "disk": 1, "color": "red"}},
            {"flavor": {"name": "x", "ram": 1, "vcpus": 1, "disk": 1, "rxtx_factor": 0}},
            {"flavor": {"name": "x", "ram": 1, "vcpus": 1, "disk": 1, "description": "d"}},
            {"flavour": {}},
        ]
        for body in bad:
            answer = await self.post("/v2.1/flavors", body, user="admin")
            self.assertFault(answer, 400, "badRequest")
        ram = await self.post("/v2.1/flavors", bad[0], user="admin")
        self.assertIn("ram", ram.body["badRequest"]["message"])
        listing = await self.get("/v2.1/flavors?is_public=none", user="admin")
        self.assertEqual(len(listing.body["flavors"]), 5)

    @async_test
    async def test_duplicates_are_409(self) -> None:
        await self.start()
        self.assertEqual((await self.post("/v2.1/flavors", self.BODY, user="admin")).code, 200)
        again = await self.post("/v2.1/flavors", self.BODY, user="admin")
        self.assertFault(again, 409, "conflictingRequest", "already exists")

    @async_test
    async def test_description_update_from_2_55(self) -> None:
        await self.start()
        body = {"flavor": {"description": "tiny but mighty"}}
        too_early = await self.put("/v2.1/flavors/1", body, user="admin", version="2.54")
        self.assertFault(too_early, 404, "itemNotFound")
        updated = await self.put("/v2.1/flavors/1", body, user="admin", version="2.55")
        self.assertEqual(updated.code, 200, updated.text)
        self.assertEqual(updated.body["flavor"]["description"], "tiny but mighty")
        listed = await self.get("/v2.1/flavors", version="2.55")
        self.assertEqual(listed.body["flavors"][0]["description"], "tiny but mighty")

    @async_test
    async def test_delete_is_202_then_404(self) -> None:
        await self.start()
        await self.post("/v2.1/flavors", self.BODY, user="admin")
        self.assertFault(await self.delete("/v2.1/flavors/custom"), 403, "forbidden")
        deleted = await self.delete("/v2.1/flavors/custom", user="admin")
        self.assertEqual(deleted.code, 202, deleted.text)
        self.assertFault(await self.get("/v2.1/flavors/custom"), 404, "itemNotFound")
        self.assertFault(await self.delete("/v2.1/flavors/custom", user="admin"), 404, "itemNotFound")


class ExtraSpecsTests(ComputeAPITestCase):
    @async_test
    async def test_extra_specs_life(self) -> None:
        await self.start()
        base = "/v2.1/flavors/1/os-extra_specs"
        created = await self.post(base, {"extra_specs": {"hw:cpu_policy": "shared", "quota:cpu_shares": 512}},
                                  user="admin")
        self.assertEqual(created.code, 200, created.text)
        self.assertEqual(created.body, {"extra_specs": {"hw:cpu_policy": "shared", "quota:cpu_shares": "512"}})
        listed = await self.get(base)
        self.assertEqual(listed.body["extra_specs"]["quota:cpu_shares"], "512")
        one = await self.get(base + "/hw:cpu_policy")
        self.assertEqual(one.body, {"hw:cpu_policy": "shared"})
        updated = await self.put(base + "/hw:cpu_policy", {"hw:cpu_policy": "dedicated"}, user="admin")
        self.assertEqual(updated.body, {"hw:cpu_policy": "dedicated"})
        shown = await self.get("/v2.1/flavors/1", version="2.61")
        self.assertEqual(shown.body["flavor"]["extra_specs"]["hw:cpu_policy"], "dedicated")
        deleted = await self.delete(base + "/hw:cpu_policy", user="admin")
        self.assertEqual((deleted.code, deleted.text), (200, ""))
        self.assertFault(await self.get(base + "/hw:cpu_policy"), 404, "itemNotFound", "hw:cpu_policy")

    @async_test
    async def test_bad_extra_specs(self) -> None:
        await self.start()
        base = "/v2.1/flavors/1/os-extra_specs"
        self.assertFault(await self.post(base, {"extra_specs": {"k": "v"}}), 403, "forbidden")
        mismatch = await self.put(base + "/a", {"b": "1"}, user="admin")
        self.assertFault(mismatch, 400, "badRequest", "mismatch")
        two = await self.put(base + "/a", {"a": "1", "b": "2"}, user="admin")
        self.assertFault(two, 400, "badRequest")
        bad_key = await self.post(base, {"extra_specs": {"bad/key": "v"}}, user="admin")
        self.assertFault(bad_key, 400, "badRequest")
        missing = await self.get("/v2.1/flavors/nope/os-extra_specs")
        self.assertFault(missing, 404, "itemNotFound")


class FlavorAccessTests(ComputeAPITestCase):
    @async_test
    async def test_private_flavor_is_seen_by_the_projects_given_access(self) -> None:
        await self.start()
        body = {"flavor": {"name": "secret", "ram": 64, "vcpus": 1, "disk": 0, "id": "s1",
                           "os-flavor-access:is_public": False}}
        self.assertEqual((await self.post("/v2.1/flavors", body, user="admin")).code, 200)
        before = await self.get("/v2.1/flavors")
        self.assertNotIn("s1", [f["id"] for f in before.body["flavors"]])
        added = await self.post("/v2.1/flavors/s1/action", {"addTenantAccess": {"tenant": "p1"}}, user="admin")
        self.assertEqual(added.code, 200, added.text)
        self.assertEqual(added.body, {"flavor_access": [{"flavor_id": "s1", "tenant_id": "p1"}]})
        after = await self.get("/v2.1/flavors")
        self.assertIn("s1", [f["id"] for f in after.body["flavors"]])
        other = await self.get("/v2.1/flavors", user="bob", project="p2")
        self.assertNotIn("s1", [f["id"] for f in other.body["flavors"]])
        listed = await self.get("/v2.1/flavors/s1/os-flavor-access", user="admin")
        self.assertEqual(listed.body, added.body)
        removed = await self.post("/v2.1/flavors/s1/action", {"removeTenantAccess": {"tenant": "p1"}},
                                  user="admin")
        self.assertEqual(removed.body, {"flavor_access": []})
        admin_all = await self.get("/v2.1/flavors?is_public=none", user="admin")
        self.assertIn("s1", [f["id"] for f in admin_all.body["flavors"]])
        admin_private = await self.get("/v2.1/flavors?is_public=false", user="admin")
        self.assertEqual([f["id"] for f in admin_private.body["flavors"]], ["s1"])

    @async_test
    async def test_public_flavors_have_no_access_list(self) -> None:
        await self.start()
        listed = await self.get("/v2.1/flavors/1/os-flavor-access", user="admin")
        self.assertFault(listed, 404, "itemNotFound", "public flavors")
        added = await self.post("/v2.1/flavors/1/action", {"addTenantAccess": {"tenant": "p1"}}, user="admin")
        self.assertFault(added, 409, "conflictingRequest", "public flavor")
        refused = await self.post("/v2.1/flavors/1/action", {"addTenantAccess": {"tenant": "p1"}})
        self.assertFault(refused, 403, "forbidden")
        malformed = await self.post("/v2.1/flavors/1/action", {"addTenantAccess": {}}, user="admin")
        self.assertFault(malformed, 400, "badRequest")


class RootsAndProjectURLTests(ComputeAPITestCase):
    @async_test
    async def test_legacy_v2_root_serves_the_2_1_view(self) -> None:
        await self.start()
        answer = await self.get("/v2/flavors/detail", version="latest")
        self.assertEqual(answer.code, 200, answer.text)
        tiny = answer.body["flavors"][0]
        self.assertEqual(tiny["swap"], "")
        self.assertNotIn("description", tiny)
        self.assertEqual(tiny["links"][0]["href"], self.served.url + "/v2/flavors/1")
        relaxed = await self.post("/v2/os-keypairs", {"keypair": {"name": "k", "color": "red"}})
        self.assertEqual(relaxed.code, 200, relaxed.text)

    @async_test
    async def test_project_id_in_the_url_shows_in_links(self) -> None:
        await self.start()
        answer = await self.get("/v2.1/p1/flavors", project="p1")
        self.assertEqual(answer.code, 200, answer.text)
        self.assertEqual(
            answer.body["flavors"][0]["links"],
            [
                {"rel": "self", "href": self.served.url + "/v2.1/p1/flavors/1"},
                {"rel": "bookmark", "href": self.served.url + "/p1/flavors/1"},
            ],
        )
        first = await self.get("/v2.1/p1/flavors?limit=1", project="p1")
        self.assertTrue(first.body["flavors_links"][0]["href"].startswith(self.served.url + "/v2.1/p1/flavors?"))
