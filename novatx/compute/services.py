"""
The administrative state of the deployment's nova services: what an admin
sets through C{os-services} (disabled, with a reason; forced down), kept in
the store so that every worker shows it and a restart keeps it.

A service an admin never changed has no row: it is enabled and up.
"""

from __future__ import annotations

import datetime
from typing import Any, Mapping

import attrs
import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from novatx.compute.exceptions import NotFound
from novatx.db import tables as t

S = t.services

#: The state changes an admin may make, by column.
CHANGEABLE = frozenset(("disabled", "disabled_reason", "forced_down"))


class HostBinaryNotFound(NotFound):
    msg_fmt = "Could not find binary %(binary)s on host %(host)s."


@attrs.frozen
class ServiceState:
    """How an admin left one service (the defaults: never touched)."""

    disabled: bool = False
    disabled_reason: str | None = None
    forced_down: bool = False
    updated_at: datetime.datetime | None = None


def _state(row: Mapping[str, Any]) -> ServiceState:
    return ServiceState(
        disabled=bool(row["disabled"]),
        disabled_reason=row["disabled_reason"],
        forced_down=bool(row["forced_down"]),
        updated_at=row["updated_at"],
    )


def states(connection: Connection) -> dict[tuple[str, str], ServiceState]:
    """Every changed service's state, by C{(host, binary)}."""
    return {(row["host"], row["binary"]): _state(row) for row in connection.execute(sa.select(S)).mappings()}


def update(connection: Connection, host: str, binary: str, now: datetime.datetime,
           changes: Mapping[str, Any]) -> ServiceState:
    """Apply C{changes} to one service's state (making its row if it has none)."""
    key = (S.c.host == host, S.c.binary == binary)
    if connection.execute(sa.select(S.c.host).where(*key).with_for_update()).first() is None:
        try:
            # A savepoint: another worker may make the row first, and the
            # update below then applies to its row.
            with connection.begin_nested():
                connection.execute(sa.insert(S).values(
                    host=host, binary=binary, disabled=False, disabled_reason=None,
                    forced_down=False, created_at=now, updated_at=now))
        except IntegrityError:
            pass
    connection.execute(sa.update(S).where(*key).values(updated_at=now, **changes))
    return _state(connection.execute(sa.select(S).where(*key)).mappings().one())


def zones(connection: Connection, host: Mapping[str, Any]) -> list[tuple[str, bool]]:
    """
    The zone of the compute host C{host} (the driver's C{host_info}), and
    whether it is available: nova counts a zone whose computes are all
    disabled among its unavailable zones.
    """
    state = states(connection).get((host["host"], "nova-compute"))
    return [(host["availability_zone"], state is None or not state.disabled)]
