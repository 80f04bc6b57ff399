"""
Booting from volumes: a create's C{block_device_mapping_v2}, checked in
nova's words and turned into volumes attached to the new servers.

L{plan} checks the mappings (nova's boot sequence, sources, sizes) inside the
create's transaction, before anything is written; L{attach} then records, for
one new server, each volume it boots with or carries: an existing volume is
attached, a volume made from an image, a snapshot or nothing is created
attached. Both are attaches of the simulated backend (C{attaching}, then
C{in-use}), ended by the volume driver, so a volume made by a boot skips
C{creating}: the boot's own time covers it.
"""

from __future__ import annotations

import json
import uuid as uuidlib
from typing import Any, Callable, Mapping, Sequence

import attrs
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from novatx.compute import catalog
from novatx.compute import quotas as compute_quotas
from novatx.compute.context import RequestContext
from novatx.compute.exceptions import ImageNotFound, Invalid
from novatx.compute.volumes import quotas, states, store
from novatx.compute.volumes.exceptions import InvalidSnapshot, SnapshotNotFound, VolumeNotFound
from novatx.db import tables as t

V, A = t.volumes, t.volume_attachments

GiB = 1024 ** 3

BAD_BOOT_SEQUENCE = ("Block Device Mapping is Invalid: Boot sequence for the instance and "
                     "image/block device mapping combination is not valid.")


@attrs.frozen
class Planned:
    """One volume a new server gets: an existing one, or one to make of C{source}."""

    source: str
    size: int
    boot_index: int | None
    delete_on_termination: bool
    volume_id: str | None = None
    image_id: str | None = None
    snapshot_id: str | None = None
    bootable: bool = False
    device: str | None = None
    tag: str | None = None


def _boot_index(value: Any) -> int | None:
    """nova reads a negative (or absent) boot index as "not a boot device"."""
    if value is None or value == "":
        return None
    number = int(value)
    return number if number >= 0 else None


def _truth(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "t", "true", "on", "y", "yes")
    return bool(value)


def _size(value: Any) -> int:
    return int(value) if value not in (None, "") else 0


def plan(connection: Connection, context: RequestContext, conf: Any,
         mappings: Sequence[Mapping[str, Any]], image: Mapping[str, Any] | None,
         count: int) -> list[Planned]:
    """
    Check C{mappings} for a create of C{count} servers (C{image}: the row of
    its C{imageRef}, if any) and charge the volumes they make to the project,
    whose lock the caller holds. Raises L{Invalid} in nova's words.
    """
    indexes = [_boot_index(mapping.get("boot_index")) for mapping in mappings]
    booted = [index for index in indexes if index is not None]
    if image is not None and 0 not in booted:
        booted.append(0)
    if sorted(booted) != list(range(len(booted))) or 0 not in booted:
        raise Invalid(BAD_BOOT_SEQUENCE)
    planned = []
    for mapping, index in zip(mappings, indexes):
        source = mapping.get("source_type") or ("volume" if mapping.get("volume_id") else None)
        destination = mapping.get("destination_type") or (
            "volume" if source in ("volume", "snapshot") else "local")
        if destination != "volume":
            continue
        planned.append(_volume(connection, context, mapping, source, index, count))
    made = [one for one in planned if one.volume_id is None]
    if made:
        quotas.check(connection, conf, context.project_id, volumes=len(made) * count,
                     gigabytes=sum(one.size for one in made) * count)
    return planned


def _volume(connection: Connection, context: RequestContext, mapping: Mapping[str, Any],
            source: str | None, index: int | None, count: int) -> Planned:
    ident = mapping.get("uuid") or mapping.get("volume_id") or mapping.get("snapshot_id") \
        or mapping.get("image_id")
    size = _size(mapping.get("volume_size"))
    common = {"boot_index": index, "device": mapping.get("device_name"),
              "tag": mapping.get("tag"),
              "delete_on_termination": _truth(mapping.get("delete_on_termination", False))}
    if source == "volume":
        try:
            row = store.volume_row(connection, context, str(ident), for_update=True)
        except VolumeNotFound:
            raise Invalid("Block Device Mapping is Invalid: failed to get volume %s." % ident) \
                from None
        if count > 1:
            raise Invalid("Cannot attach one or more volumes to multiple instances")
        if row["status"] != states.AVAILABLE:
            raise Invalid("Invalid volume: volume '%s' status must be 'available'. Currently "
                          "in '%s'" % (ident, row["status"]))
        if index == 0 and not row["bootable"]:
            raise Invalid("Block Device %s is not bootable." % ident)
        return Planned("volume", row["size"], volume_id=row["uuid"], **common)
    if source == "snapshot":
        try:
            row = store.snapshot_row(connection, context, str(ident))
        except SnapshotNotFound:
            raise Invalid("Block Device Mapping is Invalid: failed to get snapshot %s."
                          % ident) from None
        if row["status"] != states.AVAILABLE:
            raise InvalidSnapshot(reason="Originating snapshot status must be one of "
                                  "'available' values")
        origin = connection.execute(sa.select(V.c.bootable).where(
            V.c.uuid == row["volume_uuid"])).scalar()
        return Planned("snapshot", max(size, row["size"]), snapshot_id=row["uuid"],
                       bootable=bool(origin), **common)
    if source == "image":
        try:
            image = catalog.image_row(connection, context, str(ident))
        except ImageNotFound:
            raise Invalid("Block Device Mapping is Invalid: failed to get image %s." % ident) \
                from None
        if not size:
            raise Invalid("Images with destination_type 'volume' need to have a non-zero "
                          "size specified")
        needed = max((image["min_disk"] or 0) * GiB, image["size"] or 0)
        if size * GiB < needed:
            raise Invalid("Volume is smaller than the minimum size specified in image "
                          "metadata. Volume size is %d bytes, minimum size is %d bytes."
                          % (size * GiB, needed))
        return Planned("image", size, image_id=image["uuid"], bootable=True, **common)
    if source == "blank":
        if not size:
            raise Invalid("Blank volumes (source: 'blank', dest: 'volume') need to have "
                          "non-zero size")
        return Planned("blank", size, **common)
    raise Invalid("Block Device Mapping is Invalid: Unrecognized source_type %s." % source)


