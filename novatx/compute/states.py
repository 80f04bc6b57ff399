"""
nova's instance states, and the compute API status they show as.

An instance has a stable C{vm_state}, a C{task_state} while something is
happening to it, and the hypervisor's C{power_state}. The compute API shows one
C{status} derived from the first two, by nova's table
(C{nova/api/openstack/common.py}); EC2 derives its own from the same fields.
"""

from __future__ import annotations

# -- vm_states (nova/compute/vm_states.py) -------------------------------------
ACTIVE = "active"
BUILDING = "building"
PAUSED = "paused"
SUSPENDED = "suspended"
STOPPED = "stopped"
RESCUED = "rescued"
RESIZED = "resized"
SOFT_DELETED = "soft-delete"
DELETED = "deleted"
ERROR = "error"
SHELVED = "shelved"
SHELVED_OFFLOADED = "shelved_offloaded"

ALLOW_SOFT_REBOOT = (ACTIVE,)
ALLOW_HARD_REBOOT = ALLOW_SOFT_REBOOT + (STOPPED, PAUSED, SUSPENDED, ERROR)

# -- task_states (nova/compute/task_states.py) --------------------------------
SCHEDULING = "scheduling"
BLOCK_DEVICE_MAPPING = "block_device_mapping"
NETWORKING = "networking"
SPAWNING = "spawning"
IMAGE_SNAPSHOT = "image_snapshot"
IMAGE_BACKUP = "image_backup"
IMAGE_SNAPSHOT_PENDING = "image_snapshot_pending"
IMAGE_PENDING_UPLOAD = "image_pending_upload"
IMAGE_UPLOADING = "image_uploading"
UPDATING_PASSWORD = "updating_password"
RESIZE_PREP = "resize_prep"
RESIZE_MIGRATING = "resize_migrating"
RESIZE_MIGRATED = "resize_migrated"
RESIZE_FINISH = "resize_finish"
RESIZE_REVERTING = "resize_reverting"
RESIZE_CONFIRMING = "resize_confirming"
REBOOTING = "rebooting"
REBOOT_PENDING = "reboot_pending"
REBOOT_STARTED = "reboot_started"
REBOOTING_HARD = "rebooting_hard"
REBOOT_PENDING_HARD = "reboot_pending_hard"
REBOOT_STARTED_HARD = "reboot_started_hard"
PAUSING = "pausing"
UNPAUSING = "unpausing"
SUSPENDING = "suspending"
RESUMING = "resuming"
POWERING_OFF = "powering-off"
POWERING_ON = "powering-on"
RESCUING = "rescuing"
UNRESCUING = "unrescuing"
REBUILDING = "rebuilding"
REBUILD_BLOCK_DEVICE_MAPPING = "rebuild_block_device_mapping"
REBUILD_SPAWNING = "rebuild_spawning"
MIGRATING = "migrating"
DELETING = "deleting"
SOFT_DELETING = "soft-deleting"
RESTORING = "restoring"
SHELVING = "shelving"
SHELVING_IMAGE_PENDING_UPLOAD = "shelving_image_pending_upload"
SHELVING_IMAGE_UPLOADING = "shelving_image_uploading"
SHELVING_OFFLOADING = "shelving_offloading"
UNSHELVING = "unshelving"

#: The task states a hard reboot may interrupt (nova's C{ALLOW_REBOOT}).
ALLOW_REBOOT = (
    None, REBOOTING, REBOOT_PENDING, REBOOT_STARTED, REBOOTING_HARD,
    REBOOT_PENDING_HARD, REBOOT_STARTED_HARD, RESUMING, UNPAUSING, PAUSING,
    SUSPENDING,
)

# -- power_state (nova/compute/power_state.py) ---------------------------------
NOSTATE = 0
RUNNING = 1
POWER_PAUSED = 3
SHUTDOWN = 4
CRASHED = 6
POWER_SUSPENDED = 7

#: Power states by number, as nova names them.
POWER_STATE_NAMES = {
    NOSTATE: "pending",
    RUNNING: "running",
    POWER_PAUSED: "paused",
    SHUTDOWN: "shutdown",
    CRASHED: "crashed",
    POWER_SUSPENDED: "suspended",
}

_REBUILD = {REBUILDING: "REBUILD", REBUILD_BLOCK_DEVICE_MAPPING: "REBUILD",
            REBUILD_SPAWNING: "REBUILD"}
_RESIZE = {RESIZE_PREP: "RESIZE", RESIZE_MIGRATING: "RESIZE",
           RESIZE_MIGRATED: "RESIZE", RESIZE_FINISH: "RESIZE"}

#: nova's C{_STATE_MAP}: vm_state -> {task_state or "default": status}.
STATE_MAP: dict[str, dict[str | None, str]] = {
    ACTIVE: {
        "default": "ACTIVE",
        REBOOTING: "REBOOT",
        REBOOT_PENDING: "REBOOT",
        REBOOT_STARTED: "REBOOT",
        REBOOTING_HARD: "HARD_REBOOT",
        REBOOT_PENDING_HARD: "HARD_REBOOT",
        REBOOT_STARTED_HARD: "HARD_REBOOT",
        UPDATING_PASSWORD: "PASSWORD",
        MIGRATING: "MIGRATING",
        **_REBUILD,
        **_RESIZE,
    },
    BUILDING: {"default": "BUILD"},
    STOPPED: {"default": "SHUTOFF", **_RESIZE, **_REBUILD},
    RESIZED: {"default": "VERIFY_RESIZE", RESIZE_REVERTING: "REVERT_RESIZE"},
    PAUSED: {"default": "PAUSED", MIGRATING: "MIGRATING"},
    SUSPENDED: {"default": "SUSPENDED"},
    RESCUED: {"default": "RESCUE"},
    ERROR: {"default": "ERROR", **_REBUILD},
    DELETED: {"default": "DELETED"},
    SOFT_DELETED: {"default": "SOFT_DELETED"},
    SHELVED: {"default": "SHELVED"},
    SHELVED_OFFLOADED: {"default": "SHELVED_OFFLOADED"},
}


def status_from_state(vm_state: str, task_state: str | None = None) -> str:
    """The compute API status of an instance; C{UNKNOWN} for a state nova lacks."""
    task_map = STATE_MAP.get(vm_state, {"default": "UNKNOWN"})
    return task_map.get(task_state, task_map["default"])


def states_from_status(status: str) -> list[tuple[str, tuple[str, ...] | None, tuple[str, ...]]]:
    """
    What a status filter matches, as nova's C{task_and_vm_state_from_status}:
    C{(vm_state, only, excluding)} triples. C{only} is None when the status is
    that vm_state's default, which then covers every task state but those in
    C{excluding} (they show as another status); otherwise C{only} lists the
    task states that show as C{status}.
    """
    status = status.upper()
    found = []
    for vm_state, task_map in STATE_MAP.items():
        tasks = {task: shown for task, shown in task_map.items() if task != "default"}
        if task_map["default"] == status:
            excluding = tuple(task for task, shown in tasks.items() if shown != status)
            found.append((vm_state, None, excluding))
        else:
            only = tuple(task for task, shown in tasks.items() if shown == status)
            if only:
                found.append((vm_state, only, ()))
    return found
