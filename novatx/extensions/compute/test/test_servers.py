"""
Servers over real HTTP: create, list, show, update, delete, as nova answers
them, with the bad inputs nova refuses and nothing created by a refused
request.
"""

from __future__ import annotations

import base64
import json

from twisted.internet.defer import ensureDeferred, gatherResults
from twisted.trial.unittest import TestCase

from novatx.compute.context import RequestContext
from novatx.extensions.compute.test._servers_kit import SMALL, fast_config, serve_compute
from novatx.test.helpers import noauth_headers


class CreateTests(TestCase):
    async def test_create_answers_202_with_location_and_password(self):
        client = await serve_compute(self)
        reply = await client.post("/servers", {"server": {
            "name": "web", "flavorRef": "1", "imageRef": client.image_id,
        }})
        self.assertEqual(reply.code, 202)
        server = reply.body["server"]
        self.assertEqual(reply.header("Location"), client.served.url + "/v2.1/servers/" + server["id"])
        self.assertEqual(len(server["adminPass"]), 12)
        self.assertEqual(server["OS-DCF:diskConfig"], "MANUAL")
        self.assertEqual(server["security_groups"], [{"name": "default"}])
        self.assertEqual(server["links"][0], {"rel": "self", "href": reply.header("Location")})
        shown = await client.wait_for(server["id"], "ACTIVE")
        self.assertEqual(shown["name"], "web")
        self.assertEqual(shown["user_id"], "alice")
        self.assertEqual(shown["tenant_id"], "p1")
        self.assertTrue(shown["addresses"]["private"][0]["addr"].startswith("10.0.0."))

    async def test_create_keeps_every_field(self):
        client = await serve_compute(self)
        await client.post("/os-keypairs", {"keypair": {"name": "k1"}})
        user_data = base64.b64encode(b"#!/bin/sh\necho hi\n").decode()
        created = await client.at("2.90").create(
            "db", key_name="k1", user_data=user_data, metadata={"role": "db"},
            availability_zone="nova", description="the db", tags=["a", "b"], hostname="db-1",
        )
        admin = client.as_user("admin", "p1", version="latest")
        server = (await admin.get("/servers/" + created["id"])).body["server"]
        self.assertEqual(server["key_name"], "k1")
        self.assertEqual(server["metadata"], {"role": "db"})
        self.assertEqual(server["description"], "the db")
        self.assertEqual(sorted(server["tags"]), ["a", "b"])
        self.assertEqual(server["OS-EXT-SRV-ATTR:hostname"], "db-1")
        self.assertEqual(server["OS-EXT-SRV-ATTR:user_data"], user_data)
        self.assertEqual(server["OS-EXT-AZ:availability_zone"], "nova")

    async def test_hostnames_by_microversion(self):
        """A label at 2.90; from 2.94 nova's fqdn characters, at create as at update."""
        client = await serve_compute(self)
        refused = await client.at("2.90").post("/servers", {"server": {
            "name": "x", "flavorRef": "1", "imageRef": client.image_id, "networks": "auto",
            "hostname": "web_1.example.org"}})
        self.assertEqual(refused.code, 400, refused.body)
        self.assertIn("hostname", refused.body["badRequest"]["message"])
        created = await client.at("2.94").create("x", hostname="web_1.example.org")
        self.assertIn("id", created)

    async def test_multi_create_makes_max_count_servers_with_one_reservation(self):
        client = await serve_compute(self)
        reply = await client.post("/servers", {"server": {
            "name": "many", "flavorRef": "1", "imageRef": client.image_id,
            "min_count": 2, "max_count": 3, "return_reservation_id": True,
        }})
        self.assertEqual(reply.code, 202)
        reservation = reply.body["reservation_id"]
        self.assertEqual(list(reply.body), ["reservation_id"])
        listed = await client.get("/servers/detail?reservation_id=" + reservation)
        self.assertEqual(len(listed.body["servers"]), 3)
        self.assertEqual(sorted(s["name"] for s in listed.body["servers"]), ["many-1", "many-2", "many-3"])

    async def test_networks_none_and_list(self):
        client = await serve_compute(self)
        none = await client.at("2.37").create("isolated", networks="none")
        shown = await client.wait_for(none["id"], "ACTIVE")
        self.assertEqual(shown["addresses"], {})
        self.assertNotIn("security_groups", none)

    async def test_networks_required_from_2_37(self):
        client = await serve_compute(self)
        body = {"server": {"name": "x", "flavorRef": "1", "imageRef": client.image_id}}
        old = await client.at("2.36").post("/servers", body)
        new = await client.at("2.37").post("/servers", body)
        self.assertEqual(old.code, 202)
        self.assertEqual(new.code, 400)
        self.assertIn("networks", new.body["badRequest"]["message"])


