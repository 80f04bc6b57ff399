"""
The network through the compute API over HTTP: a server's real groups and
addresses, the create's C{networks} and C{security_groups}, the security
group and floating IP actions, and nova's proxies below 2.36 with nova's
answers to bad input.
"""

from __future__ import annotations

from twisted.internet import reactor
from twisted.internet.task import deferLater

from novatx.config import make_config
from novatx.extensions.compute.test._http import ComputeAPITestCase, async_test


class NetworkingTestCase(ComputeAPITestCase):
    async def boot(self, name: str = "vm", user: str = "alice", project: str = "p1",
                   version: str = "2.1", **fields) -> dict:
        images = await self.get("/image/v2/images?name=cirros", user=user, project=project)
        body = {"server": dict({"name": name, "flavorRef": "1",
                                "imageRef": images.body["images"][0]["id"]}, **fields)}
        created = await self.post("/v2.1/servers", body, user=user, project=project,
                                  version=version)
        self.assertEqual(created.code, 202, created.text)
        return created.body["server"]

    async def settled(self, server_id: str, user: str = "alice", project: str = "p1") -> dict:
        """The server once it has left BUILD (the test's driver is fast)."""
        for _ in range(200):
            server = (await self.get("/v2.1/servers/" + server_id, user=user,
                                     project=project)).body["server"]
            if server["status"] != "BUILD":
                return server
            await deferLater(reactor, 0.05)
        raise AssertionError("server %s still building" % server_id)

    async def action(self, server_id: str, body: dict, version: str = "2.1", **kwargs):
        return await self.post("/v2.1/servers/%s/action" % server_id, body, version=version,
                               **kwargs)


