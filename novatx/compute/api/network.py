"""
The networking part of the internal API (L{INetworkAPI}): each method checks
the caller, runs one transaction on a database thread and fires with
records. One part of L{novatx.compute.api.ComputeAPI}.
"""

from __future__ import annotations

import uuid as uuidlib
from typing import Any, Mapping, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from twisted.internet.defer import Deferred, fail
from zope.interface import implementer

from novatx.compute import actions, instances, quotas, states, validation
from novatx.compute.api._base import ComputeAPIBase
from novatx.compute.context import RequestContext
from novatx.compute.exceptions import InstanceInvalidState, Invalid, NotAuthorized
from novatx.compute.network import floating, groups, ports, topology
from novatx.compute.network.exceptions import (
    DefaultSecurityGroupDelete, FloatingIPNotAssociated, NetworkInUse, NetworkNotFound,
    NetworkOverLimit, PortInUse, PortNotFound, SecurityGroupAlreadyOnServer, SecurityGroupInUse,
    SecurityGroupNotOnServer, ServerHasNoPorts, SubnetInUse,
)
from novatx.compute.network.interfaces import INetworkAPI
from novatx.compute.network.records import (
    NEUTRON_NAMES, FloatingIP, Port, SecurityGroup, SecurityGroupRule,
)
from novatx.db import tables as t

G, R, P, PSG, F = (t.security_groups, t.security_group_rules, t.ports, t.port_security_groups,
                   t.floating_ips)

Filters = Mapping[str, Sequence[Any]]

#: The states in which nova attaches an interface.
_ATTACHABLE = (states.ACTIVE, states.PAUSED, states.STOPPED)


