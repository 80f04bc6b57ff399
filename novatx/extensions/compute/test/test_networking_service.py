"""
The Networking API v2.0 subset under C{/networking} over HTTP: discovery,
neutron's documents, filters, C{fields=}, pagination, and neutron's errors
for bad input, with nothing half-written.
"""

from __future__ import annotations

from twisted.internet import reactor
from twisted.internet.task import deferLater

from novatx.config import make_config
from novatx.extensions.compute.test._http import ComputeAPITestCase, async_test
from novatx.extensions.compute.test.test_networking import NetworkingTestCase

N = "/networking/v2.0"


class DiscoveryTests(ComputeAPITestCase):
    @async_test
    async def test_versions_resources_and_extensions(self) -> None:
        await self.start()
        for path in ("/networking", "/networking/"):
            versions = await self.get(path, user=None)
            self.assertEqual(200, versions.code, versions.text)
            [version] = versions.body["versions"]
            self.assertEqual(("v2.0", "CURRENT", self.served.url + "/networking/v2.0/"),
                             (version["id"], version["status"], version["links"][0]["href"]))
        resources = await self.get(N)
        self.assertIn("security-groups",
                      [r["collection"] for r in resources.body["resources"]])
        extensions = await self.get(N + "/extensions")
        self.assertIn("security-group", [e["alias"] for e in extensions.body["extensions"]])
        missing = await self.get(N + "/extensions/nothing")
        self.assertEqual((404, "HTTPNotFound"), (missing.code, missing.body["NeutronError"][
            "type"]))


class NetworksTests(ComputeAPITestCase):
    @async_test
    async def test_networks_and_subnets_with_filters_and_fields(self) -> None:
        await self.start()
        networks = (await self.get(N + "/networks")).body["networks"]
        self.assertEqual(["private", "public"], sorted(n["name"] for n in networks))
        public = (await self.get(N + "/networks?router:external=True")).body["networks"]
        self.assertEqual(["public"], [n["name"] for n in public])
        cut = await self.get(N + "/networks?name=private&fields=id&fields=name")
        [private] = cut.body["networks"]
        self.assertEqual({"id", "name"}, set(private))
        subnets = (await self.get(N + "/subnets?network_id=" + private["id"])).body["subnets"]
        self.assertEqual([("10.0.0.0/24", "10.0.0.1",
                           [{"start": "10.0.0.2", "end": "10.0.0.254"}])],
                         [(s["cidr"], s["gateway_ip"], s["allocation_pools"]) for s in subnets])
        shown = await self.get(N + "/networks/" + private["id"])
        self.assertEqual([subnets[0]["id"]], shown.body["network"]["subnets"])
        missing = await self.get(N + "/networks/nope")
        self.assertEqual({"NeutronError": {"type": "NetworkNotFound",
                                           "message": "Network nope could not be found.",
                                           "detail": ""}}, missing.body)
        self.assertEqual(404, missing.code)
        bad = await self.get(N + "/networks?colour=blue")
        self.assertEqual((400, "HTTPBadRequest"), (bad.code, bad.body["NeutronError"]["type"]))


