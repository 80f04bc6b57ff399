"""
CreateSnapshot, DeleteSnapshot and DescribeSnapshots: block storage's
snapshots of volumes, with EC2's states (C{pending}, C{completed}, C{error}).
"""

from __future__ import annotations

from typing import Any

from twisted.internet.defer import inlineCallbacks

from novatx.compute.exceptions import OverLimit
from novatx.compute.volumes.exceptions import InvalidSnapshot, InvalidVolume
from novatx.extensions.ec2 import errors, params as P
from novatx.extensions.ec2.base import EC2Action
from novatx.extensions.ec2.ebs import (
    all_snapshots,
    all_volumes,
    named_snapshots,
    named_volumes,
    snapshot_item,
    snapshot_state,
)
from novatx.extensions.ec2.filters import Getter, compile_filters, one
from novatx.extensions.ec2.ids import snapshot_id, volume_id
from novatx.extensions.ec2.paging import Paging
from novatx.extensions.ec2.render import timestamp
from novatx.extensions.ec2.volumes import incorrect_state


def _limit(failure: Any) -> Any:
    failure.trap(OverLimit)
    raise errors.EC2Error("SnapshotLimitExceeded", str(failure.value))


@inlineCallbacks
def _volume_ids(action: EC2Action, context: Any) -> Any:
    volumes = yield all_volumes(action.compute, context)
    return {volume.id: volume_id(volume) for volume in volumes}


class CreateSnapshot(EC2Action):
    action = "CreateSnapshot"
    name = "Create snapshot"

    def __call__(self, request: Any, params: dict[str, str]) -> Any:
        return self._create(request.context, P.required(params, "VolumeId"),
                            params.get("Description"))

    @inlineCallbacks
    def _create(self, context: Any, text: str, description: str | None) -> Any:
        (volume,) = yield named_volumes(self.compute, context, [text])
        try:
            snapshot = yield self.compute.volumes.create_snapshot(
                context, volume.id, description=description).addErrback(_limit)
        except InvalidVolume:
            raise incorrect_state(volume) from None
        return snapshot_item(snapshot, {volume.id: text})


class DeleteSnapshot(EC2Action):
    action = "DeleteSnapshot"
    name = "Delete snapshot"

    def __call__(self, request: Any, params: dict[str, str]) -> Any:
        return self._delete(request.context, P.required(params, "SnapshotId"))

    @inlineCallbacks
    def _delete(self, context: Any, text: str) -> Any:
        (snapshot,) = yield named_snapshots(self.compute, context, [text])
        try:
            yield self.compute.volumes.delete_snapshot(context, snapshot.id)
        except InvalidSnapshot:
            raise errors.EC2Error("IncorrectState", "Snapshot '%s' is in the '%s' state." % (
                text, snapshot_state(snapshot))) from None
        return {"return": True}


def _snapshot_filters(volume_ids: dict[str, str]) -> dict[str, Getter]:
    """The filters of DescribeSnapshots that ec2-api served."""
    return {
        "snapshot-id": one(snapshot_id),
        "volume-id": one(lambda s: volume_ids.get(s.volume_id, "vol-ffffffff")),
        "description": one(lambda s: s.description or ""),
        "owner-id": one(lambda s: s.project_id),
        "progress": one(lambda s: snapshot_item(s, volume_ids)["progress"]),
        "start-time": one(lambda s: timestamp(s.created_at) if s.created_at else None),
        "status": one(snapshot_state),
        "volume-size": one(lambda s: s.size),
        "encrypted": one(lambda s: "false"),
    }


class DescribeSnapshots(EC2Action):
    action = "DescribeSnapshots"
    name = "Describe snapshots"

    def __call__(self, request: Any, params: dict[str, str]) -> Any:
        ids = P.member_list(params, "SnapshotId")
        owners = {request.context.project_id if owner == "self" else owner
                  for owner in P.member_list(params, "Owner")}
        paging = Paging.read(self.action, request.context.project_id, params, 5, 1000,
                             exclusive=("SnapshotId",))
        return self._describe(request.context, ids, owners, P.filters(params), paging)

    @inlineCallbacks
    def _describe(self, context: Any, ids: list[str], owners: set[str], requested: Any,
                  paging: Paging) -> Any:
        if ids:
            snapshots = yield named_snapshots(self.compute, context, ids)
            snapshots = list({s.internal_id: s for s in snapshots}.values())
        else:
            snapshots = yield all_snapshots(self.compute, context)
        volume_ids = yield _volume_ids(self, context)
        matches = compile_filters(requested, _snapshot_filters(volume_ids),
                                  tags=lambda s: s.metadata)
        kept = [s for s in snapshots if matches(s) and (not owners or s.project_id in owners)]
        page, token = paging.page(kept, key=lambda s: s.internal_id)
        return {
            "snapshotSet": [snapshot_item(s, volume_ids) for s in page],
            "nextToken": token,
        }
