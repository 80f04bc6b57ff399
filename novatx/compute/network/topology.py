"""
The networks and their subnets: the shared C{private} network of the fixed
range and the external C{public} network of the floating range, made from
the config when the store first opens, the projects' own networks and
subnets, and all of them read back as records.

Two workers opening one store at once make each network once: the name is
unique, and the loser's insert, in a savepoint, is dropped.
"""

from __future__ import annotations

import ipaddress
import uuid as uuidlib
from typing import Any, Iterable, Mapping

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from novatx.compute import convert, validation
from novatx.compute.context import RequestContext
from novatx.compute.network.exceptions import InvalidNetwork, NetworkNotFound, SubnetNotFound
from novatx.compute.network.pool import addresses
from novatx.compute.network.records import Network, Subnet
from novatx.db import tables as t

N, S = t.networks, t.subnets


def _subnet_values(cidr: str) -> dict[str, Any]:
    network = ipaddress.ip_network(cidr, strict=False)
    gateway = next(iter(network.hosts()), None)
    return {"cidr": str(network), "gateway_ip": str(gateway) if gateway else None,
            "ip_version": network.version}


def ensure(connection: Connection, conf: Any, now: Any) -> None:
    """Make the configured networks that the store does not have yet."""
    wanted = (
        (conf.network.private_network, conf.network.fixed_range, True, False),
        (conf.network.public_network, conf.network.floating_range, False, True),
    )
    for name, cidr, shared, external in wanted:
        if connection.execute(sa.select(N.c.id).where(N.c.name == name)).first():
            continue
        try:
            with connection.begin_nested():
                network_id = connection.execute(sa.insert(N).values(
                    uuid=str(uuidlib.uuid4()), name=name, project_id="", shared=shared,
                    external=external, created_at=now)).inserted_primary_key[0]
                connection.execute(sa.insert(S).values(
                    uuid=str(uuidlib.uuid4()), network_id=network_id, name=name + "-subnet",
                    project_id="", created_at=now, **_subnet_values(cidr)))
        except IntegrityError:
            continue


def create_network(connection: Connection, project_id: str, name: str, shared: bool,
                   now: Any) -> Mapping[str, Any]:
    """A project's network, with no subnet yet (a taken name: L{InvalidNetwork})."""
    try:
        with connection.begin_nested():
            row_id = connection.execute(sa.insert(N).values(
                uuid=str(uuidlib.uuid4()), name=name, project_id=project_id, shared=shared,
                external=False, created_at=now)).inserted_primary_key[0]
    except IntegrityError:
        raise InvalidNetwork(reason="A network named %s exists already: names are unique "
                             "here." % name) from None
    return connection.execute(sa.select(N).where(N.c.id == row_id)).mappings().one()


def create_subnet(connection: Connection, network: Mapping[str, Any], project_id: str,
                  cidr: str, ip_version: int, name: str, now: Any) -> int:
    """
    A subnet of C{network} over C{cidr}, checked as neutron checks it: a
    valid network of C{ip_version}, not overlapping the network's others.
    """
    try:
        wanted = ipaddress.ip_network(cidr, strict=False)
    except (TypeError, ValueError):
        raise InvalidNetwork(reason="Invalid input for cidr. Reason: '%s' is not a valid IP "
                             "subnet." % (cidr,)) from None
    if wanted.version != ip_version:
        raise InvalidNetwork(reason="Invalid input for operation: cidr and ip_version must "
                             "match.")
    if wanted.num_addresses < 4:
        raise InvalidNetwork(reason="Invalid input for operation: The subnet %s is too small."
                             % wanted)
    for other in subnet_rows(connection, [network["id"]]):
        if ipaddress.ip_network(other["cidr"]).overlaps(wanted):
            raise InvalidNetwork(reason="Invalid input for operation: Requested subnet with "
                                 "cidr: %s for network: %s overlaps with another subnet."
                                 % (wanted, network["uuid"]))
    return connection.execute(sa.insert(S).values(
        uuid=str(uuidlib.uuid4()), network_id=network["id"], name=name,
        project_id=project_id, created_at=now, **_subnet_values(str(wanted)))
    ).inserted_primary_key[0]


def owned(row: Mapping[str, Any], context: RequestContext, what: str) -> None:
    """Only its project (or an admin) changes a network: neutron's 404 hides the others'."""
    if not context.is_admin and row["project_id"] != context.project_id:
        raise (NetworkNotFound(network_id=row["uuid"]) if what == "network"
               else SubnetNotFound(subnet_id=row["uuid"]))