class ServerNetworkingTests(NetworkingTestCase):
    @async_test
    async def test_a_server_shows_its_groups_and_addresses(self) -> None:
        await self.start()
        created = await self.boot()
        self.assertEqual([{"name": "default"}], created["security_groups"])
        server = await self.settled(created["id"])
        self.assertEqual([{"name": "default"}], server["security_groups"])
        [fixed] = server["addresses"]["private"]
        self.assertEqual(("fixed", 4), (fixed["OS-EXT-IPS:type"], fixed["version"]))
        self.assertTrue(fixed["OS-EXT-IPS-MAC:mac_addr"].startswith("fa:16:3e:"))
        fip = await self.post("/v2.1/os-floating-ips", {"pool": "public"})
        self.assertEqual(200, fip.code, fip.text)
        address = fip.body["floating_ip"]["ip"]
        added = await self.action(created["id"], {"addFloatingIp": {"address": address}})
        self.assertEqual(202, added.code, added.text)
        server = await self.settled(created["id"])
        self.assertEqual([("fixed", fixed["addr"]), ("floating", address)],
                         [(a["OS-EXT-IPS:type"], a["addr"])
                          for a in server["addresses"]["private"]])
        ips = await self.get("/v2.1/servers/%s/ips/private" % created["id"])
        self.assertEqual({"private": [{"version": 4, "addr": fixed["addr"]},
                                      {"version": 4, "addr": address}]}, ips.body)
        listed = await self.get("/v2.1/servers/detail")
        self.assertEqual(server["addresses"], listed.body["servers"][0]["addresses"])
        shown = await self.get("/v2.1/os-floating-ips/" + fip.body["floating_ip"]["id"])
        self.assertEqual({"id": fip.body["floating_ip"]["id"], "ip": address, "pool": "public",
                          "fixed_ip": fixed["addr"], "instance_id": created["id"]},
                         shown.body["floating_ip"])

    @async_test
    async def test_a_create_s_groups_and_networks_are_checked(self) -> None:
        await self.start()
        web = await self.post("/v2.1/os-security-groups",
                              {"security_group": {"name": "web", "description": "front"}})
        self.assertEqual(200, web.code, web.text)
        created = await self.boot(security_groups=[{"name": "web"}])
        self.assertEqual([{"name": "web"}], created["security_groups"])
        server = await self.settled(created["id"])
        self.assertEqual([{"name": "web"}], server["security_groups"])
        images = await self.get("/image/v2/images?name=cirros")
        image = images.body["images"][0]["id"]
        private = (await self.get("/v2.1/os-tenant-networks")).body["networks"][0]["id"]
        for extra, version, code, message in [
            ({"security_groups": [{"name": "nope"}]}, "2.1", 400,
             "Security group nope not found."),
            ({"networks": [{"uuid": "8b0ab8a3-4fc6-4c1f-9a88-1d1d1e1e1e1e"}]}, "2.37", 400,
             "Network 8b0ab8a3-4fc6-4c1f-9a88-1d1d1e1e1e1e could not be found."),
            ({"networks": [{"uuid": private, "fixed_ip": server["addresses"]["private"][0][
                "addr"]}]}, "2.37", 400, "is already in use"),
            ({"networks": [{"uuid": private, "fixed_ip": "192.168.9.9"}]}, "2.37", 400,
             "is not a valid ip address"),
        ]:
            body = {"server": dict({"name": "x", "flavorRef": "1", "imageRef": image}, **extra)}
            answer = await self.post("/v2.1/servers", body, version=version)
            self.assertFault(answer, code, "badRequest", message)
        servers = await self.get("/v2.1/servers")
        self.assertEqual(1, len(servers.body["servers"]))
        bare = await self.settled((await self.boot("bare", networks="none",
                                                   version="2.37"))["id"])
        self.assertEqual(({}, None), (bare["addresses"], bare.get("security_groups")))
        tagged = await self.boot("tagged", networks=[{"uuid": private, "tag": "eth"}],
                                 version="2.42")
        self.assertEqual("ACTIVE", (await self.settled(tagged["id"]))["status"])

    @async_test
    async def test_servers_join_and_leave_groups(self) -> None:
        await self.start()
        server = await self.settled((await self.boot())["id"])
        created = await self.post("/v2.1/os-security-groups",
                                  {"security_group": {"name": "web", "description": ""}})
        added = await self.action(server["id"], {"addSecurityGroup": {"name": "web"}},
                                  version="latest")
        self.assertEqual(202, added.code, added.text)
        listed = await self.get("/v2.1/servers/%s/os-security-groups" % server["id"])
        self.assertEqual(["default", "web"],
                         sorted(g["name"] for g in listed.body["security_groups"]))
        self.assertFault(await self.action(server["id"], {"addSecurityGroup": {"name": "web"}}),
                         400, "badRequest", "already associated")
        self.assertFault(await self.action(server["id"], {"addSecurityGroup": {"name": "no"}}),
                         404, "itemNotFound", "Security group no not found.")
        self.assertFault(await self.action(server["id"], {"addSecurityGroup": {}}),
                         400, "badRequest")
        self.assertFault(await self.delete("/v2.1/os-security-groups/" +
                                           created.body["security_group"]["id"]),
                         400, "badRequest", "in use")
        self.assertFault(await self.action(server["id"], {"addSecurityGroup": {"name": "web"}},
                                           user="bob", project="p2"),
                         404, "itemNotFound")
        removed = await self.action(server["id"], {"removeSecurityGroup": {"name": "web"}})
        self.assertEqual(202, removed.code, removed.text)
        self.assertFault(await self.action(server["id"],
                                           {"removeSecurityGroup": {"name": "web"}}),
                         400, "badRequest", "not associated")
        shown = await self.get("/v2.1/servers/" + server["id"])
        self.assertEqual([{"name": "default"}], shown.body["server"]["security_groups"])


