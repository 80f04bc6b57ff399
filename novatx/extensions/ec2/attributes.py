"""
DescribeInstanceAttribute, ModifyInstanceAttribute and ResetInstanceAttribute.

The attributes are the instance record's (its flavor, user data, the
C{disable_terminate} and C{shutdown_terminate} flags) and what every instance
here shares (an instance-store root at C{/dev/vda}, an HVM machine that boots
its image's own kernel, no EBS volume, no product code). This is EC2-Classic:
the security groups and the source/destination check of an instance are those
of a VPC's network interface, so changing them is C{InvalidParameterCombination}.

A modification names one attribute, either as C{Attribute} with C{Value} or as
that attribute's own parameter (C{DisableApiTermination.Value=true}), never both
and never two, as AWS requires. The user data and the instance type change only
while the instance is stopped.
"""

from __future__ import annotations

from typing import Any, Callable

from twisted.internet.defer import inlineCallbacks

from novatx.compute.exceptions import InstanceInvalidState
from novatx.compute.records import Instance
from novatx.extensions.ec2 import errors, params as P
from novatx.extensions.ec2.base import EC2Action
from novatx.extensions.ec2.ebs import block_devices
from novatx.extensions.ec2.lookup import named_instances
from novatx.extensions.ec2.run import flavor_named, shutdown_terminates, user_data
from novatx.extensions.ec2.states import ec2_state
from novatx.extensions.ec2.views import ROOT_DEVICE_NAME, block_device_items, group_items


def _shutdown_behavior(instance: Instance) -> str:
    return "terminate" if instance.shutdown_terminate else "stop"


#: What DescribeInstanceAttribute shows of each attribute it knows.
_DESCRIBED: dict[str, Callable[[Instance], Any]] = {
    "instanceType": lambda i: {"value": i.flavor.name},
    "kernel": lambda i: {"value": None},
    "ramdisk": lambda i: {"value": None},
    "userData": lambda i: {"value": i.user_data},
    "disableApiTermination": lambda i: {"value": i.disable_terminate},
    "instanceInitiatedShutdownBehavior": lambda i: {"value": _shutdown_behavior(i)},
    "rootDeviceName": lambda i: {"value": ROOT_DEVICE_NAME},
    "blockDeviceMapping": lambda i: [],  # read from the attachments in _describe
    "productCodes": lambda i: [],
    "groupSet": lambda i: group_items(i.security_group_ids),
    "ebsOptimized": lambda i: {"value": False},
    "enaSupport": lambda i: {"value": False},
    "disableApiStop": lambda i: {"value": False},
}

#: The attributes ModifyInstanceAttribute takes, with their own parameters.
_MODIFIED = {
    "instanceType": "InstanceType",
    "kernel": "Kernel",
    "ramdisk": "Ramdisk",
    "userData": "UserData",
    "disableApiTermination": "DisableApiTermination",
    "instanceInitiatedShutdownBehavior": "InstanceInitiatedShutdownBehavior",
    "sourceDestCheck": "SourceDestCheck",
    "groupSet": "GroupId",
    "blockDeviceMapping": "BlockDeviceMapping",
}

#: The attributes ResetInstanceAttribute takes.
_RESET = ("kernel", "ramdisk", "sourceDestCheck")


def _unknown(attribute: str) -> errors.EC2Error:
    return errors.invalid_value("Attribute", attribute, "Unknown attribute.")


def _vpc_only(attribute: str) -> errors.EC2Error:
    return errors.combination(
        "You may only describe or change the %s attribute of VPC instances." % (attribute,)
    )


def _not_stopped(instance: Instance) -> errors.EC2Error:
    return errors.EC2Error(
        "IncorrectInstanceState",
        "The instance '%s' is not in the 'stopped' state." % (instance.ec2_id,),
    )


def _no_kernels(attribute: str) -> errors.EC2Error:
    return errors.invalid_value(
        attribute, "", "Instances here are HVM machines booting their image's own kernel."
    )


class DescribeInstanceAttribute(EC2Action):
    action = "DescribeInstanceAttribute"
    name = "Describe instance attribute"

    def __call__(self, request: Any, params: dict[str, str]) -> Any:
        instance_id = P.required(params, "InstanceId")
        attribute = P.required(params, "Attribute")
        if attribute == "sourceDestCheck":
            raise _vpc_only(attribute)
        if attribute not in _DESCRIBED:
            raise _unknown(attribute)
        return self._describe(request.context, instance_id, attribute)

    @inlineCallbacks
    def _describe(self, context: Any, instance_id: str, attribute: str) -> Any:
        (instance,) = yield named_instances(self, context, [instance_id])
        if attribute == "blockDeviceMapping":
            devices = yield block_devices(self.compute, context, [instance])
            return {"instanceId": instance.ec2_id,
                    attribute: block_device_items(devices.get(instance.uuid, ()))}
        return {"instanceId": instance.ec2_id, attribute: _DESCRIBED[attribute](instance)}


