"""
Block storage's SQL: rows to records, lookups scoped to the caller, and what
a server's deletion does to its volumes. Every function takes a connection
inside a transaction and runs on a database thread.
"""

from __future__ import annotations

import string
from typing import Any, Iterable, Mapping, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from novatx.compute import convert, validation
from novatx.compute.context import RequestContext
from novatx.compute.volumes import states
from novatx.compute.volumes.exceptions import SnapshotNotFound, VolumeNotFound
from novatx.compute.volumes.records import Snapshot, Volume, VolumeAttachment
from novatx.db import tables as t

V, S, A = t.volumes, t.volume_snapshots, t.volume_attachments

#: The device a server's root disk has; attached volumes take the next free ones.
ROOT_DEVICE = "/dev/vda"


def _scoped(table: sa.Table, context: RequestContext) -> list[sa.ColumnElement]:
    clauses = [table.c.deleted == sa.false()]
    if not context.is_admin:
        clauses.append(table.c.project_id == context.project_id)
    return clauses


def volume_row(connection: Connection, context: RequestContext, volume_id: str,
               for_update: bool = False) -> Mapping[str, Any]:
    """The volume's row, or L{VolumeNotFound} when absent or not the caller's."""
    if not isinstance(volume_id, str) or not validation.storable(volume_id):
        raise VolumeNotFound(volume_id=volume_id)
    query = sa.select(V).where(V.c.uuid == volume_id, *_scoped(V, context))
    row = connection.execute(query.with_for_update() if for_update else query).mappings().first()
    if row is None:
        raise VolumeNotFound(volume_id=volume_id)
    return row


def snapshot_row(connection: Connection, context: RequestContext, snapshot_id: str,
                 for_update: bool = False) -> Mapping[str, Any]:
    """The snapshot's row, or L{SnapshotNotFound}."""
    if not isinstance(snapshot_id, str) or not validation.storable(snapshot_id):
        raise SnapshotNotFound(snapshot_id=snapshot_id)
    query = sa.select(S).where(S.c.uuid == snapshot_id, *_scoped(S, context))
    row = connection.execute(query.with_for_update() if for_update else query).mappings().first()
    if row is None:
        raise SnapshotNotFound(snapshot_id=snapshot_id)
    return row


def attachment(row: Mapping[str, Any]) -> VolumeAttachment:
    return VolumeAttachment(
        id=row["uuid"], volume_id=row["volume_uuid"], server_id=row["instance_uuid"],
        device=row["device"], bdm_uuid=row["bdm_uuid"], tag=row["tag"],
        delete_on_termination=bool(row["delete_on_termination"]),
        attached_at=convert.aware(row["attached_at"]))


def volumes(connection: Connection, rows: Sequence[Mapping[str, Any]]) -> list[Volume]:
    """Records of C{rows}, their attachments read in one query."""
    held: dict[str, list[VolumeAttachment]] = {row["uuid"]: [] for row in rows}
    if held:
        for found in connection.execute(sa.select(A).where(
                A.c.volume_uuid.in_(list(held)))).mappings():
            held[found["volume_uuid"]].append(attachment(found))
    return [
        Volume(
            id=row["uuid"], internal_id=row["id"], project_id=row["project_id"],
            user_id=row["user_id"], name=row["name"], description=row["description"],
            size=row["size"], availability_zone=row["availability_zone"],
            status=row["status"], bootable=bool(row["bootable"]),
            volume_type=row["volume_type"], metadata=dict(row["metadata"] or {}),
            snapshot_id=row["snapshot_id"], image_id=row["image_id"],
            attachments=tuple(held[row["uuid"]]),
            created_at=convert.aware(row["created_at"]),
            updated_at=convert.aware(row["updated_at"]))
        for row in rows
    ]


def volume(connection: Connection, row: Mapping[str, Any]) -> Volume:
    return volumes(connection, [row])[0]


def reload_volume(connection: Connection, row_id: int) -> Volume:
    return volume(connection, connection.execute(
        sa.select(V).where(V.c.id == row_id)).mappings().one())


def snapshot(row: Mapping[str, Any]) -> Snapshot:
    return Snapshot(
        id=row["uuid"], internal_id=row["id"], volume_id=row["volume_uuid"],
        project_id=row["project_id"], user_id=row["user_id"], name=row["name"],
        description=row["description"], size=row["size"], status=row["status"],
        metadata=dict(row["metadata"] or {}),
        progress="100%" if row["status"] == states.AVAILABLE else "0%",
        created_at=convert.aware(row["created_at"]),
        updated_at=convert.aware(row["updated_at"]))


def reload_snapshot(connection: Connection, row_id: int) -> Snapshot:
    return snapshot(connection.execute(sa.select(S).where(S.c.id == row_id)).mappings().one())


def attachments_of(connection: Connection, server_uuids: Iterable[str]
                   ) -> dict[str, list[VolumeAttachment]]:
    """The attachments of each server, in the order they were made, in one query."""
    found: dict[str, list[VolumeAttachment]] = {uuid: [] for uuid in server_uuids}
    if found:
        for row in connection.execute(sa.select(A).where(
                A.c.instance_uuid.in_(list(found))).order_by(A.c.created_at, A.c.device)
        ).mappings():
            found[row["instance_uuid"]].append(attachment(row))
    return found


def free_device(used: Iterable[str], wanted: str | None) -> str:
    """
    The device a new attachment gets: the one asked for when free, else the
    first free C{/dev/vdX} after the root disk (as libvirt picks them).
    """
    taken = set(used) | {ROOT_DEVICE}
    if wanted and wanted not in taken:
        return wanted
    prefix = ROOT_DEVICE[:-1]
    for letter in string.ascii_lowercase[1:]:
        if prefix + letter not in taken:
            return prefix + letter
    for first in string.ascii_lowercase:
        for letter in string.ascii_lowercase:
            if prefix + first + letter not in taken:
                return prefix + first + letter
    raise ValueError("no free device name")


def release_server(connection: Connection, server_uuid: str, now: Any) -> None:
    """
    What nova does to a deleted server's volumes: each is detached, and one
    marked C{delete_on_termination} is deleted too, unless it has snapshots
    (cinder refuses that delete; the volume stays, available).
    """
    rows = list(connection.execute(
        sa.select(A.c.volume_uuid, A.c.delete_on_termination)
        .where(A.c.instance_uuid == server_uuid)).all())
    if not rows:
        return
    connection.execute(sa.delete(A).where(A.c.instance_uuid == server_uuid))
    done = {"pending_action": None, "pending_params": None, "step_started": None,
            "claimed_by": None, "claim_expires": None, "updated_at": now}
    for volume_uuid, delete_on_termination in rows:
        snapshotted = connection.execute(sa.select(S.c.id).where(
            S.c.volume_uuid == volume_uuid, S.c.deleted == sa.false()).limit(1)).first()
        if delete_on_termination and snapshotted is None:
            changes = dict(done, status=states.DELETED, deleted=True, deleted_at=now)
        else:
            changes = dict(done, status=states.AVAILABLE)
        connection.execute(sa.update(V).where(V.c.uuid == volume_uuid).values(**changes))