class SecurityGroupProxyTests(NetworkingTestCase):
    @async_test
    async def test_groups_and_rules_as_nova_shows_them(self) -> None:
        await self.start()
        listed = await self.get("/v2.1/os-security-groups")
        [default] = listed.body["security_groups"]
        self.assertFault(await self.delete("/v2.1/os-security-groups/"), 404, "itemNotFound")
        self.assertEqual(("default", "p1"), (default["name"], default["tenant_id"]))
        self.assertEqual([{"name": "default", "tenant_id": "p1"}] * 2,
                         [rule["group"] for rule in default["rules"]])
        web = (await self.post("/v2.1/os-security-groups", {"security_group": {
            "name": "web", "description": "front"}})).body["security_group"]
        self.assertEqual({"id": web["id"], "name": "web", "description": "front",
                          "tenant_id": "p1", "rules": []}, web)
        rule = await self.post("/v2.1/os-security-group-rules", {"security_group_rule": {
            "parent_group_id": web["id"], "ip_protocol": "tcp", "from_port": 22,
            "to_port": 22, "cidr": "10.0.0.0/8"}})
        self.assertEqual(200, rule.code, rule.text)
        self.assertEqual({"id": rule.body["security_group_rule"]["id"],
                          "parent_group_id": web["id"], "ip_protocol": "tcp",
                          "from_port": 22, "to_port": 22, "group": {},
                          "ip_range": {"cidr": "10.0.0.0/8"}},
                         rule.body["security_group_rule"])
        shown = await self.get("/v2.1/os-security-groups/" + web["id"])
        self.assertEqual([rule.body["security_group_rule"]], shown.body["security_group"]["rules"])
        kept = await self.post("/v2.1/os-security-group-rules", {"security_group_rule": {
            "parent_group_id": web["id"], "ip_protocol": "tcp", "from_port": 80,
            "to_port": 80, "cidr": "10.2.3.124/24"}})
        self.assertEqual({"cidr": "10.2.3.124/24"}, kept.body["security_group_rule"]["ip_range"])
        self.assertEqual(202, (await self.delete("/v2.1/os-security-group-rules/" +
                                                 kept.body["security_group_rule"]["id"])).code)
        updated = await self.put("/v2.1/os-security-groups/" + web["id"], {
            "security_group": {"name": "www", "description": "renamed"}})
        self.assertEqual(("www", "renamed"), (updated.body["security_group"]["name"],
                                              updated.body["security_group"]["description"]))
        deleted = await self.delete("/v2.1/os-security-group-rules/" +
                                    rule.body["security_group_rule"]["id"])
        self.assertEqual(202, deleted.code, deleted.text)
        self.assertEqual(202, (await self.delete("/v2.1/os-security-groups/" + web["id"])).code)
        self.assertFault(await self.get("/v2.1/os-security-groups", version="2.36"),
                         404, "itemNotFound")

    @async_test
    async def test_bad_groups_and_rules_are_refused_and_nothing_is_written(self) -> None:
        await self.start()
        web = (await self.post("/v2.1/os-security-groups", {"security_group": {
            "name": "web", "description": ""}})).body["security_group"]
        good = {"parent_group_id": web["id"], "ip_protocol": "tcp", "from_port": 80,
                "to_port": 80, "cidr": "0.0.0.0/0"}
        self.assertEqual(200, (await self.post("/v2.1/os-security-group-rules",
                                               {"security_group_rule": good})).code)
        default = [g for g in (await self.get("/v2.1/os-security-groups")).body[
            "security_groups"] if g["name"] == "default"][0]
        for rule, code, name, message in [
            (good, 400, "badRequest", "This rule already exists"),
            (dict(good, ip_protocol="tcpx"), 400, "badRequest", "Invalid IP protocol tcpx."),
            (dict(good, from_port=90, to_port=80), 400, "badRequest", "Former value"),
            (dict(good, from_port=0, to_port=70000), 400, "badRequest", "1-65535"),
            (dict(good, cidr="10.0.0.0/33"), 400, "badRequest", "Invalid cidr"),
            (dict(good, ip_protocol="icmp", from_port=300, to_port=1), 400, "badRequest", ""),
            (dict(good, parent_group_id="nope"), 400, "badRequest",
             "Security group id should be uuid"),
            (dict(good, group_id="nope", cidr=None), 400, "badRequest",
             "Security group id should be uuid"),
            (dict(good, parent_group_id="3d5a4a0e-0000-4000-8000-000000000000"), 404,
             "itemNotFound", "not found"),
        ]:
            answer = await self.post("/v2.1/os-security-group-rules",
                                     {"security_group_rule": rule})
            self.assertFault(answer, code, name, message)
        for body in ({"security_group": {"name": "", "description": ""}},
                     {"security_group": {"name": "x" * 256, "description": ""}},
                     {"security_group": {"name": "x"}}):
            self.assertFault(await self.post("/v2.1/os-security-groups", body),
                             400, "badRequest")
        self.assertFault(await self.delete("/v2.1/os-security-groups/" + default["id"]),
                         400, "badRequest")
        self.assertFault(await self.get("/v2.1/os-security-groups/" + web["id"],
                                        user="bob", project="p2"), 404, "itemNotFound")
        self.assertFault(await self.delete("/v2.1/os-security-groups/" + web["id"],
                                           user="bob", project="p2"), 404, "itemNotFound")
        shown = await self.get("/v2.1/os-security-groups/" + web["id"])
        self.assertEqual(1, len(shown.body["security_group"]["rules"]))
        self.assertEqual(["default", "web"], sorted(
            g["name"] for g in (await self.get("/v2.1/os-security-groups")).body[
                "security_groups"]))


