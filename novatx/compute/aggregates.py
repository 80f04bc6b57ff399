"""
Host aggregates in the store: an admin's named groups of compute hosts with
metadata, and the one effect this deployment gives them, nova's: an
aggregate's C{availability_zone} item puts its hosts in that zone.

A host may be in several aggregates but in one zone only, so adding it to an
aggregate of another zone, or giving an aggregate of it another zone, is
refused (nova's 400), as is the zone nova keeps its control services in.
"""

from __future__ import annotations

import datetime
import uuid as uuidlib
from typing import Any, Mapping

import attrs
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from novatx.compute import convert
from novatx.compute.exceptions import Conflict, Invalid, NotFound
from novatx.compute.listing import equals
from novatx.db import tables as t

A, H, M = t.aggregates, t.aggregate_hosts, t.aggregate_metadata

#: The metadata item that names an aggregate's zone.
ZONE_KEY = "availability_zone"

#: The zone of nova's control services, which no aggregate may take.
INTERNAL_ZONE = "internal"


class AggregateNotFound(NotFound):
    msg_fmt = "Aggregate %(aggregate_id)s could not be found."


class AggregateNameExists(Conflict):
    msg_fmt = "Aggregate %(aggregate_name)s already exists."


class AggregateHostExists(Conflict):
    msg_fmt = "Aggregate %(aggregate_id)s already has host %(host)s."


class AggregateHostNotFound(NotFound):
    msg_fmt = "Aggregate %(aggregate_id)s has no host %(host)s."


class ComputeHostNotFound(NotFound):
    msg_fmt = "Compute host %(host)s could not be found."


class InvalidAggregateAction(Invalid):
    msg_fmt = ("Cannot perform action '%(action)s' on aggregate %(aggregate_id)s. "
               "Reason: %(reason)s.")


@attrs.frozen
class Aggregate:
    """One aggregate as the internal API returns it."""

    id: int
    uuid: str
    name: str
    availability_zone: str | None
    hosts: tuple[str, ...]
    metadata: dict[str, str]
    created_at: datetime.datetime | None
    updated_at: datetime.datetime | None


def _records(connection: Connection, rows: list[Mapping[str, Any]]) -> list[Aggregate]:
    ids = [row["id"] for row in rows]
    hosts: dict[int, list[str]] = {i: [] for i in ids}
    items: dict[int, dict[str, str]] = {i: {} for i in ids}
    if ids:
        for aggregate_id, host in connection.execute(
                sa.select(H.c.aggregate_id, H.c.host).where(H.c.aggregate_id.in_(ids))
                .order_by(H.c.host)):
            hosts[aggregate_id].append(host)
        for aggregate_id, key, value in connection.execute(
                sa.select(M.c.aggregate_id, M.c.key, M.c.value).where(M.c.aggregate_id.in_(ids))):
            items[aggregate_id][key] = value
    return [
        Aggregate(id=row["id"], uuid=row["uuid"], name=row["name"],
                  availability_zone=items[row["id"]].get(ZONE_KEY),
                  hosts=tuple(hosts[row["id"]]), metadata=items[row["id"]],
                  created_at=convert.aware(row["created_at"]),
                  updated_at=convert.aware(row["updated_at"]))
        for row in rows
    ]


def list_all(connection: Connection) -> list[Aggregate]:
    return _records(connection, list(connection.execute(sa.select(A).order_by(A.c.id)).mappings()))


def _row(connection: Connection, aggregate_id: Any, for_update: bool = False) -> Mapping[str, Any]:
    try:
        key = int(aggregate_id)
    except (TypeError, ValueError):
        raise AggregateNotFound(aggregate_id=aggregate_id) from None
    query = sa.select(A).where(A.c.id == key)
    if for_update:
        query = query.with_for_update()
    row = connection.execute(query).mappings().first()
    if row is None:
        raise AggregateNotFound(aggregate_id=aggregate_id)
    return row


def get(connection: Connection, aggregate_id: Any) -> Aggregate:
    return _records(connection, [_row(connection, aggregate_id)])[0]


def _check_name(connection: Connection, name: str, own_id: int | None = None) -> None:
    clash = connection.execute(sa.select(A.c.id).where(equals(A.c.name, name))).scalar()
    if clash is not None and clash != own_id:
        raise AggregateNameExists(aggregate_name=name)


def _check_zone(zone: str | None) -> None:
    if zone is None:
        return
    if zone == INTERNAL_ZONE:
        raise InvalidAggregateAction(
            action="update", aggregate_id="-",
            reason="Aggregates may not be in the %s zone." % INTERNAL_ZONE)
    if ":" in zone:
        raise Invalid("The availability zone name may not contain ':'.")


def host_zones(connection: Connection) -> dict[str, str]:
    """The zone each host is given by its aggregates (hosts in none are absent)."""
    found = connection.execute(sa.select(H.c.host, M.c.value).select_from(
        H.join(M, sa.and_(M.c.aggregate_id == H.c.aggregate_id, M.c.key == ZONE_KEY))))
    return {host: zone for host, zone in found}


