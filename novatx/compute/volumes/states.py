"""
cinder's volume and snapshot statuses, and the transitions between them.

Each transition has one status while it runs and one configured duration
(C{[simulated]}); the internal API writes its start, the driver
(L{novatx.compute.volumes.driver}) applies its end. The ends are data and
small functions here, so the table is what tests iterate over.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

import attrs

CREATING = "creating"
AVAILABLE = "available"
ATTACHING = "attaching"
IN_USE = "in-use"
DETACHING = "detaching"
EXTENDING = "extending"
DELETING = "deleting"
DELETED = "deleted"
ERROR = "error"

#: Which table a transition changes.
VOLUME, SNAPSHOT = "volume", "snapshot"

#: Which C{[simulated]} option gives a transition its time.
CREATE_TIME = "volume_create_seconds"
ATTACH_TIME = "volume_attach_seconds"
DELETE_TIME = "volume_delete_seconds"

Row = Mapping[str, Any]
#: The columns a finished transition sets, from its row and parameters.
Finish = Callable[[Row, Mapping[str, Any]], dict]


def _ends(status: str) -> Finish:
    def finish(row: Row, params: Mapping[str, Any]) -> dict:
        return {"status": status}
    return finish


def _created(row: Row, params: Mapping[str, Any]) -> dict:
    return {"status": AVAILABLE, "bootable": row["image_id"] is not None or bool(
        params.get("bootable"))}


def _gone(row: Row, params: Mapping[str, Any]) -> dict:
    return {"status": DELETED, "deleted": True}


@attrs.frozen
class VolumeTransition:
    """
    One transition of a volume or a snapshot.

    @ivar name: the transition (C{pending_action} in the store).
    @ivar kind: L{VOLUME} or L{SNAPSHOT}.
    @ivar status: the status while it runs.
    @ivar duration: the C{[simulated]} option of its time.
    @ivar finish: the columns it sets when done.
    """

    name: str
    kind: str
    status: str
    duration: str
    finish: Finish


_T = VolumeTransition

TRANSITIONS: dict[str, VolumeTransition] = {
    transition.name: transition
    for transition in [
        _T("create", VOLUME, CREATING, CREATE_TIME, _created),
        _T("attach", VOLUME, ATTACHING, ATTACH_TIME, _ends(IN_USE)),
        _T("detach", VOLUME, DETACHING, ATTACH_TIME, _ends(AVAILABLE)),
        _T("extend", VOLUME, EXTENDING, ATTACH_TIME, _ends(AVAILABLE)),
        _T("delete", VOLUME, DELETING, DELETE_TIME, _gone),
        _T("snapshot_create", SNAPSHOT, CREATING, CREATE_TIME, _ends(AVAILABLE)),
        _T("snapshot_delete", SNAPSHOT, DELETING, DELETE_TIME, _gone),
    ]
}

#: The statuses a volume may be deleted from (cinder's, less those of
#: features the simulated service lacks).
DELETABLE = (AVAILABLE, ERROR)

#: The statuses a snapshot may be taken of.
SNAPSHOTTABLE = (AVAILABLE, IN_USE)
