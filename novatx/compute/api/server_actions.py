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

from novatx.compute import catalog, convert, instances, quotas, validation
from novatx.compute.api._base import ComputeAPIBase
from novatx.compute.context import RequestContext
from novatx.compute.exceptions import (
    ImageNotActive, Invalid, KeypairNotFound, NotAuthorized, QuotaExceeded,
)
from novatx.compute.records import Image
from novatx.compute.volumes import boot
from novatx.db import tables as t


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

    def resize(self, context: RequestContext, server_uuid: str, flavor_id: str) -> Deferred:
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
            return changes, {"old_vm_state": row["vm_state"]}
        return self._act(context, server_uuid, "resize", prepare)

    def confirm_resize(self, context: RequestContext, server_uuid: str) -> Deferred:
        def prepare(connection: Connection, row: Mapping[str, Any]) -> tuple[dict, dict]:
            pending = row["new_flavor"] or {}
            flavor = pending.get("flavor") or row["flavor"]
            return ({"flavor": flavor, "flavor_id": flavor["id"], "new_flavor": None},
                    {"old_vm_state": pending.get("old_vm_state")})
        return self._act(context, server_uuid, "confirm_resize", prepare)

    def revert_resize(self, context: RequestContext, server_uuid: str) -> Deferred:
        def prepare(connection: Connection, row: Mapping[str, Any]) -> tuple[dict, dict]:
            pending = row["new_flavor"] or {}
            old = row["flavor"]
            return ({"vcpus": old["vcpus"], "memory_mb": old["memory_mb"]},
                    {"old_vm_state": pending.get("old_vm_state")})
        return self._act(context, server_uuid, "revert_resize", prepare)

    def rebuild(self, context: RequestContext, server_uuid: str, image_id: str,
                **changes: Any) -> Deferred:
        allowed = {"name", "metadata", "key_name", "user_data", "description", "hostname",
                   "access_ip_v4", "access_ip_v6", "admin_password"}
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
        except Exception:
            return fail()

        def prepare(connection: Connection, row: Mapping[str, Any]) -> tuple[dict, dict]:
            image = catalog.image_row(connection, context, image_id)
            if image["deleted"] or image["status"] != "active":
                raise ImageNotActive(image_id=image_id)
            columns = dict(changes, image_id=image["uuid"])
            columns.pop("metadata", None)
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
            props = dict(properties, instance_uuid=row["uuid"], image_type="snapshot",
                         user_id=context.user_id)
            if row["image_id"]:
                props["base_image_ref"] = row["image_id"]
            volume_props, snapshotted = boot.snapshot_for_image(
                connection, context, self._conf, row, self._now(),
                functools.partial(self.volumes.driver.claim, now=self._seconds()))
            props.update(volume_props)
            snapshots.extend(snapshotted)
            image = catalog.create_image(connection, {
                "name": name, "status": "queued", "disk_format": "qcow2",
                "container_format": "bare", "size": 0, "min_disk": row["flavor"]["root_gb"],
                "min_ram": 0, "visibility": "private", "owner": row["project_id"],
                "properties": props}, self._now())
            made.append(image)
            return {}, {"image_id": image.id}

        def begun(_: Any) -> Image:
            for snapshot_uuid in snapshots:
                self.volumes.driver.follow("snapshot_create", snapshot_uuid)
            return made[0]

        return self._act(context, server_uuid, "snapshot", prepare).addCallback(begun)

    def shelve(self, context: RequestContext, server_uuid: str) -> Deferred:
        return self._act(context, server_uuid, "shelve")

    def shelve_offload(self, context: RequestContext, server_uuid: str) -> Deferred:
        return self._act(context, server_uuid, "shelve_offload")

    def unshelve(self, context: RequestContext, server_uuid: str,
                 availability_zone: str | None = None) -> Deferred:
        def prepare(connection: Connection, row: Mapping[str, Any]) -> tuple[dict, dict]:
            if availability_zone is not None:
                if availability_zone != self._conf.default_availability_zone:
                    raise Invalid("The requested availability zone is not available")
                return {"availability_zone": availability_zone}, {}
            return {}, {}
        return self._act(context, server_uuid, "unshelve", prepare)

    def change_password(self, context: RequestContext, server_uuid: str, password: str) -> Deferred:
        try:
            validation.text(password, "adminPass", 255)
        except Exception:
            return fail()

        def prepare(connection: Connection, row: Mapping[str, Any]) -> tuple[dict, dict]:
            return {"admin_password": password}, {}
        return self._act(context, server_uuid, "change_password", prepare)
