"""
What servers need of the network, in their own transactions: a create's
requested networks, ports and groups checked before anything is written;
the ports a boot makes (with their addresses and groups) when it reaches
networking; and what a server's deletion gives back.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from novatx.compute.context import RequestContext
from novatx.compute.exceptions import Invalid
from novatx.compute.network import groups, ports, topology
from novatx.compute.network.exceptions import InvalidAddress, IpAddressInUse, PortInUse
from novatx.db import tables as t

P, N = t.ports, t.networks


def _network(connection: Connection, conf: Any, context: RequestContext,
             requested: Mapping[str, Any]) -> Mapping[str, Any]:
    """A requested network: by id (or name), the shared one when none is named."""
    if requested.get("uuid"):
        return topology.network_by_id_or_name(connection, context, requested["uuid"])
    return topology.network_by_name(connection, conf.network.private_network)


def _check_fixed_ip(connection: Connection, network: Mapping[str, Any], address: str) -> None:
    """nova's checks of a requested fixed IP, in nova's words."""
    try:
        ports.check_address(connection, network, address)
    except IpAddressInUse:
        raise Invalid("Fixed IP address %s is already in use." % address) from None
    except InvalidAddress:
        cidrs = ", ".join(s["cidr"] for s in topology.subnet_rows(connection, [network["id"]]))
        raise Invalid("Fixed IP %s is not a valid ip address for network %s."
                      % (address, cidrs)) from None


def check_create(connection: Connection, conf: Any, context: RequestContext,
                 networks: Any, security_groups: Sequence[str], max_count: int,
                 now: Any) -> list[int]:
    """
    nova's checks of a create's C{networks} and C{security_groups}, before
    anything is recorded. Returns the store ids of the groups the server's
    new ports get (the project's C{default} when none are named).
    """
    if isinstance(networks, (list, tuple)):
        wanted = [n for n in networks if n.get("fixed_ip")]
        named_ports = [n for n in networks if n.get("port")]
        if wanted and max_count > 1:
            raise Invalid("max_count cannot be greater than 1 if an fixed_ip is specified.")
        if named_ports and max_count > 1:
            raise Invalid("Unable to launch multiple instances with a single configured port "
                          "ID. Please launch your instance one by one with different ports.")
        for requested in networks:
            if requested.get("port"):
                port = ports.port_row(connection, context, requested["port"])
                if port["device_id"]:
                    network_uuid = connection.execute(sa.select(N.c.uuid).where(
                        N.c.id == port["network_id"])).scalar()
                    raise PortInUse(port_id=port["uuid"], network_id=network_uuid,
                                    device_id=port["device_id"])
                continue
            # A network asked twice gets two ports, as nova with neutron allows.
            network = _network(connection, conf, context, requested)
            if requested.get("fixed_ip"):
                _check_fixed_ip(connection, network, requested["fixed_ip"])
    names = list(dict.fromkeys(security_groups or (groups.DEFAULT,)))
    return [groups.find(connection, context, name, now)["id"] for name in names]


def allocate(connection: Connection, conf: Any, row: Mapping[str, Any],
             group_ids: Sequence[int], now: Any) -> tuple[str | None, str | None]:
    """
    The ports of a booting server, as its create asked: one on the shared
    network for C{auto}, none for C{none}, else one per requested network or
    port. Fires with the first port's address and MAC (or Nones).
    """
    requested = row["networks"]
    if requested == "none":
        return None, None
    if not isinstance(requested, list):
        requested = [{}]
    owner = RequestContext(user_id=row["user_id"], project_id=row["project_id"])
    if not group_ids:
        group_ids = [groups.ensure_default(connection, row["project_id"], now)["id"]]
    first = None
    for entry in requested:
        if entry.get("port"):
            port = ports.port_row(connection, owner, entry["port"], for_update=True)
            ports.bind(connection, port, row["uuid"], now)
            port_id = port["id"]
        else:
            network = _network(connection, conf, owner, entry)
            port_id = ports.create(
                connection, network, row["project_id"], now, device_id=row["uuid"],
                device_owner=ports.SERVER_OWNER, fixed_ip=entry.get("fixed_ip"),
                auto_delete=True, tag=entry.get("tag"), group_ids=group_ids)
        if first is None:
            first = port_id
    if first is None:
        return None, None
    mac = connection.execute(sa.select(P.c.mac_address).where(P.c.id == first)).scalar()
    address = connection.execute(sa.select(t.port_addresses.c.address).where(
        t.port_addresses.c.port_id == first).order_by(t.port_addresses.c.address)).scalar()
    return address, mac


def adopt(connection: Connection, conf: Any, now: Any) -> None:
    """
    Give the live instances that hold a fixed address from before ports
    existed (the store's first start on the networking schema) their port.
    """
    I = t.instances
    rows = list(connection.execute(sa.select(I.c.uuid, I.c.project_id, I.c.fixed_ip).where(
        I.c.deleted == sa.false(), I.c.fixed_ip.is_not(None),
        ~sa.exists().where(P.c.device_id == I.c.uuid))))
    if not rows:
        return
    network = topology.network_by_name(connection, conf.network.private_network)
    for uuid, project_id, address in rows:
        group = groups.ensure_default(connection, project_id, now)
        try:
            with connection.begin_nested():
                port_id = ports.create(connection, network, project_id, now, device_id=uuid,
                                       device_owner=ports.SERVER_OWNER, fixed_ip=address,
                                       auto_delete=True, group_ids=[group["id"]])
        except (InvalidAddress, IpAddressInUse):
            continue
        mac = connection.execute(sa.select(P.c.mac_address).where(P.c.id == port_id)).scalar()
        connection.execute(sa.update(I).where(I.c.uuid == uuid).values(mac_address=mac))