class BadCreateTests(TestCase):
    """Each refused create is nova's fault, and nothing is created."""

    async def _refused(self, client, fields, status=400, fault="badRequest", drop=()):
        server = {"name": "bad", "flavorRef": "1", "imageRef": client.image_id}
        for key in drop:
            del server[key]
        server.update(fields)
        body = fields.pop("__body__", None) or {"server": server}
        reply = await client.post("/servers", body)
        self.assertEqual(reply.code, status, reply.body)
        self.assertEqual(list(reply.body), [fault])
        self.assertEqual(reply.body[fault]["code"], status)
        listed = await client.get("/servers")
        self.assertEqual(listed.body["servers"], [])
        return reply.body[fault]["message"]

    async def test_bad_inputs(self):
        client = await serve_compute(self)
        message = await self._refused(client, {"name": "x" * 256})
        self.assertIn("Invalid input for field/attribute name", message)
        self.assertIn("is too long", message)
        self.assertEqual(await self._refused(client, {"flavorRef": "999"}), "Invalid flavorRef provided.")
        message = await self._refused(client, {"imageRef": "not-a-uuid"})
        self.assertIn("imageRef", message)
        latest = client.at("latest")
        message = await self._refused(latest, {"networks": [{"uuid": "not-a-uuid"}]})
        self.assertIn("'not-a-uuid' is not a 'uuid'", message)
        message = await self._refused(latest, {"networks": "some"})
        self.assertIn("'some'", message)
        message = await self._refused(client, {"networks": [{"fixed_ip": "10.0.0.9"}]})
        self.assertIn("networks", message)
        message = await self._refused(client, {"min_count": 0})
        self.assertIn("min_count", message)
        self.assertIn("less than the minimum of 1", message)
        self.assertEqual(await self._refused(client, {"min_count": 3, "max_count": 2}),
                         "min_count must be <= max_count")
        message = await self._refused(client, {"user_data": "%%% not base64 %%%"})
        self.assertIn("user_data", message)
        self.assertEqual(await self._refused(client, {"key_name": "nope"}), "Invalid key_name provided.")
        message = await self._refused(client, {"bogus": 1})
        self.assertIn("Additional properties are not allowed", message)
        message = await self._refused(client, {"__body__": {"server": {"name": "x", "flavorRef": "1"}, "extra": 1}})
        self.assertIn("Additional properties are not allowed", message)
        message = await self._refused(client, {"__body__": {"servers": {}}})
        self.assertIn("server", message)

    async def test_a_zone_that_is_not_available_is_refused(self):
        """As nova: a zone no compute serves, or whose computes are all disabled, is a 400."""
        client = await serve_compute(self)
        refusal = "The requested availability zone is not available"
        self.assertEqual(await self._refused(client, {"availability_zone": "nowhere"}), refusal)
        admin = client.as_user("admin", "admin")
        (compute,) = [s for s in (await admin.get("/os-services")).body["services"]
                      if s["binary"] == "nova-compute"]
        service = {"host": compute["host"], "binary": "nova-compute"}
        self.assertEqual((await admin.put("/os-services/disable", service)).code, 200)
        self.assertEqual(await self._refused(client, {"availability_zone": compute["zone"]}), refusal)
        self.assertEqual((await admin.put("/os-services/enable", service)).code, 200)
        created = await client.create_active("placed", availability_zone=compute["zone"])
        self.assertEqual(created["status"], "ACTIVE")

    async def test_too_many_metadata_items(self):
        client = await serve_compute(self)
        metadata = {"k%d" % i: "v" for i in range(129)}
        reply = await client.post("/servers", {"server": {
            "name": "meta", "flavorRef": "1", "imageRef": client.image_id,
            "metadata": metadata,
        }})
        self.assertIn(reply.code, (400, 403))
        self.assertIn("128", str(reply.body))
        self.assertEqual((await client.get("/servers")).body["servers"], [])

    async def test_quota_exceeded_is_403_and_nothing_is_created(self):
        client = await serve_compute(self)
        reply = await client.post("/servers", {"server": {
            "name": "lots", "flavorRef": "1", "imageRef": client.image_id,
            "min_count": 11,
        }})
        self.assertEqual(reply.code, 403)
        self.assertIn("Quota exceeded", reply.body["forbidden"]["message"])
        self.assertEqual((await client.get("/servers")).body["servers"], [])

    async def test_the_server_keeps_serving_after_bad_input(self):
        client = await serve_compute(self)
        reply = await client.request("POST", "/servers", raw=b"{not json")
        self.assertEqual(reply.code, 400)
        await client.create_active("fine")
        self.assertEqual(len((await client.get("/servers")).body["servers"]), 1)


