"""
The OpenStack tree's documents: C{meta_data.json} and C{network_data.json}.

Fields appear at the version nova added them (see L{novatx.extensions.metadata.versions}).
"""

from __future__ import annotations

import base64
import os
from typing import Any

from novatx.extensions.metadata import versions as v
from novatx.extensions.metadata.document import InstanceData

MD_JSON = "meta_data.json"
USER_DATA = "user_data"
PASSWORD = "password"
VD_JSON = "vendor_data.json"
VD2_JSON = "vendor_data2.json"
NW_JSON = "network_data.json"


def _at_least(required: str, version: str) -> bool:
    return v.at_least(required, version, v.OPENSTACK_VERSIONS)


def version_listing(data: InstanceData, version: str) -> list[str]:
    """What C{/openstack/<version>/} lists."""
    names = [MD_JSON]
    if data.user_data is not None:
        names.append(USER_DATA)
    if _at_least(v.GRIZZLY, version):
        names.append(PASSWORD)
    if _at_least(v.HAVANA, version):
        names.append(VD_JSON)
    if _at_least(v.LIBERTY, version):
        names.append(NW_JSON)
    if _at_least(v.NEWTON_TWO, version):
        names.append(VD2_JSON)
    return names


#: The version each file of a version's directory appeared at.
_SINCE = {
    MD_JSON: v.FOLSOM,
    USER_DATA: v.FOLSOM,
    PASSWORD: v.GRIZZLY,
    VD_JSON: v.HAVANA,
    NW_JSON: v.LIBERTY,
    VD2_JSON: v.NEWTON_TWO,
}


def served(name: str, version: str) -> bool:
    """Whether C{/openstack/<version>/<name>} exists at that version."""
    since = _SINCE.get(name)
    return since is not None and _at_least(since, version)


def dedicated_cpus(data: InstanceData) -> list[int]:
    """The guest CPUs pinned to host CPUs: all of them under C{hw:cpu_policy=dedicated}."""
    flavor = data.instance.flavor
    if flavor.extra_specs.get("hw:cpu_policy") == "dedicated":
        return list(range(flavor.vcpus))
    return []


def meta_data(data: InstanceData, version: str, random_seed: str | None = None) -> dict[str, Any]:
    """
    C{meta_data.json} at C{version} (dated).

    @param random_seed: the text of C{random_seed} (default: 512 bytes fresh
        from C{os.urandom}, base64-encoded, as nova draws for every request).
    """
    instance = data.instance
    document: dict[str, Any] = {"uuid": instance.uuid}
    if instance.metadata:
        document["meta"] = dict(instance.metadata)
    if instance.key_name and instance.key_data:
        document["public_keys"] = {instance.key_name: instance.key_data}
        document["keys"] = [
            {"name": instance.key_name, "type": data.key_type, "data": instance.key_data}
        ]
    document["hostname"] = data.hostname
    document["name"] = instance.name
    document["launch_index"] = instance.launch_index
    document["availability_zone"] = data.availability_zone
    if _at_least(v.GRIZZLY, version):
        if random_seed is None:
            random_seed = base64.b64encode(os.urandom(512)).decode("ascii")
        document["random_seed"] = random_seed
    if _at_least(v.LIBERTY, version):
        document["project_id"] = instance.project_id
    if _at_least(v.NEWTON_ONE, version):
        document["devices"] = devices(data)
    if _at_least(v.VICTORIA, version):
        document["dedicated_cpus"] = dedicated_cpus(data)
    return document


def devices(data: InstanceData) -> list[dict[str, Any]]:
    """
    nova's device metadata: the tagged devices, here the volumes attached
    with a tag, each on its own (simulated) PCI slot.
    """
    return [
        {"type": "disk", "bus": "virtio", "serial": volume.volume_id, "path": volume.device,
         "address": "0000:00:%02x.0" % (index + 6), "tags": [volume.tag]}
        for index, volume in enumerate(data.volumes) if volume.tag
    ]


def network_data(data: InstanceData) -> dict[str, Any]:
    """C{network_data.json}: the instance's port on the fixed network."""
    net = data.net
    if net is None:
        return {"links": [], "networks": [], "services": []}
    link_id = "tap" + net.port_id[:11]
    anywhere = str(net.network.network_address.__class__(0))
    return {
        "links": [
            {
                "id": link_id,
                "vif_id": net.port_id,
                "type": "ovs",
                "mtu": None,
                "ethernet_mac_address": net.mac,
            }
        ],
        "networks": [
            {
                "id": "network0",
                "type": "ipv%d" % net.network.version,
                "link": link_id,
                "ip_address": net.address,
                "netmask": str(net.network.netmask),
                "routes": [
                    {"network": anywhere, "netmask": anywhere, "gateway": net.gateway}
                ],
                "network_id": net.network_id,
                "services": [],
            }
        ],
        "services": [],
    }
