"""
The actions on a server that the driver carries out (reboot, start, stop,
pause, suspend, resize, rebuild, snapshot, shelve) and the locks on it.
"""

from __future__ import annotations

import functools
from typing import Any, Mapping

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from twisted.internet.defer import Deferred, fail

from novatx.compute import catalog, convert, instances, migrations, quotas, validation
from novatx.compute.api._base import ComputeAPIBase
from novatx.compute.context import RequestContext
from novatx.compute.exceptions import (
    ImageNotActive, Invalid, KeypairNotFound, NotAuthorized, QuotaExceeded,
)
from novatx.compute.records import Image
from novatx.compute.volumes import boot
from novatx.db import tables as t


#: What a shelve's snapshot adds to the server's name (nova's C{<name>-shelved}).
SHELVED_SUFFIX = "-shelved"


def _delete_shelved_image(connection: Connection, row: Mapping[str, Any], now: Any) -> None:
    """Delete the snapshot the server's shelve made, as nova does at unshelve."""
    images = t.images
    found = connection.execute(sa.select(images.c.id, images.c.properties).where(
        images.c.owner == row["project_id"], images.c.deleted == sa.false(),
        images.c.name == (row["name"] + SHELVED_SUFFIX)[:255])).all()
    for image_id, properties in found:
        if (properties or {}).get("instance_uuid") == row["uuid"]:
            connection.execute(sa.update(images).where(images.c.id == image_id).values(
                deleted=True, status="deleted", updated_at=now))


def _rotate_backups(connection: Connection, row: Mapping[str, Any], backup_type: str,
                    keep: int, now: Any) -> None:
    """Delete the server's oldest C{backup_type} backups until C{keep} remain."""
    images = t.images
    found = connection.execute(sa.select(images.c.id, images.c.properties).where(
        images.c.owner == row["project_id"], images.c.deleted == sa.false())
        .order_by(images.c.created_at, images.c.id)).all()
    backups = [image_id for image_id, properties in found
               if (properties or {}).get("image_type") == "backup"
               and properties.get("instance_uuid") == row["uuid"]
               and properties.get("backup_type") == backup_type]
    for image_id in backups[:max(0, len(backups) - keep)]:
        connection.execute(sa.update(images).where(images.c.id == image_id).values(
            deleted=True, status="deleted", updated_at=now))