class FloatingIPProxyTests(NetworkingTestCase):
    @async_test
    async def test_floating_ips_from_a_pool_until_it_is_empty(self) -> None:
        conf = make_config([])
        conf.set_override("floating_range", "192.0.2.0/30", "network")
        await self.start(conf)
        pools = await self.get("/v2.1/os-floating-ip-pools")
        self.assertEqual({"floating_ip_pools": [{"name": "public"}]}, pools.body)
        fip = await self.post("/v2.1/os-floating-ips", None)
        self.assertEqual(200, fip.code, fip.text)
        self.assertEqual({"ip": "192.0.2.2", "pool": "public", "fixed_ip": None,
                          "instance_id": None},
                         {k: v for k, v in fip.body["floating_ip"].items() if k != "id"})
        self.assertFault(await self.post("/v2.1/os-floating-ips", {"pool": "public"}),
                         404, "itemNotFound", "No more floating IPs in pool public.")
        self.assertFault(await self.post("/v2.1/os-floating-ips", {"pool": "nowhere"}),
                         404, "itemNotFound", "Floating IP pool not found.")
        listed = await self.get("/v2.1/os-floating-ips")
        self.assertEqual([fip.body["floating_ip"]], listed.body["floating_ips"])
        self.assertEqual({"floating_ips": []},
                         (await self.get("/v2.1/os-floating-ips", user="bob",
                                         project="p2")).body)
        self.assertFault(await self.delete("/v2.1/os-floating-ips/" + fip.body["floating_ip"][
            "id"], user="bob", project="p2"), 404, "itemNotFound")
        self.assertEqual(202, (await self.delete("/v2.1/os-floating-ips/" +
                                                 fip.body["floating_ip"]["id"])).code)
        again = await self.post("/v2.1/os-floating-ips", {"pool": "public"})
        self.assertEqual("192.0.2.2", again.body["floating_ip"]["ip"])
        self.assertFault(await self.get("/v2.1/os-floating-ips", version="2.36"),
                         404, "itemNotFound")

    @async_test
    async def test_the_actions_until_2_43(self) -> None:
        await self.start()
        first = await self.settled((await self.boot("first"))["id"])
        second = await self.settled((await self.boot("second"))["id"])
        address = (await self.post("/v2.1/os-floating-ips", None)).body["floating_ip"]["ip"]
        add = {"addFloatingIp": {"address": address}}
        self.assertFault(await self.action(first["id"], add, version="2.44"),
                         404, "itemNotFound")
        self.assertEqual(202, (await self.action(second["id"], add, version="2.43")).code)
        self.assertEqual(202, (await self.action(first["id"], add)).code)
        fips = (await self.get("/v2.1/os-floating-ips")).body["floating_ips"]
        self.assertEqual([first["id"]], [f["instance_id"] for f in fips])
        self.assertFault(await self.action(second["id"], {"removeFloatingIp": {
            "address": address}}), 409, "conflictingRequest", "is not associated")
        another = (await self.post("/v2.1/os-floating-ips", None)).body["floating_ip"]["ip"]
        self.assertFault(await self.action(first["id"], {"addFloatingIp": {
            "address": another}}), 400, "badRequest", "already associated")
        self.assertFault(await self.action(second["id"], {"addFloatingIp": {
            "address": "198.51.100.7"}}), 404, "itemNotFound", "floating IP not found")
        self.assertFault(await self.action(second["id"], {"addFloatingIp": {
            "address": "not an address"}}), 400, "badRequest")
        self.assertFault(await self.action(first["id"], {"addFloatingIp": {
            "address": address}}, user="bob", project="p2"), 404, "itemNotFound")
        removed = await self.action(first["id"], {"removeFloatingIp": {"address": address}})
        self.assertEqual(202, removed.code, removed.text)
        shown = (await self.get("/v2.1/servers/" + first["id"])).body["server"]
        self.assertEqual(["fixed"], [a["OS-EXT-IPS:type"]
                                     for a in shown["addresses"]["private"]])


class NetworkProxyTests(NetworkingTestCase):
    @async_test
    async def test_networks_through_nova_s_proxies(self) -> None:
        await self.start()
        networks = (await self.get("/v2.1/os-networks", version="2.35")).body["networks"]
        self.assertEqual(["private", "public"], sorted(n["label"] for n in networks))
        private = [n for n in networks if n["label"] == "private"][0]
        self.assertEqual(("10.0.0.0/24", "10.0.0.1", "255.255.255.0"),
                         (private["cidr"], private["gateway"], private["netmask"]))
        self.assertNotIn("project_id", private)
        admin = (await self.get("/v2.1/os-networks/" + private["id"], user="admin")).body
        self.assertIn("project_id", admin["network"])
        tenant = (await self.get("/v2.1/os-tenant-networks")).body["networks"]
        self.assertEqual([{"id": private["id"], "label": "private", "cidr": "10.0.0.0/24"}],
                         tenant)
        self.assertFault(await self.get("/v2.1/os-networks/nope"), 404, "itemNotFound")
        self.assertFault(await self.post("/v2.1/os-networks", {"network": {}}), 410,
                         "computeFault")
        self.assertFault(await self.get("/v2.1/os-networks", version="2.36"), 404,
                         "itemNotFound")


