"""
The simulated network through the internal API, on SQLite, PostgreSQL and
MariaDB: the configured networks, the ports a boot makes and a deletion
gives back, security groups and their rules, floating IPs, the networking
quotas, and the bad input each must refuse with nothing half-written.
"""

from __future__ import annotations

import ipaddress

import sqlalchemy as sa
from twisted.internet import defer
from twisted.trial.unittest import TestCase
from zope.interface.verify import verifyObject

from novatx.compute import exceptions as exc
from novatx.compute.interfaces import CreateRequest
from novatx.compute.network import exceptions as net_exc
from novatx.compute.network.interfaces import INetworkAPI
from novatx.compute.test.support import ADMIN, ALICE, BOB, ServiceMixin, gone
from novatx.db import tables as t


class NetworkingTestsMixin(ServiceMixin):
    async def counts(self, service):
        """The rows of each networking table: what a refused request must leave alone."""
        def run(connection):
            return {table.name: connection.execute(
                sa.select(sa.func.count()).select_from(table)).scalar()
                for table in (t.ports, t.port_addresses, t.security_groups,
                              t.security_group_rules, t.port_security_groups, t.floating_ips)}
        return await service.store.read(run)

    async def test_api_provides_the_interface(self):
        service = await self.start_service()
        self.assertTrue(verifyObject(INetworkAPI, service.api))

    async def test_the_configured_networks_and_their_subnets(self):
        conf = self.make_config()
        conf.set_override("fixed_range", "10.7.0.0/16", "network")
        conf.set_override("floating_range", "192.0.2.0/28", "network")
        conf.set_override("public_network", "ext", "network")
        service = await self.start_service(conf)
        networks = {n.name: n for n in await service.api.list_networks(BOB)}
        self.assertEqual({"private", "ext"}, set(networks))
        self.assertEqual((True, False), (networks["private"].shared, networks["private"].external))
        self.assertEqual((False, True), (networks["ext"].shared, networks["ext"].external))
        subnets = {s.network_id: s for s in await service.api.list_subnets(BOB)}
        private = subnets[networks["private"].id]
        self.assertEqual(("10.7.0.0/16", "10.7.0.1", 4, ("10.7.0.2", "10.7.255.254")),
                         (private.cidr, private.gateway_ip, private.ip_version,
                          private.allocation_pool))
        self.assertEqual("192.0.2.0/28", subnets[networks["ext"].id].cidr)
        self.assertEqual([networks["ext"].id],
                         [n.id for n in await service.api.list_networks(
                             BOB, {"name": ["ext"]})])
        with self.assertRaises(net_exc.NetworkNotFound):
            await service.api.get_network(BOB, "no-such-network")

    async def test_a_boot_makes_a_port_and_a_deletion_gives_it_back(self):
        service = await self.start_service()
        server = await self.boot(service)
        [port] = await service.api.list_ports(ALICE, {"device_id": [server.uuid]})
        [address] = port.fixed_ips
        self.assertEqual((server.fixed_ip, server.mac_address),
                         (address.ip_address, port.mac_address))
        self.assertTrue(port.mac_address.startswith("fa:16:3e:"))
        self.assertEqual(("default",), server.security_groups)
        self.assertEqual([("private", server.fixed_ip, port.mac_address, "fixed", 4)],
                         [(a.network, a.address, a.mac_address, a.type, a.version)
                          for a in server.addresses])
        [group] = await service.api.server_security_groups(ALICE, server.uuid)
        self.assertEqual((group.id,), port.security_groups)
        self.assertEqual([], await service.api.list_ports(BOB, {"device_id": [server.uuid]}))
        await service.api.delete_server(ALICE, server.uuid)
        await gone(service, server.uuid)
        self.assertEqual([], await service.api.list_ports(ALICE))
        again = await self.boot(service, networks=({"fixed_ip": server.fixed_ip},))
        self.assertEqual(server.fixed_ip, again.fixed_ip)

    async def test_addresses_from_before_ports_get_their_port_at_start(self):
        """A store upgraded from the fixed IP pool: its live instances hold addresses only."""
        conf = self.make_config()
        service = await self.start_service(conf)
        server = await self.boot(service)

        def forget_ports(connection):
            for table in (t.port_security_groups, t.port_addresses, t.ports):
                connection.execute(sa.delete(table))
        await service.store.write(forget_ports)
        self.assertEqual([], await service.api.list_ports(ALICE))
        restarted = await self.start_service(conf)
        [port] = await restarted.api.list_ports(ALICE, {"device_id": [server.uuid]})
        self.assertEqual(server.fixed_ip, port.fixed_ips[0].ip_address)
        adopted = await restarted.api.get_server(ALICE, server.uuid)
        self.assertEqual((port.mac_address, ("default",)),
                         (adopted.mac_address, adopted.security_groups))

    async def test_requested_networks_ports_and_addresses(self):
        service = await self.start_service()
        networks = {n.name: n.id for n in await service.api.list_networks(ALICE)}
        made = await service.api.create_port(ALICE, networks["private"], name="mine",
                                             fixed_ip="10.0.0.50")
        self.assertEqual((None, "10.0.0.50"), (made.device_id, made.fixed_ips[0].ip_address))
        server = await self.boot(service, networks=(
            {"port": made.id}, {"uuid": networks["public"], "fixed_ip": "172.24.4.9",
                                "tag": "outside"}))
        self.assertEqual(("10.0.0.50", made.mac_address), (server.fixed_ip, server.mac_address))
        self.assertEqual([("private", "10.0.0.50"), ("public", "172.24.4.9")],
                         [(a.network, a.address) for a in server.addresses])
        ports = await service.api.list_server_ports(ALICE, server.uuid)
        self.assertEqual([made.id, None], [p.id if p.id == made.id else None for p in ports])
        self.assertEqual("outside", ports[1].tag)
        image = await self.cirros(service)
        for networks_asked, error in [
            (({"port": made.id},), net_exc.PortInUse),
            (({"uuid": "nope"},), net_exc.NetworkNotFound),
            (({"port": "nope"},), net_exc.PortNotFound),
            (({"uuid": networks["public"], "fixed_ip": "172.24.4.9"},), exc.Invalid),
            (({"uuid": networks["public"], "fixed_ip": "10.0.0.9"},), exc.Invalid),
        ]:
            before = await self.counts(service)
            with self.assertRaises(error, msg=networks_asked):
                await service.api.create_servers(ALICE, CreateRequest(
                    name="x", flavor_id="1", image_id=image, networks=networks_asked))
            self.assertEqual(before, await self.counts(service))
        with self.assertRaises(net_exc.PortNotFound):
            await service.api.get_port(BOB, made.id)
        await service.api.delete_server(ALICE, server.uuid)
        await gone(service, server.uuid)
        kept = await service.api.get_port(ALICE, made.id)
        self.assertEqual((None, "10.0.0.50"), (kept.device_id, kept.fixed_ips[0].ip_address))
        self.assertEqual([made.id], [p.id for p in await service.api.list_ports(ALICE)])
        await service.api.delete_port(ALICE, made.id)
        self.assertEqual([], await service.api.list_ports(ALICE))

    async def test_ports_attached_and_detached(self):
        service = await self.start_service()
        networks = {n.name: n.id for n in await service.api.list_networks(ALICE)}
        bare = await self.boot(service, networks="none")
        mine = await service.api.create_port(ALICE, networks["public"], name="mine")
        attached = await service.api.attach_server_port(ALICE, bare.uuid, port_id=mine.id)
        self.assertEqual(bare.uuid, attached.device_id)
        current = await service.api.get_server(ALICE, bare.uuid)
        self.assertEqual((mine.fixed_ips[0].ip_address, mine.mac_address),
                         (current.fixed_ip, current.mac_address))
        made = await service.api.attach_server_port(ALICE, bare.uuid)
        self.assertEqual(networks["private"], made.network_id)
        with self.assertRaises(exc.InstanceNotFound):
            await service.api.attach_server_port(BOB, bare.uuid)
        with self.assertRaises(net_exc.PortInUse):
            await service.api.attach_server_port(ALICE, bare.uuid, port_id=mine.id)
        await service.api.detach_server_port(ALICE, bare.uuid, mine.id)
        kept = await service.api.get_port(ALICE, mine.id)
        self.assertEqual(None, kept.device_id)
        current = await service.api.get_server(ALICE, bare.uuid)
        self.assertEqual(made.fixed_ips[0].ip_address, current.fixed_ip)
        await service.api.detach_server_port(ALICE, bare.uuid, made.id)
        with self.assertRaises(net_exc.PortNotFound):
            await service.api.get_port(ALICE, made.id)
        with self.assertRaises(net_exc.PortNotFound):
            await service.api.detach_server_port(ALICE, bare.uuid, made.id)
        current = await service.api.get_server(ALICE, bare.uuid)
        self.assertEqual((None, None, ()), (current.fixed_ip, current.mac_address,
                                            current.addresses))
        recorded = await service.api.list_instance_actions(ALICE, bare.uuid)
        self.assertEqual(["detach_interface", "detach_interface", "attach_interface",
                          "attach_interface", "create"], [a.action for a in recorded])

    async def test_the_default_group_is_made_once_with_neutron_s_rules(self):
        service = await self.start_service()
        listings = await defer.gatherResults([service.api.list_security_groups(ALICE)
                                              for _ in range(4)])
        self.assertEqual({1}, {len(groups) for groups in listings})
        [default] = listings[0]
        self.assertEqual(("default", "p1"), (default.name, default.project_id))
        self.assertEqual(
            sorted([("egress", "IPv4", None), ("egress", "IPv6", None),
                    ("ingress", "IPv4", default.id), ("ingress", "IPv6", default.id)]),
            sorted((r.direction, r.ethertype, r.remote_group_id) for r in default.rules))
        self.assertEqual([], [g for g in await service.api.list_security_groups(BOB)
                              if g.project_id == "p1"])
        with self.assertRaises(net_exc.DefaultSecurityGroupDelete):
            await service.api.delete_security_group(ALICE, default.id)
        await service.api.delete_security_group(ADMIN, default.id)
        [again] = await service.api.list_security_groups(ALICE)
        self.assertEqual("default", again.name)
        self.assertNotEqual(default.id, again.id)
        self.assertNotEqual(default.internal_id, again.internal_id)
        self.assertEqual([again.internal_id],
                         [g.internal_id for g in await service.api.list_security_groups(
                             ALICE, {"id": [again.id]})])
        with self.assertRaises(exc.Invalid):
            await service.api.create_security_group(ALICE, "default")

    async def test_rules_are_checked_as_neutron_checks_them(self):
        service = await self.start_service()
        web = await service.api.create_security_group(ALICE, "web", "front")
        self.assertEqual([("egress", "IPv4"), ("egress", "IPv6")],
                         [(r.direction, r.ethertype) for r in web.rules])
        rule = await service.api.create_security_group_rule(ALICE, web.id, {
            "direction": "ingress", "protocol": "TCP", "port_range_min": 22,
            "port_range_max": 22, "remote_ip_prefix": "10.1.2.3/8"})
        self.assertEqual(("tcp", 22, 22, "10.1.2.3/8"),
                         (rule.protocol, rule.port_range_min, rule.port_range_max,
                          rule.remote_ip_prefix))
        before = await self.counts(service)
        with self.assertRaises(net_exc.SecurityGroupRuleExists) as caught:
            await service.api.create_security_group_rule(ALICE, web.id, {
                "direction": "ingress", "protocol": "tcp", "port_range_min": 22,
                "port_range_max": 22, "remote_ip_prefix": "10.0.0.0/8"})
        self.assertEqual("Security group rule already exists. Rule id is %s." % rule.id,
                         str(caught.exception))
        bad = [
            ({"direction": "sideways"}, "Invalid input for direction"),
            ({"direction": "ingress", "protocol": "tcpx"}, "protocol tcpx not supported"),
            ({"direction": "ingress", "protocol": "300"}, "protocol 300 not supported"),
            ({"direction": "ingress", "protocol": "tcp", "port_range_min": 90,
              "port_range_max": 80}, "port_range_min must be <= port_range_max"),
            ({"direction": "ingress", "protocol": "tcp", "port_range_min": 1,
              "port_range_max": 70000}, "Invalid value for port 70000"),
            ({"direction": "ingress", "port_range_min": 1, "port_range_max": 2},
             "Must also specify protocol"),
            ({"direction": "ingress", "protocol": "icmp", "port_range_min": 256},
             "It must be 0 to 255"),
            ({"direction": "ingress", "remote_ip_prefix": "10.0.0.0/33"}, "not a valid IP subnet"),
            ({"direction": "ingress", "remote_ip_prefix": "fd00::/8"}, "Conflicting value"),
            ({"direction": "ingress", "ethertype": "IPv5"}, "Invalid input for ethertype"),
        ]
        for fields, message in bad:
            with self.assertRaises(net_exc.InvalidRule, msg=fields) as caught:
                await service.api.create_security_group_rule(ALICE, web.id, fields)
            self.assertIn(message, str(caught.exception))
        with self.assertRaises(net_exc.InvalidRule):
            await service.api.create_security_group_rule(
                ALICE, web.id, {"direction": "ingress", "remote_ip_prefix": "10.0.0.0/8"},
                remote_group_id=web.id)
        with self.assertRaises(net_exc.SecurityGroupNotFound):
            await service.api.create_security_group_rule(BOB, web.id, {"direction": "ingress"})
        with self.assertRaises(net_exc.SecurityGroupRuleNotFound):
            await service.api.delete_security_group_rule(BOB, rule.id)
        with self.assertRaises(net_exc.SecurityGroupNotFound):
            await service.api.delete_security_group(BOB, web.id)
        self.assertEqual(before, await self.counts(service))
        await service.api.delete_security_group_rule(ALICE, rule.id)
        self.assertEqual(2, len((await service.api.get_security_group(ALICE, web.id)).rules))

    async def test_servers_join_and_leave_groups(self):
        service = await self.start_service()
        web = await service.api.create_security_group(ALICE, "web")
        server = await self.boot(service, security_groups=("web",))
        self.assertEqual(("web",), server.security_groups)
        with self.assertRaises(net_exc.SecurityGroupInUse):
            await service.api.delete_security_group(ALICE, web.id)
        await service.api.add_server_security_group(ALICE, server.uuid, "default")
        with self.assertRaises(net_exc.SecurityGroupAlreadyOnServer):
            await service.api.add_server_security_group(ALICE, server.uuid, "default")
        current = await service.api.get_server(ALICE, server.uuid)
        self.assertEqual(("default", "web"), current.security_groups)
        groups = {g.name: g.internal_id for g in await service.api.list_security_groups(ALICE)}
        self.assertEqual((("default", groups["default"]), ("web", groups["web"])),
                         current.security_group_ids)
        await service.api.remove_server_security_group(ALICE, server.uuid, web.id)
        with self.assertRaises(net_exc.SecurityGroupNotOnServer):
            await service.api.remove_server_security_group(ALICE, server.uuid, "web")
        with self.assertRaises(exc.InstanceNotFound):
            await service.api.add_server_security_group(BOB, server.uuid, "default")
        await service.api.delete_security_group(ALICE, web.id)
        image = await self.cirros(service)
        before = await self.counts(service)
        with self.assertRaises(net_exc.SecurityGroupNotFound):
            await service.api.create_servers(ALICE, CreateRequest(
                name="x", flavor_id="1", image_id=image, security_groups=("web",)))
        self.assertEqual(before, await self.counts(service))
        bare = await self.boot(service, networks="none")
        self.assertEqual((), bare.security_groups)
        with self.assertRaises(net_exc.ServerHasNoPorts):
            await service.api.add_server_security_group(ALICE, bare.uuid, "default")
        twins = [await service.api.create_security_group(ALICE, "twin") for _ in range(2)]
        with self.assertRaises(net_exc.AmbiguousSecurityGroup):
            await service.api.add_server_security_group(ALICE, server.uuid, "twin")
        await service.api.add_server_security_group(ALICE, server.uuid, twins[1].id)
        await service.api.add_server_security_group(ALICE, server.uuid, twins[0].id)
        current = await service.api.get_server(ALICE, server.uuid)
        self.assertEqual(("default", "twin"), current.security_groups)
        self.assertEqual([("twin", twins[0].internal_id), ("twin", twins[1].internal_id)],
                         [pair for pair in current.security_group_ids if pair[0] == "twin"])

    async def test_floating_ips_from_allocation_to_release(self):
        conf = self.make_config()
        conf.set_override("floating_range", "192.0.2.0/29", "network")
        service = await self.start_service(conf)
        pool = [str(a) for a in list(ipaddress.ip_network("192.0.2.0/29").hosts())[1:]]
        server = await self.boot(service)
        fip = await service.api.create_floating_ip(ALICE, "public")
        self.assertEqual((pool[0], "DOWN", None, "public"),
                         (fip.floating_ip_address, fip.status, fip.port_id, fip.pool))
        await service.api.add_server_floating_ip(ALICE, server.uuid, fip.floating_ip_address)
        shown = await service.api.get_floating_ip(ALICE, fip.id)
        self.assertEqual(("ACTIVE", server.fixed_ip, server.uuid),
                         (shown.status, shown.fixed_ip_address, shown.device_id))
        current = await service.api.get_server(ALICE, server.uuid)
        self.assertEqual([("fixed", server.fixed_ip), ("floating", pool[0])],
                         [(a.type, a.address) for a in current.addresses])
        other = await self.boot(service, name="other")
        await service.api.add_server_floating_ip(ALICE, other.uuid, pool[0])
        moved = await service.api.get_floating_ip(ALICE, fip.id)
        self.assertEqual((other.uuid, other.fixed_ip), (moved.device_id, moved.fixed_ip_address))
        self.assertEqual(["fixed"], [a.type for a in (
            await service.api.get_server(ALICE, server.uuid)).addresses])
        await service.api.add_server_floating_ip(ALICE, server.uuid, pool[0])
        bobs = await self.boot(service, BOB, name="bob's")
        with self.assertRaises(net_exc.FloatingIPNotFound):
            await service.api.add_server_floating_ip(BOB, bobs.uuid, pool[0])
        with self.assertRaises(net_exc.FloatingIPNotAssociated):
            await service.api.remove_server_floating_ip(ALICE, other.uuid, pool[0])
        rest = [await service.api.create_floating_ip(ALICE) for _ in pool[1:]]
        self.assertEqual(pool[1:], [f.floating_ip_address for f in rest])
        with self.assertRaises(net_exc.FloatingIPAssociated):
            await service.api.add_server_floating_ip(ALICE, server.uuid, pool[-1])
        before = await self.counts(service)
        with self.assertRaises(net_exc.NoMoreAddresses):
            await service.api.create_floating_ip(ALICE)
        self.assertEqual(before, await self.counts(service))
        with self.assertRaises(net_exc.FloatingIPNotFound):
            await service.api.delete_floating_ip(BOB, fip.id)
        await service.api.delete_floating_ip(ALICE, rest[0].id)
        again = await service.api.create_floating_ip(ALICE)
        self.assertEqual(pool[1], again.floating_ip_address)
        moved = await service.api.update_floating_ip(
            ALICE, fip.id, (await service.api.list_server_ports(ALICE, other.uuid))[0].id)
        self.assertEqual(other.fixed_ip, moved.fixed_ip_address)
        await service.api.delete_server(ALICE, other.uuid)
        await gone(service, other.uuid)
        released = await service.api.get_floating_ip(ALICE, fip.id)
        self.assertEqual((None, None, "DOWN"),
                         (released.port_id, released.fixed_ip_address, released.status))

    async def test_networking_quotas(self):
        conf = self.make_config()
        conf.set_override("security_groups", 2, "quota")
        conf.set_override("floating_ips", 1, "quota")
        conf.set_override("ports", 1, "quota")
        service = await self.start_service(conf)
        await service.api.create_security_group(ALICE, "one")
        with self.assertRaises(net_exc.NetworkOverLimit) as caught:
            await service.api.create_security_group(ALICE, "two")
        self.assertEqual("Quota exceeded for resources: ['security_group'].",
                         str(caught.exception))
        await service.api.create_floating_ip(ALICE)
        with self.assertRaises(exc.OverLimit):
            await service.api.create_floating_ip(ALICE)
        private = (await service.api.list_networks(ALICE, {"name": ["private"]}))[0].id
        await service.api.create_port(ALICE, private)
        with self.assertRaises(exc.OverLimit):
            await service.api.create_port(ALICE, private)
        usage = await service.api.get_quotas(ALICE, "p1", usages=True)
        self.assertEqual((2, 1, 1), (usage.in_use["security_groups"],
                                     usage.in_use["floating_ips"], usage.in_use["ports"]))

    async def test_parallel_allocations_never_share_an_address(self):
        conf = self.make_config()
        conf.set_override("floating_range", "192.0.2.0/28", "network")
        service = await self.start_service(conf)
        results = await defer.DeferredList(
            [service.api.create_floating_ip(ALICE if n % 2 else ADMIN) for n in range(16)],
            consumeErrors=True)
        given = [value.floating_ip_address for ok, value in results if ok]
        refused = [value.value for ok, value in results if not ok]
        self.assertEqual(13, len(given))
        self.assertEqual(len(given), len(set(given)))
        self.assertEqual({net_exc.NoMoreAddresses}, {type(e) for e in refused})


class SQLiteNetworkingTests(NetworkingTestsMixin, TestCase):
    backend = "sqlite"


class PostgreSQLNetworkingTests(NetworkingTestsMixin, TestCase):
    backend = "postgresql"


class MariaDBNetworkingTests(NetworkingTestsMixin, TestCase):
    backend = "mysql"
