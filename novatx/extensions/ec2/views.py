"""
How the store's records read in EC2: instances, their tags, their images' ids.

An instance's C{Name} tag is the server's name; its other tags are the server's
metadata items, so a tag set through EC2 shows in the compute API's metadata
and the other way round. Images are referred to by UUID in the store and by
C{ami-} id in EC2; the mapping never changes, so it is remembered.
"""

from __future__ import annotations

from typing import Any, Iterable

from twisted.internet.defer import Deferred, gatherResults, succeed

from novatx.compute.exceptions import NotFound
from novatx.compute.records import Instance
from novatx.extensions.ec2.ids import group_id, reservation_id
from novatx.extensions.ec2.lookup import first_error
from novatx.extensions.ec2.render import XML, render_fragment
from novatx.extensions.ec2.states import ec2_state

NAME_TAG = "Name"
#: The zone an instance shows when the store recorded none.
DEFAULT_ZONE = "nova"
#: Every instance's root device: its image's disk, kept on the host.
ROOT_DEVICE_NAME = "/dev/vda"
ROOT_DEVICE_TYPE = "instance-store"

#: One instance's EBS device, as DescribeInstances shows it: device name,
#: C{vol-} id, attachment state, attach time, delete on termination.
BlockDevice = tuple[str, str, str, Any, bool]


def instance_tags(instance: Instance) -> dict[str, str]:
    """
    The instance's EC2 tags: C{Name} and its metadata. A server always has a
    name; one started through EC2 without a C{Name} tag is named after its EC2
    id, and that name is no tag.
    """
    tags = dict(instance.metadata)
    if instance.name and instance.name != instance.ec2_id:
        tags[NAME_TAG] = instance.name
    return tags


def root_device_type(instance: Instance, devices: Iterable[BlockDevice] = ()) -> str:
    """
    C{ebs} for an instance whose root device is a volume (one of C{devices},
    its attached volumes, sits on L{ROOT_DEVICE_NAME}), else C{instance-store}.
    """
    if any(device[0] == ROOT_DEVICE_NAME for device in devices):
        return "ebs"
    return ROOT_DEVICE_TYPE


def private_dns_name(instance: Instance) -> str:
    """AWS's private DNS name of the instance's fixed address (empty without one)."""
    if not instance.fixed_ip:
        return ""
    return "ip-%s.ec2.internal" % instance.fixed_ip.replace(".", "-")


def tag_set(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"key": key, "value": tags[key]} for key in sorted(tags)]


def state_item(state: tuple[int, str]) -> dict[str, Any]:
    return {"code": state[0], "name": state[1]}


def zone(instance: Instance) -> str:
    return instance.availability_zone or DEFAULT_ZONE


def metadata_options(conf: Any) -> dict[str, Any]:
    """
    An instance's C{metadataOptions}: the metadata API's settings, which are
    the deployment's (C{[metadata] require_token} is IMDSv2 for every
    instance), not an instance's own.
    """
    return {
        "state": "applied",
        "httpTokens": "required" if conf.metadata.require_token else "optional",
        "httpPutResponseHopLimit": 1,
        "httpEndpoint": "enabled",
        "httpProtocolIpv6": "disabled",
        "instanceMetadataTags": "disabled",
    }


def block_device_items(devices: Iterable[BlockDevice]) -> list[dict[str, Any]]:
    """An instance's C{blockDeviceMapping} items."""
    return [
        {
            "deviceName": device,
            "ebs": {
                "volumeId": volume,
                "status": status,
                "attachTime": attached,
                "deleteOnTermination": delete,
            },
        }
        for device, volume, status, attached, delete in devices
    ]


def public_ip(instance: Instance) -> str | None:
    """The instance's first floating address (its Elastic IP), or None."""
    return next((a.address for a in instance.addresses if a.type == "floating"), None)


def group_items(groups: Iterable[tuple[str, int]]) -> list[dict[str, str]]:
    """
    A C{groupSet}: an instance's security groups (its ports' groups, see
    docs/network.md), from their (name, store id) pairs.
    """
    return [{"groupId": group_id(number), "groupName": name} for name, number in groups]


