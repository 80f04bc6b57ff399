"""
A server's sub-resources over real HTTP: metadata, ips, tags and the
instance-action log.
"""

from __future__ import annotations

from twisted.trial.unittest import TestCase

from novatx.extensions.compute.test._servers_kit import serve_compute


class MetadataTests(TestCase):
    async def test_merge_replace_show_delete(self):
        client = await serve_compute(self)
        sid = (await client.create("m", metadata={"a": "1"}))["id"]
        base = "/servers/%s/metadata" % sid
        self.assertEqual((await client.get(base)).body, {"metadata": {"a": "1"}})
        merged = await client.post(base, {"metadata": {"b": "2"}})
        self.assertEqual(merged.body, {"metadata": {"a": "1", "b": "2"}})
        replaced = await client.put(base, {"metadata": {"c": "3"}})
        self.assertEqual(replaced.body, {"metadata": {"c": "3"}})
        one = await client.put(base + "/d", {"meta": {"d": "4"}})
        self.assertEqual(one.body, {"meta": {"d": "4"}})
        self.assertEqual((await client.get(base + "/d")).body, {"meta": {"d": "4"}})
        self.assertEqual((await client.delete(base + "/d")).code, 204)
        self.assertEqual((await client.get(base + "/d")).code, 404)
        self.assertEqual((await client.delete(base + "/d")).code, 404)
        self.assertEqual((await client.get(base)).body, {"metadata": {"c": "3"}})

    async def test_bad_metadata_requests(self):
        client = await serve_compute(self)
        sid = (await client.create("m"))["id"]
        base = "/servers/%s/metadata" % sid
        mismatch = await client.put(base + "/x", {"meta": {"y": "1"}})
        self.assertEqual(mismatch.code, 400)
        self.assertEqual(mismatch.body["badRequest"]["message"], "Request body and URI mismatch")
        two = await client.put(base + "/x", {"meta": {"x": "1", "y": "2"}})
        self.assertEqual(two.code, 400)
        not_string = await client.post(base, {"metadata": {"x": 1}})
        self.assertEqual(not_string.code, 400)
        too_many = await client.post(base, {"metadata": {"k%d" % i: "v" for i in range(129)}})
        self.assertIn(too_many.code, (400, 403))
        self.assertEqual((await client.get(base)).body, {"metadata": {}})


class IPsTests(TestCase):
    async def test_addresses_by_network(self):
        client = await serve_compute(self)
        sid = (await client.create_active())["id"]
        listed = await client.get("/servers/%s/ips" % sid)
        (address,) = listed.body["addresses"]["private"]
        self.assertEqual(address["version"], 4)
        self.assertEqual(set(address), {"version", "addr"})
        one = await client.get("/servers/%s/ips/private" % sid)
        self.assertEqual(one.body, {"private": [address]})
        other = await client.get("/servers/%s/ips/public" % sid)
        self.assertEqual(other.code, 404)


class TagsTests(TestCase):
    async def test_tags_from_2_26(self):
        client = await serve_compute(self)
        sid = (await client.create())["id"]
        base = "/servers/%s/tags" % sid
        self.assertEqual((await client.at("2.25").get(base)).code, 404)
        tags = client.at("2.26")
        self.assertEqual((await tags.get(base)).body, {"tags": []})
        added = await tags.put(base + "/blue")
        self.assertEqual(added.code, 201)
        self.assertEqual(added.header("Location"), client.served.url + "/v2.1" + base + "/blue")
        self.assertEqual((await tags.put(base + "/blue")).code, 204)
        self.assertEqual((await tags.get(base + "/blue")).code, 204)
        self.assertEqual((await tags.get(base + "/red")).code, 404)
        replaced = await tags.put(base, {"tags": ["x", "y"]})
        self.assertEqual(sorted(replaced.body["tags"]), ["x", "y"])
        self.assertEqual((await tags.delete(base + "/x")).code, 204)
        self.assertEqual((await tags.get(base)).body, {"tags": ["y"]})
        self.assertEqual((await tags.delete(base)).code, 204)
        self.assertEqual((await tags.get(base)).body, {"tags": []})
        filtered = await tags.put(base, {"tags": ["env-prod"]})
        self.assertEqual(filtered.code, 200)
        found = await tags.get("/servers?tags=env-prod")
        self.assertEqual([s["id"] for s in found.body["servers"]], [sid])

    async def test_bad_tags(self):
        client = await serve_compute(self)
        sid = (await client.create())["id"]
        tags = client.at("2.26")
        base = "/servers/%s/tags" % sid
        self.assertEqual((await tags.put(base, {"tags": ["a,b"]})).code, 400)
        self.assertEqual((await tags.put(base, {"tags": ["t%d" % i for i in range(51)]})).code, 400)
        self.assertEqual((await tags.put(base + "/" + "x" * 61)).code, 400)
        self.assertEqual((await tags.get(base)).body, {"tags": []})


class InstanceActionsTests(TestCase):
    async def test_actions_are_logged_with_events(self):
        client = await serve_compute(self)
        sid = (await client.create_active())["id"]
        await client.action(sid, {"os-stop": None})
        await client.wait_for(sid, "SHUTOFF")
        listed = await client.get("/servers/%s/os-instance-actions" % sid)
        actions = listed.body["instanceActions"]
        self.assertEqual([a["action"] for a in actions], ["stop", "create"])
        self.assertNotIn("updated_at", actions[0])
        request_id = actions[0]["request_id"]
        self.assertTrue(request_id.startswith("req-"))
        old = await client.get("/servers/%s/os-instance-actions/%s" % (sid, request_id))
        self.assertNotIn("events", old.body["instanceAction"])
        new = await client.at("2.62").get("/servers/%s/os-instance-actions/%s" % (sid, request_id))
        events = new.body["instanceAction"]["events"]
        self.assertTrue(events)
        self.assertIn("hostId", events[0])
        self.assertNotIn("traceback", events[0])
        paged = await client.at("2.58").get("/servers/%s/os-instance-actions?limit=1" % sid)
        self.assertEqual(len(paged.body["instanceActions"]), 1)
        self.assertIn("updated_at", paged.body["instanceActions"][0])
        self.assertEqual(paged.body["links"][0]["rel"], "next")
        bad_marker = await client.at("2.58").get("/servers/%s/os-instance-actions?marker=nope" % sid)
        self.assertEqual(bad_marker.code, 400)
        unknown = await client.get("/servers/%s/os-instance-actions/req-nope" % sid)
        self.assertEqual(unknown.code, 404)
