"""
CreateVolume, DeleteVolume, DescribeVolumes, AttachVolume and DetachVolume on
block storage's internal API.

States are the simulated driver's, with EC2's names (L{novatx.extensions.ec2.ebs}):
a volume being attached or detached is C{in-use}, its attachment C{attaching}
or C{detaching}. States are checked here first so the error is AWS's
(C{VolumeInUse} for an attached volume, C{IncorrectState} for one that is
busy), and the store checks again in the transaction that writes.
"""

from __future__ import annotations

from typing import Any

from twisted.internet.defer import inlineCallbacks

from novatx.compute.exceptions import OverLimit
from novatx.compute.volumes import states
from novatx.compute.volumes.exceptions import InvalidInput, InvalidVolume
from novatx.extensions.ec2 import errors, params as P
from novatx.extensions.ec2.base import EC2Action
from novatx.extensions.ec2.ebs import (
    all_snapshots,
    all_volumes,
    attachment_item,
    attachment_state,
    named_snapshots,
    named_volumes,
    volume_item,
    volume_state,
)
from novatx.extensions.ec2.filters import Getter, compile_filters, one
from novatx.extensions.ec2.ids import snapshot_id, volume_id
from novatx.extensions.ec2.lookup import named_instances, visible_instances
from novatx.extensions.ec2.paging import Paging
from novatx.extensions.ec2.render import timestamp


def incorrect_state(volume: Any) -> errors.EC2Error:
    return errors.EC2Error("IncorrectState", "Volume '%s' is in the '%s' state." % (
        volume_id(volume), volume_state(volume)))


def volume_in_use(volume: Any) -> errors.EC2Error:
    return errors.EC2Error("VolumeInUse", "Volume %s is already attached to an instance" % (
        volume_id(volume),))


def _limit(failure: Any) -> Any:
    failure.trap(OverLimit)
    raise errors.EC2Error("VolumeLimitExceeded", str(failure.value))


@inlineCallbacks
def _instance_ids(action: EC2Action, context: Any) -> Any:
    """The C{i-} ids of the caller's visible instances, by server UUID."""
    instances = yield visible_instances(action, context)
    return {instance.uuid: instance.ec2_id for instance in instances}


@inlineCallbacks
def _snapshot_ids(action: EC2Action, context: Any) -> Any:
    snapshots = yield all_snapshots(action.compute, context)
    return {snapshot.id: snapshot_id(snapshot) for snapshot in snapshots}


class CreateVolume(EC2Action):
    action = "CreateVolume"
    name = "Create volume"

    def __call__(self, request: Any, params: dict[str, str]) -> Any:
        zone = P.required(params, "AvailabilityZone")
        size = P.integer(params, "Size", None, 1, 16384)
        snapshot = params.get("SnapshotId")
        if size is None and not snapshot:
            raise errors.missing_parameter("Size")
        kind = params.get("VolumeType", "standard")
        if kind != "standard":
            raise errors.invalid_value("VolumeType", kind, "The one volume type is standard.")
        if P.boolean(params, "Encrypted"):
            raise errors.invalid_value("Encrypted", params["Encrypted"],
                                       "Encrypted volumes are not supported.")
        return self._create(request.context, zone, size, snapshot)

    @inlineCallbacks
    def _create(self, context: Any, zone: str, size: int | None, snapshot_text: str | None) -> Any:
        zones = yield self.compute.volumes.zones(context)
        if zone not in [name for name, _ in zones]:
            raise errors.invalid_value("AvailabilityZone", zone, "Invalid availability zone.")
        snapshot = None
        if snapshot_text:
            (snapshot,) = yield named_snapshots(self.compute, context, [snapshot_text])
            if snapshot.status != states.AVAILABLE:
                raise errors.EC2Error("IncorrectState", "Snapshot '%s' is not completed." % (
                    snapshot_text,))
            if size is not None and size < snapshot.size:
                raise errors.invalid_value(
                    "Size", size, "The volume is smaller than the snapshot (%d GiB)." % (
                        snapshot.size,))
        try:
            volume = yield self.compute.volumes.create_volume(
                context, size, availability_zone=zone,
                snapshot_id=snapshot.id if snapshot else None).addErrback(_limit)
        except InvalidInput as e:
            raise errors.invalid_value("Size", size, str(e)) from None
        snapshot_ids = {snapshot.id: snapshot_text} if snapshot else {}
        return volume_item(volume, snapshot_ids, {})


class DeleteVolume(EC2Action):
    action = "DeleteVolume"
    name = "Delete volume"

    def __call__(self, request: Any, params: dict[str, str]) -> Any:
        return self._delete(request.context, P.required(params, "VolumeId"))

    @inlineCallbacks
    def _delete(self, context: Any, text: str) -> Any:
        (volume,) = yield named_volumes(self.compute, context, [text])
        if volume.attachments:
            raise volume_in_use(volume)
        try:
            yield self.compute.volumes.delete_volume(context, volume.id)
        except InvalidVolume:
            raise incorrect_state(volume) from None
        return {"return": True}


