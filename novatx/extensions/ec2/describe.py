"""DescribeInstances and DescribeInstanceStatus: what the caller's instances look like."""

from __future__ import annotations

import datetime
from typing import Any, Callable

from twisted.internet.defer import Deferred, gatherResults

from novatx.compute.records import Instance

from novatx.extensions.ec2 import params as P
from novatx.extensions.ec2.base import EC2Action
from novatx.extensions.ec2.ebs import block_devices
from novatx.extensions.ec2.filters import Getter, compile_filters, one
from novatx.extensions.ec2.ids import group_id, reservation_id
from novatx.extensions.ec2.lookup import first_error, parse_ids, pick_named, visible_instances
from novatx.extensions.ec2.paging import Paging
from novatx.extensions.ec2.render import XML, render_fragment, timestamp
from novatx.extensions.ec2.snapshot import Snapshots
from novatx.extensions.ec2.states import ec2_state
from novatx.extensions.ec2.views import (
    ROOT_DEVICE_NAME,
    ImageIds,
    InstanceFragments,
    instance_tags,
    metadata_options,
    private_dns_name,
    public_ip,
    reservation_items,
    root_device_type,
    state_item,
    zone,
)


#: Filters on what no instance here has (kernels of its own): known names
#: that match nothing.
_NOTHING_FILTERS = ("kernel-id", "ramdisk-id")

#: The C{block-device-mapping.*} filters: their place in a L{BlockDevice}.
_DEVICE_FILTERS = {
    "device-name": 0, "volume-id": 1, "status": 2, "attach-time": 3,
    "delete-on-termination": 4,
}


