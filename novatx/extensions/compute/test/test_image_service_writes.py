"""
The image subset's write side over real HTTP, as glance's clients drive it:
create, upload, JSON-patch update, delete, the task listings and schemas.
"""

from __future__ import annotations

import json

from novatx.extensions.compute.test._http import ComputeAPITestCase, async_test

PATCH = {"Content-Type": "application/openstack-images-v2.1-json-patch"}


class ImageWriteTests(ComputeAPITestCase):
    async def _create(self, **fields: object) -> dict:
        body = {"name": "made", "disk_format": "raw", "container_format": "bare",
                "visibility": "private", **fields}
        made = await self.post("/image/v2/images", body)
        self.assertEqual(made.code, 201, made.text)
        return made.body

    @async_test
    async def test_create_upload_update_delete(self) -> None:
        await self.start()
        image = await self._create(min_ram=512, hypervisor_type="qemu")
        self.assertEqual((image["status"], image["min_ram"], image["hypervisor_type"]),
                         ("queued", 512, "qemu"))
        self.assertEqual(image["owner"], "p1")
        uploaded = await self.put("/image/v2/images/%s/file" % image["id"], raw=b"*" * 1024,
                                  headers={"Content-Type": "application/octet-stream"})
        self.assertEqual(uploaded.code, 204, uploaded.text)
        shown = (await self.get("/image/v2/images/" + image["id"])).body
        self.assertEqual((shown["status"], shown["size"]), ("active", 1024))
        data = await self.get("/image/v2/images/%s/file" % image["id"])
        self.assertEqual((data.code, data.text, data.header("Content-Type")),
                         (204, "", "application/octet-stream"))
        proxied = await self.get("/v2.1/images/" + image["id"])
        self.assertEqual(proxied.body["image"]["status"], "ACTIVE")
        again = await self.put("/image/v2/images/%s/file" % image["id"], raw=b"x",
                               headers={"Content-Type": "application/octet-stream"})
        self.assertEqual(again.code, 409)
        patch = [{"op": "replace", "path": "/name", "value": "renamed"},
                 {"op": "add", "path": "/os_distro", "value": "cirros"},
                 {"op": "remove", "path": "/hypervisor_type"}]
        patched = await self.request("PATCH", "/image/v2/images/" + image["id"], headers=PATCH,
                                     raw=json.dumps(patch).encode())
        self.assertEqual(patched.code, 200, patched.text)
        self.assertEqual((patched.body["name"], patched.body["os_distro"]), ("renamed", "cirros"))
        self.assertNotIn("hypervisor_type", patched.body)
        deleted = await self.delete("/image/v2/images/" + image["id"])
        self.assertEqual(deleted.code, 204)
        self.assertEqual((await self.get("/image/v2/images/" + image["id"])).code, 404)
        self.assertEqual((await self.delete("/image/v2/images/" + image["id"])).code, 404)
        self.assertEqual((await self.get("/image/v2/images/%s/file" % image["id"])).code, 404)

    @async_test
    async def test_refusals_leave_the_image_as_it_was(self) -> None:
        await self.start()
        image = await self._create()
        path = "/image/v2/images/" + image["id"]
        for patch, code in (
            ([{"op": "replace", "path": "/status", "value": "active"}], 403),
            ([{"op": "move", "path": "/name", "from": "/x"}], 400),
            ([{"op": "replace", "path": "/min_ram", "value": -1}], 400),
            ({"op": "replace"}, 400),
        ):
            answer = await self.request("PATCH", path, headers=PATCH,
                                        raw=json.dumps(patch).encode())
            self.assertEqual(answer.code, code, (patch, answer.text))
        plain = await self.request("PATCH", path, raw=b"[]",
                                   headers={"Content-Type": "application/json"})
        self.assertEqual(plain.code, 400)
        self.assertEqual((await self.get(path)).body["name"], "made")
        refused = await self.post("/image/v2/images", {"name": "x", "status": "active"})
        self.assertEqual(refused.code, 403)
        other = await self.delete(path, user="bob", project="p2")
        self.assertEqual(other.code, 404)
        self.assertEqual((await self.get(path)).code, 200)

    @async_test
    async def test_other_parameters_filter_by_property(self) -> None:
        await self.start()
        first = await self._create(image_type="backup", backup_type="daily")
        await self._create(image_type="backup", backup_type="weekly")
        await self._create(name="plain")
        daily = await self.get("/image/v2/images?image_type=backup&backup_type=daily")
        self.assertEqual([i["id"] for i in daily.body["images"]], [first["id"]])
        backups = await self.get("/image/v2/images?image_type=backup&limit=1&sort_dir=asc")
        self.assertEqual([i["id"] for i in backups.body["images"]], [first["id"]])
        self.assertIn("marker=" + first["id"], backups.body["next"])
        queued = await self.get("/image/v2/images?status=queued")
        self.assertEqual(len(queued.body["images"]), 3)

    @async_test
    async def test_tasks_and_schemas(self) -> None:
        await self.start()
        image = await self._create()
        tasks = await self.get("/image/v2/images/%s/tasks" % image["id"])
        self.assertEqual((tasks.code, tasks.body), (200, {"tasks": []}))
        self.assertEqual((await self.get("/image/v2/images/nope/tasks")).code, 404)
        listed = await self.get("/image/v2/tasks")
        self.assertEqual(listed.body["tasks"], [])
        schema = await self.get("/image/v2" + image["schema"][len("/v2"):])
        self.assertEqual(schema.code, 200)
        self.assertTrue(set(image) - {"os_distro"} <= set(schema.body["properties"]))
        for name in ("images", "member", "members"):
            answer = await self.get("/image/v2/schemas/" + name)
            self.assertEqual((answer.code, answer.body["name"]), (200, name))
        self.assertEqual((await self.get("/image/v2/schemas/nothing")).code, 404)
