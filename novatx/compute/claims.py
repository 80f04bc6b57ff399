"""
Claims on the transitions the simulated drivers run: which worker ends a
row's pending action is written in the row (C{claimed_by}, C{claim_expires}),
and taking it over is one compare-and-set, so that of two workers reaching for
the same transition exactly one gets it. Instances, volumes and snapshots keep
their claims in the same columns.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection


def abandoned(table: sa.Table, now: float) -> sa.ColumnElement:
    """Pending rows nobody holds, or whose holder let its claim expire by C{now}."""
    return sa.and_(table.c.pending_action.is_not(None),
                   sa.or_(table.c.claimed_by.is_(None), table.c.claim_expires < now))


def held_by(table: sa.Table, owner: str | None) -> sa.ColumnElement:
    """Rows C{owner} holds (None: rows nobody holds)."""
    return table.c.claimed_by.is_(None) if owner is None else table.c.claimed_by == owner


def claim(connection: Connection, table: sa.Table, row_id: int, action: str,
          holder: sa.ColumnElement, worker_id: str, expires: float) -> bool:
    """
    Make C{worker_id} the holder of row C{row_id}'s C{action} until
    C{expires}, if the row still has that action pending and C{holder} (what
    the caller saw: L{held_by}, L{abandoned}) still holds; whether it did.
    """
    return connection.execute(
        sa.update(table).where(table.c.id == row_id, table.c.pending_action == action, holder)
        .values(claimed_by=worker_id, claim_expires=expires)).rowcount == 1