def _attachments(getter: Any) -> Getter:
    def values(item: Any) -> list[str]:
        volume, instance_ids = item
        return [str(value) for value in (getter(volume, a, instance_ids)
                                         for a in volume.attachments) if value is not None]
    return values


def _volume_filters(snapshot_ids: dict[str, str]) -> dict[str, Getter]:
    """The filters of DescribeVolumes that ec2-api served; items are (volume, instance ids)."""
    return {
        "volume-id": one(lambda item: volume_id(item[0])),
        "availability-zone": one(lambda item: item[0].availability_zone),
        "create-time": one(lambda item: timestamp(item[0].created_at)
                           if item[0].created_at else None),
        "size": one(lambda item: item[0].size),
        "snapshot-id": one(lambda item: snapshot_ids.get(item[0].snapshot_id or "")),
        "status": one(lambda item: volume_state(item[0])),
        "volume-type": one(lambda item: "standard"),
        "encrypted": one(lambda item: "false"),
        "attachment.device": _attachments(lambda v, a, ids: a.device),
        "attachment.instance-id": _attachments(lambda v, a, ids: ids.get(a.server_id)),
        "attachment.delete-on-termination": _attachments(
            lambda v, a, ids: str(a.delete_on_termination).lower()),
        "attachment.attach-time": _attachments(
            lambda v, a, ids: timestamp(a.attached_at) if a.attached_at else None),
        "attachment.status": _attachments(lambda v, a, ids: attachment_state(v)),
    }


class DescribeVolumes(EC2Action):
    action = "DescribeVolumes"
    name = "Describe volumes"

    def __call__(self, request: Any, params: dict[str, str]) -> Any:
        ids = P.member_list(params, "VolumeId")
        paging = Paging.read(self.action, request.context.project_id, params, 5, 500,
                             exclusive=("VolumeId",))
        return self._describe(request.context, ids, P.filters(params), paging)

    @inlineCallbacks
    def _describe(self, context: Any, ids: list[str], requested: Any, paging: Paging) -> Any:
        if ids:
            volumes = yield named_volumes(self.compute, context, ids)
            volumes = list({v.internal_id: v for v in volumes}.values())
        else:
            volumes = yield all_volumes(self.compute, context)
        snapshot_ids = yield _snapshot_ids(self, context)
        instance_ids = yield _instance_ids(self, context)
        matches = compile_filters(requested, _volume_filters(snapshot_ids),
                                  tags=lambda item: item[0].metadata)
        items = [(volume, instance_ids) for volume in volumes]
        page, token = paging.page([item for item in items if matches(item)],
                                  key=lambda item: item[0].internal_id)
        return {
            "volumeSet": [volume_item(v, snapshot_ids, instance_ids) for v, _ in page],
            "nextToken": token,
        }


class AttachVolume(EC2Action):
    action = "AttachVolume"
    name = "Attach volume"

    def __call__(self, request: Any, params: dict[str, str]) -> Any:
        return self._attach(request.context, P.required(params, "VolumeId"),
                            P.required(params, "InstanceId"), P.required(params, "Device"))

    @inlineCallbacks
    def _attach(self, context: Any, volume_text: str, instance_text: str, device: str) -> Any:
        (volume,) = yield named_volumes(self.compute, context, [volume_text])
        (instance,) = yield named_instances(self, context, [instance_text], "attached to")
        if volume.attachments:
            raise volume_in_use(volume)
        if volume.status != states.AVAILABLE:
            raise incorrect_state(volume)
        try:
            attachment = yield self.compute.volumes.attach_volume(
                context, instance.uuid, volume.id, device=device)
        except InvalidVolume:
            raise volume_in_use(volume) from None
        except InvalidInput:
            raise incorrect_state(volume) from None
        return attachment_item(volume, attachment, {instance.uuid: instance.ec2_id},
                               "attaching")


class DetachVolume(EC2Action):
    action = "DetachVolume"
    name = "Detach volume"

    def __call__(self, request: Any, params: dict[str, str]) -> Any:
        return self._detach(request.context, P.required(params, "VolumeId"),
                            params.get("InstanceId"), params.get("Device"))

    @inlineCallbacks
    def _detach(self, context: Any, volume_text: str, instance_text: str | None,
                device: str | None) -> Any:
        (volume,) = yield named_volumes(self.compute, context, [volume_text])
        if not volume.attachments:
            raise incorrect_state(volume)
        attachment = volume.attachments[0]
        instance_ids = yield _instance_ids(self, context)
        shown = instance_ids.get(attachment.server_id)
        if (instance_text and instance_text != shown) or (device and device != attachment.device):
            raise errors.EC2Error(
                "InvalidAttachment.NotFound",
                "The volume '%s' is not attached to %s." % (
                    volume_text, instance_text or device))
        if volume.status != states.IN_USE:
            raise incorrect_state(volume)
        yield self.compute.volumes.detach_volume(context, attachment.server_id, volume.id)
        return attachment_item(volume, attachment, instance_ids, "detaching")