class ShowUpdateDeleteTests(TestCase):
    async def test_show_differs_by_microversion(self):
        client = await serve_compute(self)
        created = await client.create_active("v")
        old = (await client.get("/servers/" + created["id"])).body["server"]
        new = (await client.at("latest").get("/servers/" + created["id"])).body["server"]
        self.assertEqual(set(old["flavor"]), {"id", "links"})
        self.assertEqual(new["flavor"]["original_name"], "m1.tiny")
        for key in ("locked", "locked_reason", "description", "tags", "server_groups",
                    "trusted_image_certificates", "pinned_availability_zone", "scheduler_hints"):
            self.assertNotIn(key, old)
            self.assertIn(key, new)
        self.assertIn("properties", new["image"])
        self.assertEqual(new["OS-EXT-SRV-ATTR:hostname"], "v")
        self.assertNotIn("OS-EXT-SRV-ATTR:hostname", old)

    async def test_links_follow_the_host_header(self):
        client = await serve_compute(self)
        created = await client.create("linked")
        response = await client.served.client.get(
            client.served.url + "/v2.1/servers/" + created["id"],
            headers={"X-Auth-Token": "alice:p1", "Host": "cloud.example:9999"},
        )
        body = await response.json()
        self.assertEqual(body["server"]["links"][0]["href"],
                         "http://cloud.example:9999/v2.1/servers/" + created["id"])

    async def test_project_id_urls_and_the_legacy_root(self):
        client = await serve_compute(self)
        created = await client.create("legacy")
        headers = noauth_headers("alice", "p1")
        for root in ("/v2.1/p1", "/v2/p1", "/v2"):
            response = await client.served.client.get(
                client.served.url + root + "/servers/" + created["id"], headers=headers)
            self.assertEqual(response.code, 200, root)
            server = (await response.json())["server"]
            self.assertEqual(server["links"][0]["href"],
                             client.served.url + root + "/servers/" + created["id"])
            self.assertNotIn("locked", server)
        response = await client.served.client.post(
            client.served.url + "/v2/p1/servers", headers=headers,
            data=json.dumps({"server": {"name": "old", "flavorRef": "1", "imageRef": client.image_id,
                                        "unknown": "dropped"}}).encode())
        self.assertEqual(response.code, 202)
        self.assertIn("adminPass", (await response.json())["server"])

    async def test_update_name_and_description(self):
        client = await serve_compute(self)
        created = await client.create_active("before")
        reply = await client.at("2.19").put("/servers/" + created["id"],
                                            {"server": {"name": "after", "description": "d"}})
        self.assertEqual(reply.code, 200)
        self.assertEqual(reply.body["server"]["name"], "after")
        self.assertEqual(reply.body["server"]["description"], "d")
        self.assertNotIn("OS-EXT-STS:vm_state", reply.body["server"])
        full = await client.at("2.75").put("/servers/" + created["id"], {"server": {"name": "again"}})
        self.assertIn("OS-EXT-STS:vm_state", full.body["server"])
        bad = await client.put("/servers/" + created["id"], {"server": {"flavorRef": "2"}})
        self.assertEqual(bad.code, 400)

    async def test_delete_is_204_then_gone(self):
        client = await serve_compute(self)
        created = await client.create_active("doomed")
        reply = await client.delete("/servers/" + created["id"])
        self.assertEqual(reply.code, 204)
        self.assertIsNone(reply.body)
        await client.wait_for(created["id"], "DELETED")
        gone = await client.get("/servers/" + created["id"])
        self.assertEqual(gone.code, 404)
        self.assertEqual(list(gone.body), ["itemNotFound"])

    async def test_delete_of_a_protected_server_is_204_and_keeps_it(self):
        """nova's compute API returns early for a server whose termination is disabled."""
        client = await serve_compute(self)
        created = await client.create_active("kept")
        context = RequestContext(user_id="alice", project_id="p1")
        await client.served.compute.api.set_instance_attributes(
            context, created["id"], disable_terminate=True)
        reply = await client.delete("/servers/" + created["id"])
        self.assertEqual(reply.code, 204)
        self.assertIsNone(reply.body)
        shown = await client.get("/servers/" + created["id"])
        self.assertEqual(shown.code, 200)
        self.assertEqual(shown.body["server"]["status"], "ACTIVE")
        self.assertIsNone(shown.body["server"].get("OS-EXT-STS:task_state"))

    async def test_unknown_server_is_404(self):
        client = await serve_compute(self)
        for method in ("GET", "DELETE"):
            reply = await client.request(method, "/servers/3d5a4a0e-0000-4000-8000-000000000000")
            self.assertEqual(reply.code, 404)
            self.assertIn("could not be found", reply.body["itemNotFound"]["message"])