def instance_item(
    instance: Instance, image_id: str | None, options: dict[str, Any] | None = None,
    devices: tuple[BlockDevice, ...] = (),
) -> dict[str, Any]:
    """
    One C{instancesSet} item, as DescribeInstances and RunInstances show it.

    @param options: its C{metadataOptions} (L{metadata_options}).
    @param devices: its attached volumes (L{novatx.extensions.ec2.ebs.block_devices}).
    """
    state = ec2_state(instance)
    item: dict[str, Any] = {
        "instanceId": instance.ec2_id,
        "imageId": image_id,
        "instanceState": state_item(state),
        "privateDnsName": private_dns_name(instance),
        "dnsName": "",
        "reason": "",
        "keyName": instance.key_name,
        "amiLaunchIndex": instance.launch_index,
        "productCodes": [],
        "instanceType": instance.flavor.name,
        "launchTime": instance.launched_at or instance.created_at,
        "placement": {"availabilityZone": zone(instance), "groupName": "", "tenancy": "default"},
        "monitoring": {"state": "disabled"},
        "privateIpAddress": instance.fixed_ip,
        "ipAddress": public_ip(instance),
        "groupSet": group_items(instance.security_group_ids),
        "architecture": "x86_64",
        "rootDeviceType": root_device_type(instance, devices),
        "rootDeviceName": ROOT_DEVICE_NAME,
        "blockDeviceMapping": block_device_items(devices),
        "virtualizationType": "hvm",
        "hypervisor": "xen",
        "tagSet": tag_set(instance_tags(instance)),
        "ebsOptimized": False,
        "cpuOptions": {"coreCount": instance.flavor.vcpus, "threadsPerCore": 1},
        "hibernationOptions": {"configured": False},
        "hostname": instance.hostname,
        "metadataOptions": options,
    }
    if state[1] == "terminated" and instance.vm_state == "error":
        reason = instance.fault.message if instance.fault else "launch failed"
        item["stateReason"] = {
            "code": "Server.InternalError",
            "message": "Server.InternalError: " + reason,
        }
    return item


class InstanceFragments:
    """
    The rendered C{instancesSet} item of each instance record, kept while the
    record is: a Describe answered from a snapshot renders each instance once,
    not once per request.
    """

    #: How many fragments are kept before starting over.
    LIMIT = 5000

    def __init__(self, options: dict[str, Any] | None = None) -> None:
        """@param options: every instance's C{metadataOptions}."""
        self._options = options
        self._kept: dict[int, tuple[Instance, str | None, tuple, XML]] = {}

    def clear(self, instance_uuid: str = "") -> None:
        self._kept.clear()

    def item(self, instance: Instance, image_id: str | None,
             devices: tuple[BlockDevice, ...] = ()) -> XML:
        kept = self._kept.get(id(instance))
        if kept is not None and kept[0] is instance and kept[1:3] == (image_id, devices):
            return kept[3]
        if len(self._kept) >= self.LIMIT:
            self._kept.clear()
        fragment = render_fragment(instance_item(instance, image_id, self._options, devices))
        self._kept[id(instance)] = (instance, image_id, devices, fragment)
        return fragment


def reservation_items(
    instances: Iterable[Instance],
    image_ids: dict[str, str],
    fragments: InstanceFragments | None = None,
    devices: dict[str, tuple[BlockDevice, ...]] | None = None,
) -> list[dict[str, Any]]:
    """
    Instances grouped by reservation, in the order of their first instance, as
    DescribeInstances' C{reservationSet}.

    @param fragments: where rendered items are kept, if anywhere.
    @param devices: the instances' EBS devices by server UUID.
    """
    devices = devices or {}
    reservations: dict[str, dict[str, Any]] = {}
    for instance in instances:
        rid = reservation_id(instance)
        reservation = reservations.get(rid)
        if reservation is None:
            reservation = reservations[rid] = {
                "reservationId": rid,
                "ownerId": instance.project_id,
                "groupSet": group_items(instance.security_group_ids),
                "instancesSet": [],
            }
        image_id = image_ids.get(instance.image_id or "")
        held = devices.get(instance.uuid, ())
        reservation["instancesSet"].append(
            fragments.item(instance, image_id, held) if fragments
            else instance_item(instance, image_id, devices=held)
        )
    return list(reservations.values())


class ImageIds:
    """
    The C{ami-} ids of image UUIDs, remembered once found (the mapping of a
    UUID to its EC2 id never changes).
    """

    def __init__(self, compute: Any) -> None:
        self._compute = compute
        self._known: dict[str, str] = {}

    def resolve(self, context: Any, uuids: Iterable[str | None]) -> Deferred:
        """Fire with C{{uuid: ami-id}} for the UUIDs that still name an image."""
        missing = sorted({u for u in uuids if u and u not in self._known})
        if not missing:
            return succeed(self._known)

        def found(images: list[Any]) -> dict[str, str]:
            for uuid, image in zip(missing, images):
                if image is not None:
                    self._known[uuid] = image.ec2_id
            return self._known

        looked_up = [self._lookup(context, u) for u in missing]
        return gatherResults(looked_up, consumeErrors=True).addCallbacks(found, first_error)

    def _lookup(self, context: Any, uuid: str) -> Any:
        d = self._compute.get_image(context.elevated(), uuid)
        d.addErrback(lambda f: f.trap(NotFound) and None)
        return d