class SecurityGroupsTests(ComputeAPITestCase):
    @async_test
    async def test_groups_rules_and_neutron_s_refusals(self) -> None:
        await self.start()
        [default] = (await self.get(N + "/security-groups")).body["security_groups"]
        self.assertEqual(("default", 4), (default["name"],
                                          len(default["security_group_rules"])))
        created = await self.post(N + "/security-groups", {"security_group": {
            "name": "web", "description": "front"}})
        self.assertEqual(201, created.code, created.text)
        web = created.body["security_group"]
        self.assertEqual(["egress", "egress"],
                         [r["direction"] for r in web["security_group_rules"]])
        rule = {"security_group_id": web["id"], "direction": "ingress", "protocol": "tcp",
                "port_range_min": 22, "port_range_max": 22, "remote_ip_prefix": "0.0.0.0/0"}
        made = await self.post(N + "/security-group-rules", {"security_group_rule": rule})
        self.assertEqual(201, made.code, made.text)
        self.assertEqual((None, "tcp"), (made.body["security_group_rule"]["remote_ip_prefix"],
                                         made.body["security_group_rule"]["protocol"]))
        host_bits = await self.post(N + "/security-group-rules", {"security_group_rule": dict(
            rule, port_range_min=80, port_range_max=80, remote_ip_prefix="10.2.3.124/24")})
        self.assertEqual(("10.2.3.124/24", "10.2.3.0/24"),
                         (host_bits.body["security_group_rule"]["remote_ip_prefix"],
                          host_bits.body["security_group_rule"]["normalized_cidr"]))
        count = len((await self.get(N + "/security-group-rules")).body["security_group_rules"])
        for body, code, kind in [
            (rule, 409, "SecurityGroupRuleExists"),
            (dict(rule, port_range_min=80, port_range_max=80, remote_ip_prefix="10.2.3.0/24"),
             409, "SecurityGroupRuleExists"),
            (dict(rule, protocol="tcpx"), 400, "InvalidInput"),
            (dict(rule, port_range_min=30, port_range_max=20), 400, "InvalidInput"),
            (dict(rule, remote_ip_prefix="300.0.0.0/8"), 400, "InvalidInput"),
            (dict(rule, security_group_id="nope"), 404, "SecurityGroupNotFound"),
            ({"direction": "ingress"}, 400, "BadRequest"),
        ]:
            answer = await self.post(N + "/security-group-rules",
                                     {"security_group_rule": body})
            self.assertEqual((code, kind), (answer.code, answer.body["NeutronError"]["type"]),
                             answer.text)
        refused = await self.delete(N + "/security-groups/" + default["id"])
        self.assertEqual((409, "SecurityGroupCannotRemoveDefault"),
                         (refused.code, refused.body["NeutronError"]["type"]))
        for method, path in (("GET", "/security-groups/" + web["id"]),
                             ("DELETE", "/security-groups/" + web["id"]),
                             ("DELETE", "/security-group-rules/" +
                              made.body["security_group_rule"]["id"])):
            answer = await self.request(method, N + path, user="bob", project="p2")
            self.assertEqual(404, answer.code, answer.text)
        self.assertEqual(count, len((await self.get(N + "/security-group-rules")).body[
            "security_group_rules"]))
        self.assertEqual(204, (await self.delete(N + "/security-groups/" + web["id"])).code)

    @async_test
    async def test_pages_follow_markers_both_ways(self) -> None:
        await self.start()
        for name in ("a", "b", "c"):
            await self.post(N + "/security-groups", {"security_group": {"name": name}})
        every = sorted(g["id"] for g in (await self.get(N + "/security-groups")).body[
            "security_groups"])
        self.assertEqual(4, len(every))
        seen, path = [], N + "/security-groups?limit=3"
        while path:
            page = await self.get(path.replace(self.served.url, ""))
            self.assertIn("security_groups", page.body, (path, page.text))
            seen.extend(g["id"] for g in page.body["security_groups"])
            links = {link["rel"]: link["href"] for link in page.body.get(
                "security_groups_links", [])}
            path = links.get("next")
        self.assertEqual(every, seen)
        last = await self.get(N + "/security-groups?limit=2&page_reverse=True")
        self.assertEqual(every[-2:], [g["id"] for g in last.body["security_groups"]])
        bad = await self.get(N + "/security-groups?limit=x")
        self.assertEqual(400, bad.code)


