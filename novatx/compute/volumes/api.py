"""
L{VolumeAPI}: the block storage every face calls.

Each method checks what it can without the database, then runs one
transaction on a database thread. A transition's start is written with this
worker's claim in the same transaction as its checks (and, for a create or an
extend, the quota count under the project's lock), and the driver ends it:
nothing is half-written when a check fails.
"""

from __future__ import annotations

import math
import uuid as uuidlib
from typing import Any, Callable, Mapping

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from twisted.internet.defer import Deferred, fail, succeed
from zope.interface import implementer

from novatx.compute import actions, catalog, convert, instances, quotas as compute_quotas
from novatx.compute import states as server_states
from novatx.compute import validation
from novatx.compute.api._base import _store_errors
from novatx.compute.context import RequestContext
from novatx.compute.exceptions import (
    ImageNotActive, InstanceInvalidState, InstanceIsLocked, Invalid, NotFound,
)
from novatx.compute.listing import cut, equals
from novatx.compute.records import Page
from novatx.compute.volumes import quotas, states, store
from novatx.compute.volumes.driver import SimulatedVolumeDriver
from novatx.compute.volumes.exceptions import (
    InvalidInput, InvalidSnapshot, InvalidVolume, VolumeNotAttached, VolumeNotMigrating,
    VolumeTypeNotFound,
)
from novatx.compute.volumes.interfaces import IVolumeAPI
from novatx.compute.volumes.records import VolumeQuota, VolumeType
from novatx.db import tables as t
from novatx.db.store import Store

V, S, A = t.volumes, t.volume_snapshots, t.volume_attachments

#: cinder's default volume type (its id is fixed, so every worker and host shows one).
DEFAULT_TYPE = VolumeType(id="a7c1e3f0-8d2b-4c5e-9f60-0b1d2e3f4a5b", name="__DEFAULT__",
                          description="Default Volume Type")

#: The server states nova attaches and detaches in (its C{check_instance_state}).
ATTACH_VM_STATES = (server_states.ACTIVE, server_states.PAUSED, server_states.STOPPED,
                    server_states.RESIZED, server_states.SOFT_DELETED, server_states.SHELVED,
                    server_states.SHELVED_OFFLOADED)

#: cinder's words for a volume it will not delete.
NOT_DELETABLE = ("Volume status must be available or error or error_restoring or "
                 "error_extending or error_managing and must not be migrating, attached, "
                 "belong to a group, have snapshots, awaiting a transfer, or be "
                 "disassociated from snapshots after volume transfer.")

#: The longest name or description cinder keeps.
TEXT_LIMIT = 255


def _size(value: Any) -> int:
    """A size in gigabytes, checked as cinder checks it."""
    if isinstance(value, bool) or not isinstance(value, (int, str)) or \
            not str(value).isdigit() or int(value) <= 0 or int(value) > validation.MAX_INT:
        raise InvalidInput(reason="Volume size '%s' must be an integer and greater than 0"
                           % (value,))
    return int(value)


def _texts(**values: Any) -> None:
    for field, value in values.items():
        validation.text(value, field, TEXT_LIMIT)


def _check_server(context: RequestContext, row: Mapping[str, Any], method: str) -> None:
    """nova's guards of an attach or a detach: the lock, then the server's state."""
    if row["locked"] and not context.is_admin:
        raise InstanceIsLocked(instance_uuid=row["uuid"])
    if row["vm_state"] not in ATTACH_VM_STATES:
        raise InstanceInvalidState(method=method, instance_uuid=row["uuid"], attr="vm_state",
                                   state=row["vm_state"])
    if row["task_state"] is not None:
        raise InstanceInvalidState(method=method, instance_uuid=row["uuid"], attr="task_state",
                                   state=row["task_state"])


def _image_gigabytes(image: Mapping[str, Any]) -> int:
    return max(int(image["min_disk"] or 0), math.ceil((image["size"] or 0) / 1024 ** 3))


