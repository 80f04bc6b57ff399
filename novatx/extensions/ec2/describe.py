"""DescribeInstances and DescribeInstanceStatus: what the caller's instances look like."""

from __future__ import annotations

from typing import Any

from twisted.internet.defer import inlineCallbacks, returnValue

from novatx.extensions.ec2 import params as P
from novatx.extensions.ec2.base import EC2Action
from novatx.extensions.ec2.filters import compile_filters, one
from novatx.extensions.ec2.ids import reservation_id
from novatx.extensions.ec2.lookup import named_instances, parse_ids, visible_instances
from novatx.extensions.ec2.paging import Paging
from novatx.extensions.ec2.states import ec2_state
from novatx.extensions.ec2.views import ImageIds, instance_tags, reservation_items, state_item, zone


class _InstanceFilters:
    """The instance filters AWS defines that the store can answer."""

    def __init__(self, image_ids: dict[str, str]) -> None:
        self.getters = {
            "instance-id": one(lambda i: i.ec2_id),
            "instance-state-name": one(lambda i: ec2_state(i)[1]),
            "instance-state-code": one(lambda i: ec2_state(i)[0]),
            "instance-type": one(lambda i: i.flavor.name),
            "image-id": one(lambda i: image_ids.get(i.image_id or "")),
            "key-name": one(lambda i: i.key_name),
            "availability-zone": one(zone),
            "private-ip-address": one(lambda i: i.fixed_ip),
            "reservation-id": one(reservation_id),
            "launch-index": one(lambda i: i.launch_index),
        }


def _select_instances(action: EC2Action, request: Any, params: dict[str, str], exclusive: tuple):
    """
    The instances a Describe request selects: C{InstanceId.N} (all must exist),
    then C{Filter.N}, then one page. Fires with C{(page, next_token, image_ids)}.
    """
    context = request.context
    ids = P.member_list(params, "InstanceId")
    parse_ids(ids)
    requested = P.filters(params)
    paging = Paging.read(action.action, context.project_id, params, exclusive=exclusive)
    compile_filters(requested, _InstanceFilters({}).getters, instance_tags)

    @inlineCallbacks
    def run() -> Any:
        if ids:
            instances = yield named_instances(action, context, ids)
            instances = sorted(instances, key=lambda i: i.id)
        else:
            instances = yield visible_instances(action, context)
        image_ids = yield action.image_ids.resolve(context, [i.image_id for i in instances])
        matches = compile_filters(requested, _InstanceFilters(image_ids).getters, instance_tags)
        selected = [i for i in instances if matches(i)]
        page, token = paging.page(selected, key=lambda i: i.id)
        returnValue((page, token, image_ids))

    return run()


class DescribeInstances(EC2Action):
    action = "DescribeInstances"
    name = "Describe instances"

    def setup(self, context: Any) -> None:
        super().setup(context)
        self.image_ids = ImageIds(self.compute)

    def __call__(self, request: Any, params: dict[str, str]) -> Any:
        d = _select_instances(self, request, params, exclusive=("InstanceId",))
        return d.addCallback(
            lambda result: {
                "reservationSet": reservation_items(result[0], result[2]),
                "nextToken": result[1],
            }
        )


class DescribeInstanceStatus(EC2Action):
    action = "DescribeInstanceStatus"
    name = "Describe instance status"

    def setup(self, context: Any) -> None:
        super().setup(context)
        self.image_ids = ImageIds(self.compute)

    def __call__(self, request: Any, params: dict[str, str]) -> Any:
        include_all = P.boolean(params, "IncludeAllInstances")
        d = _select_instances(self, request, params, exclusive=())
        return d.addCallback(lambda result: self._render(result[0], result[1], include_all))

    def _render(self, instances: list, token: str | None, include_all: bool) -> dict[str, Any]:
        items = []
        for instance in instances:
            state = ec2_state(instance)
            if not include_all and state[1] != "running":
                continue
            ok = "ok" if state[1] == "running" else "not-applicable"
            detail = [{"name": "reachability", "status": "passed" if ok == "ok" else "initializing"}]
            items.append(
                {
                    "instanceId": instance.ec2_id,
                    "availabilityZone": zone(instance),
                    "instanceState": state_item(state),
                    "systemStatus": {"status": ok, "details": detail},
                    "instanceStatus": {"status": ok, "details": detail},
                }
            )
        return {"instanceStatusSet": items, "nextToken": token}