class FloatingIPsTests(NetworkingTestCase):
    @async_test
    async def test_floating_ips_and_ports(self) -> None:
        conf = make_config([])
        conf.set_override("floating_range", "192.0.2.0/29", "network")
        await self.start(conf)
        server = await self.settled((await self.boot())["id"])
        public = (await self.get(N + "/networks?name=public")).body["networks"][0]
        [port] = (await self.get(N + "/ports?device_id=" + server["id"])).body["ports"]
        self.assertEqual(("compute:nova", "ACTIVE", server["addresses"]["private"][0]["addr"]),
                         (port["device_owner"], port["status"],
                          port["fixed_ips"][0]["ip_address"]))
        made = await self.post(N + "/floatingips", {"floatingip": {
            "floating_network_id": public["id"]}})
        self.assertEqual(201, made.code, made.text)
        fip = made.body["floatingip"]
        self.assertEqual(("192.0.2.2", "DOWN", None),
                         (fip["floating_ip_address"], fip["status"], fip["port_id"]))
        put = await self.put(N + "/floatingips/" + fip["id"],
                             {"floatingip": {"port_id": port["id"]}})
        self.assertEqual(("ACTIVE", port["fixed_ips"][0]["ip_address"]),
                         (put.body["floatingip"]["status"],
                          put.body["floatingip"]["fixed_ip_address"]))
        listed = await self.get(N + "/floatingips?port_id=" + port["id"])
        self.assertEqual([fip["id"]], [f["id"] for f in listed.body["floatingips"]])
        shown = (await self.get("/v2.1/servers/" + server["id"])).body["server"]
        self.assertEqual(["fixed", "floating"], [a["OS-EXT-IPS:type"]
                                                 for a in shown["addresses"]["private"]])
        kept = await self.put(N + "/floatingips/" + fip["id"],
                              {"floatingip": {"description": "web"}})
        self.assertEqual((port["id"], "web"), (kept.body["floatingip"]["port_id"],
                                               kept.body["floatingip"]["description"]))
        for _ in range(4):
            self.assertEqual(201, (await self.post(N + "/floatingips", {"floatingip": {
                "floating_network_id": public["id"]}})).code)
        empty = await self.post(N + "/floatingips", {"floatingip": {
            "floating_network_id": public["id"]}})
        self.assertEqual((409, "IpAddressGenerationFailure"),
                         (empty.code, empty.body["NeutronError"]["type"]))
        self.assertEqual(5, len((await self.get(N + "/floatingips")).body["floatingips"]))
        self.assertEqual(404, (await self.delete(N + "/floatingips/" + fip["id"],
                                                 user="bob", project="p2")).code)
        self.assertEqual(204, (await self.delete(N + "/floatingips/" + fip["id"])).code)
        private = (await self.get(N + "/networks?name=private")).body["networks"][0]
        taken = await self.post(N + "/ports", {"port": {
            "network_id": private["id"], "fixed_ips": [
                {"ip_address": port["fixed_ips"][0]["ip_address"]}]}})
        self.assertEqual((409, "IpAddressInUse"),
                         (taken.code, taken.body["NeutronError"]["type"]))
        outside = await self.post(N + "/ports", {"port": {
            "network_id": private["id"], "fixed_ips": [{"ip_address": "192.168.0.9"}]}})
        self.assertEqual((400, "InvalidInput"),
                         (outside.code, outside.body["NeutronError"]["type"]))
        self.assertEqual([port["id"]], [p["id"] for p in (await self.get(N + "/ports")).body[
            "ports"]])
        mine = await self.post(N + "/ports", {"port": {"network_id": private["id"],
                                                       "name": "spare"}})
        self.assertEqual((201, "DOWN"), (mine.code, mine.body["port"]["status"]))
        web = (await self.post(N + "/security-groups", {"security_group": {
            "name": "web"}})).body["security_group"]
        moved = await self.put(N + "/ports/" + port["id"], {"port": {
            "security_groups": [web["id"]], "name": "eth0"}})
        self.assertEqual(([web["id"]], "eth0"), (moved.body["port"]["security_groups"],
                                                 moved.body["port"]["name"]))
        shown = (await self.get("/v2.1/servers/" + server["id"])).body["server"]
        self.assertEqual([{"name": "web"}], shown["security_groups"])
        refused = await self.put(N + "/ports/" + port["id"], {"port": {
            "security_groups": ["nope"]}})
        self.assertEqual((404, "SecurityGroupNotFound"),
                         (refused.code, refused.body["NeutronError"]["type"]))
        self.assertEqual(404, (await self.put(N + "/ports/" + port["id"], {"port": {
            "name": "x"}}, user="bob", project="p2")).code)
        self.assertEqual(204, (await self.delete(N + "/ports/" + mine.body["port"]["id"])).code)
        in_use = await self.delete(N + "/ports/" + port["id"])
        self.assertEqual((409, "PortInUse"), (in_use.code, in_use.body["NeutronError"]["type"]))


class QuotaTests(ComputeAPITestCase):
    @async_test
    async def test_quotas_in_neutron_s_names(self) -> None:
        await self.start()
        await self.post(N + "/security-groups", {"security_group": {"name": "web"}})
        shown = await self.get(N + "/quotas/p1")
        self.assertEqual({"floatingip": 50, "security_group": 10, "security_group_rule": 100,
                          "port": 500, "network": 100}, shown.body["quota"])
        details = (await self.get(N + "/quotas/p1/details.json")).body["quota"]
        self.assertEqual({"limit": 10, "used": 2, "reserved": 0}, details["security_group"])
        self.assertEqual(50, (await self.get(N + "/quotas/p1/default")).body["quota"][
            "floatingip"])
        denied = await self.put(N + "/quotas/p1", {"quota": {"floatingip": 2}})
        self.assertEqual(403, denied.code, denied.text)
        self.assertEqual(403, (await self.get(N + "/quotas/p2")).code)
        changed = await self.put(N + "/quotas/p1", {"quota": {"floatingip": 2}}, user="admin")
        self.assertEqual(2, changed.body["quota"]["floatingip"])
        refused = await self.put(N + "/quotas/p1", {"quota": {"router": 2}}, user="admin")
        self.assertEqual((400, "InvalidInput"),
                         (refused.code, refused.body["NeutronError"]["type"]))
        public = (await self.get(N + "/networks?name=public")).body["networks"][0]
        for _ in range(2):
            await self.post(N + "/floatingips", {"floatingip": {
                "floating_network_id": public["id"]}})
        over = await self.post(N + "/floatingips", {"floatingip": {
            "floating_network_id": public["id"]}})
        self.assertEqual((409, "OverQuota"), (over.code, over.body["NeutronError"]["type"]))
        self.assertEqual("Quota exceeded for resources: ['floatingip'].",
                         over.body["NeutronError"]["message"])



