"""
Migrations in the store: nova's record of a server's move. Here a resize is
the one move the simulated host makes (to the same host, as nova does with
C{allow_resize_to_same_host}): it is C{migrating} while under way,
C{finished} when the server waits in VERIFY_RESIZE, then C{confirmed} or
C{reverted}. The records stay, as nova keeps them, for C{os-migrations}.
"""

from __future__ import annotations

import datetime
import uuid as uuidlib
from typing import Any, Mapping

import attrs
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from novatx.compute import convert
from novatx.compute.exceptions import MarkerNotFound
from novatx.compute.listing import equals
from novatx.compute.records import Page
from novatx.db import tables as t

MG = t.migrations

#: The filters L{list_page} takes, by column.
_EQUALITY = ("instance_uuid", "status", "migration_type", "source_compute", "user_id",
             "project_id")


@attrs.frozen
class Migration:
    """One move of one server."""

    id: int
    uuid: str
    instance_uuid: str
    migration_type: str
    status: str
    source_compute: str | None
    dest_compute: str | None
    old_instance_type_id: int | None
    new_instance_type_id: int | None
    project_id: str
    user_id: str
    created_at: datetime.datetime | None
    updated_at: datetime.datetime | None


def _record(row: Mapping[str, Any]) -> Migration:
    return Migration(
        id=row["id"], uuid=row["uuid"], instance_uuid=row["instance_uuid"],
        migration_type=row["migration_type"], status=row["status"],
        source_compute=row["source_compute"], dest_compute=row["dest_compute"],
        old_instance_type_id=row["old_instance_type_id"],
        new_instance_type_id=row["new_instance_type_id"], project_id=row["project_id"],
        user_id=row["user_id"], created_at=convert.aware(row["created_at"]),
        updated_at=convert.aware(row["updated_at"]),
    )


def start(connection: Connection, row: Mapping[str, Any], user_id: str, kind: str,
          new_flavor_id: int, now: Any, status: str = "migrating",
          dest: str | None = None) -> None:
    """Record the move of the instance C{row} (status C{migrating}, to its own host)."""
    connection.execute(sa.insert(MG).values(
        uuid=str(uuidlib.uuid4()), instance_uuid=row["uuid"], migration_type=kind,
        status=status, source_compute=row["host"],
        dest_compute=row["host"] if dest is None else dest,
        old_instance_type_id=(row["flavor"] or {}).get("id"), new_instance_type_id=new_flavor_id,
        project_id=row["project_id"], user_id=user_id, created_at=now, updated_at=now,
    ))


def advance(connection: Connection, instance_uuid: str, current: str, status: str,
            now: Any) -> None:
    """Move the instance's migrations in status C{current} on to C{status}."""
    connection.execute(sa.update(MG).where(
        MG.c.instance_uuid == instance_uuid, MG.c.status == current).values(
        status=status, updated_at=now))


def list_page(connection: Connection, filters: Mapping[str, Any], limit: int | None,
              marker: str | None) -> Page:
    """Migrations, newest first, by the filters nova takes (C{host}: either end)."""
    clauses = []
    for name in _EQUALITY:
        if filters.get(name) is not None:
            clauses.append(equals(MG.c[name], filters[name]))
    if filters.get("host") is not None:
        clauses.append(sa.or_(equals(MG.c.source_compute, filters["host"]),
                              equals(MG.c.dest_compute, filters["host"])))
    if filters.get("changes_since") is not None:
        clauses.append(MG.c.updated_at >= convert.to_store(filters["changes_since"]))
    if filters.get("changes_before") is not None:
        clauses.append(MG.c.updated_at <= convert.to_store(filters["changes_before"]))
    if marker is not None:
        found = connection.execute(sa.select(MG.c.created_at, MG.c.id).where(
            equals(MG.c.uuid, marker))).first()
        if found is None:
            raise MarkerNotFound(marker=marker)
        created, ident = found
        clauses.append(sa.or_(MG.c.created_at < created,
                              sa.and_(MG.c.created_at == created, MG.c.id < ident)))
    query = sa.select(MG).where(*clauses).order_by(MG.c.created_at.desc(), MG.c.id.desc())
    if limit is not None:
        query = query.limit(limit + 1)
    rows = list(connection.execute(query).mappings())
    has_more = limit is not None and len(rows) > limit
    return Page(items=tuple(_record(row) for row in rows[:limit]), has_more=has_more)