@implementer(IVolumeAPI)
class VolumeAPI:
    """
    Block storage over the store.

    @param notify: tells the compute API's observers that a server changed
        (what it shows of its volumes).
    """

    default_type = DEFAULT_TYPE

    def __init__(self, conf: Any, store_: Store, clock: Any, driver: SimulatedVolumeDriver,
                 notify: Callable[[str], None]) -> None:
        self._conf = conf
        self._store = store_
        self._clock = clock
        self.driver = driver
        self._notify = notify

    def _read(self, function: Callable[..., Any], *args: Any) -> Deferred:
        return self._store.read(function, *args).addErrback(_store_errors)

    def _write(self, function: Callable[..., Any], *args: Any) -> Deferred:
        return self._store.write(function, *args).addErrback(_store_errors)

    def _begun(self, action: str,
               key: Callable[[Any], str] = lambda record: record.id) -> Callable[[Any], Any]:
        """Hand a written start (of the record's C{key}) to the driver; pass the record on."""
        def begun(record: Any) -> Any:
            self.driver.follow(action, key(record))
            return record
        return begun

    @property
    def _zone(self) -> str:
        return self._conf.default_availability_zone

    # -- volumes -----------------------------------------------------------------------

    def create_volume(self, context: RequestContext, size: Any, name: str | None = None,
                      description: str | None = None, availability_zone: str | None = None,
                      volume_type: str | None = None, metadata: Mapping[str, str] | None = None,
                      snapshot_id: str | None = None, image_id: str | None = None) -> Deferred:
        try:
            wanted = None if size is None and snapshot_id else _size(size)
            _texts(name=name, description=description, availability_zone=availability_zone)
            items = validation.metadata(metadata or {}, -1)
            if volume_type not in (None, DEFAULT_TYPE.id, DEFAULT_TYPE.name):
                raise VolumeTypeNotFound(volume_type_id=volume_type)
            if availability_zone not in (None, self._zone):
                raise InvalidInput(reason="Availability zone '%s' is invalid."
                                   % availability_zone)
        except Exception:
            return fail()
        seconds = self._clock.seconds()

        def run(connection: Connection) -> Any:
            gigabytes, bootable = wanted, False
            if snapshot_id is not None:
                source = store.snapshot_row(connection, context, snapshot_id)
                if source["status"] != states.AVAILABLE:
                    raise InvalidSnapshot(reason="Originating snapshot status must be one of "
                                          "'available' values")
                gigabytes = source["size"] if gigabytes is None else gigabytes
                if gigabytes < source["size"]:
                    raise InvalidInput(reason="Volume size '%dGB' cannot be smaller than the "
                                       "snapshot size %dGB. They must be >= original snapshot "
                                       "size." % (gigabytes, source["size"]))
                origin = connection.execute(sa.select(V.c.bootable).where(
                    V.c.uuid == source["volume_uuid"])).scalar()
                bootable = bool(origin)
            if image_id is not None:
                image = catalog.image_row(connection, context, image_id)
                if image["deleted"] or image["status"] != "active":
                    raise ImageNotActive(image_id=image_id)
                needed = _image_gigabytes(image)
                if gigabytes < needed:
                    raise InvalidInput(reason="Volume size %dGB cannot be smaller than the image "
                                       "minDisk size %dGB." % (gigabytes, needed))
            compute_quotas.lock_project(connection, context.project_id)
            quotas.check(connection, self._conf, context.project_id, volumes=1,
                         gigabytes=gigabytes)
            now = convert.naive(seconds)
            row_id = connection.execute(sa.insert(V).values(
                uuid=str(uuidlib.uuid4()), project_id=context.project_id,
                user_id=context.user_id, name=name, description=description, size=gigabytes,
                availability_zone=availability_zone or self._zone, bootable=False,
                volume_type=DEFAULT_TYPE.name, metadata=items, snapshot_id=snapshot_id,
                image_id=image_id, deleted=False, created_at=now, updated_at=now,
                **self.driver.claim("create", seconds, bootable=bootable),
            )).inserted_primary_key[0]
            return store.reload_volume(connection, row_id)

        return self._write(run).addCallback(self._begun("create"))

    def list_volumes(self, context: RequestContext, all_tenants: bool = False,
                     name: str | None = None, status: str | None = None,
                     limit: int | None = None, marker: str | None = None) -> Deferred:
        try:
            limit = validation.limit(limit)
        except Exception:
            return fail()

        def run(connection: Connection) -> Page:
            clauses = [V.c.deleted == sa.false()]
            if not (context.is_admin and all_tenants):
                clauses.append(V.c.project_id == context.project_id)
            if name is not None:
                clauses.append(equals(V.c.name, name))
            if status is not None:
                clauses.append(equals(V.c.status, status))
            if marker is not None:
                clauses.append(V.c.id < store.volume_row(connection, context, marker)["id"])
            statement = sa.select(V).where(*clauses).order_by(V.c.id.desc())
            if limit is not None:
                statement = statement.limit(limit + 1)
            rows, more = cut(list(connection.execute(statement).mappings()), limit)
            return Page(items=tuple(store.volumes(connection, rows)), has_more=more)

        return self._read(run)

    def get_volume(self, context: RequestContext, volume_id: str) -> Deferred:
        return self._read(lambda connection: store.volume(
            connection, store.volume_row(connection, context, volume_id)))

    def update_volume(self, context: RequestContext, volume_id: str, **changes: Any) -> Deferred:
        return self._rename(
            changes, V, store.reload_volume,
            lambda connection: store.volume_row(connection, context, volume_id, for_update=True))

    def _rename(self, changes: dict[str, Any], table: sa.Table,
                reload: Callable[[Connection, int], Any],
                locked_row: Callable[[Connection], Mapping[str, Any]]) -> Deferred:
        """
        The one update volumes and snapshots both take: their name and
        description, checked before the row is locked.
        """
        unknown = set(changes) - {"name", "description"}
        try:
            if unknown:
                raise Invalid("Cannot update %s." % ", ".join(sorted(unknown)))
            _texts(**changes)
        except Exception:
            return fail()
        now = convert.naive(self._clock.seconds())

        def run(connection: Connection) -> Any:
            row = locked_row(connection)
            connection.execute(sa.update(table).where(table.c.id == row["id"]).values(
                updated_at=now, **changes))
            return reload(connection, row["id"])

        return self._write(run)

    def set_volume_bootable(self, context: RequestContext, volume_id: str,
                            bootable: bool) -> Deferred:
        now = convert.naive(self._clock.seconds())

        def run(connection: Connection) -> Any:
            row = store.volume_row(connection, context, volume_id, for_update=True)
            connection.execute(sa.update(V).where(V.c.id == row["id"]).values(
                bootable=bool(bootable), updated_at=now))
            return store.reload_volume(connection, row["id"])

        return self._write(run)

    def delete_volume(self, context: RequestContext, volume_id: str) -> Deferred:
        seconds = self._clock.seconds()

        def run(connection: Connection) -> Any:
            row = store.volume_row(connection, context, volume_id, for_update=True)
            attached = connection.execute(sa.select(A.c.uuid).where(
                A.c.volume_uuid == row["uuid"])).first()
            snapshotted = connection.execute(sa.select(S.c.id).where(
                S.c.volume_uuid == row["uuid"], S.c.deleted == sa.false()).limit(1)).first()
            if row["status"] not in states.DELETABLE or attached or snapshotted:
                raise InvalidVolume(reason=NOT_DELETABLE)
            connection.execute(sa.update(V).where(V.c.id == row["id"]).values(
                updated_at=convert.naive(seconds), **self.driver.claim("delete", seconds)))
            return store.reload_volume(connection, row["id"])

        return self._write(run).addCallback(self._begun("delete"))

    def extend_volume(self, context: RequestContext, volume_id: str, new_size: Any) -> Deferred:
        try:
            size = _size(new_size)
        except Exception:
            return fail()
        seconds = self._clock.seconds()

        def run(connection: Connection) -> Any:
            row = store.volume_row(connection, context, volume_id, for_update=True)
            if row["status"] != states.AVAILABLE:
                raise InvalidVolume(reason="Volume status must be 'available' to extend, "
                                    "currently %s." % row["status"])
            if size <= row["size"]:
                raise InvalidInput(reason="New size for extend must be greater than current "
                                   "size. (current: %d, extended: %d)." % (row["size"], size))
            compute_quotas.lock_project(connection, row["project_id"])
            quotas.check(connection, self._conf, row["project_id"],
                         gigabytes=size - row["size"])
            connection.execute(sa.update(V).where(V.c.id == row["id"]).values(
                size=size, updated_at=convert.naive(seconds),
                **self.driver.claim("extend", seconds, old_size=row["size"])))
            return store.reload_volume(connection, row["id"])

        return self._write(run).addCallback(self._begun("extend"))

    def set_volume_metadata(self, context: RequestContext, volume_id: str,
                            items: Mapping[str, str], replace: bool = False) -> Deferred:
        try:
            checked = validation.metadata(items, -1)
        except Exception:
            return fail()
        now = convert.naive(self._clock.seconds())

        def run(connection: Connection) -> dict[str, str]:
            row = store.volume_row(connection, context, volume_id, for_update=True)
            current = {} if replace else dict(row["metadata"] or {})
            current.update(checked)
            connection.execute(sa.update(V).where(V.c.id == row["id"]).values(
                metadata=current, updated_at=now))
            return current

        return self._write(run)

    def delete_volume_metadata(self, context: RequestContext, volume_id: str,
                               key: str) -> Deferred:
        now = convert.naive(self._clock.seconds())

        def run(connection: Connection) -> None:
            row = store.volume_row(connection, context, volume_id, for_update=True)
            current = dict(row["metadata"] or {})
            if key not in current:
                raise NotFound("Metadata item was not found")
            del current[key]
            connection.execute(sa.update(V).where(V.c.id == row["id"]).values(
                metadata=current, updated_at=now))

        return self._write(run)

    # -- snapshots ---------------------------------------------------------------------

    def create_snapshot(self, context: RequestContext, volume_id: str, name: str | None = None,
                        description: str | None = None,
                        metadata: Mapping[str, str] | None = None) -> Deferred:
        try:
            _texts(name=name, description=description)
            items = validation.metadata(metadata or {}, -1)
        except Exception:
            return fail()
        seconds = self._clock.seconds()

        def run(connection: Connection) -> Any:
            volume = store.volume_row(connection, context, volume_id, for_update=True)
            if volume["status"] not in states.SNAPSHOTTABLE:
                raise InvalidVolume(reason="Volume %s status must be available or in-use, but "
                                    "current status is: %s." % (volume_id, volume["status"]))
            compute_quotas.lock_project(connection, volume["project_id"])
            quotas.check(connection, self._conf, volume["project_id"], snapshots=1,
                         gigabytes=volume["size"])
            now = convert.naive(seconds)
            row_id = connection.execute(sa.insert(S).values(
                uuid=str(uuidlib.uuid4()), volume_uuid=volume["uuid"],
                project_id=volume["project_id"], user_id=context.user_id, name=name,
                description=description, size=volume["size"], metadata=items, deleted=False,
                created_at=now, updated_at=now, **self.driver.claim("snapshot_create", seconds),
            )).inserted_primary_key[0]
            return store.reload_snapshot(connection, row_id)

        return self._write(run).addCallback(self._begun("snapshot_create"))

    def list_snapshots(self, context: RequestContext, all_tenants: bool = False,
                       volume_id: str | None = None, limit: int | None = None,
                       marker: str | None = None) -> Deferred:
        try:
            limit = validation.limit(limit)
        except Exception:
            return fail()

        def run(connection: Connection) -> Page:
            clauses = [S.c.deleted == sa.false()]
            if not (context.is_admin and all_tenants):
                clauses.append(S.c.project_id == context.project_id)
            if volume_id is not None:
                clauses.append(equals(S.c.volume_uuid, volume_id))
            if marker is not None:
                clauses.append(S.c.id < store.snapshot_row(connection, context, marker)["id"])
            statement = sa.select(S).where(*clauses).order_by(S.c.id.desc())
            if limit is not None:
                statement = statement.limit(limit + 1)
            rows, more = cut(list(connection.execute(statement).mappings()), limit)
            return Page(items=tuple(store.snapshot(row) for row in rows), has_more=more)

        return self._read(run)

    def get_snapshot(self, context: RequestContext, snapshot_id: str) -> Deferred:
        return self._read(lambda connection: store.snapshot(
            store.snapshot_row(connection, context, snapshot_id)))

    def update_snapshot(self, context: RequestContext, snapshot_id: str,
                        **changes: Any) -> Deferred:
        return self._rename(
            changes, S, store.reload_snapshot,
            lambda connection: store.snapshot_row(connection, context, snapshot_id,
                                                  for_update=True))

    def delete_snapshot(self, context: RequestContext, snapshot_id: str) -> Deferred:
        seconds = self._clock.seconds()

        def run(connection: Connection) -> Any:
            row = store.snapshot_row(connection, context, snapshot_id, for_update=True)
            if row["status"] not in (states.AVAILABLE, states.ERROR):
                raise InvalidSnapshot(reason="Volume Snapshot status must be available or "
                                      "error")
            connection.execute(sa.update(S).where(S.c.id == row["id"]).values(
                updated_at=convert.naive(seconds),
                **self.driver.claim("snapshot_delete", seconds)))
            return store.reload_snapshot(connection, row["id"])

        return self._write(run).addCallback(self._begun("snapshot_delete"))

    def set_snapshot_metadata(self, context: RequestContext, snapshot_id: str,
                              items: Mapping[str, str]) -> Deferred:
        try:
            checked = validation.metadata(items, -1)
        except Exception:
            return fail()
        now = convert.naive(self._clock.seconds())

        def run(connection: Connection) -> dict[str, str]:
            row = store.snapshot_row(connection, context, snapshot_id, for_update=True)
            current = {**(row["metadata"] or {}), **checked}
            connection.execute(sa.update(S).where(S.c.id == row["id"]).values(
                metadata=current, updated_at=now))
            return current

        return self._write(run)

    def delete_snapshot_metadata(self, context: RequestContext, snapshot_id: str,
                                 key: str) -> Deferred:
        now = convert.naive(self._clock.seconds())

        def run(connection: Connection) -> None:
            row = store.snapshot_row(connection, context, snapshot_id, for_update=True)
            current = dict(row["metadata"] or {})
            if key not in current:
                raise NotFound("Metadata item was not found")
            del current[key]
            connection.execute(sa.update(S).where(S.c.id == row["id"]).values(
                metadata=current, updated_at=now))

        return self._write(run)

    # -- attachments -------------------------------------------------------------------

    def attach_volume(self, context: RequestContext, server_id: str, volume_id: str,
                      device: str | None = None, tag: str | None = None,
                      delete_on_termination: bool = False) -> Deferred:
        try:
            validation.text(device, "device", TEXT_LIMIT)
            validation.text(tag, "tag", 60)
        except Exception:
            return fail()
        seconds = self._clock.seconds()

        def run(connection: Connection) -> Any:
            server = instances.get_row(connection, context, server_id, for_update=True)
            _check_server(context, server, "attach_volume")
            volume = store.volume_row(connection, context, volume_id, for_update=True)
            held = store.attachments_of(connection, [server["uuid"]])[server["uuid"]]
            if any(found.volume_id == volume["uuid"] for found in held):
                raise InvalidVolume(reason="volume %s already attached" % volume_id)
            if volume["status"] != states.AVAILABLE:
                raise InvalidInput(reason="Invalid volume: Volume %s status must be available "
                                   "or downloading to reserve, but the current status is %s."
                                   % (volume_id, volume["status"]))
            now = convert.naive(seconds)
            action_id = actions.start(connection, context, server["uuid"], "attach_volume", now,
                                      server["host"])
            connection.execute(sa.insert(A).values(
                uuid=str(uuidlib.uuid4()), volume_uuid=volume["uuid"],
                instance_uuid=server["uuid"], bdm_uuid=str(uuidlib.uuid4()),
                device=store.free_device((found.device for found in held), device), tag=tag,
                delete_on_termination=bool(delete_on_termination), created_at=now,
                updated_at=now))
            connection.execute(sa.update(V).where(V.c.id == volume["id"]).values(
                updated_at=now, **self.driver.claim("attach", seconds, server_id=server["uuid"],
                                                    action_id=action_id)))
            instances.touch(connection, server["id"], now)
            return store.attachment(connection.execute(sa.select(A).where(
                A.c.volume_uuid == volume["uuid"])).mappings().one())

        def attached(found: Any) -> Any:
            self._notify(found.server_id)
            return found

        return self._write(run).addCallback(
            self._begun("attach", lambda found: found.volume_id)).addCallback(attached)

    def _held(self, connection: Connection, context: RequestContext, server_id: str,
              volume_id: str, for_update: bool = False) -> tuple[Mapping, Mapping, Mapping]:
        """The server, the volume and its attachment to the server, or nova's 404s."""
        server = instances.get_row(connection, context, server_id, for_update=for_update)
        volume = store.volume_row(connection, context, volume_id, for_update=for_update)
        found = connection.execute(sa.select(A).where(
            A.c.volume_uuid == volume["uuid"], A.c.instance_uuid == server["uuid"])
        ).mappings().first()
        if found is None:
            raise VolumeNotAttached(instance=server_id, volume=volume_id)
        return server, volume, found

    def detach_volume(self, context: RequestContext, server_id: str,
                      volume_id: str) -> Deferred:
        seconds = self._clock.seconds()

        def run(connection: Connection) -> Any:
            server, volume, found = self._held(connection, context, server_id, volume_id,
                                               for_update=True)
            if found["device"] == store.ROOT_DEVICE:
                raise Invalid("Cannot detach a root device volume")
            _check_server(context, server, "detach_volume")
            if volume["status"] != states.IN_USE:
                raise InvalidVolume(reason="Unable to detach volume. Volume status must be "
                                    "'in-use' and attach_status must be 'attached' to detach.")
            now = convert.naive(seconds)
            action_id = actions.start(connection, context, server["uuid"], "detach_volume", now,
                                      server["host"])
            connection.execute(sa.update(V).where(V.c.id == volume["id"]).values(
                updated_at=now, **self.driver.claim("detach", seconds, server_id=server["uuid"],
                                                    action_id=action_id)))
            instances.touch(connection, server["id"], now)
            return store.reload_volume(connection, volume["id"])

        def detaching(volume: Any) -> Any:
            self._notify(server_id)
            return volume

        return self._write(run).addCallback(self._begun("detach")).addCallback(detaching)

    def list_attachments(self, context: RequestContext, server_id: str) -> Deferred:
        def run(connection: Connection) -> list:
            server = instances.get_row(connection, context, server_id)
            return store.attachments_of(connection, [server["uuid"]])[server["uuid"]]

        return self._read(run)

    def get_attachment(self, context: RequestContext, server_id: str,
                       volume_id: str) -> Deferred:
        def run(connection: Connection) -> Any:
            server = instances.get_row(connection, context, server_id)
            found = connection.execute(sa.select(A).where(
                equals(A.c.volume_uuid, volume_id), A.c.instance_uuid == server["uuid"])
            ).mappings().first()
            if found is None:
                raise VolumeNotAttached(instance=server_id, volume=volume_id)
            return store.attachment(found)

        return self._read(run)

    def update_attachment(self, context: RequestContext, server_id: str, volume_id: str,
                          delete_on_termination: bool) -> Deferred:
        now = convert.naive(self._clock.seconds())

        def run(connection: Connection) -> Any:
            server, volume, found = self._held(connection, context, server_id, volume_id,
                                               for_update=True)
            connection.execute(sa.update(A).where(A.c.uuid == found["uuid"]).values(
                delete_on_termination=bool(delete_on_termination), updated_at=now))
            instances.touch(connection, server["id"], now)
            return store.attachment(connection.execute(sa.select(A).where(
                A.c.uuid == found["uuid"])).mappings().one())

        def updated(found: Any) -> Any:
            self._notify(server_id)
            return found

        return self._write(run).addCallback(updated)

    def swap_volume(self, context: RequestContext, server_id: str, old_volume_id: str,
                    new_volume_id: str) -> Deferred:
        def run(connection: Connection) -> None:
            instances.get_row(connection, context, server_id)
            store.volume_row(connection, context, old_volume_id)
            raise VolumeNotMigrating(volume_id=old_volume_id)

        return self._read(run)

    # -- types, quotas, zones -------------------------------------------------------------

    def list_volume_types(self, context: RequestContext) -> Deferred:
        return succeed([DEFAULT_TYPE])

    def get_volume_type(self, context: RequestContext, type_id: str) -> Deferred:
        if type_id in (DEFAULT_TYPE.id, DEFAULT_TYPE.name):
            return succeed(DEFAULT_TYPE)
        return fail(VolumeTypeNotFound(volume_type_id=type_id))

    def get_quota(self, context: RequestContext, project_id: str | None = None) -> Deferred:
        project = project_id or context.project_id

        def run(connection: Connection) -> VolumeQuota:
            return VolumeQuota(project_id=project,
                               limits=quotas.limits(connection, self._conf, project),
                               in_use=quotas.usage(connection, project))

        return self._read(run)

    def zones(self, context: RequestContext) -> Deferred:
        return succeed([(self._zone, True)])

