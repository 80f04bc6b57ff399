"""
The state machine: which action is allowed from which state (nova's
C{check_instance_state} guards), which task states it passes through, and
where it ends.

The internal API checks a L{Transition}'s guard and writes its first step; the
driver walks the remaining steps (each written to the store as it happens) and
applies C{finish}. Everything here is data and pure functions, so the table is
what the tests iterate over.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

import attrs

from novatx.compute import states as s
from novatx.compute.exceptions import InstanceInvalidState

#: Which configured duration a transition takes.
BOOT, ACTION, DELETE = "boot_seconds", "action_seconds", "delete_seconds"

Row = Mapping[str, Any]
Finish = Callable[[Row, Mapping[str, Any]], dict]


def _ends(vm_state: str, power_state: int) -> Finish:
    def finish(row: Row, params: Mapping[str, Any]) -> dict:
        return {"vm_state": vm_state, "power_state": power_state}
    return finish


def _keep_state(row: Row, params: Mapping[str, Any]) -> dict:
    return {}


def _running_or_stopped(row: Row, params: Mapping[str, Any]) -> dict:
    if params.get("old_vm_state") == s.STOPPED:
        return {"vm_state": s.STOPPED, "power_state": s.SHUTDOWN}
    return {"vm_state": s.ACTIVE, "power_state": s.RUNNING}


def _reset(row: Row, params: Mapping[str, Any]) -> dict:
    return {"vm_state": params["vm_state"]}


def _resized(row: Row, params: Mapping[str, Any]) -> dict:
    return {"vm_state": s.RESIZED}


@attrs.frozen
class Transition:
    """
    One action of the state machine.

    @ivar name: the action (also the driver's name for it).
    @ivar method: the name nova's conflict message uses ("Cannot 'stop' ...").
    @ivar vm_states: the vm states it is allowed from (None: any).
    @ivar task_states: the task states it is allowed from (None: any).
    @ivar steps: the task states it passes through, in order.
    @ivar duration: which C{[simulated]} option gives its total time.
    @ivar finish: the columns it sets when done, from the row and its params.
    """

    name: str
    method: str
    vm_states: tuple[str, ...] | None
    task_states: tuple[str | None, ...] | None
    steps: tuple[str, ...]
    duration: str
    finish: Finish

    def check(self, instance_uuid: str, vm_state: str, task_state: str | None) -> None:
        """Raise L{InstanceInvalidState} (nova's wording) unless allowed."""
        if self.vm_states is not None and vm_state not in self.vm_states:
            raise InstanceInvalidState(method=self.method, instance_uuid=instance_uuid,
                                       attr="vm_state", state=vm_state)
        if self.task_states is not None and task_state not in self.task_states:
            raise InstanceInvalidState(method=self.method, instance_uuid=instance_uuid,
                                       attr="task_state", state=task_state)


_IDLE = (None,)
_T = Transition

TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        _T("spawn", "create", (s.BUILDING,), None,
           (s.SCHEDULING, s.NETWORKING, s.BLOCK_DEVICE_MAPPING, s.SPAWNING), BOOT,
           _ends(s.ACTIVE, s.RUNNING)),
        _T("reboot", "reboot", s.ALLOW_SOFT_REBOOT, _IDLE,
           (s.REBOOTING, s.REBOOT_PENDING, s.REBOOT_STARTED), ACTION,
           _ends(s.ACTIVE, s.RUNNING)),
        _T("reboot_hard", "reboot", s.ALLOW_HARD_REBOOT, s.ALLOW_REBOOT,
           (s.REBOOTING_HARD, s.REBOOT_PENDING_HARD, s.REBOOT_STARTED_HARD), ACTION,
           _ends(s.ACTIVE, s.RUNNING)),
        _T("stop", "stop", (s.ACTIVE, s.RESCUED, s.ERROR), _IDLE, (s.POWERING_OFF,), ACTION,
           _ends(s.STOPPED, s.SHUTDOWN)),
        _T("start", "start", (s.STOPPED,), _IDLE, (s.POWERING_ON,), ACTION,
           _ends(s.ACTIVE, s.RUNNING)),
        _T("pause", "pause", (s.ACTIVE,), _IDLE, (s.PAUSING,), ACTION,
           _ends(s.PAUSED, s.POWER_PAUSED)),
        _T("unpause", "unpause", (s.PAUSED,), _IDLE, (s.UNPAUSING,), ACTION,
           _ends(s.ACTIVE, s.RUNNING)),
        _T("suspend", "suspend", (s.ACTIVE,), _IDLE, (s.SUSPENDING,), ACTION,
           _ends(s.SUSPENDED, s.POWER_SUSPENDED)),
        _T("resume", "resume", (s.SUSPENDED,), _IDLE, (s.RESUMING,), ACTION,
           _ends(s.ACTIVE, s.RUNNING)),
        _T("resize", "resize", (s.ACTIVE, s.STOPPED), _IDLE,
           (s.RESIZE_PREP, s.RESIZE_MIGRATING, s.RESIZE_MIGRATED, s.RESIZE_FINISH), ACTION,
           _resized),
        _T("confirm_resize", "confirmResize", (s.RESIZED,), _IDLE, (), ACTION,
           _running_or_stopped),
        _T("revert_resize", "revertResize", (s.RESIZED,), _IDLE, (s.RESIZE_REVERTING,),
           ACTION, _running_or_stopped),
        _T("rebuild", "rebuild", (s.ACTIVE, s.STOPPED, s.ERROR), _IDLE,
           (s.REBUILDING, s.REBUILD_BLOCK_DEVICE_MAPPING, s.REBUILD_SPAWNING), BOOT,
           _running_or_stopped),
        _T("snapshot", "createImage", (s.ACTIVE, s.STOPPED, s.PAUSED, s.SUSPENDED), _IDLE,
           (s.IMAGE_SNAPSHOT, s.IMAGE_PENDING_UPLOAD, s.IMAGE_UPLOADING), ACTION,
           _keep_state),
        _T("shelve", "shelve", (s.ACTIVE, s.STOPPED, s.PAUSED, s.SUSPENDED), _IDLE,
           (s.SHELVING, s.SHELVING_IMAGE_PENDING_UPLOAD, s.SHELVING_IMAGE_UPLOADING,
            s.SHELVING_OFFLOADING), ACTION,
           _ends(s.SHELVED_OFFLOADED, s.SHUTDOWN)),
        _T("shelve_offload", "shelveOffload", (s.SHELVED,), _IDLE, (s.SHELVING_OFFLOADING,),
           ACTION, _ends(s.SHELVED_OFFLOADED, s.SHUTDOWN)),
        _T("unshelve", "unshelve", (s.SHELVED, s.SHELVED_OFFLOADED), _IDLE,
           (s.UNSHELVING, s.SPAWNING), BOOT, _ends(s.ACTIVE, s.RUNNING)),
        _T("backup", "createBackup", (s.ACTIVE, s.STOPPED, s.PAUSED, s.SUSPENDED), _IDLE,
           (s.IMAGE_BACKUP, s.IMAGE_PENDING_UPLOAD, s.IMAGE_UPLOADING), ACTION, _keep_state),
        _T("rescue", "rescue", (s.ACTIVE, s.STOPPED, s.ERROR), _IDLE, (s.RESCUING,), ACTION,
           _ends(s.RESCUED, s.RUNNING)),
        _T("unrescue", "unrescue", (s.RESCUED,), _IDLE, (s.UNRESCUING,), ACTION,
           _ends(s.ACTIVE, s.RUNNING)),
        _T("reset_state", "os-resetState", None, None, (), ACTION, _reset),
        _T("inject_network_info", "injectNetworkInfo", None, None, (), ACTION, _keep_state),
        _T("trigger_crash_dump", "trigger_crash_dump",
           (s.ACTIVE, s.PAUSED, s.RESCUED, s.RESIZED, s.ERROR), _IDLE, (), ACTION, _keep_state),
        _T("change_password", "changePassword", (s.ACTIVE,), _IDLE, (s.UPDATING_PASSWORD,),
           ACTION, _keep_state),
        _T("delete", "delete", None, None, (s.DELETING,), DELETE, _ends(s.DELETED, s.NOSTATE)),
        _T("soft_delete", "soft_delete", None, _IDLE, (s.SOFT_DELETING,), ACTION,
           _ends(s.SOFT_DELETED, s.SHUTDOWN)),
        _T("restore", "restore", (s.SOFT_DELETED,), _IDLE, (s.RESTORING,), ACTION,
           _ends(s.ACTIVE, s.RUNNING)),
        _T("force_delete", "forceDelete", None, _IDLE, (s.DELETING,), DELETE,
           _ends(s.DELETED, s.NOSTATE)),
    ]
}

#: Every vm_state an instance can rest in, for table-driven tests.
VM_STATES = (s.ACTIVE, s.BUILDING, s.PAUSED, s.SUSPENDED, s.STOPPED, s.RESCUED, s.RESIZED,
             s.ERROR, s.SHELVED, s.SHELVED_OFFLOADED)
