"""The compute API's image proxy (C{/v2.1/images}) and the image service subset (C{/image})."""

from __future__ import annotations

from novatx.compute.context import RequestContext
from novatx.extensions.compute.test._http import ComputeAPITestCase, async_test

#: The caller the tests register images as.
ALICE = RequestContext(user_id="alice", project_id="p1", roles=("member",))


class ImageProxyTests(ComputeAPITestCase):
    async def cirros(self) -> dict:
        listed = await self.get("/v2.1/images/detail")
        self.assertEqual(listed.code, 200, listed.text)
        (image,) = [i for i in listed.body["images"] if i["name"] == "cirros"]
        return image

    @async_test
    async def test_lists_and_shows_the_seeded_image(self) -> None:
        await self.start()
        image = await self.cirros()
        self.assertEqual((image["status"], image["progress"], image["minRam"]), ("ACTIVE", 100, 0))
        self.assertEqual(image["OS-EXT-IMG-SIZE:size"], 21430272)
        rels = [link["rel"] for link in image["links"]]
        self.assertEqual(rels, ["self", "bookmark", "alternate"])
        index = await self.get("/v2.1/images")
        self.assertEqual(sorted(index.body["images"][0]), ["id", "links", "name"])
        shown = await self.get("/v2.1/images/" + image["id"])
        self.assertEqual(shown.body["image"]["name"], "cirros")
        by_name = await self.get("/v2.1/images?name=nothing")
        self.assertEqual(by_name.body["images"], [])

    @async_test
    async def test_gone_from_2_36(self) -> None:
        await self.start()
        image = await self.cirros()
        self.assertFault(await self.get("/v2.1/images", version="2.36"), 404, "itemNotFound")
        self.assertFault(await self.get("/v2.1/images/" + image["id"], version="latest"), 404, "itemNotFound")
        self.assertEqual((await self.get("/v2.1/images", version="2.35")).code, 200)
        self.assertFault(await self.delete("/v2.1/images/"), 404, "itemNotFound")

    @async_test
    async def test_metadata_of_an_owned_image(self) -> None:
        await self.start()
        mine = await self.compute.create_image_record(ALICE, "mine", properties={"os_distro": "cirros"})
        base = "/v2.1/images/%s/metadata" % mine.id
        self.assertEqual((await self.get(base)).body, {"metadata": {"os_distro": "cirros"}})
        merged = await self.post(base, {"metadata": {"color": "blue"}})
        self.assertEqual(merged.body["metadata"], {"os_distro": "cirros", "color": "blue"})
        item = await self.put(base + "/color", {"meta": {"color": "red"}})
        self.assertEqual(item.body, {"meta": {"color": "red"}})
        self.assertEqual((await self.get(base + "/color")).body, {"meta": {"color": "red"}})
        self.assertFault(await self.put(base + "/color", {"meta": {"size": "1"}}), 400, "badRequest")
        self.assertEqual((await self.delete(base + "/color")).code, 204)
        self.assertFault(await self.get(base + "/color"), 404, "itemNotFound")
        replaced = await self.put(base, {"metadata": {"only": "this"}})
        self.assertEqual(replaced.body["metadata"], {"only": "this"})
        deleted = await self.delete("/v2.1/images/" + mine.id)
        self.assertEqual(deleted.code, 204, deleted.text)
        self.assertFault(await self.get("/v2.1/images/" + mine.id, user="bob", project="p2"),
                         404, "itemNotFound")


class ImageServiceTests(ComputeAPITestCase):
    @async_test
    async def test_version_discovery_without_a_token(self) -> None:
        await self.start()
        answer = await self.get("/image", user=None)
        self.assertEqual(answer.code, 300, answer.text)
        current = [v for v in answer.body["versions"] if v["status"] == "CURRENT"]
        self.assertEqual(len(current), 1)
        self.assertTrue(current[0]["id"].startswith("v2."))
        self.assertEqual(current[0]["links"][0]["href"], self.served.url + "/image/v2/")
        slash = await self.get("/image/", user=None)
        self.assertEqual(slash.body, answer.body)

    @async_test
    async def test_lists_and_filters_as_glance(self) -> None:
        await self.start()
        listed = await self.get("/image/v2/images")
        self.assertEqual(listed.code, 200, listed.text)
        (cirros,) = listed.body["images"]
        self.assertEqual((cirros["name"], cirros["status"], cirros["visibility"]), ("cirros", "active", "public"))
        self.assertEqual(cirros["self"], "/v2/images/" + cirros["id"])
        by_name = await self.get("/image/v2/images?name=cirros")
        self.assertEqual([i["id"] for i in by_name.body["images"]], [cirros["id"]])
        self.assertEqual((await self.get("/image/v2/images?name=other")).body["images"], [])
        by_ids = await self.get("/image/v2/images?id=in:%s,nope" % cirros["id"])
        self.assertEqual([i["id"] for i in by_ids.body["images"]], [cirros["id"]])
        private = await self.get("/image/v2/images?visibility=private")
        self.assertEqual(private.body["images"], [])
        active = await self.get("/image/v2/images?status=active")
        self.assertEqual(len(active.body["images"]), 1)
        shown = await self.get("/image/v2/images/" + cirros["id"])
        self.assertEqual(shown.body["name"], "cirros")
        self.assertEqual((await self.get("/image/v2/images/not-an-image")).code, 404)

    @async_test
    async def test_pages_with_next(self) -> None:
        await self.start()
        for name in ("one", "two"):
            await self.compute.create_image_record(ALICE, name)
        first = await self.get("/image/v2/images?limit=2")
        self.assertEqual(len(first.body["images"]), 2)
        self.assertTrue(first.body["next"].startswith("/v2/images?"))
        second = await self.get("/image" + first.body["next"])
        self.assertEqual(len(second.body["images"]), 1)
        self.assertNotIn("next", second.body)
        names = {i["name"] for i in first.body["images"] + second.body["images"]}
        self.assertEqual(names, {"cirros", "one", "two"})
        self.assertEqual((await self.get("/image/v2/images", user="bob", project="p2")).body["images"][0]["name"],
                         "cirros")

    @async_test
    async def test_bad_queries(self) -> None:
        await self.start()
        self.assertEqual((await self.get("/image/v2/images?limit=-1")).code, 400)
        self.assertEqual((await self.get("/image/v2/images?limit=x")).code, 400)
        self.assertEqual((await self.get("/image/v2/images?marker=nope")).code, 400)
        self.assertEqual((await self.get("/image/v2/images?visibility=secret")).code, 400)
        self.assertEqual((await self.get("/image/v2/images?sort_key=password")).code, 400)
