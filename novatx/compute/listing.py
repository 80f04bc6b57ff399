"""
What the store's listings share: clauses by values that no row can hold, and
cutting one page from what a query read.

A lookup by a value with a NUL finds nothing without asking the database
(PostgreSQL refuses such a value with an error, not a miss). A page is read
one row past its limit, to tell whether another follows; a limit of zero has
nothing after it to link to, as nova's pages.
"""

from __future__ import annotations

from typing import Any, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from novatx.compute import validation


def equals(column: Any, value: Any) -> sa.ColumnElement:
    """C{column == value}; false without a bound value for one no row can hold."""
    return column == value if validation.storable(value) else sa.false()


def one_of(column: Any, values: Sequence[Any]) -> sa.ColumnElement:
    """C{column IN values}, leaving out the values no row can hold."""
    return column.in_([value for value in values if validation.storable(value)])


def cut(rows: list, limit: int | None) -> tuple[list, bool]:
    """At most C{limit} of C{rows} (read one past it), and whether more follow."""
    if limit is None:
        return rows, False
    return rows[:limit], bool(limit) and len(rows) > limit


def read_page(connection: Connection, statement: sa.Select, limit: int | None) -> tuple[list, bool]:
    """C{statement}'s rows, at most C{limit} (None: all), and whether more follow."""
    if limit is not None:
        statement = statement.limit(limit + 1)
    return cut(list(connection.execute(statement).mappings()), limit)
