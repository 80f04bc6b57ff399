"""DescribeInstances and DescribeInstanceStatus: what the caller's instances look like."""

from __future__ import annotations

from typing import Any

from twisted.internet.defer import Deferred

from novatx.compute.records import Instance

from novatx.extensions.ec2 import params as P
from novatx.extensions.ec2.base import EC2Action
from novatx.extensions.ec2.filters import compile_filters, one
from novatx.extensions.ec2.ids import reservation_id
from novatx.extensions.ec2.lookup import parse_ids, pick_named, visible_instances
from novatx.extensions.ec2.paging import Paging
from novatx.extensions.ec2.render import XML, render_fragment
from novatx.extensions.ec2.snapshot import Snapshots
from novatx.extensions.ec2.states import ec2_state
from novatx.extensions.ec2.views import (
    ImageIds,
    InstanceFragments,
    instance_tags,
    reservation_items,
    state_item,
    zone,
)


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


def _select_instances(
    action: "_DescribeAction", request: Any, params: dict[str, str], exclusive: tuple
) -> Deferred:
    """
    The instances a Describe request selects: C{InstanceId.N} (all must exist),
    then C{Filter.N}, then one page. Fires with C{(page, next_token, image_ids)}.
    """
    context = request.context
    ids = P.member_list(params, "InstanceId")
    numbers = parse_ids(ids)
    requested = P.filters(params)
    paging = Paging.read(action.action, context.project_id, params, exclusive=exclusive)
    if requested:
        compile_filters(requested, _InstanceFilters({}).getters, instance_tags)

    def with_images(instances: list[Instance]) -> Deferred:
        if ids:
            named = {i.id: i for i in pick_named(instances, ids, numbers)}
            instances = [named[key] for key in sorted(named)]
        resolved = action.image_ids.resolve(context, [i.image_id for i in instances])
        return resolved.addCallback(select, instances)

    def select(image_ids: dict[str, str], instances: list[Instance]) -> tuple:
        if requested:
            matches = compile_filters(requested, _InstanceFilters(image_ids).getters, instance_tags)
            instances = [i for i in instances if matches(i)]
        page, token = paging.page(instances, key=_by_id)
        return page, token, image_ids

    return action.snapshots.instances(context).addCallback(with_images)


def _by_id(instance: Instance) -> int:
    return instance.id


class _DescribeAction(EC2Action):
    """An action reading recent snapshots of the caller's instances."""

    def setup(self, context: Any) -> None:
        super().setup(context)
        self.image_ids = ImageIds(self.compute)
        self.snapshots = Snapshots(
            lambda ctx: visible_instances(self, ctx),
            self.clock,
            self.config.ec2.describe_cache_seconds,
        )
        self.compute.add_observer(self.snapshots.changed)
        self.fragments = InstanceFragments()
        self.compute.add_observer(self.fragments.clear)


class DescribeInstances(_DescribeAction):
    action = "DescribeInstances"
    name = "Describe instances"

    def setup(self, context: Any) -> None:
        super().setup(context)
        self._answers: dict[str, tuple[list[Instance], XML]] = {}
        self.compute.add_observer(lambda instance_uuid: self._answers.clear())

    def __call__(self, request: Any, params: dict[str, str]) -> Any:
        d = _select_instances(self, request, params, exclusive=("InstanceId",))
        project = request.context.project_id
        return d.addCallback(
            lambda result: {
                "reservationSet": self._reservations(project, result[0], result[2]),
                "nextToken": result[1],
            }
        )

    def _reservations(self, project: str, page: list[Instance], image_ids: dict[str, str]) -> XML:
        """
        The rendered C{reservationSet} of C{page}; the same records as the
        project's last answer (a poll of an unchanged snapshot) reuse it.
        """
        last = self._answers.get(project)
        if last is not None and len(last[0]) == len(page) and all(a is b for a, b in zip(last[0], page)):
            return last[1]
        rendered = render_fragment(reservation_items(page, image_ids, self.fragments))
        if len(self._answers) >= InstanceFragments.LIMIT:
            self._answers.clear()
        self._answers[project] = (page, rendered)
        return rendered


class DescribeInstanceStatus(_DescribeAction):
    action = "DescribeInstanceStatus"
    name = "Describe instance status"

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
