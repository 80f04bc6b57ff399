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


def image_item(image: Image) -> dict[str, Any]:
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


class DescribeImages(EC2Action):
    action = "DescribeImages"
    name = "Describe images"

    def __call__(self, request: Any, params: dict[str, str]) -> Any:
        ids = P.member_list(params, "ImageId")
        numbers = [parse_image_id(text) for text in ids]
        owners = P.member_list(params, "Owner")
        matches = compile_filters(P.filters(params), _FILTERS)
        paging = Paging.read(self.action, request.context.project_id, params, exclusive=("ImageId",))
        return self._describe(request.context, ids, numbers, owners, matches, paging)

    @inlineCallbacks
    def _describe(self, context, ids, numbers, owners, matches, paging) -> Any:
        page = yield self.compute.list_images(context)
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
        return {"imagesSet": [image_item(image) for image in selected], "nextToken": token}


class CreateImage(EC2Action):
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
            raise errors.EC2Error(
                "UnauthorizedOperation",
                "You are not authorized to deregister the image %s." % (image_id,),
                403,
            ) from None
        return {"return": True}