def visible(context: RequestContext) -> sa.ColumnElement:
    """The networks C{context} may see: shared, external, its project's; all for admins."""
    if context.is_admin:
        return sa.true()
    return sa.or_(N.c.shared == sa.true(), N.c.external == sa.true(),
                  N.c.project_id == context.project_id)


def network_row(connection: Connection, context: RequestContext,
                network_uuid: str) -> Mapping[str, Any]:
    if not validation.storable(network_uuid) or not isinstance(network_uuid, str):
        raise NetworkNotFound(network_id=network_uuid)
    row = connection.execute(sa.select(N).where(
        N.c.uuid == network_uuid, visible(context))).mappings().first()
    if row is None:
        raise NetworkNotFound(network_id=network_uuid)
    return row


def network_by_id_or_name(connection: Connection, context: RequestContext,
                          network: str) -> Mapping[str, Any]:
    """A visible network by id, else by name (nova's pools are names)."""
    try:
        return network_row(connection, context, network)
    except NetworkNotFound:
        row = connection.execute(sa.select(N).where(N.c.name == network, visible(context))
                                 ).mappings().first()
        if row is None:
            raise
        return row


def network_by_name(connection: Connection, name: str) -> Mapping[str, Any]:
    row = connection.execute(sa.select(N).where(N.c.name == name)).mappings().first()
    if row is None:
        raise NetworkNotFound(network_id=name)
    return row


def subnet_rows(connection: Connection, network_ids: Iterable[int]) -> list[Mapping[str, Any]]:
    return list(connection.execute(sa.select(S).where(
        S.c.network_id.in_(list(network_ids))).order_by(S.c.id)).mappings())


def subnet_record(row: Mapping[str, Any], network_uuid: str) -> Subnet:
    pool = addresses(row["cidr"])
    first = next(iter(pool), None)
    last = None
    if first is not None:
        network = pool.network
        last_address = network.broadcast_address - 1 if network.version == 4 \
            and network.num_addresses > 2 else network.broadcast_address
        last = str(last_address)
    return Subnet(id=row["uuid"], network_id=network_uuid, name=row["name"],
                  project_id=row["project_id"], cidr=row["cidr"], gateway_ip=row["gateway_ip"],
                  ip_version=row["ip_version"],
                  allocation_pool=(first, last) if first is not None else None,
                  created_at=convert.aware(row["created_at"]))


def networks(connection: Connection, context: RequestContext,
             filters: Mapping[str, Any] | None = None) -> list[Network]:
    """The visible networks, by C{id}, C{name}, C{shared}, C{external} if asked."""
    clauses = [visible(context)]
    for key, column in (("id", N.c.uuid), ("name", N.c.name), ("shared", N.c.shared),
                        ("external", N.c.external), ("project_id", N.c.project_id)):
        if filters and key in filters:
            clauses.append(column.in_([v for v in filters[key] if validation.storable(v)]))
    rows = list(connection.execute(sa.select(N).where(*clauses).order_by(N.c.id)).mappings())
    subnets: dict[int, list[str]] = {row["id"]: [] for row in rows}
    for subnet in subnet_rows(connection, subnets):
        subnets[subnet["network_id"]].append(subnet["uuid"])
    return [Network(id=row["uuid"], name=row["name"], project_id=row["project_id"],
                    shared=bool(row["shared"]), external=bool(row["external"]),
                    subnets=tuple(subnets[row["id"]]),
                    created_at=convert.aware(row["created_at"])) for row in rows]


def subnets(connection: Connection, context: RequestContext,
            filters: Mapping[str, Any] | None = None) -> list[Subnet]:
    """The subnets of the visible networks, by C{id}, C{name}, C{network_id} if asked."""
    clauses = [visible(context)]
    for key, column in (("id", S.c.uuid), ("name", S.c.name), ("network_id", N.c.uuid),
                        ("cidr", S.c.cidr)):
        if filters and key in filters:
            clauses.append(column.in_([v for v in filters[key] if validation.storable(v)]))
    rows = connection.execute(sa.select(S, N.c.uuid.label("network_uuid"))
                              .select_from(S.join(N, N.c.id == S.c.network_id))
                              .where(*clauses).order_by(S.c.id)).mappings()
    return [subnet_record(row, row["network_uuid"]) for row in rows]


def subnet(connection: Connection, context: RequestContext, subnet_uuid: str) -> Subnet:
    found = subnets(connection, context, {"id": [subnet_uuid]})
    if not found:
        raise SubnetNotFound(subnet_id=subnet_uuid)
    return found[0]
