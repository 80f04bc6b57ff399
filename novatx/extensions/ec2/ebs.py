"""
What EC2's volume and snapshot actions share: finding the records C{vol-} and
C{snap-} ids name, and showing them with AWS's names.

Every action goes through block storage's internal API
(L{novatx.compute.volumes.interfaces.IVolumeAPI}, the compute API's
C{volumes}), never its tables. A volume's or a snapshot's tags are its
metadata items, so the Block Storage API shows them too.
"""

from __future__ import annotations

from typing import Any, Iterable, Sequence

from twisted.internet.defer import Deferred, succeed

from novatx.compute.volumes import states
from novatx.compute.volumes.records import Snapshot, Volume, VolumeAttachment
from novatx.extensions.ec2.errors import EC2Error
from novatx.extensions.ec2.ids import (
    parse_snapshot_id,
    parse_volume_id,
    snapshot_id,
    volume_id,
)
from novatx.extensions.ec2.views import BlockDevice, tag_set

#: cinder's statuses as EC2 names a volume's state; the others are the same words.
_VOLUME_STATES = {
    states.ATTACHING: "in-use",
    states.DETACHING: "in-use",
    states.EXTENDING: "available",
}

#: cinder's statuses as EC2 names an attachment's; any other is C{attached}.
_ATTACHMENT_STATES = {states.ATTACHING: "attaching", states.DETACHING: "detaching"}

#: cinder's statuses as EC2 names a snapshot's state.
_SNAPSHOT_STATES = {
    states.CREATING: "pending",
    states.AVAILABLE: "completed",
    states.DELETING: "pending",
    states.ERROR: "error",
}


def volume_state(volume: Volume) -> str:
    return _VOLUME_STATES.get(volume.status, volume.status)


def attachment_state(volume: Volume) -> str:
    return _ATTACHMENT_STATES.get(volume.status, "attached")


def snapshot_state(snapshot: Snapshot) -> str:
    return _SNAPSHOT_STATES.get(snapshot.status, snapshot.status)


def volume_not_found(ids: Sequence[str]) -> EC2Error:
    return EC2Error("InvalidVolume.NotFound", "The volume '%s' does not exist." % (
        "', '".join(ids),))


def snapshot_not_found(ids: Sequence[str]) -> EC2Error:
    return EC2Error("InvalidSnapshot.NotFound", "The snapshot '%s' does not exist." % (
        "', '".join(ids),))


def all_volumes(compute: Any, context: Any) -> Deferred:
    """Fire with the caller's volumes, in the ascending order of their C{vol-} ids."""
    return compute.volumes.list_volumes(context).addCallback(
        lambda page: sorted(page.items, key=lambda v: v.internal_id))


def all_snapshots(compute: Any, context: Any) -> Deferred:
    """Fire with the caller's snapshots, in the ascending order of their C{snap-} ids."""
    return compute.volumes.list_snapshots(context).addCallback(
        lambda page: sorted(page.items, key=lambda s: s.internal_id))


def _pick(records: Iterable[Any], ids: Sequence[str], numbers: Sequence[int],
          missing: Any) -> list[Any]:
    by_number = {record.internal_id: record for record in records}
    absent = [text for text, number in zip(ids, numbers) if number not in by_number]
    if absent:
        raise missing(absent)
    return [by_number[number] for number in numbers]


def named_volumes(compute: Any, context: Any, ids: Sequence[str]) -> Deferred:
    """
    Fire with the volumes C{ids} name, in that order; C{InvalidVolumeID.Malformed}
    (raised at once) or C{InvalidVolume.NotFound}.
    """
    numbers = [parse_volume_id(text) for text in ids]
    return all_volumes(compute, context).addCallback(_pick, ids, numbers, volume_not_found)


def named_snapshots(compute: Any, context: Any, ids: Sequence[str]) -> Deferred:
    """Fire with the snapshots C{ids} name; C{InvalidSnapshot.NotFound} for one not seen."""
    numbers = [parse_snapshot_id(text) for text in ids]
    return all_snapshots(compute, context).addCallback(_pick, ids, numbers, snapshot_not_found)


def attachment_item(volume: Volume, attachment: VolumeAttachment,
                    instance_ids: dict[str, str], state: str | None = None) -> dict[str, Any]:
    """One C{attachmentSet} item (also AttachVolume's and DetachVolume's answer)."""
    return {
        "volumeId": volume_id(volume),
        "instanceId": instance_ids.get(attachment.server_id),
        "device": attachment.device,
        "status": state or attachment_state(volume),
        "attachTime": attachment.attached_at or volume.updated_at,
        "deleteOnTermination": attachment.delete_on_termination,
    }


def volume_item(volume: Volume, snapshot_ids: dict[str, str],
                instance_ids: dict[str, str]) -> dict[str, Any]:
    """
    One C{volumeSet} item (also CreateVolume's answer).

    @param snapshot_ids: C{snap-} ids by snapshot UUID.
    @param instance_ids: C{i-} ids by server UUID.
    """
    return {
        "volumeId": volume_id(volume),
        "size": volume.size,
        "snapshotId": snapshot_ids.get(volume.snapshot_id or "", ""),
        "availabilityZone": volume.availability_zone,
        "status": volume_state(volume),
        "createTime": volume.created_at,
        "attachmentSet": [
            attachment_item(volume, attachment, instance_ids)
            for attachment in volume.attachments
        ],
        "volumeType": "standard",
        "encrypted": False,
        "tagSet": tag_set(volume.metadata),
    }


def snapshot_item(snapshot: Snapshot, volume_ids: dict[str, str]) -> dict[str, Any]:
    """
    One C{snapshotSet} item (also CreateSnapshot's answer).

    @param volume_ids: C{vol-} ids by volume UUID; a snapshot whose volume is
        gone shows C{vol-ffffffff}, as AWS shows a snapshot of no volume.
    """
    state = snapshot_state(snapshot)
    return {
        "snapshotId": snapshot_id(snapshot),
        "volumeId": volume_ids.get(snapshot.volume_id, "vol-ffffffff"),
        "status": state,
        "startTime": snapshot.created_at,
        "progress": "100%" if state == "completed" else snapshot.progress,
        "ownerId": snapshot.project_id,
        "volumeSize": snapshot.size,
        "description": snapshot.description or "",
        "encrypted": False,
        "tagSet": tag_set(snapshot.metadata),
    }



def block_devices(compute: Any, context: Any, instances: Sequence[Any]) -> Deferred:
    """
    Fire with each instance's L{BlockDevice}s by server UUID, sorted by device,
    read from the volumes' attachments only when one of C{instances} holds a
    volume (so a project without volumes pays nothing for them).
    """
    if not any(instance.volumes_attached for instance in instances):
        return succeed({})

    def index(volumes: list[Volume]) -> dict[str, tuple[BlockDevice, ...]]:
        found: dict[str, list[BlockDevice]] = {}
        for volume in volumes:
            for attachment in volume.attachments:
                found.setdefault(attachment.server_id, []).append((
                    attachment.device, volume_id(volume), attachment_state(volume),
                    attachment.attached_at or volume.updated_at,
                    attachment.delete_on_termination))
        return {server: tuple(sorted(devices)) for server, devices in found.items()}

    return all_volumes(compute, context).addCallback(index)

