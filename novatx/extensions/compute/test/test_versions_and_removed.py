"""The version document of C{/v2.1} and C{/v2}, and the APIs nova removed."""

from __future__ import annotations

from novatx.extensions.compute.test._http import ComputeAPITestCase, async_test


class VersionTests(ComputeAPITestCase):
    @async_test
    async def test_v2_1_without_a_token(self) -> None:
        await self.start()
        for path in ("/v2.1", "/v2.1/"):
            answer = await self.get(path, user=None)
            self.assertEqual(answer.code, 200, (path, answer.text))
            version = answer.body["version"]
            self.assertEqual((version["id"], version["version"], version["min_version"]), ("v2.1", "2.104", "2.1"))
            self.assertEqual(version["links"][0], {"rel": "self", "href": self.served.url + "/v2.1/"})
            self.assertEqual(version["links"][1]["rel"], "describedby")
            self.assertEqual(version["media-types"][0]["type"], "application/vnd.openstack.compute+json;version=2.1")

    @async_test
    async def test_v2_describes_v2_0(self) -> None:
        await self.start()
        answer = await self.get("/v2/", user=None)
        self.assertEqual(answer.code, 200, answer.text)
        self.assertEqual((answer.body["version"]["id"], answer.body["version"]["status"]), ("v2.0", "DEPRECATED"))
        self.assertEqual(answer.body["version"]["links"][0]["href"], self.served.url + "/v2/")

    @async_test
    async def test_links_follow_the_host_header(self) -> None:
        await self.start()
        answer = await self.get("/v2.1/", user=None, headers={"Host": "cloud.example:9999"})
        self.assertEqual(answer.body["version"]["links"][0]["href"], "http://cloud.example:9999/v2.1/")


class RemovedAPITests(ComputeAPITestCase):
    @async_test
    async def test_removed_apis_are_gone(self) -> None:
        await self.start()
        for method, path in [
            ("GET", "/v2.1/os-agents"),
            ("GET", "/v2.1/os-fping"),
            ("POST", "/v2.1/os-cloudpipe"),
            ("GET", "/v2.1/os-fixed-ips/10.0.0.1"),
            ("DELETE", "/v2.1/os-security-group-default-rules/1"),
            ("GET", "/v2.1/os-cells/capacities"),
        ]:
            answer = await self.request(method, path, version="latest")
            self.assertFault(answer, 410, "computeFault", "no longer available")

    @async_test
    async def test_proxies_answer_then_are_not_found_from_2_36(self) -> None:
        await self.start()
        floating = await self.get("/v2.1/os-floating-ips")
        self.assertEqual((floating.code, floating.body), (200, {"floating_ips": []}))
        self.assertFault(await self.get("/v2.1/os-floating-ips/1"), 404, "itemNotFound")
        networks = (await self.get("/v2.1/os-networks", version="2.35")).body["networks"]
        self.assertEqual(["private", "public"], sorted(network["label"] for network in networks))
        self.assertFault(await self.get("/v2.1/os-floating-ips", version="2.36"), 404, "itemNotFound")
        self.assertFault(await self.get("/v2.1/os-networks", version="latest"), 404, "itemNotFound")

    @async_test
    async def test_unknown_paths_are_404(self) -> None:
        await self.start()
        for path in ("/v2.1/networks", "/v2.1/os-nothing", "/v2.1/flavors/1/nothing"):
            self.assertFault(await self.get(path), 404, "itemNotFound")


class ExtensionListTests(ComputeAPITestCase):
    @async_test
    async def test_lists_the_loaded_extensions(self) -> None:
        await self.start()
        listed = await self.get("/v2.1/extensions")
        self.assertEqual(listed.code, 200, listed.text)
        aliases = [e["alias"] for e in listed.body["extensions"]]
        for alias in ("flavors", "os-keypairs", "servers", "versions"):
            self.assertIn(alias, aliases)
        self.assertEqual(aliases, sorted(aliases))
        shown = await self.get("/v2.1/extensions/os-keypairs")
        self.assertEqual((shown.body["extension"]["name"], shown.body["extension"]["links"]), ("Keypairs", []))
        self.assertFault(await self.get("/v2.1/extensions/os-nothing"), 404, "itemNotFound")