class UpdateAtNewVersionsTests(TestCase):
    """What nova's update takes at 2.90, 2.94 and 2.104, and what it refuses."""

    async def test_update_takes_every_field_nova_takes(self):
        client = await serve_compute(self)
        created = await client.create_active("before")
        path = "/servers/" + created["id"]
        for version, server in (
            ("2.90", {"hostname": "web-1"}),
            ("2.94", {"hostname": "web-1.example.org"}),
            ("2.94", {"hostname": "web_1"}),
            ("2.104", {"name": "after", "description": None, "hostname": "web", "accessIPv4": "192.0.2.1",
                       "accessIPv6": "2001:db8::1", "OS-DCF:diskConfig": "AUTO",
                       "pinned_availability_zone": None}),
            ("latest", {}),
        ):
            reply = await client.at(version).put(path, {"server": server})
            self.assertEqual(reply.code, 200, (version, server, reply.body))
        shown = (await client.at("latest").get(path)).body["server"]
        self.assertEqual((shown["name"], shown["description"], shown["accessIPv4"], shown["accessIPv6"]),
                         ("after", None, "192.0.2.1", "2001:db8::1"))
        self.assertIsNone(shown["pinned_availability_zone"])

    async def test_pin_only_to_the_zone_the_server_is_in(self):
        client = await serve_compute(self)
        created = await client.create_active("pinned")
        path = "/servers/" + created["id"]
        latest = client.at("2.104")
        zone = created["OS-EXT-AZ:availability_zone"]
        elsewhere = await latest.put(path, {"server": {"pinned_availability_zone": "elsewhere"}})
        self.assertEqual(elsewhere.code, 409, elsewhere.body)
        self.assertIn("can only be pinned to the zone it is in", elsewhere.body["conflictingRequest"]["message"])
        for pin in (zone, zone):
            reply = await latest.put(path, {"server": {"pinned_availability_zone": pin}})
            self.assertEqual(reply.code, 200, reply.body)
            self.assertEqual(reply.body["server"]["pinned_availability_zone"], zone)
        self.assertEqual((await latest.get(path)).body["server"]["pinned_availability_zone"], zone)
        moved = await latest.put(path, {"server": {"pinned_availability_zone": "elsewhere", "name": "moved"}})
        self.assertEqual(moved.code, 409, moved.body)
        self.assertIn("is pinned to availability zone %s" % zone, moved.body["conflictingRequest"]["message"])
        self.assertEqual((await latest.get(path)).body["server"]["name"], "pinned")
        unpinned = await latest.put(path, {"server": {"pinned_availability_zone": None}})
        self.assertEqual(unpinned.code, 200, unpinned.body)
        self.assertIsNone((await latest.get(path)).body["server"]["pinned_availability_zone"])
        self.assertEqual((await latest.put(path, {"server": {"pinned_availability_zone": "elsewhere"}})).code, 409)

    async def test_a_zone_asked_for_at_create_pins_the_server(self):
        """
        From 2.96 a server shows the zone it was asked to be created in
        (nova's request spec zone), and null when none was asked for.
        """
        client = await serve_compute(self)
        asked = await client.create_active("asked", availability_zone="nova")
        free = await client.create_active("free")
        shown = client.at("2.96")
        self.assertEqual((await shown.get("/servers/" + asked["id"])).body["server"]["pinned_availability_zone"],
                         "nova")
        self.assertIsNone((await shown.get("/servers/" + free["id"])).body["server"]["pinned_availability_zone"])
        self.assertNotIn("pinned_availability_zone",
                         (await client.at("2.95").get("/servers/" + asked["id"])).body["server"])

    async def test_bad_updates_are_400_and_change_nothing(self):
        client = await serve_compute(self)
        created = await client.create_active("kept")
        path = "/servers/" + created["id"]
        for version, server, contains in (
            ("2.103", {"pinned_availability_zone": None}, "pinned_availability_zone"),
            ("2.104", {"pinned_availability_zone": ""}, "pinned_availability_zone"),
            ("2.104", {"pinned_availability_zone": 5}, "pinned_availability_zone"),
            ("2.104", {"name": "x", "color": "red"}, "'color' was unexpected"),
            ("2.104", {"name": "x", "flavorRef": "2"}, "'flavorRef' was unexpected"),
            ("2.89", {"hostname": "web"}, "'hostname' was unexpected"),
            ("2.93", {"hostname": "web.example.org"}, "hostname"),
            ("2.94", {"hostname": "web host"}, "hostname"),
            ("2.18", {"description": "d"}, "'description' was unexpected"),
        ):
            reply = await client.at(version).put(path, {"server": server})
            self.assertEqual(reply.code, 400, (version, server, reply.body))
            self.assertIn(contains, reply.body["badRequest"]["message"])
        self.assertEqual((await client.get(path)).body["server"]["name"], "kept")


