"""
Ports: a server's (or a floating IP's) place on a network, with its MAC and
fixed addresses.

An address is given by inserting its row; the primary key (network, address)
refuses a second holder, so two workers that pick the same free address at
once cannot both have it: the loser tries the next one. Each try runs in a
savepoint so a lost race leaves the transaction usable, and everything a
failed create wrote is rolled back with its transaction: no address leaks.
"""

from __future__ import annotations

import ipaddress
import itertools
import uuid as uuidlib
from typing import Any, Iterable, Mapping, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from novatx.compute import convert, validation
from novatx.compute.context import RequestContext
from novatx.compute.network import topology
from novatx.compute.network.exceptions import (
    InvalidAddress, IpAddressInUse, NoMoreAddresses, PortInUse, PortNotFound,
)
from novatx.compute.network.pool import addresses, random_mac
from novatx.compute.network.records import FixedAddress, Port, ServerAddress
from novatx.db import tables as t

P, A, N, S = t.ports, t.port_addresses, t.networks, t.subnets
PSG, G, F = t.port_security_groups, t.security_groups, t.floating_ips

#: The owner neutron shows on a server's port, and on a floating IP's own.
SERVER_OWNER = "compute:nova"
FLOATING_OWNER = "network:floatingip"


def _subnet_for(subnets: Sequence[Mapping[str, Any]], address: str,
                network_uuid: str) -> Mapping[str, Any]:
    for subnet in subnets:
        if address in addresses(subnet["cidr"]):
            return subnet
    raise InvalidAddress("IP address %s is not a valid IP for the specified network %s."
                         % (address, network_uuid))


def check_address(connection: Connection, network: Mapping[str, Any], address: str) -> None:
    """A wanted fixed address: one of the network's pools, and free (else why not)."""
    try:
        parsed = ipaddress.ip_address(address)
    except (ValueError, TypeError):
        raise InvalidAddress("Invalid input for ip_address. Reason: '%s' is not a valid IP "
                             "address." % (address,)) from None
    if str(parsed) != address:
        address = str(parsed)
    _subnet_for(topology.subnet_rows(connection, [network["id"]]), address, network["uuid"])
    if connection.execute(sa.select(A.c.port_id).where(
            A.c.network_id == network["id"], A.c.address == address)).first():
        raise IpAddressInUse(network_id=network["uuid"], ip_address=address)


def give_address(connection: Connection, network: Mapping[str, Any], port_id: int,
                 wanted: str | None = None) -> str:
    """Give the port an address of its network: C{wanted}, or the first free one."""
    subnets = topology.subnet_rows(connection, [network["id"]])
    if wanted is not None:
        check_address(connection, network, wanted)
        wanted = str(ipaddress.ip_address(wanted))
        subnet = _subnet_for(subnets, wanted, network["uuid"])
        try:
            with connection.begin_nested():
                connection.execute(sa.insert(A).values(
                    network_id=network["id"], address=wanted, port_id=port_id,
                    subnet_id=subnet["id"]))
        except IntegrityError:
            raise IpAddressInUse(network_id=network["uuid"], ip_address=wanted) from None
        return wanted
    for subnet in subnets:
        pool = addresses(subnet["cidr"])
        for _ in range(5):
            taken = set(connection.execute(sa.select(A.c.address).where(
                A.c.subnet_id == subnet["id"])).scalars())
            free = list(itertools.islice((a for a in pool if a not in taken), 20))
            if not free:
                break
            for address in free:
                try:
                    with connection.begin_nested():
                        connection.execute(sa.insert(A).values(
                            network_id=network["id"], address=address, port_id=port_id,
                            subnet_id=subnet["id"]))
                    return address
                except IntegrityError:
                    continue
    raise NoMoreAddresses(network_id=network["uuid"],
                          cidr=", ".join(subnet["cidr"] for subnet in subnets))


