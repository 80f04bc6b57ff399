"""
Floating IPs: an address of an external network held by a project, which
may forward to one fixed address of one port.

The address is held by a port of its own on the external network (as
neutron's), so the one rule that no address is given twice covers fixed and
floating addresses alike.
"""

from __future__ import annotations

import uuid as uuidlib
from typing import Any, Mapping, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from novatx.compute import convert, validation
from novatx.compute.context import RequestContext
from novatx.compute.network import ports
from novatx.compute.network.exceptions import (
    FloatingIPAssociated, FloatingIPNotFound, InvalidAddress,
)
from novatx.compute.network.records import FloatingIP
from novatx.db import tables as t

F, P, A, N = t.floating_ips, t.ports, t.port_addresses, t.networks


def visible(context: RequestContext) -> sa.ColumnElement:
    return sa.true() if context.is_admin else F.c.project_id == context.project_id


def row_by(connection: Connection, context: RequestContext, *, uuid: Any = None,
           address: Any = None, for_update: bool = False) -> Mapping[str, Any]:
    wanted = uuid if uuid is not None else address
    if not isinstance(wanted, str) or not validation.storable(wanted):
        raise FloatingIPNotFound(floatingip_id=wanted)
    column = F.c.uuid if uuid is not None else F.c.address
    statement = sa.select(F).where(column == wanted, visible(context))
    if for_update:
        statement = statement.with_for_update()
    row = connection.execute(statement).mappings().first()
    if row is None:
        raise FloatingIPNotFound(floatingip_id=wanted)
    return row


def allocate(connection: Connection, network: Mapping[str, Any], project_id: str, now: Any,
             address: str | None = None, description: str = "") -> int:
    """A floating IP of C{network} (external) for the project; its store id."""
    if not network["external"]:
        raise InvalidAddress("Bad floatingip request: Network %s is not a valid external "
                             "network." % network["uuid"])
    fip_uuid = str(uuidlib.uuid4())
    own = ports.create(connection, network, "", now, device_id=fip_uuid,
                       device_owner=ports.FLOATING_OWNER, fixed_ip=address)
    given = connection.execute(sa.select(A.c.address).where(A.c.port_id == own)).scalar()
    return connection.execute(sa.insert(F).values(
        uuid=fip_uuid, project_id=project_id, network_id=network["id"], own_port_id=own,
        address=given, description=description, created_at=now, updated_at=now,
    )).inserted_primary_key[0]


def associate(connection: Connection, fip: Mapping[str, Any], port: Mapping[str, Any],
              fixed_address: str | None, now: Any) -> None:
    """
    Forward C{fip} to one of C{port}'s addresses (its first when not named),
    moving it from where it forwarded (as neutron's update and nova's
    C{addFloatingIp} do). An address that another floating IP already
    forwards to is L{FloatingIPAssociated}.
    """
    fixed = list(connection.execute(sa.select(A.c.address).where(
        A.c.port_id == port["id"]).order_by(A.c.address)).scalars())
    if not fixed:
        raise InvalidAddress("Bad floatingip request: Port %s does not have any IP addresses."
                             % port["uuid"])
    if fixed_address is None:
        fixed_address = fixed[0]
    elif fixed_address not in fixed:
        raise InvalidAddress("Bad floatingip request: Port %s does not have fixed ip %s."
                             % (port["uuid"], fixed_address))
    other = connection.execute(sa.select(F.c.address).where(
        F.c.port_id == port["id"], F.c.fixed_address == fixed_address,
        F.c.id != fip["id"])).scalar()
    if other is not None:
        raise FloatingIPAssociated(address=other, port_id=port["uuid"])
    connection.execute(sa.update(F).where(F.c.id == fip["id"]).values(
        port_id=port["id"], fixed_address=fixed_address, updated_at=now))


def disassociate(connection: Connection, fip: Mapping[str, Any], now: Any) -> None:
    connection.execute(sa.update(F).where(F.c.id == fip["id"]).values(
        port_id=None, fixed_address=None, updated_at=now))


def release(connection: Connection, fip: Mapping[str, Any]) -> None:
    """Give the address back to its network's pool."""
    connection.execute(sa.delete(F).where(F.c.id == fip["id"]))
    ports.delete(connection, [fip["own_port_id"]])


#: The port a floating IP forwards to, as the listings join it (its uuid filters them).
TARGET = P.alias("target")


def records(connection: Connection, clauses: Sequence[Any]) -> list[FloatingIP]:
    rows = connection.execute(
        sa.select(F, N.c.uuid.label("network_uuid"), N.c.name.label("pool"),
                  TARGET.c.uuid.label("port_uuid"), TARGET.c.device_id)
        .select_from(F.join(N, N.c.id == F.c.network_id)
                     .outerjoin(TARGET, TARGET.c.id == F.c.port_id))
        .where(*clauses).order_by(F.c.id)).mappings()
    return [FloatingIP(
        id=row["uuid"], project_id=row["project_id"], floating_network_id=row["network_uuid"],
        floating_ip_address=row["address"], pool=row["pool"], port_id=row["port_uuid"],
        fixed_ip_address=row["fixed_address"],
        device_id=row["device_id"] if row["port_uuid"] else None,
        description=row["description"], created_at=convert.aware(row["created_at"]),
        updated_at=convert.aware(row["updated_at"])) for row in rows]
