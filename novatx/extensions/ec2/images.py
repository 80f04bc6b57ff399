"""DescribeImages, CreateImage and DeregisterImage over the store's image registry."""

from __future__ import annotations

from typing import Any

from twisted.internet.defer import inlineCallbacks

from novatx.compute.exceptions import ImageNotFound, NotAuthorized
from novatx.compute.records import Image
from novatx.extensions.ec2 import errors, params as P
from novatx.extensions.ec2.base import EC2Action
from novatx.extensions.ec2.filters import compile_filters, one
from novatx.extensions.ec2.ids import parse_image_id
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


def image_item(image: Image, tags: dict[str, str] | None = None) -> dict[str, Any]:
    """One C{imagesSet} item, with the caller's project's C{tags} on it."""
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
        "rootDeviceType": "instance-store",
        "rootDeviceName": "/dev/vda",
        "blockDeviceMapping": [],
        "virtualizationType": "hvm",
        "hypervisor": "xen",
        "tagSet": tag_set(tags) if tags else None,
    }


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
        return {
            "imagesSet": [image_item(image, tags.get(image.internal_id)) for image in selected],
            "nextToken": token,
        }


class CreateImage(EC2Action):
    """
    An image of an EBS-backed instance, as AWS makes them; an instance-store
    instance (every instance, until volumes can be roots) is refused, as AWS
    refuses it. The compute API's C{createImage} snapshots any server.
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
        if root_device_type(instance) != "ebs":
            raise errors.invalid_value(
                "InstanceId", instance_id,
                "Instance does not have a volume attached at root (%s)." % (ROOT_DEVICE_NAME,),
            )
        metadata = {"description": description} if description else None
        image = yield self.compute.create_image(context, instance.uuid, name, metadata)
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