def _zone_conflict(connection: Connection, aggregate_id: int, hosts: list[str],
                   zone: str | None, action: str) -> None:
    """Refuse a zone for C{hosts} that another of their aggregates contradicts."""
    if zone is None:
        return
    others = connection.execute(sa.select(H.c.host, M.c.value).select_from(
        H.join(M, sa.and_(M.c.aggregate_id == H.c.aggregate_id, M.c.key == ZONE_KEY)))
        .where(H.c.aggregate_id != aggregate_id)).all()
    for host, other in others:
        if host in hosts and other != zone:
            raise InvalidAggregateAction(
                action=action, aggregate_id=aggregate_id,
                reason="One or more hosts already in availability zone(s) [%r]" % other)


def create(connection: Connection, name: str, zone: str | None, now: Any) -> Aggregate:
    _check_zone(zone)
    _check_name(connection, name)
    aggregate_id = connection.execute(sa.insert(A).values(
        uuid=str(uuidlib.uuid4()), name=name, created_at=now, updated_at=None,
    )).inserted_primary_key[0]
    if zone is not None:
        connection.execute(sa.insert(M).values(aggregate_id=aggregate_id, key=ZONE_KEY, value=zone))
    return get(connection, aggregate_id)


def _hosts_of(connection: Connection, aggregate_id: int) -> list[str]:
    return list(connection.execute(sa.select(H.c.host).where(H.c.aggregate_id == aggregate_id))
                .scalars())


def _set_items(connection: Connection, aggregate_id: int, items: Mapping[str, str | None]) -> None:
    for key, value in items.items():
        connection.execute(sa.delete(M).where(M.c.aggregate_id == aggregate_id, M.c.key == key))
        if value is not None:
            connection.execute(sa.insert(M).values(aggregate_id=aggregate_id, key=key, value=value))


def update(connection: Connection, aggregate_id: Any, name: str | None, zone: Any,
           now: Any) -> Aggregate:
    """Rename and/or re-zone (C{zone} L{attrs.NOTHING}: unchanged; None: no zone)."""
    row = _row(connection, aggregate_id, for_update=True)
    if name is not None:
        _check_name(connection, name, row["id"])
    values: dict[str, Any] = {"updated_at": now}
    if name is not None:
        values["name"] = name
    if zone is not attrs.NOTHING:
        _check_zone(zone)
        _zone_conflict(connection, row["id"], _hosts_of(connection, row["id"]), zone, "update")
        _set_items(connection, row["id"], {ZONE_KEY: zone})
    connection.execute(sa.update(A).where(A.c.id == row["id"]).values(**values))
    return get(connection, row["id"])


def set_metadata(connection: Connection, aggregate_id: Any, items: Mapping[str, str | None],
                 now: Any) -> Aggregate:
    """Set items; an item set to None is removed (nova's C{set_metadata})."""
    row = _row(connection, aggregate_id, for_update=True)
    if ZONE_KEY in items:
        _check_zone(items[ZONE_KEY])
        _zone_conflict(connection, row["id"], _hosts_of(connection, row["id"]),
                       items[ZONE_KEY], "set_metadata")
    _set_items(connection, row["id"], items)
    connection.execute(sa.update(A).where(A.c.id == row["id"]).values(updated_at=now))
    return get(connection, row["id"])


def add_host(connection: Connection, aggregate_id: Any, host: str, known_hosts: list[str],
             now: Any) -> Aggregate:
    row = _row(connection, aggregate_id, for_update=True)
    if host not in known_hosts:
        raise ComputeHostNotFound(host=host)
    if host in _hosts_of(connection, row["id"]):
        raise AggregateHostExists(aggregate_id=row["id"], host=host)
    zone = connection.execute(sa.select(M.c.value).where(
        M.c.aggregate_id == row["id"], M.c.key == ZONE_KEY)).scalar()
    _zone_conflict(connection, row["id"], [host], zone, "add_host")
    connection.execute(sa.insert(H).values(aggregate_id=row["id"], host=host))
    connection.execute(sa.update(A).where(A.c.id == row["id"]).values(updated_at=now))
    return get(connection, row["id"])


def remove_host(connection: Connection, aggregate_id: Any, host: str, now: Any) -> Aggregate:
    row = _row(connection, aggregate_id, for_update=True)
    removed = connection.execute(sa.delete(H).where(
        H.c.aggregate_id == row["id"], equals(H.c.host, host))).rowcount
    if not removed:
        raise AggregateHostNotFound(aggregate_id=row["id"], host=host)
    connection.execute(sa.update(A).where(A.c.id == row["id"]).values(updated_at=now))
    return get(connection, row["id"])


def delete(connection: Connection, aggregate_id: Any) -> None:
    row = _row(connection, aggregate_id, for_update=True)
    if _hosts_of(connection, row["id"]):
        raise InvalidAggregateAction(action="delete", aggregate_id=row["id"],
                                     reason="Host aggregate is not empty")
    connection.execute(sa.delete(M).where(M.c.aggregate_id == row["id"]))
    connection.execute(sa.delete(A).where(A.c.id == row["id"]))


def zoned(connection: Connection, host: Mapping[str, Any]) -> dict[str, Any]:
    """The driver's C{host_info} with the zone its aggregates give it, if any."""
    zone = host_zones(connection).get(host["host"])
    return dict(host) if zone is None else dict(host, availability_zone=zone)