class ProjectNetworksTests(NetworkingTestCase):
    async def _network(self, name: str, cidr: str) -> dict:
        made = await self.post(N + "/networks", {"network": {"name": name}})
        self.assertEqual(201, made.code, made.text)
        subnet = await self.post(N + "/subnets", {"subnet": {
            "network_id": made.body["network"]["id"], "cidr": cidr, "ip_version": 4}})
        self.assertEqual(201, subnet.code, subnet.text)
        return dict(made.body["network"], subnet=subnet.body["subnet"])

    @async_test
    async def test_a_project_boots_on_its_own_networks_in_the_order_asked(self) -> None:
        await self.start()
        one = await self._network("one", "19.80.0.0/24")
        two = await self._network("two", "19.86.0.0/24")
        self.assertEqual(("19.80.0.0/24", "19.80.0.1", one["id"]),
                         (one["subnet"]["cidr"], one["subnet"]["gateway_ip"],
                          one["subnet"]["network_id"]))
        shown = (await self.get(N + "/networks/" + one["id"])).body["network"]
        self.assertEqual(([one["subnet"]["id"]], "p1", False),
                         (shown["subnets"], shown["project_id"], shown["shared"]))
        others = (await self.get(N + "/networks", user="bob", project="p2")).body["networks"]
        self.assertNotIn(one["id"], [n["id"] for n in others])
        server = await self.boot(networks=[{"uuid": one["id"]}, {"uuid": two["id"]},
                                           {"uuid": one["id"]}])
        await self.settled(server["id"])
        addresses = (await self.get("/v2.1/servers/%s/ips" % server["id"])).body["addresses"]
        self.assertEqual((["19.80.0.2", "19.80.0.3"], ["19.86.0.2"]),
                         (sorted(a["addr"] for a in addresses["one"]),
                          [a["addr"] for a in addresses["two"]]))
        in_use = await self.delete(N + "/subnets/" + one["subnet"]["id"])
        self.assertEqual((409, "SubnetInUse"), (in_use.code, in_use.body["NeutronError"]["type"]))
        busy = await self.delete(N + "/networks/" + one["id"])
        self.assertEqual((409, "NetworkInUse"), (busy.code, busy.body["NeutronError"]["type"]))
        self.assertEqual(204, (await self.delete("/v2.1/servers/" + server["id"])).code)
        for _ in range(200):
            if not (await self.get(N + "/ports?network_id=" + one["id"])).body["ports"]:
                break
            await deferLater(reactor, 0.05)
        self.assertEqual(204, (await self.delete(N + "/subnets/" + one["subnet"]["id"])).code)
        self.assertEqual(204, (await self.delete(N + "/networks/" + one["id"])).code)
        self.assertEqual(404, (await self.get(N + "/networks/" + one["id"])).code)

    @async_test
    async def test_bad_networks_and_subnets_are_refused_and_nothing_is_made(self) -> None:
        await self.start()
        net = (await self.post(N + "/networks", {"network": {"name": "mine"}})).body["network"]
        await self.post(N + "/subnets", {"subnet": {"network_id": net["id"],
                                                    "cidr": "10.9.0.0/24"}})
        private = (await self.get(N + "/networks?name=private")).body["networks"][0]
        for path, body, code, kind in [
            ("/networks", {"network": {"name": "shared", "shared": True}}, 403,
             "PolicyNotAuthorized"),
            ("/networks", {"network": {"name": "mine"}}, 400, "InvalidInput"),
            ("/networks", {"network": {"shared": "maybe"}}, 400, "BadRequest"),
            ("/subnets", {"subnet": {"network_id": net["id"], "cidr": "10.9.0.128/25"}}, 400,
             "InvalidInput"),
            ("/subnets", {"subnet": {"network_id": net["id"], "cidr": "10.300.0.0/24"}}, 400,
             "InvalidInput"),
            ("/subnets", {"subnet": {"network_id": net["id"], "cidr": "fd00::/64",
                                     "ip_version": 4}}, 400, "InvalidInput"),
            ("/subnets", {"subnet": {"network_id": net["id"]}}, 400, "BadRequest"),
            ("/subnets", {"subnet": {"network_id": private["id"], "cidr": "10.8.0.0/24"}}, 404,
             "NetworkNotFound"),
        ]:
            answer = await self.post(N + path, body)
            self.assertEqual((code, kind), (answer.code, answer.body["NeutronError"]["type"]),
                             (path, body, answer.text))
        bob = await self.delete(N + "/networks/" + net["id"], user="bob", project="p2")
        self.assertEqual(404, bob.code)
        self.assertEqual(["mine", "private", "public"],
                         sorted(n["name"] for n in (await self.get(N + "/networks")).body[
                             "networks"]))
        self.assertEqual(["10.0.0.0/24", "10.9.0.0/24"], sorted(
            s["cidr"] for s in (await self.get(N + "/subnets")).body["subnets"]
            if s["cidr"].startswith("10.")))
