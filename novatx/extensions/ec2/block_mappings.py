"""
RunInstances' C{BlockDeviceMapping.N}: the volumes an instance boots with.

AWS starts from the image's mappings (an EBS-backed image's root snapshot and
any others) and lets the request change them by device: a new size or
delete-on-termination for the root, more volumes (empty, or made of a
snapshot), or C{NoDevice} to drop one. The result is the compute API's
C{block_device_mapping_v2}, which the internal create checks and makes.
"""

from __future__ import annotations

from typing import Any, Mapping

import attrs
from twisted.internet.defer import inlineCallbacks

from novatx.compute.records import Image
from novatx.extensions.ec2 import errors, params as P
from novatx.extensions.ec2.ebs import named_snapshots
from novatx.extensions.ec2.images import ebs_mappings
from novatx.extensions.ec2.views import ROOT_DEVICE_NAME


@attrs.frozen
class Requested:
    """One C{BlockDeviceMapping.N}, read and checked."""

    device: str
    no_device: bool = False
    snapshot: str | None = None
    size: int | None = None
    delete_on_termination: bool | None = None


def requested(params: Mapping[str, str]) -> list[Requested]:
    """The request's mappings; C{InvalidParameterValue} for what this API cannot map."""
    found = []
    for index, mapping in enumerate(P.structure_list(params, "BlockDeviceMapping"), 1):
        device = P.required(mapping, "DeviceName")
        if "NoDevice" in mapping:
            found.append(Requested(device, no_device=True))
            continue
        if "VirtualName" in mapping:
            raise errors.invalid_value("BlockDeviceMapping.%d.VirtualName" % (index,),
                                       mapping["VirtualName"],
                                       "Instance store volumes are not supported.")
        delete = mapping.get("Ebs.DeleteOnTermination")
        found.append(Requested(
            device,
            snapshot=mapping.get("Ebs.SnapshotId"),
            size=P.integer(mapping, "Ebs.VolumeSize", None, 1, 16384),
            delete_on_termination=None if delete is None else P.boolean(
                mapping, "Ebs.DeleteOnTermination"),
        ))
    return found


@inlineCallbacks
def merged(compute: Any, context: Any, image: Image, wanted: list[Requested]) -> Any:
    """
    Fire with the C{block_device_mapping_v2} of an instance of C{image} with
    C{wanted} applied, or C{()} when neither maps a volume (the image's own
    mappings then apply as they are).
    """
    if not wanted:
        return ()
    by_device = {m.get("device_name") or ROOT_DEVICE_NAME: dict(m) for m in ebs_mappings(image)}
    snapshots = yield named_snapshots(compute, context, [w.snapshot for w in wanted if w.snapshot])
    by_id = dict(zip([w.snapshot for w in wanted if w.snapshot], snapshots))
    for one in wanted:
        current = by_device.get(one.device)
        if one.device == ROOT_DEVICE_NAME and current is None:
            raise errors.invalid_value("BlockDeviceMapping.DeviceName", one.device,
                                       "The image's root device is instance store.")
        if one.no_device:
            if one.device == ROOT_DEVICE_NAME:
                raise errors.invalid_value("BlockDeviceMapping.NoDevice", one.device,
                                           "The root device cannot be dropped.")
            by_device.pop(one.device, None)
            continue
        mapping = current or {"destination_type": "volume", "boot_index": None,
                              "device_name": one.device, "delete_on_termination": True}
        if one.snapshot:
            snapshot = by_id[one.snapshot]
            if one.size is not None and one.size < snapshot.size:
                raise errors.invalid_value("BlockDeviceMapping.Ebs.VolumeSize", one.size,
                                           "The volume is smaller than its snapshot.")
            mapping.update(source_type="snapshot", snapshot_id=snapshot.id,
                           volume_size=snapshot.size)
        elif current is None:
            if one.size is None:
                raise errors.missing_parameter("BlockDeviceMapping.Ebs.VolumeSize")
            mapping.update(source_type="blank", volume_size=one.size)
        if one.size is not None:
            mapping["volume_size"] = one.size
        if one.delete_on_termination is not None:
            mapping["delete_on_termination"] = one.delete_on_termination
        by_device[one.device] = mapping
    return tuple(by_device.values())
