"""
The unchanged C{openstack} CLI's network commands against a served compute
API, through the C{clouds.yaml} of the README (C{network_endpoint_override}
at the Networking API subset): networks, security groups and their rules,
floating IPs on a server, and its ports.
"""

from __future__ import annotations

from novatx.extensions.compute.test.test_clients_openstack_cli import CLITestCase

CLOUDS = """\
clouds:
  novatx:
    auth_type: none
    auth:
      endpoint: {url}/v2.1
    identity_api_version: '3'
    image_endpoint_override: {url}/image
    network_endpoint_override: {url}/networking
"""


class NetworkCLITests(CLITestCase):
    clouds = CLOUDS

    async def test_groups_floating_ips_and_ports_of_a_server(self):
        await self._serve()
        networks = await self.cli_json("network", "list")
        self.assertEqual(["private", "public"], sorted(n["Name"] for n in networks))
        subnets = await self.cli_json("subnet", "list")
        self.assertIn("10.0.0.0/24", [s["Subnet"] for s in subnets])
        group = await self.cli_json("security", "group", "create", "web")
        self.assertEqual("web", group["name"])
        rule = await self.cli_json("security", "group", "rule", "create", "--protocol", "tcp",
                                   "--dst-port", "22", "web")
        self.assertEqual(("tcp", 22, 22), (rule["protocol"], rule["port_range_min"],
                                           rule["port_range_max"]))
        listed = await self.cli_json("security", "group", "rule", "list", "web")
        self.assertIn("22:22", [r["Port Range"] for r in listed])
        self.assertIn("web", [g["Name"] for g in await self.cli_json("security", "group",
                                                                       "list")])
        server = await self.cli_json("server", "create", "--image", "cirros", "--flavor",
                                     "m1.tiny", "--wait", "vm")
        await self.cli("server", "add", "security", "group", "vm", "web")
        fip = await self.cli_json("floating", "ip", "create", "public")
        address = fip["floating_ip_address"]
        await self.cli("server", "add", "floating", "ip", "vm", address)
        shown = await self.cli_json("server", "show", "vm")
        self.assertIn(address, shown["addresses"]["private"])
        self.assertEqual(["default", "web"],
                         sorted(g["name"] for g in shown["security_groups"]))
        ports = await self.cli_json("port", "list", "--server", "vm")
        self.assertEqual(1, len(ports))
        self.assertEqual(server["id"], (await self.cli_json(
            "port", "show", ports[0]["ID"]))["device_id"])
        await self.cli("server", "remove", "floating", "ip", "vm", address)
        await self.cli("floating", "ip", "delete", address)
        self.assertEqual([], await self.cli_json("floating", "ip", "list"))
