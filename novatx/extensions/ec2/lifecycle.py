"""
Start, stop, reboot and terminate, and the console output: actions on named
instances.

Every named instance is found and checked before any is touched, so a request
naming one missing or unsuitable instance changes nothing. Asking for the state
an instance is already in (or heading to) is not an error, as with AWS.
"""

from __future__ import annotations

import base64
from typing import Any

from twisted.internet.defer import gatherResults, inlineCallbacks

from novatx.compute.exceptions import Conflict, InstanceInvalidState, InstanceNotFound
from novatx.compute.records import Instance
from novatx.extensions.ec2 import errors, params as P
from novatx.extensions.ec2.base import EC2Action
from novatx.extensions.ec2.lookup import first_error, named_instances
from novatx.extensions.ec2.states import SHUTTING_DOWN, ec2_state
from novatx.extensions.ec2.views import state_item


def incorrect_state(instance: Instance, verb: str) -> errors.EC2Error:
    return errors.incorrect_instance_state(instance.ec2_id, verb)


class _StateChange(EC2Action):
    """
    A change of state on C{InstanceId.N}: C{noop} states are answered as they
    are, C{allowed} states get C{call}, any other is C{IncorrectInstanceState}.
    """

    verb: str = ""
    noop: frozenset[str] = frozenset()
    allowed: frozenset[str] = frozenset()

    def call(self, context: Any, instance: Instance) -> Any:
        raise NotImplementedError

    def check(self, instance: Instance) -> None:
        """Refuse an instance this action may not change, before any is changed."""

    def __call__(self, request: Any, params: dict[str, str]) -> Any:
        P.required(params, "InstanceId.1")
        ids = P.member_list(params, "InstanceId")
        return self._change(request.context, ids)

    @inlineCallbacks
    def _change(self, context: Any, ids: list[str]) -> Any:
        instances = yield named_instances(self, context, ids)
        for instance in instances:
            name = ec2_state(instance)[1]
            if name not in self.noop and name not in self.allowed:
                raise incorrect_state(instance, self.verb)
            self.check(instance)
        results = yield gatherResults(
            [self._one(context, instance) for instance in instances], consumeErrors=True
        ).addErrback(first_error)
        return self.render(results)

    @inlineCallbacks
    def _one(self, context: Any, instance: Instance) -> Any:
        before = ec2_state(instance)
        if before[1] in self.noop:
            return (instance, before, before)
        try:
            after = yield self.call(context, instance)
        except InstanceInvalidState:
            raise incorrect_state(instance, self.verb) from None
        return (instance, before, after)

    def render(self, results: list[tuple[Instance, tuple, tuple]]) -> dict[str, Any]:
        return {
            "instancesSet": [
                {
                    "instanceId": instance.ec2_id,
                    "currentState": state_item(after),
                    "previousState": state_item(before),
                }
                for instance, before, after in results
            ]
        }


def _state_of(result: Any, fallback: tuple[int, str]) -> tuple[int, str]:
    return ec2_state(result) if isinstance(result, Instance) else fallback


class StopInstances(_StateChange):
    action = "StopInstances"
    name = "Stop instances"
    verb = "stopped"
    noop = frozenset(("stopping", "stopped"))
    allowed = frozenset(("running",))

    def call(self, context: Any, instance: Instance) -> Any:
        return self.compute.stop(context, instance.uuid).addCallback(ec2_state)


class StartInstances(_StateChange):
    action = "StartInstances"
    name = "Start instances"
    verb = "started"
    noop = frozenset(("pending", "running"))
    allowed = frozenset(("stopped",))

    def call(self, context: Any, instance: Instance) -> Any:
        return self.compute.start(context, instance.uuid).addCallback(ec2_state)


class TerminateInstances(_StateChange):
    action = "TerminateInstances"
    name = "Terminate instances"
    verb = "terminated"
    noop = frozenset(("shutting-down", "terminated"))
    allowed = frozenset(("pending", "running", "stopping", "stopped"))

    def check(self, instance: Instance) -> None:
        if instance.disable_terminate and ec2_state(instance)[1] not in self.noop:
            raise errors.termination_disabled(instance.ec2_id)

    def call(self, context: Any, instance: Instance) -> Any:
        return self.compute.delete_server(context, instance.uuid).addCallback(
            _state_of, SHUTTING_DOWN
        )


class RebootInstances(_StateChange):
    action = "RebootInstances"
    name = "Reboot instances"
    verb = "rebooted"
    allowed = frozenset(("running",))

    def call(self, context: Any, instance: Instance) -> Any:
        return self.compute.reboot(context, instance.uuid).addCallback(ec2_state)

    def render(self, results: list) -> dict[str, Any]:
        return {"return": True}


class GetConsoleOutput(EC2Action):
    action = "GetConsoleOutput"
    name = "Get console output"

    def __call__(self, request: Any, params: dict[str, str]) -> Any:
        instance_id = P.required(params, "InstanceId")
        return self._output(request.context, instance_id)

    @inlineCallbacks
    def _output(self, context: Any, instance_id: str) -> Any:
        (instance,) = yield named_instances(self, context, [instance_id], "asked for its console")
        try:
            text = yield self.compute.get_console_output(context, instance.uuid)
        except Conflict:
            # Not booted yet: AWS answers such an instance with no output.
            text = None
        except InstanceNotFound:
            raise errors.instance_not_found(instance.ec2_id) from None
        return {
            "instanceId": instance.ec2_id,
            "timestamp": instance.updated_at or instance.created_at,
            "output": None if text is None else base64.b64encode(text.encode("utf-8")).decode("ascii"),
        }


class GetPasswordData(EC2Action):
    """
    The password the instance posted to the metadata API (C{/openstack/latest/password},
    encrypted with its key pair and base64-encoded there), as the compute API's
    C{os-server-password} shows it; empty until the instance posts one.
    """

    action = "GetPasswordData"
    name = "Get password data"

    def __call__(self, request: Any, params: dict[str, str]) -> Any:
        instance_id = P.required(params, "InstanceId")
        return self._password(request.context, instance_id)

    @inlineCallbacks
    def _password(self, context: Any, instance_id: str) -> Any:
        (instance,) = yield named_instances(self, context, [instance_id])
        password = yield self.compute.get_password(instance.uuid)
        return {
            "instanceId": instance.ec2_id,
            "timestamp": instance.updated_at or instance.created_at,
            "passwordData": password,
        }