def _requested(params: dict[str, str]) -> tuple[str, Any]:
    """
    The one attribute a modification names and its value: C{Attribute} with
    C{Value}, or one attribute's own parameter.
    """
    given = []
    for attribute, parameter in _MODIFIED.items():
        if parameter == "GroupId":
            value: Any = P.member_list(params, parameter) or None
        elif parameter == "BlockDeviceMapping":
            value = P.structure_list(params, parameter) or None
        else:
            value = params.get(parameter + ".Value")
        if value is not None:
            given.append((attribute, value))
    attribute = params.get("Attribute")
    if attribute is not None:
        if attribute not in _MODIFIED:
            raise _unknown(attribute)
        if any(name == attribute for name, _ in given):
            raise errors.combination(
                "The parameter %s may not be used with Attribute %s."
                % (_MODIFIED[attribute], attribute)
            )
        if params.get("Value") is None:
            raise errors.missing_parameter("Value")
        given.append((attribute, params["Value"]))
    if len(given) != 1:
        raise errors.combination("Exactly one attribute must be modified at a time.")
    return given[0]


class ModifyInstanceAttribute(EC2Action):
    action = "ModifyInstanceAttribute"
    name = "Modify instance attribute"

    def __call__(self, request: Any, params: dict[str, str]) -> Any:
        instance_id = P.required(params, "InstanceId")
        attribute, value = _requested(params)
        if attribute in ("sourceDestCheck", "groupSet"):
            raise _vpc_only(attribute)
        changes: dict[str, Any] = {}
        if attribute == "disableApiTermination":
            changes["disable_terminate"] = P.boolean({attribute: value}, attribute)
        elif attribute == "instanceInitiatedShutdownBehavior":
            changes["shutdown_terminate"] = shutdown_terminates({attribute: value}, attribute)
        elif attribute == "userData":
            changes["user_data"] = user_data(value)
        return self._modify(request.context, instance_id, attribute, value, changes)

    @inlineCallbacks
    def _modify(self, context: Any, instance_id: str, attribute: str, value: Any,
                changes: dict[str, Any]) -> Any:
        (instance,) = yield named_instances(self, context, [instance_id], "modified")
        if attribute == "blockDeviceMapping":
            device = value[0].get("DeviceName") if isinstance(value, list) else value
            raise errors.EC2Error(
                "InvalidInstanceAttributeValue",
                "No device is currently mapped at %s" % (device,),
            )
        stopped = ec2_state(instance)[1] == "stopped"
        if attribute in ("kernel", "ramdisk", "userData", "instanceType") and not stopped:
            raise _not_stopped(instance)
        if attribute in ("kernel", "ramdisk"):
            raise _no_kernels(attribute)
        if attribute == "instanceType":
            flavor = yield flavor_named(self.compute, context, value)
            changes["flavor_id"] = flavor.flavorid
        try:
            yield self.compute.set_instance_attributes(context, instance.uuid, **changes)
        except InstanceInvalidState:
            raise _not_stopped(instance) from None
        return {"return": True}


class ResetInstanceAttribute(EC2Action):
    """
    Resets what AWS resets: the kernel and RAM disk of a stopped instance (here
    always its image's own, so nothing changes) and, in a VPC only, the
    source/destination check.
    """

    action = "ResetInstanceAttribute"
    name = "Reset instance attribute"

    def __call__(self, request: Any, params: dict[str, str]) -> Any:
        instance_id = P.required(params, "InstanceId")
        attribute = P.required(params, "Attribute")
        if attribute not in _RESET:
            raise _unknown(attribute)
        if attribute == "sourceDestCheck":
            raise _vpc_only(attribute)
        return self._reset(request.context, instance_id)

    @inlineCallbacks
    def _reset(self, context: Any, instance_id: str) -> Any:
        (instance,) = yield named_instances(self, context, [instance_id], "modified")
        if ec2_state(instance)[1] != "stopped":
            raise _not_stopped(instance)
        return {"return": True}