class ServerActionsAPI(ComputeAPIBase):
    """
    The actions the driver carries out on a server, and locks.
    One part of L{novatx.compute.api.ComputeAPI}.
    """

    def reboot(self, context: RequestContext, server_uuid: str, hard: bool = False) -> Deferred:
        return self._act(context, server_uuid, "reboot_hard" if hard else "reboot")

    def start(self, context: RequestContext, server_uuid: str) -> Deferred:
        return self._act(context, server_uuid, "start")

    def stop(self, context: RequestContext, server_uuid: str) -> Deferred:
        return self._act(context, server_uuid, "stop")

    def pause(self, context: RequestContext, server_uuid: str) -> Deferred:
        return self._act(context, server_uuid, "pause")

    def unpause(self, context: RequestContext, server_uuid: str) -> Deferred:
        return self._act(context, server_uuid, "unpause")

    def suspend(self, context: RequestContext, server_uuid: str) -> Deferred:
        return self._act(context, server_uuid, "suspend")

    def resume(self, context: RequestContext, server_uuid: str) -> Deferred:
        return self._act(context, server_uuid, "resume")

    def lock(self, context: RequestContext, server_uuid: str, reason: str | None = None) -> Deferred:
        try:
            validation.text(reason, "locked_reason", 255)
        except Exception:
            return fail()

        def change(connection: Connection, row: Mapping[str, Any]) -> None:
            if row["locked"]:
                return
            by = "owner" if context.project_id == row["project_id"] else "admin"
            instances.touch(connection, row["id"], self._now(), locked=True, locked_by=by,
                            locked_reason=reason)
        return self._change(context, server_uuid, change, check_lock=False)

    def unlock(self, context: RequestContext, server_uuid: str) -> Deferred:
        def change(connection: Connection, row: Mapping[str, Any]) -> None:
            if row["locked_by"] == "admin" and not context.is_admin:
                raise NotAuthorized(
                    "Policy doesn't allow os_compute_api:os-lock-server:unlock:unlock_override "
                    "to be performed.")
            instances.touch(connection, row["id"], self._now(), locked=False, locked_by=None,
                            locked_reason=None)
        return self._change(context, server_uuid, change, check_lock=False)

    def _merged_extra(self, row: Mapping[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
        """The row's extension fields with C{extra} (already checked) laid over them."""
        return {**(row["extra"] or {}), **extra}

    def resize(self, context: RequestContext, server_uuid: str, flavor_id: str,
               extra: Mapping[str, Any] | None = None) -> Deferred:
        try:
            fields = validation.extra_fields(self._fields, extra or {})
        except Exception:
            return fail()

        def prepare(connection: Connection, row: Mapping[str, Any]) -> tuple[dict, dict]:
            new = catalog.flavor_row(connection, context, flavor_id)
            if str(new["flavorid"]) == str(row["flavor"]["flavorid"]):
                raise Invalid("When resizing, instances must change flavor!")
            extra = {"vcpus": new["vcpus"] - row["vcpus"], "memory_mb": new["memory_mb"]
                     - row["memory_mb"]}
            if extra["vcpus"] > 0 or extra["memory_mb"] > 0:
                quotas.lock_project(connection, row["project_id"])
                limits = quotas.limits(connection, self._conf, row["project_id"])
                used = quotas.usage(connection, row["project_id"])
                overs = [(name, per) for name, per in (("cores", extra["vcpus"]),
                                                       ("ram", extra["memory_mb"]))
                         if per > 0 and 0 <= limits[name] < used[name] + per]
                if overs:
                    names = [name for name, _ in overs]
                    raise QuotaExceeded(
                        overs=", ".join(names),
                        req=", ".join(str(per) for _, per in overs),
                        used=", ".join(str(used[name]) for name in names),
                        allowed=", ".join(str(limits[name]) for name in names))
            specs = catalog.extra_specs(connection, [new["id"]])[new["id"]]
            changes = {"new_flavor": {"flavor": convert.flavor_dict(new, specs),
                                      "old_vm_state": row["vm_state"]},
                       "vcpus": new["vcpus"], "memory_mb": new["memory_mb"]}
            if fields:
                changes["extra"] = self._merged_extra(row, fields)
            migrations.start(connection, row, context.user_id, "resize", new["id"], self._now())
            return changes, {"old_vm_state": row["vm_state"]}
        return self._act(context, server_uuid, "resize", prepare)

    def confirm_resize(self, context: RequestContext, server_uuid: str) -> Deferred:
        def prepare(connection: Connection, row: Mapping[str, Any]) -> tuple[dict, dict]:
            pending = row["new_flavor"] or {}
            flavor = pending.get("flavor") or row["flavor"]
            migrations.advance(connection, row["uuid"], "finished", "confirmed", self._now())
            return ({"flavor": flavor, "flavor_id": flavor["id"], "new_flavor": None},
                    {"old_vm_state": pending.get("old_vm_state")})
        return self._act(context, server_uuid, "confirm_resize", prepare)

    def revert_resize(self, context: RequestContext, server_uuid: str) -> Deferred:
        def prepare(connection: Connection, row: Mapping[str, Any]) -> tuple[dict, dict]:
            pending = row["new_flavor"] or {}
            old = row["flavor"]
            migrations.advance(connection, row["uuid"], "finished", "reverted", self._now())
            return ({"vcpus": old["vcpus"], "memory_mb": old["memory_mb"]},
                    {"old_vm_state": pending.get("old_vm_state")})
        return self._act(context, server_uuid, "revert_resize", prepare)

    def rebuild(self, context: RequestContext, server_uuid: str, image_id: str,
                **changes: Any) -> Deferred:
        allowed = {"name", "metadata", "key_name", "user_data", "description", "hostname",
                   "access_ip_v4", "access_ip_v6", "admin_password", "extra"}
        unknown = set(changes) - allowed
        if unknown:
            return fail(Invalid("Cannot rebuild with %s." % ", ".join(sorted(unknown))))
        try:
            if "name" in changes:
                validation.name(changes["name"])
            if "user_data" in changes:
                validation.user_data(changes["user_data"])
            metadata = (validation.metadata(changes.pop("metadata"), -1)
                        if changes.get("metadata") is not None else None)
            extra = validation.extra_fields(self._fields, changes.pop("extra", None) or {})
        except Exception:
            return fail()

        def prepare(connection: Connection, row: Mapping[str, Any]) -> tuple[dict, dict]:
            image = catalog.image_row(connection, context, image_id)
            if image["deleted"] or image["status"] != "active":
                raise ImageNotActive(image_id=image_id)
            columns = dict(changes, image_id=image["uuid"])
            columns.pop("metadata", None)
            if extra:
                columns["extra"] = self._merged_extra(row, extra)
            if "key_name" in columns:
                if columns["key_name"] is None:
                    columns["key_data"] = None
                else:
                    key = connection.execute(sa.select(t.key_pairs.c.public_key).where(
                        t.key_pairs.c.user_id == context.user_id,
                        t.key_pairs.c.name == columns["key_name"])).scalar()
                    if key is None:
                        raise KeypairNotFound(name=columns["key_name"], user_id=context.user_id)
                    columns["key_data"] = key
            if metadata is not None:
                limit = quotas.limits(connection, self._conf, row["project_id"])["metadata_items"]
                validation.metadata(metadata, limit)
                instances.set_metadata(connection, row["id"], metadata, replace=True)
            return columns, {"old_vm_state": row["vm_state"]}
        return self._act(context, server_uuid, "rebuild", prepare)

    def _snapshot(self, connection: Connection, context: RequestContext,
                  row: Mapping[str, Any], name: str, properties: Mapping[str, str]) -> Image:
        """
        The queued image of a snapshot of C{row} (createImage, shelve), with
        nova's properties; the caller's own C{properties} win over them.
        """
        props = {"instance_uuid": row["uuid"], "image_type": "snapshot",
                 "user_id": context.user_id}
        if row["image_id"]:
            props["base_image_ref"] = row["image_id"]
        props.update(properties)
        return catalog.create_image(connection, {
            "name": name, "status": "queued", "disk_format": "qcow2",
            "container_format": "bare", "size": 0, "min_disk": row["flavor"]["root_gb"],
            "min_ram": 0, "visibility": "private", "owner": row["project_id"],
            "properties": props}, self._now())

    def create_image(self, context: RequestContext, server_uuid: str, name: str,
                     metadata: Mapping[str, str] | None = None) -> Deferred:
        try:
            validation.name(name)
            properties = validation.metadata(metadata or {}, -1)
        except Exception:
            return fail()
        made: list[Image] = []
        snapshots: list[str] = []

        def prepare(connection: Connection, row: Mapping[str, Any]) -> tuple[dict, dict]:
            volume_props, snapshotted = boot.snapshot_for_image(
                connection, context, self._conf, row, self._now(),
                functools.partial(self.volumes.driver.claim, now=self._seconds()))
            snapshots.extend(snapshotted)
            image = self._snapshot(connection, context, row, name,
                                   {**properties, **volume_props})
            made.append(image)
            return {}, {"image_id": image.id}

        def begun(_: Any) -> Image:
            for snapshot_uuid in snapshots:
                self.volumes.driver.follow("snapshot_create", snapshot_uuid)
            return made[0]

        return self._act(context, server_uuid, "snapshot", prepare).addCallback(begun)

    def backup(self, context: RequestContext, server_uuid: str, name: str, backup_type: str,
               rotation: int, metadata: Mapping[str, str] | None = None) -> Deferred:
        """
        C{createBackup}: a snapshot whose properties say C{image_type: backup}
        and its C{backup_type}; the server then keeps at most C{rotation}
        backups of that type, the oldest going first. With a rotation of 0
        every backup of the type goes and none is made. Fires with the new
        L{Image}, or None for a rotation of 0.
        """
        try:
            validation.name(name)
            validation.text(backup_type, "backup_type", 255)
            validation.integer(rotation, "rotation", 0)
            properties = validation.metadata(metadata or {}, -1)
        except Exception:
            return fail()
        made: list[Image] = []

        def prepare(connection: Connection, row: Mapping[str, Any]) -> tuple[dict, dict]:
            now = self._now()
            _rotate_backups(connection, row, backup_type, max(0, rotation - 1), now)
            if rotation == 0:
                return {}, {}
            props = {"image_type": "backup", "backup_type": backup_type, **properties}
            image = self._snapshot(connection, context, row, name, props)
            made.append(image)
            return {}, {"image_id": image.id}

        return self._act(context, server_uuid, "backup", prepare).addCallback(
            lambda _: made[0] if made else None)

    def rescue(self, context: RequestContext, server_uuid: str, password: str,
               image_id: str | None = None) -> Deferred:
        """
        ACTIVE/SHUTOFF/ERROR -> RESCUE, booted from C{image_id} (default: its
        own image), with C{password} as the rescue system's admin password.
        """
        try:
            validation.text(password, "adminPass", 255)
        except Exception:
            return fail()

        def prepare(connection: Connection, row: Mapping[str, Any]) -> tuple[dict, dict]:
            if image_id is not None:
                image = catalog.image_row(connection, context, image_id)
                if image["status"] != "active":
                    raise ImageNotActive(image_id=image_id)
            return {"admin_password": password}, {}
        return self._act(context, server_uuid, "rescue", prepare)

    def unrescue(self, context: RequestContext, server_uuid: str) -> Deferred:
        return self._act(context, server_uuid, "unrescue")

    def reset_state(self, context: RequestContext, server_uuid: str, state: str) -> Deferred:
        """Admins: set the vm state (C{active} or C{error}) and clear the task state."""
        if state not in ("active", "error"):
            return fail(Invalid("Invalid state for reset: %s" % state))
        if not context.is_admin:
            return fail(NotAuthorized("Only administrators may reset a server's state."))

        def prepare(connection: Connection, row: Mapping[str, Any]) -> tuple[dict, dict]:
            return {"pending_action": None, "pending_params": None, "claimed_by": None,
                    "claim_expires": None}, {"vm_state": state}
        return self._act(context, server_uuid, "reset_state", prepare)

    def inject_network_info(self, context: RequestContext, server_uuid: str) -> Deferred:
        """Admins: the simulated host has nothing to inject; the action is recorded."""
        if not context.is_admin:
            return fail(NotAuthorized("Only administrators may inject network info."))
        return self._act(context, server_uuid, "inject_network_info")

    def trigger_crash_dump(self, context: RequestContext, server_uuid: str) -> Deferred:
        """An NMI to the guest (2.17): recorded; the simulated guest keeps running."""
        return self._act(context, server_uuid, "trigger_crash_dump")

    def shelve(self, context: RequestContext, server_uuid: str) -> Deferred:
        """
        Shelve: as nova, a snapshot named C{<name>-shelved} is made on the way
        (active once the server is shelved); unshelve deletes it.
        """
        def prepare(connection: Connection, row: Mapping[str, Any]) -> tuple[dict, dict]:
            name = (row["name"] + SHELVED_SUFFIX)[:255]
            image = self._snapshot(connection, context, row, name, {})
            return {}, {"image_id": image.id}
        return self._act(context, server_uuid, "shelve", prepare)

    def shelve_offload(self, context: RequestContext, server_uuid: str) -> Deferred:
        return self._act(context, server_uuid, "shelve_offload")

    def unshelve(self, context: RequestContext, server_uuid: str,
                 availability_zone: str | None = None) -> Deferred:
        def prepare(connection: Connection, row: Mapping[str, Any]) -> tuple[dict, dict]:
            changes = {}
            if availability_zone is not None:
                if availability_zone != self._conf.default_availability_zone:
                    raise Invalid("The requested availability zone is not available")
                changes["availability_zone"] = availability_zone
            _delete_shelved_image(connection, row, self._now())
            return changes, {}
        return self._act(context, server_uuid, "unshelve", prepare)

    def change_password(self, context: RequestContext, server_uuid: str, password: str) -> Deferred:
        try:
            validation.text(password, "adminPass", 255)
        except Exception:
            return fail()

        def prepare(connection: Connection, row: Mapping[str, Any]) -> tuple[dict, dict]:
            return {"admin_password": password}, {}
        return self._act(context, server_uuid, "change_password", prepare)
