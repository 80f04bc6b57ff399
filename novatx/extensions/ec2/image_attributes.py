"""
DescribeImageAttribute, ModifyImageAttribute and ResetImageAttribute.

Only an image's owner (or an admin) sees or changes its attributes; anyone
else is C{AuthFailure}, as AWS answers for a public image of another account.
C{launchPermission} is who may launch it: the group C{all} (the image is
public: admins only, glance's C{publicize_image} default) and project ids
(glance's members of a shared image). C{description} is the image's
C{description} property. Images here boot their own kernel and have no EBS
mapping, so C{kernel} and C{ramdisk} are absent and C{blockDeviceMapping}
empty, and none of the three can change.
"""

from __future__ import annotations

from typing import Any, Callable

from twisted.internet.defer import inlineCallbacks

from novatx.compute.exceptions import ImageNotFound, NotAuthorized
from novatx.compute.records import Image
from novatx.extensions.ec2 import errors, params as P
from novatx.extensions.ec2.base import EC2Action
from novatx.extensions.ec2.ids import parse_image_id
from novatx.extensions.ec2.images import image_item, not_authorized_for


def _invalid_request() -> errors.EC2Error:
    return errors.EC2Error("InvalidRequest", "The request received was invalid.")


@inlineCallbacks
def owned_image(action: EC2Action, context: Any, image_id: str) -> Any:
    """The image C{image_id} names, if the caller owns it (or is an admin)."""
    try:
        image = yield action.compute.get_image_by_ec2_id(context, parse_image_id(image_id))
    except ImageNotFound:
        raise errors.image_not_found(image_id) from None
    if image.owner != context.project_id and not context.is_admin:
        raise not_authorized_for(image_id)
    return image


def _launch_permissions(image: Image, members: list[str]) -> list[dict[str, str]]:
    public = [{"group": "all"}] if image.visibility in ("public", "community") else []
    return public + [{"userId": project} for project in members]


#: What DescribeImageAttribute shows of each attribute it knows.
_DESCRIBED: dict[str, Callable[[Image], Any]] = {
    "description": lambda i: {"value": i.properties.get("description")},
    "kernel": lambda i: None,
    "ramdisk": lambda i: None,
    "blockDeviceMapping": lambda i: image_item(i)["blockDeviceMapping"],
    "productCodes": lambda i: [],
}


class DescribeImageAttribute(EC2Action):
    action = "DescribeImageAttribute"
    name = "Describe image attribute"

    def __call__(self, request: Any, params: dict[str, str]) -> Any:
        image_id = P.required(params, "ImageId")
        attribute = P.required(params, "Attribute")
        if attribute not in _DESCRIBED and attribute != "launchPermission":
            raise _invalid_request()
        return self._describe(request.context, image_id, attribute)

    @inlineCallbacks
    def _describe(self, context: Any, image_id: str, attribute: str) -> Any:
        image = yield owned_image(self, context, image_id)
        if attribute == "launchPermission":
            members = yield self.compute.list_image_members(context, image.id)
            value = _launch_permissions(image, members)
        else:
            value = _DESCRIBED[attribute](image)
        return {"imageId": image.ec2_id, attribute: value}


def _permission_change(params: dict[str, str]) -> tuple[str, list[str], list[str]] | None:
    """
    The launch permission change asked for, as C{(operation, groups, users)},
    from C{LaunchPermission.Add|Remove.N} or from C{OperationType} with
    C{UserGroup.N} and C{UserId.N}; None when none is.
    """
    operations = []
    for operation in ("Add", "Remove"):
        entries = P.structure_list(params, "LaunchPermission." + operation)
        if entries:
            operations.append((operation.lower(), [e["Group"] for e in entries if e.get("Group")],
                               [e["UserId"] for e in entries if e.get("UserId")]))
    if len(operations) > 1:
        raise errors.combination("Only one operation can be specified.")
    if operations:
        return operations[0]
    groups, users = P.member_list(params, "UserGroup"), P.member_list(params, "UserId")
    if params.get("Attribute") != "launchPermission" and not groups and not users:
        return None
    return params.get("OperationType", ""), groups, users


class ModifyImageAttribute(EC2Action):
    action = "ModifyImageAttribute"
    name = "Modify image attribute"

    def __call__(self, request: Any, params: dict[str, str]) -> Any:
        image_id = P.required(params, "ImageId")
        attribute = params.get("Attribute")
        permission = _permission_change(params)
        description = params.get("Description.Value")
        if attribute == "description" and description is None:
            description = params.get("Value", "")
        asked = [name for name, given in (("launchPermission", permission is not None),
                                          ("description", description is not None)) if given]
        if not asked:
            if attribute in ("kernel", "ramdisk", "productCodes", "blockDeviceMapping") or \
                    P.member_list(params, "ProductCode"):
                raise errors.EC2Error(
                    "InvalidParameter",
                    "Parameter %s is invalid. The attribute cannot be modified." % (attribute,),
                )
            raise errors.combination("No attributes specified.")
        if len(asked) > 1:
            raise errors.combination("Fields for several attributes specified: %s."
                                     % ", ".join(asked))
        if description is not None:
            if not description:
                raise errors.missing_parameter("Description")
            return self._describe_as(request.context, image_id, description)
        assert permission is not None
        operation, groups, users = permission
        if not groups and not users:
            raise errors.combination("No operation specified for launchPermission attribute.")
        if any(group != "all" for group in groups):
            raise errors.invalid_value("UserGroup", ", ".join(groups), "Only 'all' is a group.")
        if operation not in ("add", "remove"):
            raise errors.invalid_value("OperationType", operation, "It must be add or remove.")
        return self._permit(request.context, image_id, operation, bool(groups), users)

    @inlineCallbacks
    def _describe_as(self, context: Any, image_id: str, description: str) -> Any:
        image = yield owned_image(self, context, image_id)
        yield self.compute.update_image_metadata(context, image.id, {"description": description})
        return {"return": True}

    @inlineCallbacks
    def _permit(self, context: Any, image_id: str, operation: str, everyone: bool,
                users: list[str]) -> Any:
        image = yield owned_image(self, context, image_id)
        adding = operation == "add"
        try:
            yield self.compute.update_image_access(
                context, image.id, public=adding if everyone else None,
                add=users if adding else (), remove=() if adding else users)
        except NotAuthorized:
            raise errors.EC2Error(
                "UnauthorizedOperation", "Only admins may make an image public.", 403
            ) from None
        return {"return": True}


class ResetImageAttribute(EC2Action):
    """Resets the one attribute AWS resets: the image is private to its owner again."""

    action = "ResetImageAttribute"
    name = "Reset image attribute"

    def __call__(self, request: Any, params: dict[str, str]) -> Any:
        image_id = P.required(params, "ImageId")
        if P.required(params, "Attribute") != "launchPermission":
            raise _invalid_request()
        return self._reset(request.context, image_id)

    @inlineCallbacks
    def _reset(self, context: Any, image_id: str) -> Any:
        image = yield owned_image(self, context, image_id)
        yield self.compute.update_image_access(context, image.id, reset=True)
        return {"return": True}