@implementer(INetworkAPI)
class NetworkAPI(ComputeAPIBase):
    """Networks, ports, security groups and floating IPs."""

    def _quota(self, connection: Connection, project_id: str, resource: str,
               adding: int = 1) -> None:
        quotas.lock_project(connection, project_id)
        limit = quotas.limits(connection, self._conf, project_id)[resource]
        used = quotas.network_usage(connection, project_id, resource)[resource]
        if 0 <= limit < used + adding:
            raise NetworkOverLimit(resource=NEUTRON_NAMES[resource], quota=resource,
                                   limit=limit)

    # -- networks and subnets ------------------------------------------------------------

    def list_networks(self, context: RequestContext, filters: Filters | None = None) -> Deferred:
        return self._read(topology.networks, context, filters)

    def get_network(self, context: RequestContext, network_id: str) -> Deferred:
        def run(connection: Connection) -> Any:
            found = topology.networks(connection, context, {"id": [network_id]}) \
                if validation.storable(network_id) else []
            if not found:
                raise NetworkNotFound(network_id=network_id)
            return found[0]
        return self._read(run)

    def list_subnets(self, context: RequestContext, filters: Filters | None = None) -> Deferred:
        return self._read(topology.subnets, context, filters)

    def get_subnet(self, context: RequestContext, subnet_id: str) -> Deferred:
        return self._read(topology.subnet, context, subnet_id)

    def create_network(self, context: RequestContext, name: str = "",
                       shared: bool = False) -> Deferred:
        """The caller's project's network (C{shared}: admins only), with no subnet yet."""
        try:
            validation.text(name, "name", 255)
            if shared and not context.is_admin:
                raise NotAuthorized("Only admins may make a shared network.")
        except Exception:
            return fail()
        now = self._now()

        def run(connection: Connection) -> Any:
            self._quota(connection, context.project_id, "networks")
            row = topology.create_network(connection, context.project_id,
                                          name or "net-" + str(uuidlib.uuid4())[:8], shared, now)
            return topology.networks(connection, context, {"id": [row["uuid"]]})[0]
        return self._write(run)

    def delete_network(self, context: RequestContext, network_id: str) -> Deferred:
        """Delete a network of the caller's and its subnets; one with ports is in use (409)."""
        N, S = t.networks, t.subnets

        def run(connection: Connection) -> None:
            row = topology.network_row(connection, context, network_id)
            topology.owned(row, context, "network")
            if connection.execute(sa.select(P.c.id).where(P.c.network_id == row["id"])
                                  .limit(1)).first() is not None:
                raise NetworkInUse(network_id=network_id)
            connection.execute(sa.delete(S).where(S.c.network_id == row["id"]))
            connection.execute(sa.delete(N).where(N.c.id == row["id"]))
        return self._write(run)

    def create_subnet(self, context: RequestContext, network_id: str, cidr: str,
                      ip_version: int = 4, name: str = "") -> Deferred:
        """A subnet of a network of the caller's (neutron's checks of C{cidr})."""
        try:
            validation.text(name, "name", 255)
        except Exception:
            return fail()
        now = self._now()

        def run(connection: Connection) -> Any:
            network = topology.network_row(connection, context, network_id)
            topology.owned(network, context, "network")
            row_id = topology.create_subnet(connection, network, context.project_id, cidr,
                                            ip_version, name, now)
            uuid = connection.execute(sa.select(t.subnets.c.uuid).where(
                t.subnets.c.id == row_id)).scalar()
            return topology.subnet(connection, context, uuid)
        return self._write(run)

    def delete_subnet(self, context: RequestContext, subnet_id: str) -> Deferred:
        """Delete a subnet of the caller's; one that addresses a port is in use (409)."""
        S, A = t.subnets, t.port_addresses

        def run(connection: Connection) -> None:
            found = topology.subnet(connection, context, subnet_id)
            row = connection.execute(sa.select(S).where(S.c.uuid == found.id)).mappings().one()
            topology.owned(row, context, "subnet")
            if connection.execute(sa.select(A.c.port_id).where(A.c.subnet_id == row["id"])
                                  .limit(1)).first() is not None:
                raise SubnetInUse(subnet_id=subnet_id)
            connection.execute(sa.delete(S).where(S.c.id == row["id"]))
        return self._write(run)

    # -- ports ---------------------------------------------------------------------------

    def list_ports(self, context: RequestContext, filters: Filters | None = None) -> Deferred:
        return self._read(ports.listing, context, filters)

    def get_port(self, context: RequestContext, port_id: str) -> Deferred:
        return self._read(lambda c: ports.records(c, [ports.port_row(c, context, port_id)])[0])

    def create_port(self, context: RequestContext, network_id: str, name: str = "",
                    fixed_ip: str | None = None,
                    security_groups: Sequence[str] | None = None) -> Deferred:
        try:
            validation.text(name, "name", 255)
        except Exception:
            return fail()
        now = self._now()

        def run(connection: Connection) -> Port:
            network = topology.network_row(connection, context, network_id)
            self._quota(connection, context.project_id, "ports")
            if security_groups is None:
                group_ids = [groups.ensure_default(connection, context.project_id, now)["id"]]
            else:
                group_ids = [groups.group_row(connection, context, g)["id"]
                             for g in security_groups]
            port_id = ports.create(connection, network, context.project_id, now, name=name or "",
                                   fixed_ip=fixed_ip, group_ids=group_ids)
            row = connection.execute(sa.select(P).where(P.c.id == port_id)).mappings().one()
            return ports.records(connection, [row])[0]
        return self._write(run)

    def update_port(self, context: RequestContext, port_id: str, name: str | None = None,
                    security_groups: Sequence[str] | None = None) -> Deferred:
        """Rename a port, or put it in exactly C{security_groups} (ids of the caller's)."""
        try:
            validation.text(name, "name", 255)
        except Exception:
            return fail()

        def run(connection: Connection) -> Port:
            row = ports.port_row(connection, context, port_id, for_update=True)
            if name is not None:
                connection.execute(sa.update(P).where(P.c.id == row["id"]).values(name=name))
            if security_groups is not None:
                group_ids = sorted({groups.group_row(connection, context, g)["id"]
                                    for g in security_groups})
                connection.execute(sa.delete(PSG).where(PSG.c.port_id == row["id"]))
                if group_ids:
                    connection.execute(sa.insert(PSG), [{"port_id": row["id"], "group_id": g}
                                                        for g in group_ids])
            port = connection.execute(sa.select(P).where(P.c.id == row["id"])).mappings().one()
            return ports.records(connection, [port])[0]

        def updated(port: Port) -> Port:
            if port.device_id and port.device_owner == ports.SERVER_OWNER:
                self.notify(port.device_id)
            return port
        return self._write(run).addCallback(updated)

    def delete_port(self, context: RequestContext, port_id: str) -> Deferred:
        def run(connection: Connection) -> None:
            row = ports.port_row(connection, context, port_id, for_update=True)
            if row["device_owner"] == ports.SERVER_OWNER:
                network = connection.execute(sa.select(t.networks.c.uuid).where(
                    t.networks.c.id == row["network_id"])).scalar()
                raise PortInUse(port_id=port_id, network_id=network, device_id=row["device_id"])
            if row["device_owner"] == ports.FLOATING_OWNER:
                raise NotAuthorized("Port %s is the floating IP's own; release the floating "
                                    "IP instead." % port_id)
            ports.delete(connection, [row["id"]])
        return self._write(run)

    # -- security groups -----------------------------------------------------------------

    def _group_clauses(self, context: RequestContext, filters: Filters | None,
                       all_projects: bool) -> list[Any]:
        clauses = []
        if not (context.is_admin and all_projects):
            clauses.append(G.c.project_id == context.project_id)
        for key, column in (("id", G.c.uuid), ("name", G.c.name),
                            ("project_id", G.c.project_id)):
            if filters and key in filters:
                clauses.append(column.in_([v for v in filters[key]
                                           if validation.storable(v)]))
        return clauses

    def list_security_groups(self, context: RequestContext, filters: Filters | None = None,
                             all_projects: bool = False) -> Deferred:
        """The groups; the caller's C{default} is made first if it has none (as neutron)."""
        now = self._now()
        clauses = self._group_clauses(context, filters, all_projects)

        def run(connection: Connection) -> list[SecurityGroup]:
            rows = list(connection.execute(sa.select(G).where(*clauses).order_by(G.c.id))
                        .mappings())
            return groups.records(connection, rows)

        def made(connection: Connection) -> list[SecurityGroup]:
            groups.ensure_default(connection, context.project_id, now)
            return run(connection)

        def has_default(connection: Connection) -> bool:
            return connection.execute(sa.select(G.c.id).where(
                G.c.default_for == context.project_id)).first() is not None

        d = self._read(has_default)
        d.addCallback(lambda found: self._read(run) if found else self._write(made))
        return d

    def get_security_group(self, context: RequestContext, group_id: str) -> Deferred:
        return self._read(lambda c: groups.records(c, [groups.group_row(c, context, group_id)])[0])

    def find_security_group(self, context: RequestContext, name_or_id: str) -> Deferred:
        """A group of the caller's by id or name (nova's requests name them)."""
        now = self._now()
        return self._write(lambda c: groups.records(
            c, [groups.find(c, context, name_or_id, now)])[0])

    def create_security_group(self, context: RequestContext, name: str,
                              description: str = "") -> Deferred:
        try:
            validation.text(name, "name", 255)
            validation.text(description, "description", 255)
            if name == groups.DEFAULT:
                raise Invalid("Default security group already exists.")
        except Exception:
            return fail()
        now = self._now()

        def run(connection: Connection) -> SecurityGroup:
            groups.ensure_default(connection, context.project_id, now)
            self._quota(connection, context.project_id, "security_groups")
            self._quota(connection, context.project_id, "security_group_rules", 2)
            group_id = connection.execute(sa.insert(G).values(
                uuid=str(uuidlib.uuid4()), project_id=context.project_id, name=name,
                description=description or "", created_at=now)).inserted_primary_key[0]
            row = connection.execute(sa.select(G).where(G.c.id == group_id)).mappings().one()
            for ethertype in ("IPv4", "IPv6"):
                groups.add_rule(connection, row, context.project_id,
                                groups.check_rule({"direction": "egress",
                                                   "ethertype": ethertype}), None, now)
            return groups.records(connection, [row])[0]
        return self._write(run)

    def update_security_group(self, context: RequestContext, group_id: str,
                              name: str | None = None,
                              description: str | None = None) -> Deferred:
        try:
            validation.text(name, "name", 255)
            validation.text(description, "description", 255)
        except Exception:
            return fail()
        now = self._now()

        def run(connection: Connection) -> SecurityGroup:
            row = groups.group_row(connection, context, group_id, for_update=True)
            changes: dict[str, Any] = {"updated_at": now}
            if name is not None and name != row["name"]:
                if row["default_for"] is not None:
                    raise Invalid("Updating default security group not allowed.")
                changes["name"] = name
            if description is not None:
                changes["description"] = description
            connection.execute(sa.update(G).where(G.c.id == row["id"]).values(**changes))
            return groups.records(connection, [groups.group_row(connection, context,
                                                                group_id)])[0]
        return self._write(run)

    def delete_security_group(self, context: RequestContext, group_id: str) -> Deferred:
        def run(connection: Connection) -> None:
            row = groups.group_row(connection, context, group_id, for_update=True)
            if row["default_for"] is not None and not context.is_admin:
                # Only an admin removes a project's default group (as neutron,
                # when a project is cleaned up); the project's next need makes it anew.
                raise DefaultSecurityGroupDelete()
            if connection.execute(sa.select(PSG.c.port_id).where(
                    PSG.c.group_id == row["id"])).first():
                raise SecurityGroupInUse(id=group_id)
            connection.execute(sa.delete(R).where(sa.or_(R.c.group_id == row["id"],
                                                         R.c.remote_group_id == row["id"])))
            connection.execute(sa.delete(G).where(G.c.id == row["id"]))
        return self._write(run)

    def list_security_group_rules(self, context: RequestContext,
                                  filters: Filters | None = None) -> Deferred:
        clauses = [] if context.is_admin else [R.c.project_id == context.project_id]
        owner = groups.OWNER
        for key, column in (("id", R.c.uuid), ("security_group_id", owner.c.uuid),
                            ("direction", R.c.direction), ("ethertype", R.c.ethertype),
                            ("protocol", R.c.protocol), ("project_id", R.c.project_id)):
            if filters and key in filters:
                clauses.append(column.in_([v for v in filters[key] if validation.storable(v)]))
        return self._read(groups.rule_records, clauses)

    def get_security_group_rule(self, context: RequestContext, rule_id: str) -> Deferred:
        def run(connection: Connection) -> SecurityGroupRule:
            row = groups.rule_row(connection, context, rule_id)
            return groups.rule_records(connection, [R.c.id == row["id"]])[0]
        return self._read(run)

    def create_security_group_rule(self, context: RequestContext, group_id: str,
                                   fields: Mapping[str, Any],
                                   remote_group_id: str | None = None) -> Deferred:
        """A rule of C{group_id}; C{fields} as L{groups.check_rule} takes them."""
        try:
            rule = groups.check_rule(dict(fields, remote_group_id=remote_group_id))
        except Exception:
            return fail()
        now = self._now()

        def run(connection: Connection) -> SecurityGroupRule:
            group = groups.group_row(connection, context, group_id, for_update=True)
            remote = None
            if remote_group_id is not None:
                remote = groups.group_row(connection, context, remote_group_id)["id"]
            self._quota(connection, group["project_id"], "security_group_rules")
            rule_id = groups.add_rule(connection, group, group["project_id"], rule, remote, now)
            return groups.rule_records(connection, [R.c.id == rule_id])[0]
        return self._write(run)

    def delete_security_group_rule(self, context: RequestContext, rule_id: str) -> Deferred:
        def run(connection: Connection) -> None:
            row = groups.rule_row(connection, context, rule_id)
            connection.execute(sa.delete(R).where(R.c.id == row["id"]))
        return self._write(run)

    # -- floating IPs --------------------------------------------------------------------

    def _floating(self, connection: Connection, row: Mapping[str, Any]) -> FloatingIP:
        return floating.records(connection, [F.c.id == row["id"]])[0]

    def list_floating_ips(self, context: RequestContext,
                          filters: Filters | None = None) -> Deferred:
        clauses = [floating.visible(context)]
        target = floating.TARGET
        for key, column in (("id", F.c.uuid), ("floating_ip_address", F.c.address),
                            ("port_id", target.c.uuid), ("project_id", F.c.project_id),
                            ("floating_network_id", t.networks.c.uuid),
                            ("fixed_ip_address", F.c.fixed_address)):
            if filters and key in filters:
                clauses.append(column.in_([v for v in filters[key] if validation.storable(v)]))
        return self._read(floating.records, clauses)

    def get_floating_ip(self, context: RequestContext, floating_ip_id: str) -> Deferred:
        return self._read(lambda c: self._floating(c, floating.row_by(c, context,
                                                                     uuid=floating_ip_id)))

    def get_floating_ip_by_address(self, context: RequestContext, address: str) -> Deferred:
        return self._read(lambda c: self._floating(c, floating.row_by(c, context,
                                                                     address=address)))

    def create_floating_ip(self, context: RequestContext, network: str | None = None,
                           address: str | None = None, port_id: str | None = None,
                           fixed_address: str | None = None,
                           description: str = "") -> Deferred:
        """
        Allocate an address of C{network} (its id or name; the configured
        public network when None), forwarding to C{port_id} if given.
        """
        try:
            validation.text(description, "description", 255)
        except Exception:
            return fail()
        now = self._now()

        def run(connection: Connection) -> FloatingIP:
            if network is None:
                row = topology.network_by_name(connection, self._conf.network.public_network)
            else:
                row = topology.network_by_id_or_name(connection, context, network)
            self._quota(connection, context.project_id, "floating_ips")
            fip_id = floating.allocate(connection, row, context.project_id, now, address,
                                       description or "")
            fip = connection.execute(sa.select(F).where(F.c.id == fip_id)).mappings().one()
            if port_id is not None:
                port = ports.port_row(connection, context, port_id)
                floating.associate(connection, fip, port, fixed_address, now)
            return self._floating(connection, fip)
        return self._write(run)

    def update_floating_ip(self, context: RequestContext, floating_ip_id: str,
                           port_id: str | None, fixed_address: str | None = None,
                           description: str | None = None) -> Deferred:
        """Forward to C{port_id} (moving it if it forwards elsewhere), or to nothing."""
        now = self._now()

        def run(connection: Connection) -> FloatingIP:
            fip = floating.row_by(connection, context, uuid=floating_ip_id, for_update=True)
            if port_id is None:
                floating.disassociate(connection, fip, now)
            else:
                port = ports.port_row(connection, context, port_id)
                floating.associate(connection, fip, port, fixed_address, now)
            if description is not None:
                connection.execute(sa.update(F).where(F.c.id == fip["id"]).values(
                    description=description))
            return self._floating(connection, fip)
        return self._write(run)

    def delete_floating_ip(self, context: RequestContext, floating_ip_id: str) -> Deferred:
        def run(connection: Connection) -> None:
            floating.release(connection, floating.row_by(connection, context,
                                                         uuid=floating_ip_id, for_update=True))
        return self._write(run)

    # -- servers -------------------------------------------------------------------------

    def _server_ports(self, connection: Connection, context: RequestContext,
                      server_uuid: str) -> list[Mapping[str, Any]]:
        instances.get_row(connection, context, server_uuid)
        return list(connection.execute(sa.select(P).where(
            P.c.device_id == server_uuid, P.c.device_owner == ports.SERVER_OWNER)
            .order_by(P.c.id)).mappings())

    def list_server_ports(self, context: RequestContext, server_uuid: str) -> Deferred:
        """The ports of a server (C{os-interface}), in the order it got them."""
        return self._read(lambda c: ports.records(c, self._server_ports(c, context,
                                                                        server_uuid)))

    def attach_server_port(self, context: RequestContext, server_uuid: str,
                           network_id: str | None = None, port_id: str | None = None,
                           fixed_ip: str | None = None) -> Deferred:
        """
        Give a running or stopped server another port (C{os-interface}): the
        caller's unbound C{port_id}, or a new one on C{network_id} (the shared
        network when neither is named) in the project's C{default} group.
        """
        now = self._now()

        def run(connection: Connection) -> Port:
            row = instances.get_row(connection, context, server_uuid, for_update=True)
            self._check_lock(context, row)
            if row["vm_state"] not in _ATTACHABLE or row["task_state"] is not None:
                raise InstanceInvalidState(
                    method="attach_interface", instance_uuid=server_uuid,
                    attr="vm_state" if row["task_state"] is None else "task_state",
                    state=row["task_state"] or row["vm_state"])
            if port_id is not None:
                port = ports.port_row(connection, context, port_id, for_update=True)
                if port["device_id"]:
                    network = connection.execute(sa.select(t.networks.c.uuid).where(
                        t.networks.c.id == port["network_id"])).scalar()
                    raise PortInUse(port_id=port_id, network_id=network,
                                    device_id=port["device_id"])
                ports.bind(connection, port, server_uuid, now)
                attached = port["id"]
            else:
                if network_id is None:
                    network = topology.network_by_name(connection,
                                                       self._conf.network.private_network)
                else:
                    network = topology.network_row(connection, context, network_id)
                self._quota(connection, row["project_id"], "ports")
                default = groups.ensure_default(connection, row["project_id"], now)
                attached = ports.create(connection, network, row["project_id"], now,
                                        device_id=server_uuid, device_owner=ports.SERVER_OWNER,
                                        fixed_ip=fixed_ip, auto_delete=True,
                                        group_ids=[default["id"]])
            port_row = connection.execute(sa.select(P).where(P.c.id == attached)).mappings().one()
            if row["fixed_ip"] is None:
                self._primary(connection, row, now)
            actions.finish(connection, actions.start(connection, context, server_uuid,
                                                     "attach_interface", now, row["host"]), now)
            return ports.records(connection, [port_row])[0]
        return self._write(run).addCallback(self._notified(server_uuid))

    def detach_server_port(self, context: RequestContext, server_uuid: str,
                           port_id: str) -> Deferred:
        """Take a port from a server: its own ports are deleted, a user's unbound."""
        now = self._now()

        def run(connection: Connection) -> None:
            row = instances.get_row(connection, context, server_uuid, for_update=True)
            self._check_lock(context, row)
            port = next((p for p in self._server_ports(connection, context, server_uuid)
                         if p["uuid"] == port_id), None)
            if port is None:
                raise PortNotFound(port_id=port_id)
            if port["auto_delete"]:
                ports.delete(connection, [port["id"]])
            else:
                connection.execute(sa.update(F).where(F.c.port_id == port["id"]).values(
                    port_id=None, fixed_address=None))
                connection.execute(sa.update(P).where(P.c.id == port["id"]).values(
                    device_id=None, device_owner=""))
            self._primary(connection, row, now)
            actions.finish(connection, actions.start(connection, context, server_uuid,
                                                     "detach_interface", now, row["host"]), now)
        return self._write(run).addCallback(self._notified(server_uuid))

    def _primary(self, connection: Connection, row: Mapping[str, Any], now: Any) -> None:
        """Keep the instance's fixed address and MAC those of its first port (or none)."""
        first = connection.execute(
            sa.select(P.c.id, P.c.mac_address).where(
                P.c.device_id == row["uuid"], P.c.device_owner == ports.SERVER_OWNER)
            .order_by(P.c.id).limit(1)).first()
        address = mac = None
        if first is not None:
            mac = first.mac_address
            address = connection.execute(sa.select(t.port_addresses.c.address).where(
                t.port_addresses.c.port_id == first.id).order_by(
                t.port_addresses.c.address)).scalar()
        instances.touch(connection, row["id"], now, fixed_ip=address, mac_address=mac)

    def server_security_groups(self, context: RequestContext, server_uuid: str) -> Deferred:
        def run(connection: Connection) -> list[SecurityGroup]:
            port_ids = [row["id"] for row in self._server_ports(connection, context,
                                                                 server_uuid)]
            rows = list(connection.execute(
                sa.select(G).where(G.c.id.in_(sa.select(PSG.c.group_id).where(
                    PSG.c.port_id.in_(port_ids)))).order_by(G.c.id)).mappings())
            return groups.records(connection, rows)
        return self._read(run)

    def add_server_security_group(self, context: RequestContext, server_uuid: str,
                                  name_or_id: str) -> Deferred:
        now = self._now()

        def run(connection: Connection) -> None:
            port_ids = [r["id"] for r in self._server_ports(connection, context, server_uuid)]
            group = groups.find(connection, context, name_or_id, now)
            if not port_ids:
                raise ServerHasNoPorts()
            held = set(connection.execute(sa.select(PSG.c.port_id).where(
                PSG.c.group_id == group["id"], PSG.c.port_id.in_(port_ids))).scalars())
            if held.issuperset(port_ids):
                raise SecurityGroupAlreadyOnServer(security_group_id=group["name"],
                                                   instance_id=server_uuid)
            connection.execute(sa.insert(PSG), [{"port_id": p, "group_id": group["id"]}
                                                for p in port_ids if p not in held])
        return self._write(run).addCallback(self._notified(server_uuid))

    def remove_server_security_group(self, context: RequestContext, server_uuid: str,
                                     name_or_id: str) -> Deferred:
        now = self._now()

        def run(connection: Connection) -> None:
            port_ids = [r["id"] for r in self._server_ports(connection, context, server_uuid)]
            group = groups.find(connection, context, name_or_id, now)
            removed = connection.execute(sa.delete(PSG).where(
                PSG.c.group_id == group["id"], PSG.c.port_id.in_(port_ids))).rowcount
            if not removed:
                raise SecurityGroupNotOnServer(security_group_id=group["name"],
                                               instance_id=server_uuid)
        return self._write(run).addCallback(self._notified(server_uuid))

    def add_server_floating_ip(self, context: RequestContext, server_uuid: str, address: str,
                               fixed_address: str | None = None) -> Deferred:
        """
        Forward the caller's floating C{address} to the server: to the port
        holding C{fixed_address}, or to its first port.
        """
        now = self._now()

        def run(connection: Connection) -> None:
            server_ports = self._server_ports(connection, context, server_uuid)
            fip = floating.row_by(connection, context, address=address, for_update=True)
            if not server_ports:
                raise Invalid("Unable to associate floating IP %s to any fixed IPs for "
                              "instance %s. Instance has no fixed IPv4 addresses to associate."
                              % (address, server_uuid))
            port = server_ports[0]
            if fixed_address is not None:
                holder = connection.execute(sa.select(t.port_addresses.c.port_id).where(
                    t.port_addresses.c.address == fixed_address,
                    t.port_addresses.c.port_id.in_([p["id"] for p in server_ports]))).scalar()
                if holder is None:
                    raise Invalid("Specified fixed address not assigned to instance")
                port = next(p for p in server_ports if p["id"] == holder)
            floating.associate(connection, fip, port, fixed_address, now)
        return self._write(run).addCallback(self._notified(server_uuid))

    def remove_server_floating_ip(self, context: RequestContext, server_uuid: str,
                                  address: str) -> Deferred:
        now = self._now()

        def run(connection: Connection) -> None:
            port_ids = [r["id"] for r in self._server_ports(connection, context, server_uuid)]
            fip = floating.row_by(connection, context, address=address, for_update=True)
            if fip["port_id"] is None or fip["port_id"] not in port_ids:
                raise FloatingIPNotAssociated(address=address)
            floating.disassociate(connection, fip, now)
        return self._write(run).addCallback(self._notified(server_uuid))
