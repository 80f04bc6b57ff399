"""
Instance actions and events (C{os-instance-actions}): who asked what of an
instance, and what the compute host did about it.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from novatx.compute import convert
from novatx.compute.context import RequestContext
from novatx.compute.exceptions import NotFound
from novatx.compute.listing import equals
from novatx.compute.records import InstanceAction, InstanceActionEvent
from novatx.db import tables as t

A, E = t.instance_actions, t.instance_action_events

#: nova's action names by transition.
ACTION_NAMES = {
    "spawn": "create", "reboot": "reboot", "reboot_hard": "reboot", "stop": "stop",
    "start": "start", "pause": "pause", "unpause": "unpause", "suspend": "suspend",
    "resume": "resume", "resize": "resize", "confirm_resize": "confirmResize",
    "revert_resize": "revertResize", "rebuild": "rebuild", "snapshot": "createImage",
    "shelve": "shelve", "shelve_offload": "shelveOffload", "unshelve": "unshelve",
    "change_password": "changePassword", "delete": "delete", "backup": "createBackup",
    "rescue": "rescue", "unrescue": "unrescue", "reset_state": "resetState",
    "inject_network_info": "injectNetworkInfo", "trigger_crash_dump": "trigger_crash_dump",
    "soft_delete": "delete", "restore": "restore", "force_delete": "forceDelete",
    "attach_interface": "attach_interface", "detach_interface": "detach_interface",
}

#: The compute-side event names, as nova's C{wrap_instance_event} records them.
EVENT_NAMES = {
    "spawn": "compute__do_build_and_run_instance", "reboot": "compute_reboot_instance",
    "reboot_hard": "compute_reboot_instance", "stop": "compute_stop_instance",
    "start": "compute_start_instance", "pause": "compute_pause_instance",
    "unpause": "compute_unpause_instance", "suspend": "compute_suspend_instance",
    "resume": "compute_resume_instance", "resize": "compute_resize_instance",
    "confirm_resize": "compute_confirm_resize", "revert_resize": "compute_revert_resize",
    "rebuild": "compute_rebuild_instance", "snapshot": "compute_snapshot_instance",
    "shelve": "compute_shelve_instance", "shelve_offload": "compute_shelve_offload_instance",
    "unshelve": "compute_unshelve_instance", "change_password": "compute_set_admin_password",
    "delete": "compute_terminate_instance", "backup": "compute_backup_instance",
    "rescue": "compute_rescue_instance", "unrescue": "compute_unrescue_instance",
    "reset_state": "api_reset_state", "inject_network_info": "compute_inject_network_info",
    "trigger_crash_dump": "compute_trigger_crash_dump",
    "soft_delete": "compute_soft_delete_instance", "restore": "compute_restore_instance",
    "force_delete": "compute_terminate_instance", "migrate": "conductor_migrate_server",
    "live-migration": "conductor_live_migrate_instance",
    "evacuate": "conductor_rebuild_instance",
    "attach_volume": "compute_attach_volume", "detach_volume": "compute_detach_volume",
    "attach_interface": "compute_attach_interface",
    "detach_interface": "compute_detach_interface",
}


def start(connection: Connection, context: RequestContext, instance_uuid: str,
          transition: str, now: Any, host: str | None) -> int:
    """Record an action and its compute event (started); returns the action's id."""
    action_id = connection.execute(sa.insert(A).values(
        instance_uuid=instance_uuid, request_id=context.request_id,
        action=ACTION_NAMES.get(transition, transition), user_id=context.user_id,
        project_id=context.project_id, start_time=now, updated_at=now,
    )).inserted_primary_key[0]
    connection.execute(sa.insert(E).values(
        action_id=action_id, event=EVENT_NAMES.get(transition, transition),
        start_time=now, host=host,
    ))
    return action_id


def finish(connection: Connection, action_id: int | None, now: Any, result: str = "Success",
           message: str | None = None) -> None:
    """Mark an action's open events finished."""
    if action_id is None:
        return
    connection.execute(sa.update(E).where(E.c.action_id == action_id, E.c.finish_time.is_(None))
                       .values(finish_time=now, result=result))
    values: dict = {"updated_at": now}
    if result != "Success":
        values["message"] = (message or "Error")[:255]
    connection.execute(sa.update(A).where(A.c.id == action_id).values(**values))


def _events(connection: Connection, action_ids: list[int]) -> dict[int, list]:
    found: dict[int, list] = {i: [] for i in action_ids}
    if action_ids:
        for row in connection.execute(
            sa.select(E).where(E.c.action_id.in_(action_ids)).order_by(E.c.id)
        ).mappings():
            found[row["action_id"]].append(InstanceActionEvent(
                event=row["event"], start_time=convert.aware(row["start_time"]),
                finish_time=convert.aware(row["finish_time"]), result=row["result"],
                host=row["host"]))
    return found


def _record(row: Any, events: list) -> InstanceAction:
    return InstanceAction(
        action=row["action"], instance_uuid=row["instance_uuid"],
        request_id=row["request_id"], user_id=row["user_id"], project_id=row["project_id"],
        start_time=convert.aware(row["start_time"]), updated_at=convert.aware(row["updated_at"]),
        message=row["message"], events=tuple(events))


def list_for(connection: Connection, instance_uuid: str) -> list[InstanceAction]:
    rows = list(connection.execute(
        sa.select(A).where(A.c.instance_uuid == instance_uuid).order_by(A.c.id.desc())
    ).mappings())
    events = _events(connection, [row["id"] for row in rows])
    return [_record(row, events[row["id"]]) for row in rows]


def get(connection: Connection, instance_uuid: str, request_id: str) -> InstanceAction:
    row = connection.execute(
        sa.select(A).where(A.c.instance_uuid == instance_uuid, equals(A.c.request_id, request_id))
        .order_by(A.c.id.desc())
    ).mappings().first()
    if row is None:
        raise NotFound("Action %s could not be found." % request_id)
    return _record(row, _events(connection, [row["id"]])[row["id"]])
