"""
EC2's instance states, derived from the shared state machine.

AWS knows six states (pending 0, running 16, shutting-down 32, terminated 48,
stopping 64, stopped 80); nova's C{vm_state}/C{task_state} pairs are finer. A
task in flight decides first (a stopping server is C{stopping} whatever its
C{vm_state}), then the settled C{vm_state}. A server that failed before it ever
ran is C{terminated}, as AWS shows a launch that failed; one that failed later
is C{stopped}.
"""

from __future__ import annotations

from novatx.compute.records import Instance

PENDING = (0, "pending")
RUNNING = (16, "running")
SHUTTING_DOWN = (32, "shutting-down")
TERMINATED = (48, "terminated")
STOPPING = (64, "stopping")
STOPPED = (80, "stopped")

#: Every state by name, for the C{instance-state-name} filter's check.
BY_NAME = {name: code for code, name in (PENDING, RUNNING, SHUTTING_DOWN, TERMINATED, STOPPING, STOPPED)}

_BY_TASK = {
    "deleting": SHUTTING_DOWN,
    "soft-deleting": SHUTTING_DOWN,
    "powering-off": STOPPING,
    "shelving": STOPPING,
    "shelving_image_pending_upload": STOPPING,
    "shelving_image_uploading": STOPPING,
    "shelving_offloading": STOPPING,
    "suspending": STOPPING,
    "pausing": STOPPING,
    "powering-on": PENDING,
    "resuming": PENDING,
    "unpausing": PENDING,
    "unshelving": PENDING,
    "scheduling": PENDING,
    "block_device_mapping": PENDING,
    "networking": PENDING,
    "spawning": PENDING,
}

_BY_VM_STATE = {
    "building": PENDING,
    "active": RUNNING,
    "rescued": RUNNING,
    "resized": RUNNING,
    "stopped": STOPPED,
    "paused": STOPPED,
    "suspended": STOPPED,
    "shelved": STOPPED,
    "shelved_offloaded": STOPPED,
    "soft-delete": TERMINATED,
    "deleted": TERMINATED,
}


def ec2_state(instance: Instance) -> tuple[int, str]:
    """The C{(code, name)} AWS would show for C{instance}."""
    if instance.deleted or instance.vm_state in ("deleted", "soft-delete"):
        return TERMINATED
    by_task = _BY_TASK.get(instance.task_state or "")
    if by_task is not None:
        return by_task
    if instance.vm_state == "error":
        return STOPPED if instance.launched_at is not None else TERMINATED
    return _BY_VM_STATE.get(instance.vm_state, PENDING)