class InterfaceTests(NetworkingTestCase):
    @async_test
    async def test_attach_list_show_and_detach(self) -> None:
        await self.start()
        server = await self.settled((await self.boot())["id"])
        base = "/v2.1/servers/%s/os-interface" % server["id"]
        [first] = (await self.get(base)).body["interfaceAttachments"]
        self.assertEqual(("ACTIVE", server["addresses"]["private"][0]["addr"]),
                         (first["port_state"], first["fixed_ips"][0]["ip_address"]))
        public = [n for n in (await self.get("/v2.1/os-networks")).body["networks"]
                  if n["label"] == "public"][0]
        attached = await self.post(base, {"interfaceAttachment": {
            "net_id": public["id"], "fixed_ips": [{"ip_address": "172.24.4.20"}]}})
        self.assertEqual(200, attached.code, attached.text)
        second = attached.body["interfaceAttachment"]
        self.assertEqual((public["id"], "172.24.4.20"),
                         (second["net_id"], second["fixed_ips"][0]["ip_address"]))
        shown = await self.get(base + "/" + second["port_id"])
        self.assertEqual(second, shown.body["interfaceAttachment"])
        addresses = (await self.get("/v2.1/servers/" + server["id"])).body["server"][
            "addresses"]
        self.assertEqual(["private", "public"], sorted(addresses))
        for body, code, name in [
            ({"interfaceAttachment": {"net_id": public["id"], "port_id": first["port_id"]}},
             400, "badRequest"),
            ({"interfaceAttachment": {"fixed_ips": [{"ip_address": "10.0.0.9"}]}}, 400,
             "badRequest"),
            ({"interfaceAttachment": {"port_id": first["port_id"]}}, 409,
             "conflictingRequest"),
            ({"interfaceAttachment": {"net_id": "8b0ab8a3-4fc6-4c1f-9a88-1d1d1e1e1e1e"}}, 404,
             "itemNotFound"),
        ]:
            self.assertFault(await self.post(base, body), code, name)
        self.assertEqual(2, len((await self.get(base)).body["interfaceAttachments"]))
        third = await self.post(base, {"interfaceAttachment": {}})
        self.assertEqual((200, first["net_id"]), (third.code, third.body["interfaceAttachment"][
            "net_id"]))
        self.assertFault(await self.get(base, user="bob", project="p2"), 404, "itemNotFound")
        detached = await self.delete(base + "/" + first["port_id"])
        self.assertEqual(202, detached.code, detached.text)
        self.assertFault(await self.delete(base + "/" + first["port_id"]), 404,
                         "itemNotFound")
        remaining = (await self.get(base)).body["interfaceAttachments"]
        self.assertEqual([second["port_id"], third.body["interfaceAttachment"]["port_id"]],
                         [i["port_id"] for i in remaining])
        addresses = (await self.get("/v2.1/servers/" + server["id"])).body["server"][
            "addresses"]
        self.assertEqual(["private", "public"], sorted(addresses))


class MultinicTests(NetworkingTestCase):
    @async_test
    async def test_fixed_addresses_added_and_removed_until_2_43(self) -> None:
        await self.start()
        server = await self.settled((await self.boot())["id"])
        private = (await self.get("/v2.1/os-tenant-networks")).body["networks"][0]["id"]
        add = {"addFixedIp": {"networkId": private}}
        self.assertFault(await self.action(server["id"], add, version="2.44"),
                         404, "itemNotFound")
        self.assertEqual(202, (await self.action(server["id"], add, version="2.43")).code)
        addresses = (await self.get("/v2.1/servers/" + server["id"])).body["server"][
            "addresses"]["private"]
        self.assertEqual(2, len(addresses))
        added = [a["addr"] for a in addresses
                 if a["addr"] != server["addresses"]["private"][0]["addr"]][0]
        self.assertFault(await self.action(server["id"], {"addFixedIp": {"networkId": "nope"}}),
                         400, "badRequest")
        self.assertFault(await self.action(server["id"], {"removeFixedIp": {
            "address": "10.9.9.9"}}), 400, "badRequest")
        removed = await self.action(server["id"], {"removeFixedIp": {"address": added}})
        self.assertEqual(202, removed.code, removed.text)
        addresses = (await self.get("/v2.1/servers/" + server["id"])).body["server"][
            "addresses"]["private"]
        self.assertEqual([server["addresses"]["private"][0]["addr"]],
                         [a["addr"] for a in addresses])
