"""
DescribeImages, CreateImage, RegisterImage and DeregisterImage over the
store's image registry. An EBS-backed image is one whose properties map
volumes made of snapshots (C{block_device_mapping}, as the compute API's
C{createImage} of a volume-backed server writes them).
"""

from __future__ import annotations

import json
from typing import Any

from twisted.internet.defer import Deferred, inlineCallbacks, succeed

from novatx.compute.exceptions import ImageNotFound, NotAuthorized
from novatx.compute.records import Image
from novatx.compute.volumes.boot import image_mappings
from novatx.extensions.ec2 import errors, params as P
from novatx.extensions.ec2.base import EC2Action
from novatx.extensions.ec2.filters import compile_filters, one
from novatx.extensions.ec2.ebs import block_devices, named_snapshots
from novatx.extensions.ec2.ids import parse_image_id, snapshot_id
from novatx.extensions.ec2.lookup import named_instances
from novatx.extensions.ec2.paging import Paging
from novatx.extensions.ec2.views import ROOT_DEVICE_NAME, root_device_type, tag_set

#: Image status -> EC2 image state.
IMAGE_STATES = {
    "active": "available",
    "queued": "pending",
    "saving": "pending",
    "importing": "pending",
    "deleted": "deregistered",
    "pending_delete": "deregistered",
    "killed": "failed",
}


def image_state(image: Image) -> str:
    return IMAGE_STATES.get(image.status, "pending")


def _is_public(image: Image) -> bool:
    return image.visibility in ("public", "community")


def ebs_mappings(image: Image) -> list[dict[str, Any]]:
    """The volumes an EBS-backed image boots with (its C{block_device_mapping} property)."""
    return image_mappings({"properties": image.properties})


def image_item(image: Image, tags: dict[str, str] | None = None,
               snapshot_ids: dict[str, str] | None = None) -> dict[str, Any]:
    """
    One C{imagesSet} item, with the caller's project's C{tags} on it.

    @param snapshot_ids: C{snap-} ids by snapshot UUID, for an EBS-backed image's mappings.
    """
    mappings = ebs_mappings(image)
    ebs = any(m.get("boot_index") == 0 for m in mappings)
    return {
        "imageId": image.ec2_id,
        "imageLocation": "%s/%s" % (image.owner or "novatx", image.name or image.id),
        "imageState": image_state(image),
        "imageOwnerId": image.owner or "",
        "creationDate": image.created_at,
        "isPublic": _is_public(image),
        "architecture": image.properties.get("architecture", "x86_64"),
        "imageType": "machine",
        "name": image.name or "",
        "description": image.properties.get("description"),
        "rootDeviceType": "ebs" if ebs else "instance-store",
        "rootDeviceName": ROOT_DEVICE_NAME,
        "blockDeviceMapping": [
            {
                "deviceName": m.get("device_name") or ROOT_DEVICE_NAME,
                "ebs": {
                    "snapshotId": (snapshot_ids or {}).get(m.get("snapshot_id") or ""),
                    "volumeSize": m.get("volume_size"),
                    "deleteOnTermination": bool(m.get("delete_on_termination")),
                },
            }
            for m in mappings
        ],
        "virtualizationType": "hvm",
        "hypervisor": "xen",
        "tagSet": tag_set(tags) if tags else None,
    }


def image_snapshot_ids(compute: Any, context: Any, images: list[Image]) -> Deferred:
    """
    Fire with the C{snap-} ids of the snapshots C{images} map, by UUID; read
    only when one of them is EBS-backed. An image may be another project's,
    so its snapshots are looked up across projects.
    """
    if not any(ebs_mappings(image) for image in images):
        return succeed({})
    found = compute.volumes.list_snapshots(context.elevated(), all_tenants=True)
    return found.addCallback(lambda page: {s.id: snapshot_id(s) for s in page.items})


_FILTERS = {
    "image-id": one(lambda i: i.ec2_id),
    "name": one(lambda i: i.name),
    "state": one(image_state),
    "is-public": one(lambda i: "true" if _is_public(i) else "false"),
    "owner-id": one(lambda i: i.owner),
    "image-type": one(lambda i: "machine"),
    "architecture": one(lambda i: i.properties.get("architecture", "x86_64")),
}


def _no_tags(image: Image) -> dict[str, str]:
    return {}


class DescribeImages(EC2Action):
    action = "DescribeImages"
    name = "Describe images"

    def __call__(self, request: Any, params: dict[str, str]) -> Any:
        ids = P.member_list(params, "ImageId")
        numbers = [parse_image_id(text) for text in ids]
        owners = P.member_list(params, "Owner")
        requested = P.filters(params)
        compile_filters(requested, _FILTERS, _no_tags)
        paging = Paging.read(self.action, request.context.project_id, params, exclusive=("ImageId",))
        return self._describe(request.context, ids, numbers, owners, requested, paging)

    @inlineCallbacks
    def _describe(self, context, ids, numbers, owners, requested, paging) -> Any:
        page = yield self.compute.list_images(context)
        tags = yield self.compute.list_image_tags(context)
        matches = compile_filters(requested, _FILTERS, lambda i: tags.get(i.internal_id, {}))
        images = list(page.items)
        if ids:
            by_number = {image.internal_id: image for image in images}
            missing = [text for text, n in zip(ids, numbers) if n not in by_number]
            if missing:
                raise errors.image_not_found(", ".join(missing))
            images = [by_number[n] for n in sorted(set(numbers))]
        if owners:
            wanted = {context.project_id if o == "self" else o for o in owners}
            images = [image for image in images if image.owner in wanted]
        images = sorted((image for image in images if matches(image)), key=lambda i: i.internal_id)
        selected, token = paging.page(images, key=lambda i: i.internal_id)
        snapshot_ids = yield image_snapshot_ids(self.compute, context, selected)
        return {
            "imagesSet": [image_item(image, tags.get(image.internal_id), snapshot_ids)
                          for image in selected],
            "nextToken": token,
        }


