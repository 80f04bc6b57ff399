"""
The behaviours' database work: functions of a connection, run by the store
on its threads inside one transaction.
"""

from __future__ import annotations

import datetime
from typing import Any

import sqlalchemy as sa

from novatx.compute import convert
from novatx.compute.behaviours._globs import matches
from novatx.compute.behaviours._records import Behaviour, BehaviourSpec, Match
from novatx.db import tables as t

_b = t.behaviours


def _record(row: Any) -> Behaviour:
    spec = BehaviourSpec(
        project_id=row.project_id, effect=row.effect, params=dict(row.params),
        count=row.count, times=row.fired + row.remaining if row.count == "n" else None,
        api=row.api,
        method=row.method, path=row.path, ec2_action=row.ec2_action,
        server_name=row.server_name, not_before=convert.aware(row.not_before),
        not_after=convert.aware(row.not_after))
    return Behaviour(id=row.id, spec=spec, created_by=row.created_by,
                     created_at=convert.aware(row.created_at), fired=row.fired,
                     remaining=row.remaining)


def _stored(value: datetime.datetime | None) -> datetime.datetime | None:
    return convert.to_store(value) if value is not None else None


def insert(connection: Any, behaviour_id: str, spec: BehaviourSpec, created_by: str,
           now: datetime.datetime) -> Behaviour:
    """Store a checked spec; its firings start at C{once}: 1, C{n}: C{times}."""
    remaining = {"once": 1, "n": spec.times, "forever": None}[spec.count]
    connection.execute(_b.insert().values(
        id=behaviour_id, project_id=spec.project_id, api=spec.api, method=spec.method,
        path=spec.path, ec2_action=spec.ec2_action, server_name=spec.server_name,
        effect=spec.effect, params=spec.params, count=spec.count, remaining=remaining,
        fired=0, not_before=_stored(spec.not_before),
        not_after=_stored(spec.not_after), created_by=created_by, created_at=now))
    return get(connection, behaviour_id)


def get(connection: Any, behaviour_id: str) -> Behaviour | None:
    row = connection.execute(sa.select(_b).where(_b.c.id == behaviour_id)).first()
    return _record(row) if row is not None else None


def list_(connection: Any, project_id: str | None) -> list[Behaviour]:
    """A project's behaviours (every project's: C{None}), oldest first."""
    query = sa.select(_b).order_by(_b.c.created_at, _b.c.id)
    if project_id is not None:
        query = query.where(_b.c.project_id == project_id)
    return [_record(row) for row in connection.execute(query)]


def delete(connection: Any, behaviour_id: str, project_id: str | None) -> int:
    query = _b.delete().where(_b.c.id == behaviour_id)
    if project_id is not None:
        query = query.where(_b.c.project_id == project_id)
    return connection.execute(query).rowcount


def clear(connection: Any, project_id: str) -> int:
    return connection.execute(_b.delete().where(_b.c.project_id == project_id)).rowcount


def _in_scope(row: Any, match: Match) -> bool:
    return ((row.api is None or row.api == match.api)
            and (row.method is None or row.method == match.method)
            and (row.ec2_action is None or row.ec2_action == match.ec2_action)
            and matches(row.path, match.path)
            and matches(row.server_name, match.server_name)
            and row.params.get("server_id") in (None, match.server_id)
            and row.params.get("action") in (None, match.action)
            and row.params.get("state") in (None, match.state))


def fire(connection: Any, match: Match, now: datetime.datetime) -> Behaviour | None:
    """
    Take one firing of the oldest behaviour in scope of C{match}, if any.

    The firing is taken by an C{UPDATE} that only succeeds while the row
    still has firings left: of two workers racing for the last one, the
    database lets one succeed and the other finds nothing (and tries the
    next behaviour in scope).
    """
    query = sa.select(_b).where(
        _b.c.project_id == match.project_id,
        _b.c.effect.in_(match.effects),
        sa.or_(_b.c.remaining.is_(None), _b.c.remaining > 0),
        sa.or_(_b.c.not_before.is_(None), _b.c.not_before <= now),
        sa.or_(_b.c.not_after.is_(None), _b.c.not_after > now),
    ).order_by(_b.c.created_at, _b.c.id)
    for row in connection.execute(query).all():
        if not _in_scope(row, match):
            continue
        taken = connection.execute(
            _b.update()
            .where(_b.c.id == row.id, sa.or_(_b.c.remaining.is_(None), _b.c.remaining > 0))
            .values(fired=_b.c.fired + 1, remaining=_b.c.remaining - 1)
        ).rowcount
        if taken:
            return get(connection, row.id)
    return None