def attach(connection: Connection, context: RequestContext, planned: Sequence[Planned],
           server_uuid: str, now: Any, zone: str,
           claim: Callable[..., dict[str, Any]]) -> list[str]:
    """
    Record C{planned}'s volumes attached to the new server C{server_uuid}
    (the boot volume on the root device); the volumes whose attaches the
    driver must end.
    """
    attached = []
    used: list[str] = []
    for one in sorted(planned, key=lambda p: (p.boot_index is None, p.boot_index or 0)):
        columns = claim("attach", server_id=server_uuid)
        if one.volume_id is not None:
            volume_uuid = one.volume_id
            connection.execute(sa.update(V).where(V.c.uuid == volume_uuid).values(
                updated_at=now, **columns))
        else:
            volume_uuid = str(uuidlib.uuid4())
            connection.execute(sa.insert(V).values(
                uuid=volume_uuid, project_id=context.project_id, user_id=context.user_id,
                name="", description=None, size=one.size, availability_zone=zone,
                bootable=one.bootable, volume_type="__DEFAULT__", metadata={},
                snapshot_id=one.snapshot_id, image_id=one.image_id, deleted=False,
                created_at=now, updated_at=now, **columns))
        device = store.ROOT_DEVICE if one.boot_index == 0 else store.free_device(used,
                                                                                 one.device)
        used.append(device)
        connection.execute(sa.insert(A).values(
            uuid=str(uuidlib.uuid4()), volume_uuid=volume_uuid, instance_uuid=server_uuid,
            bdm_uuid=str(uuidlib.uuid4()), device=device, tag=one.tag,
            delete_on_termination=one.delete_on_termination, created_at=now, updated_at=now))
        attached.append(volume_uuid)
    return attached


def snapshot_for_image(connection: Connection, context: RequestContext, conf: Any,
                       server: Mapping[str, Any], now: Any,
                       claim: Callable[..., dict[str, Any]]) -> tuple[dict[str, str], list[str]]:
    """
    What nova does for C{createImage} of a server that boots from a volume:
    snapshot each of its volumes and describe them in the image's properties
    (C{block_device_mapping}, C{bdm_v2}, C{root_device_name}), so that a
    server booted from the image gets volumes made of the snapshots. Returns
    those properties (none for a server that boots from an image) and the
    snapshots whose creation the driver must end.
    """
    server_uuid = server["uuid"]
    held = store.attachments_of(connection, [server_uuid])[server_uuid]
    if not any(found.device == store.ROOT_DEVICE for found in held):
        return {}, []
    compute_quotas.lock_project(connection, server["project_id"])
    rows = {row["uuid"]: row for row in connection.execute(sa.select(V).where(
        V.c.uuid.in_([found.volume_id for found in held]))).mappings()}
    quotas.check(connection, conf, server["project_id"], snapshots=len(held),
                 gigabytes=sum(rows[found.volume_id]["size"] for found in held))
    mappings, made = [], []
    for found in held:
        volume = rows[found.volume_id]
        snapshot_uuid = str(uuidlib.uuid4())
        connection.execute(sa.insert(t.volume_snapshots).values(
            uuid=snapshot_uuid, volume_uuid=volume["uuid"], project_id=volume["project_id"],
            user_id=context.user_id, name="snapshot for %s" % server_uuid, description=None,
            size=volume["size"], metadata={}, deleted=False, created_at=now, updated_at=now,
            **claim("snapshot_create")))
        made.append(snapshot_uuid)
        mappings.append({
            "source_type": "snapshot", "destination_type": "volume",
            "snapshot_id": snapshot_uuid, "volume_size": volume["size"],
            "boot_index": 0 if found.device == store.ROOT_DEVICE else None,
            "device_name": found.device, "tag": found.tag,
            "delete_on_termination": found.delete_on_termination,
        })
    properties = {"block_device_mapping": json.dumps(mappings), "bdm_v2": "True",
                  "root_device_name": store.ROOT_DEVICE}
    return properties, made


def image_mappings(image: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """The volume mappings an image made by L{snapshot_for_image} boots with."""
    text = ((image or {}).get("properties") or {}).get("block_device_mapping")
    if not text:
        return []
    try:
        found = json.loads(text)
    except ValueError:
        return []
    return [mapping for mapping in found if isinstance(mapping, dict)] \
        if isinstance(found, list) else []