class CreateImage(EC2Action):
    """
    An image of an EBS-backed instance, as AWS makes them: its volumes are
    snapshotted into the image's mappings. An instance-store instance is
    refused, as AWS refuses it; the compute API's C{createImage} snapshots
    any server.
    """

    action = "CreateImage"
    name = "Create image"

    def __call__(self, request: Any, params: dict[str, str]) -> Any:
        instance_id = P.required(params, "InstanceId")
        name = P.required(params, "Name")
        if not 3 <= len(name) <= 128:
            raise errors.invalid_value("Name", name, "Image names have 3 to 128 characters.")
        description = params.get("Description")
        return self._create(request.context, instance_id, name, description)

    @inlineCallbacks
    def _create(self, context: Any, instance_id: str, name: str, description: str | None) -> Any:
        (instance,) = yield named_instances(self, context, [instance_id], "imaged")
        devices = yield block_devices(self.compute, context, [instance])
        if root_device_type(instance, devices.get(instance.uuid, ())) != "ebs":
            raise errors.invalid_value(
                "InstanceId", instance_id,
                "Instance does not have a volume attached at root (%s)." % (ROOT_DEVICE_NAME,),
            )
        metadata = {"description": description} if description else None
        image = yield self.compute.create_image(context, instance.uuid, name, metadata)
        return {"imageId": image.ec2_id}


class RegisterImage(EC2Action):
    """
    An EBS-backed image made of snapshots: C{BlockDeviceMapping.N} with
    C{Ebs.SnapshotId} (and C{VolumeSize}, C{DeleteOnTermination}), the one on
    C{RootDeviceName} booting. Its properties are those the compute API's
    C{createImage} writes, so an instance run from it boots from a volume
    made of the root snapshot. Images from S3 manifests (C{ImageLocation})
    are not served: there is no S3 here.
    """

    action = "RegisterImage"
    name = "Register image"

    def __call__(self, request: Any, params: dict[str, str]) -> Any:
        name = P.required(params, "Name")
        if not 3 <= len(name) <= 128:
            raise errors.invalid_value("Name", name, "Image names have 3 to 128 characters.")
        if params.get("ImageLocation"):
            raise errors.invalid_value("ImageLocation", params["ImageLocation"],
                                       "Images from S3 manifests are not supported.")
        root = params.get("RootDeviceName", ROOT_DEVICE_NAME)
        wanted = []
        for index, mapping in enumerate(P.structure_list(params, "BlockDeviceMapping"), 1):
            if "NoDevice" in mapping:
                continue
            snapshot = mapping.get("Ebs.SnapshotId")
            if not snapshot:
                raise errors.invalid_value(
                    "BlockDeviceMapping.%d" % (index,), mapping.get("DeviceName"),
                    "Each mapping names a snapshot (Ebs.SnapshotId).")
            wanted.append((
                P.required(mapping, "DeviceName"), snapshot,
                P.integer(mapping, "Ebs.VolumeSize", None, 1, 16384),
                P.boolean(mapping, "Ebs.DeleteOnTermination", True)))
        if root not in [device for device, _, _, _ in wanted]:
            raise errors.invalid_value(
                "RootDeviceName", root, "A mapping of a snapshot must be on the root device.")
        return self._register(request.context, name, params.get("Description"), root, wanted)

    @inlineCallbacks
    def _register(self, context: Any, name: str, description: str | None, root: str,
                  wanted: list[tuple[str, str, int | None, bool]]) -> Any:
        snapshots = yield named_snapshots(self.compute, context, [w[1] for w in wanted])
        mappings = []
        for (device, text, size, delete), snapshot in zip(wanted, snapshots):
            if snapshot.status != "available":
                raise errors.EC2Error("IncorrectState", "Snapshot '%s' is not completed." % (
                    text,))
            if size is not None and size < snapshot.size:
                raise errors.invalid_value("Ebs.VolumeSize", size,
                                           "The volume is smaller than its snapshot.")
            on_root = device == root
            mappings.append({
                "source_type": "snapshot", "destination_type": "volume",
                "snapshot_id": snapshot.id, "volume_size": size or snapshot.size,
                "boot_index": 0 if on_root else None,
                "device_name": ROOT_DEVICE_NAME if on_root else device,
                "delete_on_termination": delete,
            })
        properties = {"block_device_mapping": json.dumps(mappings), "bdm_v2": "True",
                      "root_device_name": ROOT_DEVICE_NAME}
        if description:
            properties["description"] = description
        image = yield self.compute.create_image_record(context, name, disk_format="raw",
                                                       properties=properties, size=0)
        return {"imageId": image.ec2_id}


class DeregisterImage(EC2Action):
    action = "DeregisterImage"
    name = "Deregister image"

    def __call__(self, request: Any, params: dict[str, str]) -> Any:
        image_id = P.required(params, "ImageId")
        return self._deregister(request.context, image_id, parse_image_id(image_id))

    @inlineCallbacks
    def _deregister(self, context: Any, image_id: str, number: int) -> Any:
        try:
            image = yield self.compute.get_image_by_ec2_id(context, number)
        except ImageNotFound:
            raise errors.image_not_found(image_id) from None
        try:
            yield self.compute.delete_image(context, image.id)
        except NotAuthorized:
            raise not_authorized_for(image_id) from None
        return {"return": True}


def not_authorized_for(image_id: str) -> errors.EC2Error:
    """AWS's answer to a change of (or a look at the attributes of) another's image."""
    return errors.EC2Error("AuthFailure", "Not authorized for image:%s" % (image_id,))