def create(connection: Connection, network: Mapping[str, Any], project_id: str, now: Any, *,
           device_id: str | None = None, device_owner: str = "", name: str = "",
           fixed_ip: str | None = None, auto_delete: bool = False, tag: str | None = None,
           group_ids: Iterable[int] = ()) -> int:
    """A port on C{network} with a fresh MAC and one address; its store id."""
    for _ in range(10):
        try:
            with connection.begin_nested():
                port_id = connection.execute(sa.insert(P).values(
                    uuid=str(uuidlib.uuid4()), network_id=network["id"], project_id=project_id,
                    name=name, device_id=device_id, device_owner=device_owner,
                    mac_address=random_mac(), auto_delete=auto_delete, tag=tag,
                    created_at=now)).inserted_primary_key[0]
            break
        except IntegrityError:
            continue
    else:
        raise NoMoreAddresses(network_id=network["uuid"], cidr="")
    give_address(connection, network, port_id, fixed_ip)
    groups = sorted(set(group_ids))
    if groups:
        connection.execute(sa.insert(PSG), [{"port_id": port_id, "group_id": group_id}
                                            for group_id in groups])
    return port_id


def visible(context: RequestContext) -> sa.ColumnElement:
    return sa.true() if context.is_admin else P.c.project_id == context.project_id


def port_row(connection: Connection, context: RequestContext, port_uuid: str,
             for_update: bool = False) -> Mapping[str, Any]:
    if not isinstance(port_uuid, str) or not validation.storable(port_uuid):
        raise PortNotFound(port_id=port_uuid)
    statement = sa.select(P).where(P.c.uuid == port_uuid, visible(context))
    if for_update:
        statement = statement.with_for_update()
    row = connection.execute(statement).mappings().first()
    if row is None:
        raise PortNotFound(port_id=port_uuid)
    return row


def bind(connection: Connection, port: Mapping[str, Any], device_id: str, now: Any) -> None:
    """Give a port the user made to a server (unbound again when the server goes)."""
    if port["device_id"] and port["device_id"] != device_id:
        network_uuid = connection.execute(sa.select(N.c.uuid).where(
            N.c.id == port["network_id"])).scalar()
        raise PortInUse(port_id=port["uuid"], network_id=network_uuid,
                        device_id=port["device_id"])
    connection.execute(sa.update(P).where(P.c.id == port["id"]).values(
        device_id=device_id, device_owner=SERVER_OWNER))


def delete(connection: Connection, port_ids: Sequence[int]) -> None:
    """Remove ports with their addresses and groups; floating IPs on them let go."""
    if not port_ids:
        return
    connection.execute(sa.update(F).where(F.c.port_id.in_(port_ids)).values(
        port_id=None, fixed_address=None))
    connection.execute(sa.delete(A).where(A.c.port_id.in_(port_ids)))
    connection.execute(sa.delete(PSG).where(PSG.c.port_id.in_(port_ids)))
    connection.execute(sa.delete(P).where(P.c.id.in_(port_ids)))


def release_server(connection: Connection, server_uuid: str) -> None:
    """A server is gone: its own ports are deleted, the ports users gave it unbound."""
    rows = list(connection.execute(sa.select(P.c.id, P.c.auto_delete).where(
        P.c.device_id == server_uuid, P.c.device_owner == SERVER_OWNER)))
    delete(connection, [port_id for port_id, auto in rows if auto])
    kept = [port_id for port_id, auto in rows if not auto]
    if kept:
        connection.execute(sa.update(F).where(F.c.port_id.in_(kept)).values(
            port_id=None, fixed_address=None))
        connection.execute(sa.update(P).where(P.c.id.in_(kept)).values(
            device_id=None, device_owner=""))


def records(connection: Connection, rows: Sequence[Mapping[str, Any]]) -> list[Port]:
    """Records for port rows: their addresses and groups in two queries."""
    ids = [row["id"] for row in rows]
    if not ids:
        return []
    fixed: dict[int, list[FixedAddress]] = {i: [] for i in ids}
    for port_id, address, subnet in connection.execute(
            sa.select(A.c.port_id, A.c.address, S.c.uuid)
            .select_from(A.join(S, S.c.id == A.c.subnet_id))
            .where(A.c.port_id.in_(ids)).order_by(A.c.port_id, A.c.address)):
        fixed[port_id].append(FixedAddress(subnet_id=subnet, ip_address=address))
    groups: dict[int, list[str]] = {i: [] for i in ids}
    for port_id, group in connection.execute(
            sa.select(PSG.c.port_id, G.c.uuid).select_from(PSG.join(G, G.c.id == PSG.c.group_id))
            .where(PSG.c.port_id.in_(ids)).order_by(PSG.c.port_id, G.c.id)):
        groups[port_id].append(group)
    networks = dict(connection.execute(sa.select(N.c.id, N.c.uuid).where(
        N.c.id.in_({row["network_id"] for row in rows}))).all())
    return [Port(id=row["uuid"], network_id=networks[row["network_id"]],
                 project_id=row["project_id"], name=row["name"], device_id=row["device_id"],
                 device_owner=row["device_owner"], mac_address=row["mac_address"],
                 fixed_ips=tuple(fixed[row["id"]]), security_groups=tuple(groups[row["id"]]),
                 tag=row["tag"], created_at=convert.aware(row["created_at"]))
            for row in rows]


