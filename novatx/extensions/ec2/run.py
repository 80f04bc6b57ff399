"""RunInstances: EC2's create, onto the internal API's C{create_servers}."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from twisted.internet.defer import gatherResults, inlineCallbacks, succeed

from novatx.compute.exceptions import ImageNotFound, ZoneNotAvailable
from novatx.compute.interfaces import CreateRequest
from novatx.compute.network.exceptions import SecurityGroupNotFound
from novatx.extensions.ec2 import block_mappings, errors, params as P
from novatx.extensions.ec2.base import EC2Action
from novatx.extensions.ec2.ids import parse_group_id, parse_image_id, reservation_id
from novatx.extensions.ec2.lookup import first_error
from novatx.extensions.ec2.security_groups import named_groups
from novatx.extensions.ec2.tagging import split_tags, tag_specifications
from novatx.extensions.ec2.views import group_items, instance_item, metadata_options

#: The group an instance joins when RunInstances names none.
DEFAULT_GROUP = "default"

#: AWS's default instance type when RunInstances names none.
DEFAULT_INSTANCE_TYPE = "m1.small"
#: The name a server has between its creation and its renaming to its EC2 id,
#: when RunInstances gave it no C{Name} tag.
PLACEHOLDER_NAME = "ec2-instance"
#: AWS's limit on ClientToken.
CLIENT_TOKEN_LENGTH = 64


def user_data(text: str | None) -> str | None:
    """User data as given (base64 text), once it is known to be base64."""
    if text is None:
        return None
    try:
        base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise errors.EC2Error("InvalidParameterValue", "Invalid BASE64 encoding of user data.") from None
    return text


def _client_token(params: dict[str, str]) -> str | None:
    token = params.get("ClientToken")
    if token is not None and (len(token) > CLIENT_TOKEN_LENGTH or not token.isascii()):
        raise errors.invalid_value(
            "ClientToken", token, "It must be at most 64 ASCII characters."
        )
    return token or None


#: AWS's C{instanceInitiatedShutdownBehavior} values, by whether a shutdown terminates.
SHUTDOWN_BEHAVIORS = {"stop": False, "terminate": True}


def shutdown_terminates(params: dict[str, str], name: str) -> bool:
    """Whether C{name} (C{stop}, the default, or C{terminate}) makes a shutdown terminate."""
    text = params.get(name, "stop")
    if text not in SHUTDOWN_BEHAVIORS:
        raise errors.invalid_value(name, text, "It must be stop or terminate.")
    return SHUTDOWN_BEHAVIORS[text]


def _check_repeat(instances: list[Any], image_id: str, instance_type: str, fields: dict[str, Any]) -> None:
    """
    Refuse a repeated C{ClientToken} whose request differs from the first one
    (the internal API answers a repeat with the first call's instances), as AWS
    does: C{IdempotentParameterMismatch}. A first call always passes.
    """
    if not fields["client_token"]:
        return
    differs = not fields["min_count"] <= len(instances) <= fields["max_count"] or any(
        i.image_id != image_id or i.flavor.name != instance_type or i.key_name != fields["key_name"]
        for i in instances
    )
    if differs:
        raise errors.EC2Error(
            "IdempotentParameterMismatch",
            "The client token %s was used before with other parameters." % (fields["client_token"],),
        )


class RunInstances(EC2Action):
    action = "RunInstances"
    name = "Run instances"

    def __call__(self, request: Any, params: dict[str, str]) -> Any:
        image_ec2_id = P.required(params, "ImageId")
        image_number = parse_image_id(image_ec2_id)
        P.required(params, "MinCount")
        P.required(params, "MaxCount")
        min_count = P.integer(params, "MinCount", minimum=1)
        max_count = P.integer(params, "MaxCount", minimum=1)
        assert min_count is not None and max_count is not None
        if min_count > max_count:
            raise errors.invalid_value(
                "MinCount", min_count, "MinCount may not be greater than MaxCount (%d)." % max_count
            )
        tags = tag_specifications(params, "instance")
        name, metadata = split_tags(tags)
        fields = dict(
            name=name,
            min_count=min_count,
            max_count=max_count,
            key_name=params.get("KeyName") or None,
            user_data=user_data(params.get("UserData")),
            metadata=metadata,
            availability_zone=params.get("Placement.AvailabilityZone") or None,
            client_token=_client_token(params),
            disable_terminate=P.boolean(params, "DisableApiTermination"),
            shutdown_terminate=shutdown_terminates(params, "InstanceInitiatedShutdownBehavior"),
            security_groups=tuple(dict.fromkeys(P.member_list(params, "SecurityGroup"))),
        )
        group_ids = P.member_list(params, "SecurityGroupId")
        for text in group_ids:
            parse_group_id(text)
        instance_type = params.get("InstanceType") or DEFAULT_INSTANCE_TYPE
        wanted = block_mappings.requested(params)
        return self._run(request.context, image_ec2_id, image_number, instance_type, fields,
                         wanted, group_ids)

    @inlineCallbacks
    def _run(self, context: Any, image_ec2_id: str, image_number: int, instance_type: str,
             fields: dict[str, Any], wanted: list[block_mappings.Requested],
             group_ids: list[str]) -> Any:
        try:
            image = yield self.compute.get_image_by_ec2_id(context, image_number)
        except ImageNotFound:
            raise errors.image_not_found(image_ec2_id) from None
        names = fields["security_groups"] or (() if group_ids else (DEFAULT_GROUP,))
        listed = yield self.compute.list_security_groups(context)
        chosen = list({g.id: g for g in named_groups(listed, group_ids, names)}.values())
        fields["security_groups"] = tuple(group.id for group in chosen)
        flavor = yield flavor_named(self.compute, context, instance_type)
        mappings = yield block_mappings.merged(self.compute, context, image, wanted)
        name = fields.pop("name")
        try:
            instances = yield self.compute.create_servers(
                context,
                CreateRequest(
                    name=name or PLACEHOLDER_NAME, flavor_id=flavor.flavorid, image_id=image.id,
                    block_device_mapping=mappings, **fields
                ),
            )
        except SecurityGroupNotFound:
            raise errors.EC2Error(
                "InvalidGroup.NotFound",
                "The security group '%s' does not exist."
                % ("', '".join(group.name for group in chosen),),
            ) from None
        except ZoneNotAvailable:
            raise errors.invalid_value(
                "Placement.AvailabilityZone", fields["availability_zone"],
                "No such availability zone is available.",
            ) from None
        _check_repeat(instances, image.id, flavor.name, fields)
        if name is None:
            instances = yield gatherResults(
                [self._name_after_id(context, i) for i in instances], consumeErrors=True
            ).addErrback(first_error)
        first = instances[0]
        groups = group_items((group.name, group.internal_id) for group in chosen)
        items = [instance_item(i, image.ec2_id, metadata_options(self.config)) for i in instances]
        for item in items:
            item["groupSet"] = item["groupSet"] or groups
        return {
            "reservationId": reservation_id(first),
            "ownerId": first.project_id,
            "groupSet": groups,
            "instancesSet": items,
        }

    def _name_after_id(self, context: Any, instance: Any) -> Any:
        if instance.name == instance.ec2_id:
            return succeed(instance)
        return self.compute.update_server(context, instance.uuid, name=instance.ec2_id)


@inlineCallbacks
def flavor_named(compute: Any, context: Any, instance_type: str) -> Any:
    """The enabled flavor whose name is the instance type; C{InvalidParameterValue} else."""
    page = yield compute.list_flavors(context)
    for flavor in page.items:
        if flavor.name == instance_type and not flavor.disabled:
            return flavor
    raise errors.EC2Error(
        "InvalidParameterValue", "Invalid value '%s' for InstanceType." % (instance_type,)
    )
