"""
The EC2 tree: C{/<version>/meta-data/...}, C{user-data}, C{dynamic/...}.

A tree is nested dicts; a dict with a C{_name} is listed by that name instead of
C{key/} (nova's way of showing C{public-keys/} as C{0=keyname}). Every key a
listing shows resolves, because cloud-init walks the listings and drops all it
read when one key fails.
"""

from __future__ import annotations

import json
from typing import Any

from novatx.extensions.metadata.document import InstanceData
from novatx.extensions.metadata.versions import EC2_VERSIONS, at_least

#: The version the network interfaces subtree and the region appear at.
_NETWORK_VERSION = "2016-09-02"


def _at_least(required: str, version: str) -> bool:
    return at_least(required, version, EC2_VERSIONS)


def block_device_mapping(data: InstanceData) -> dict[str, str]:
    """
    The devices as nova's libvirt driver names them; attached volumes other
    than the root one as C{ebs0}, C{ebs1}... in the order of their devices.
    """
    flavor = data.instance.flavor
    mapping = {"ami": "vda", "root": "/dev/vda"}
    if flavor.ephemeral_gb:
        mapping["ephemeral0"] = "/dev/vdb"
    if flavor.swap:
        mapping["swap"] = "/dev/vdc" if flavor.ephemeral_gb else "/dev/vdb"
    volumes = sorted(v.device for v in data.volumes if v.device != mapping["root"])
    for number, device in enumerate(volumes):
        mapping["ebs%d" % number] = device
    return mapping


def _interfaces(data: InstanceData) -> dict[str, Any]:
    net = data.net
    if net is None or not net.mac:
        return {"macs": {}}
    instance = data.instance
    interface = {
        "device-number": "0",
        "interface-id": "eni-" + net.port_id.replace("-", "")[:17],
        "local-hostname": data.hostname,
        "local-ipv4s": net.address,
        "mac": net.mac,
        "owner-id": instance.project_id,
        "security-groups": "\n".join(instance.security_groups),
        "subnet-ipv4-cidr-block": str(net.network),
        "vpc-ipv4-cidr-block": str(net.network),
    }
    if net.public:
        interface["public-ipv4s"] = net.public
    return {"macs": {net.mac: interface}}


def identity_document(data: InstanceData) -> str:
    """C{dynamic/instance-identity/document}: AWS's JSON, from the instance."""
    instance = data.instance
    document = {
        "accountId": instance.project_id,
        "architecture": "x86_64",
        "availabilityZone": data.availability_zone,
        "billingProducts": None,
        "devpayProductCodes": None,
        "marketplaceProductCodes": None,
        "imageId": data.ami_id,
        "instanceId": instance.ec2_id,
        "instanceType": instance.flavor.name,
        "kernelId": None,
        "pendingTime": instance.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "privateIp": data.net.address if data.net else None,
        "ramdiskId": None,
        "region": data.region,
        "version": "2017-09-30",
    }
    return json.dumps(document, indent=2, sort_keys=True)


def ec2_tree(data: InstanceData, version: str, address: str | None = None) -> dict[str, Any]:
    """
    The tree under C{/<version>/} (C{version} dated, from L{EC2_VERSIONS}).

    @param address: the asking address, C{local-ipv4} when there is no fixed IP.
    """
    instance = data.instance
    meta: dict[str, Any] = {
        "ami-id": data.ami_id,
        "ami-launch-index": instance.launch_index,
        # The literal value nova has always served here: there is no manifest.
        "ami-manifest-path": "FIXME",
        "hostname": data.hostname,
        "instance-id": instance.ec2_id,
        "local-ipv4": (data.net.address if data.net else address) or "",
        "reservation-id": instance.reservation_id,
        "security-groups": list(instance.security_groups),
    }
    if instance.key_name:
        meta["public-keys"] = {
            "0": {"_name": "0=" + instance.key_name, "openssh-key": instance.key_data or ""}
        }
    if _at_least("2007-01-19", version):
        meta["local-hostname"] = data.hostname
        meta["public-hostname"] = data.hostname
        meta["public-ipv4"] = (data.net.public if data.net else None) or ""
    if _at_least("2007-08-29", version):
        meta["instance-type"] = instance.flavor.name
    if _at_least("2007-12-15", version):
        meta["block-device-mapping"] = block_device_mapping(data)
    if _at_least("2008-02-01", version):
        meta["placement"] = {"availability-zone": data.availability_zone}
    if _at_least("2008-09-01", version):
        meta["instance-action"] = "none"
    if _at_least(_NETWORK_VERSION, version):
        meta["placement"]["region"] = data.region
        meta["network"] = {"interfaces": _interfaces(data)}
    tree: dict[str, Any] = {"meta-data": meta}
    if data.user_data is not None:
        tree["user-data"] = data.user_data
    if _at_least("2009-04-04", version):
        tree["dynamic"] = {"instance-identity": {"document": identity_document(data)}}
    return tree
