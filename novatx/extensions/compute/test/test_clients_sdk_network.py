"""
openstacksdk's C{conn.network}, unchanged, against the Networking API subset
(C{network_endpoint_override}): networks, security groups and rules, a
floating IP on a server's port, each project seeing only its own; run in a
thread while the reactor serves.
"""

from __future__ import annotations

import openstack
from openstack import exceptions as sdk_exceptions
from twisted.internet.threads import deferToThread
from twisted.trial.unittest import TestCase

from novatx.extensions.compute.test._servers_kit import serve_compute
from novatx.extensions.compute.test.test_clients_sdk import instant_config


class OpenStackSDKNetworkTests(TestCase):
    timeout = 120

    async def test_groups_rules_and_a_floating_ip(self):
        served = (await serve_compute(self, instant_config())).served
        done = await deferToThread(self._network, served.url)
        self.assertEqual(done, "released")

    def _connect(self, url: str, token: str) -> openstack.connection.Connection:
        return openstack.connect(auth_type="admin_token",
                                 auth={"token": token, "endpoint": url + "/v2.1"},
                                 network_endpoint_override=url + "/networking")

    def _network(self, url: str) -> str:
        conn = self._connect(url, "alice:p1")
        bob = self._connect(url, "bob:p2")
        try:
            network = conn.network
            self.assertEqual(["private", "public"], sorted(n.name for n in network.networks()))
            public = network.find_network("public")
            self.assertTrue(public.is_router_external)
            group = network.create_security_group(name="web", description="front")
            rule = network.create_security_group_rule(
                security_group_id=group.id, direction="ingress", protocol="tcp",
                port_range_min=443, port_range_max=443, remote_ip_prefix="0.0.0.0/0")
            self.assertEqual(443, network.get_security_group_rule(rule.id).port_range_min)
            with self.assertRaises(sdk_exceptions.ConflictException):
                network.create_security_group_rule(
                    security_group_id=group.id, direction="ingress", protocol="tcp",
                    port_range_min=443, port_range_max=443, remote_ip_prefix="0.0.0.0/0")
            self.assertNotIn("web", [g.name for g in bob.network.security_groups()])
            image = next(iter(conn.compute.images()))
            flavor = conn.compute.find_flavor("m1.tiny")
            server = conn.compute.create_server(name="vm", image_id=image.id,
                                                flavor_id=flavor.id, networks="auto")
            server = conn.compute.wait_for_server(server, status="ACTIVE", interval=0.05,
                                                  wait=10)
            [port] = network.ports(device_id=server.id)
            fip = network.create_ip(floating_network_id=public.id)
            fip = network.update_ip(fip, port_id=port.id)
            self.assertEqual(port.fixed_ips[0]["ip_address"], fip.fixed_ip_address)
            self.assertEqual([fip.id], [f.id for f in network.ips(port_id=port.id)])
            self.assertEqual([], list(bob.network.ips()))
            network.delete_ip(fip)
            self.assertEqual([], list(network.ips()))
            return "released"
        finally:
            conn.close()
            bob.close()