class ListTests(TestCase):
    async def test_index_and_detail(self):
        client = await serve_compute(self)
        created = await client.create_active("listed")
        index = await client.get("/servers")
        self.assertEqual(index.body["servers"], [{
            "id": created["id"], "name": "listed", "links": created["links"],
        }])
        detail = await client.get("/servers/detail")
        (server,) = detail.body["servers"]
        self.assertEqual(server["status"], "ACTIVE")
        self.assertEqual(server["OS-EXT-STS:vm_state"], "active")

    async def test_paging_with_next_links(self):
        client = await serve_compute(self)
        for i in range(5):
            await client.create("p%d" % i)
        seen = []
        path = "/servers?limit=2"
        for _ in range(5):
            reply = await client.get(path)
            seen.extend(s["id"] for s in reply.body["servers"])
            links = reply.body.get("servers_links")
            if not links:
                break
            path = links[0]["href"].split("/v2.1", 1)[1]
        self.assertEqual(len(seen), 5)
        self.assertEqual(len(set(seen)), 5)

    async def test_filters(self):
        client = await serve_compute(self)
        await client.create("alpha")
        await client.create("beta", flavorRef=SMALL)
        by_name = await client.get("/servers?name=alp")
        self.assertEqual([s["name"] for s in by_name.body["servers"]], ["alpha"])
        by_flavor = await client.get("/servers?flavor=" + SMALL)
        self.assertEqual([s["name"] for s in by_flavor.body["servers"]], ["beta"])
        ordered = await client.get("/servers?sort_key=display_name&sort_dir=asc")
        self.assertEqual([s["name"] for s in ordered.body["servers"]], ["alpha", "beta"])
        ignored = await client.get("/servers?host=anything")
        self.assertEqual(len(ignored.body["servers"]), 2)

    async def test_bad_queries_are_400(self):
        client = await serve_compute(self)
        for query, words in (
            ("marker=3d5a4a0e-0000-4000-8000-000000000000", "3d5a4a0e-0000-4000-8000-000000000000"),
            ("limit=-1", "limit"),
            ("limit=lots", "limit"),
            ("sort_key=password", "sort_key"),
            ("sort_dir=sideways", "sort_dir"),
            ("changes-since=yesterday", "changes-since"),
        ):
            reply = await client.get("/servers/detail?" + query)
            self.assertEqual(reply.code, 400, query)
            self.assertIn(words, reply.body["badRequest"]["message"])

    async def test_changes_since_shows_deleted_servers(self):
        client = await serve_compute(self)
        created = await client.create_active("old")
        await client.delete("/servers/" + created["id"])
        await client.wait_for(created["id"], "DELETED")
        reply = await client.get("/servers/detail?changes-since=2000-01-01T00:00:00Z")
        (server,) = reply.body["servers"]
        self.assertEqual(server["status"], "DELETED")


    async def _listings_asked_together(self, conf):
        """
        Listings that arrive together share one read and, per shape, one
        encoding; each answer is still the one its request would get alone,
        and a listing after a change shows the change.
        """
        client = await serve_compute(self, conf)
        created = await client.create_active("shared")
        admin = client.as_user("admin", "p1")
        callers = (client, client.at("2.73"), admin, admin.at("2.73"))
        paths = ("/servers/detail", "/servers", "/servers/detail?limit=1")
        alone = [(await c.get(path)).body for c in callers for path in paths]
        together = await gatherResults(
            [ensureDeferred(c.get(path)) for _ in range(2) for c in callers for path in paths])
        self.assertEqual([reply.body for reply in together], alone * 2)
        shown = dict(zip(("2.1", "2.73", "admin", "admin 2.73"), (body["servers"][0] for body in alone[::len(paths)])))
        self.assertNotIn("locked_reason", shown["2.1"])
        self.assertIn("locked_reason", shown["2.73"])
        self.assertNotIn("OS-EXT-SRV-ATTR:host", shown["2.73"])
        self.assertIn("OS-EXT-SRV-ATTR:host", shown["admin 2.73"])
        self.assertIn("servers_links", alone[2])
        await client.put("/servers/" + created["id"], {"server": {"name": "renamed"}})
        after = await gatherResults([ensureDeferred(client.get("/servers/detail")) for _ in range(3)])
        self.assertEqual([r.body["servers"][0]["name"] for r in after], ["renamed"] * 3)

    def test_listings_asked_together_share_encodings(self):
        """With no controller extension on servers, a batch shares its encoded answers."""
        conf = fast_config()
        conf.set_override("extensions_blacklist", ["example-server-colour"], "osapi_v21")
        return ensureDeferred(self._listings_asked_together(conf))

    def test_listings_asked_together_with_a_controller_extension(self):
        """A controller extension on servers (the example plugin's) gets every document."""
        return ensureDeferred(self._listings_asked_together(None))