def listing(connection: Connection, context: RequestContext,
            filters: Mapping[str, Sequence[Any]] | None = None) -> list[Port]:
    """The visible ports, by C{id}, C{name}, C{network_id}, C{device_id}, C{device_owner}..."""
    clauses = [visible(context)]
    columns = {"id": P.c.uuid, "name": P.c.name, "network_id": N.c.uuid,
               "device_id": P.c.device_id, "device_owner": P.c.device_owner,
               "mac_address": P.c.mac_address, "project_id": P.c.project_id}
    for key, values in (filters or {}).items():
        if key in columns:
            clauses.append(columns[key].in_([v for v in values if validation.storable(v)]))
    rows = list(connection.execute(sa.select(P).select_from(P.join(N, N.c.id == P.c.network_id))
                                   .where(*clauses).order_by(P.c.id)).mappings())
    return records(connection, rows)


#: A page of servers' addresses in one statement: fixed ones, then floating
#: ones, under the name of the network of the port they are on.
_UUIDS = sa.bindparam("uuids", expanding=True)
_ADDRESSES = sa.union_all(
    sa.select(P.c.device_id, P.c.id, sa.literal("fixed"), N.c.name, A.c.address,
              P.c.mac_address, P.c.uuid)
    .select_from(P.join(N, N.c.id == P.c.network_id).join(A, A.c.port_id == P.c.id))
    .where(P.c.device_id.in_(_UUIDS), P.c.device_owner == SERVER_OWNER),
    sa.select(P.c.device_id, P.c.id, sa.literal("floating"), N.c.name, F.c.address,
              P.c.mac_address, P.c.uuid)
    .select_from(F.join(P, P.c.id == F.c.port_id).join(N, N.c.id == P.c.network_id))
    .where(P.c.device_id.in_(_UUIDS), P.c.device_owner == SERVER_OWNER),
)
_GROUP_NAMES = (
    sa.select(P.c.device_id, G.c.name, G.c.id).distinct()
    .select_from(PSG.join(P, P.c.id == PSG.c.port_id).join(G, G.c.id == PSG.c.group_id))
    .where(P.c.device_id.in_(_UUIDS), P.c.device_owner == SERVER_OWNER)
)


def server_networking(connection: Connection, server_uuids: Sequence[str],
                      ) -> tuple[dict[str, tuple[ServerAddress, ...]],
                                 dict[str, tuple[tuple[str, int], ...]]]:
    """
    The addresses and the security groups (name and store id, by name) of
    servers, in two statements.
    """
    found: dict[str, list[tuple]] = {}
    groups: dict[str, list[tuple[str, int]]] = {}
    if not server_uuids:
        return {}, {}
    for device, port_id, kind, network, address, mac, port in connection.execute(
            _ADDRESSES, {"uuids": list(server_uuids)}):
        found.setdefault(device, []).append((port_id, kind != "fixed", address, network, mac,
                                             port, kind))
    for device, name, group_id in connection.execute(_GROUP_NAMES,
                                                     {"uuids": list(server_uuids)}):
        groups.setdefault(device, []).append((name, group_id))
    return ({device: tuple(ServerAddress(network=network, address=address, mac_address=mac,
                                         type=kind, port_id=port)
                           for _, _, address, network, mac, port, kind in sorted(rows))
             for device, rows in found.items()},
            {device: tuple(sorted(pairs)) for device, pairs in groups.items()})
