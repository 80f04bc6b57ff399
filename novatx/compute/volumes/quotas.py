"""
Block storage quotas: C{volumes}, C{gigabytes} and C{snapshots} per project,
defaults from C{[quota]}, usage counted from the volumes and snapshots
themselves.

A create or an extend holds the project's lock row
(L{novatx.compute.quotas.lock_project}) while it counts and records, as a
server create does, so parallel requests past a limit never overshoot.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from novatx.compute.volumes.exceptions import (
    SnapshotLimitExceeded, VolumeLimitExceeded, VolumeSizeExceedsQuota,
)
from novatx.db import tables as t

Q, V, S = t.quotas, t.volumes, t.volume_snapshots

#: cinder's quota resources.
RESOURCES = ("volumes", "gigabytes", "snapshots")


def limits(connection: Connection, conf: Any, project_id: str) -> dict[str, int]:
    """The project's limits: its own rows over C{[quota]}'s defaults."""
    found = {name: getattr(conf.quota, name) for name in RESOURCES}
    rows = connection.execute(sa.select(Q.c.resource, Q.c.hard_limit).where(
        Q.c.project_id == project_id, Q.c.user_id == "", Q.c.resource.in_(RESOURCES))).all()
    found.update({resource: hard_limit for resource, hard_limit in rows})
    return found


def usage(connection: Connection, project_id: str) -> dict[str, int]:
    """Volumes, their gigabytes (snapshots' included, as cinder counts) and snapshots."""
    count, size = connection.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(V.c.size), 0))
        .where(V.c.project_id == project_id, V.c.deleted == sa.false())).one()
    snapshots, snapshot_size = connection.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(S.c.size), 0))
        .where(S.c.project_id == project_id, S.c.deleted == sa.false())).one()
    return {"volumes": int(count), "gigabytes": int(size) + int(snapshot_size),
            "snapshots": int(snapshots)}


def check(connection: Connection, conf: Any, project_id: str, volumes: int = 0,
          gigabytes: int = 0, snapshots: int = 0) -> None:
    """
    Refuse, in cinder's words, what would take the project past a limit.
    Call with the project locked; what is then recorded is counted by the next.
    """
    limit = limits(connection, conf, project_id)
    used = usage(connection, project_id)
    if volumes and 0 <= limit["volumes"] < used["volumes"] + volumes:
        raise VolumeLimitExceeded(allowed=limit["volumes"])
    if snapshots and 0 <= limit["snapshots"] < used["snapshots"] + snapshots:
        raise SnapshotLimitExceeded(allowed=limit["snapshots"])
    if gigabytes and 0 <= limit["gigabytes"] < used["gigabytes"] + gigabytes:
        raise VolumeSizeExceedsQuota(requested=gigabytes, quota=limit["gigabytes"],
                                     consumed=used["gigabytes"])