class IsolationTests(TestCase):
    """Another project's servers do not exist for a user; admins see all with all_tenants."""

    async def test_projects_see_only_their_servers(self):
        alice = await serve_compute(self)
        bob = alice.as_user("bob", "p2")
        admin = alice.as_user("admin", "admin")
        mine = await alice.create_active("alices")
        self.assertEqual((await bob.get("/servers")).body["servers"], [])
        for reply in (
            await bob.get("/servers/" + mine["id"]),
            await bob.delete("/servers/" + mine["id"]),
            await bob.put("/servers/" + mine["id"], {"server": {"name": "mine"}}),
            await bob.action(mine["id"], {"os-stop": None}),
            await bob.get("/servers/%s/metadata" % mine["id"]),
            await bob.get("/servers/%s/ips" % mine["id"]),
        ):
            self.assertEqual(reply.code, 404, reply.body)
        self.assertEqual((await admin.get("/servers")).body["servers"], [])
        everyone = await admin.get("/servers?all_tenants=1")
        self.assertEqual([s["id"] for s in everyone.body["servers"]], [mine["id"]])
        refused = await bob.get("/servers?all_tenants=1")
        self.assertEqual(refused.code, 403)
        shown = await alice.get("/servers/" + mine["id"])
        self.assertEqual(shown.body["server"]["name"], "alices")