def _filter_text(value: Any) -> str:
    """A device's field as filters compare it: AWS's timestamps and booleans."""
    if isinstance(value, datetime.datetime):
        return timestamp(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _device_getter(devices: dict[str, tuple], position: int) -> Getter:
    def values(instance: Instance) -> list[str]:
        found = [device[position] for device in devices.get(instance.uuid, ())]
        return [_filter_text(value) for value in found if value is not None]
    return values


def _group_ids(instance: Instance) -> list[str]:
    return [group_id(number) for _, number in instance.security_group_ids]


def _instance_filters(image_ids: dict[str, str], devices: dict[str, tuple]) -> dict[str, Getter]:
    """DescribeInstances' filters (those AWS defines that the store can answer)."""
    getters = {
        "instance-id": one(lambda i: i.ec2_id),
        "instance-state-name": one(lambda i: ec2_state(i)[1]),
        "instance-state-code": one(lambda i: ec2_state(i)[0]),
        "instance-type": one(lambda i: i.flavor.name),
        "image-id": one(lambda i: image_ids.get(i.image_id or "")),
        "key-name": one(lambda i: i.key_name),
        "availability-zone": one(zone),
        "private-ip-address": one(lambda i: i.fixed_ip),
        "ip-address": one(public_ip),
        "private-dns-name": one(private_dns_name),
        "dns-name": one(lambda i: ""),
        "reservation-id": one(reservation_id),
        "owner-id": one(lambda i: i.project_id),
        "launch-index": one(lambda i: i.launch_index),
        "root-device-name": one(lambda i: ROOT_DEVICE_NAME),
        "root-device-type": one(lambda i: root_device_type(i, devices.get(i.uuid, ()))),
        "group-name": lambda i: i.security_groups,
        "instance.group-name": lambda i: i.security_groups,
        "group-id": _group_ids,
        "instance.group-id": _group_ids,
    }
    getters.update({name: one(lambda i: None) for name in _NOTHING_FILTERS})
    getters.update({"block-device-mapping." + name: _device_getter(devices, position)
                    for name, position in _DEVICE_FILTERS.items()})
    return getters


def _status_check(instance: Instance) -> tuple[str, str | None]:
    """
    The C{(status, reachability)} of an instance's status checks: they pass
    once it runs, are under way while it starts, and do not apply otherwise.
    """
    name = ec2_state(instance)[1]
    if name == "running":
        return ("ok", "passed")
    if name == "pending":
        return ("initializing", "initializing")
    return ("not-applicable", None)


#: AWS's scheduled-event filters: no instance here has events, so they match nothing.
_EVENT_FILTERS = (
    "event.code", "event.description", "event.instance-event-id", "event.not-after",
    "event.not-before", "event.not-before-deadline",
)


def _status_filters(image_ids: dict[str, str], devices: dict[str, tuple]) -> dict[str, Getter]:
    """DescribeInstanceStatus' filters, as AWS names them."""
    getters = {
        "availability-zone": one(zone),
        "instance-state-name": one(lambda i: ec2_state(i)[1]),
        "instance-state-code": one(lambda i: ec2_state(i)[0]),
    }
    for check in ("instance-status", "system-status"):
        getters[check + ".status"] = one(lambda i: _status_check(i)[0])
        getters[check + ".reachability"] = one(lambda i: _status_check(i)[1])
    getters.update({name: one(lambda i: None) for name in _EVENT_FILTERS})
    return getters


def _select_instances(
    action: "_DescribeAction",
    request: Any,
    params: dict[str, str],
    filters_of: Callable[[dict[str, str], dict[str, tuple]], dict[str, Getter]],
    tags: Callable[[Instance], dict[str, str]] | None = None,
    keep: Callable[[Instance], bool] | None = None,
) -> Deferred:
    """
    The instances a Describe request selects: C{InstanceId.N} (all must exist),
    then those C{keep} keeps, then C{Filter.N}, then one page. Fires with
    C{(page, next_token, image_ids, devices)}.

    @param filters_of: the action's filter getters, given the image ids and
        the instances' EBS devices.
    @param tags: an instance's tags, where the action has tag filters.
    """
    context = request.context
    ids = P.member_list(params, "InstanceId")
    numbers = parse_ids(ids)
    requested = P.filters(params)
    paging = Paging.read(action.action, context.project_id, params, exclusive=("InstanceId",))
    if requested:
        compile_filters(requested, filters_of({}, {}), tags)

    def with_images(instances: list[Instance]) -> Deferred:
        if ids:
            named = {i.id: i for i in pick_named(instances, ids, numbers)}
            instances = [named[key] for key in sorted(named)]
        if keep is not None:
            instances = [i for i in instances if keep(i)]
        resolved = gatherResults([
            action.image_ids.resolve(context, [i.image_id for i in instances]),
            block_devices(action.compute, context, instances),
        ], consumeErrors=True)
        return resolved.addCallbacks(select, first_error, callbackArgs=(instances,))

    def select(found: list[dict], instances: list[Instance]) -> tuple:
        image_ids, devices = found
        if requested:
            matches = compile_filters(requested, filters_of(image_ids, devices), tags)
            instances = [i for i in instances if matches(i)]
        page, token = paging.page(instances, key=_by_id)
        return page, token, image_ids, devices

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
        self.fragments = InstanceFragments(metadata_options(self.config))
        self.compute.add_observer(self.fragments.clear)


class DescribeInstances(_DescribeAction):
    action = "DescribeInstances"
    name = "Describe instances"

    def setup(self, context: Any) -> None:
        super().setup(context)
        self._answers: dict[str, tuple[list[Instance], dict, XML]] = {}
        self.compute.add_observer(lambda instance_uuid: self._answers.clear())

    def __call__(self, request: Any, params: dict[str, str]) -> Any:
        d = _select_instances(self, request, params, _instance_filters, instance_tags)
        project = request.context.project_id
        return d.addCallback(
            lambda result: {
                "reservationSet": self._reservations(project, result[0], result[2],
                                                     result[3]),
                "nextToken": result[1],
            }
        )

    def _reservations(self, project: str, page: list[Instance], image_ids: dict[str, str],
                      devices: dict[str, tuple]) -> XML:
        """
        The rendered C{reservationSet} of C{page}; the same records with the
        same devices as the project's last answer (a poll of an unchanged
        snapshot) reuse it.
        """
        last = self._answers.get(project)
        if (last is not None and len(last[0]) == len(page) and last[1] == devices
                and all(a is b for a, b in zip(last[0], page))):
            return last[2]
        rendered = render_fragment(reservation_items(page, image_ids, self.fragments, devices))
        if len(self._answers) >= InstanceFragments.LIMIT:
            self._answers.clear()
        self._answers[project] = (page, devices, rendered)
        return rendered


class DescribeInstanceStatus(_DescribeAction):
    action = "DescribeInstanceStatus"
    name = "Describe instance status"

    def __call__(self, request: Any, params: dict[str, str]) -> Any:
        keep = None if P.boolean(params, "IncludeAllInstances") else _running
        d = _select_instances(self, request, params, _status_filters, keep=keep)
        return d.addCallback(lambda result: self._render(result[0], result[1]))

    def _render(self, instances: list[Instance], token: str | None) -> dict[str, Any]:
        items = []
        for instance in instances:
            status, reachability = _status_check(instance)
            check = {
                "status": status,
                "details": [{"name": "reachability", "status": reachability}] if reachability else None,
            }
            items.append(
                {
                    "instanceId": instance.ec2_id,
                    "availabilityZone": zone(instance),
                    "instanceState": state_item(ec2_state(instance)),
                    "systemStatus": check,
                    "instanceStatus": check,
                }
            )
        return {"instanceStatusSet": items, "nextToken": token}


def _running(instance: Instance) -> bool:
    return ec2_state(instance)[1] == "running"
