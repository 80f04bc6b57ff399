"""
What the metadata trees know of one instance, gathered once.

Gathering asks the store (the image's EC2 id, the key pair's type); rendering the
trees afterwards is pure, so a cached L{InstanceData} answers every path of
every version without another query.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import uuid
from typing import Any

import attrs
from twisted.internet.defer import inlineCallbacks

from novatx.compute.context import get_admin_context
from novatx.compute.exceptions import NotFound
from novatx.compute.records import Instance
from novatx.compute.volumes.records import VolumeAttachment

#: The namespace that gives an instance's port and network stable ids.
_PORT_NAMESPACE = uuid.UUID("6c1b0e0e-7f4c-4a43-9d4b-2f3c8f1b6a51")


@attrs.frozen
class NetworkInfo:
    """
    The instance's first port, the one that holds its fixed address.

    @ivar address: its fixed IPv4 address.
    @ivar mac: its MAC address.
    @ivar network: the fixed network (C{ipaddress.IPv4Network}).
    @ivar gateway: the network's first host address.
    @ivar port_id: the port's id (a stable one derived from the instance when
        the record names no port).
    @ivar network_id: the network's id: the one the server was created with, or
        a stable id derived from the network's address.
    @ivar public: the floating address forwarded to the instance, or None.
    """

    address: str
    mac: str
    network: Any
    gateway: str
    port_id: str
    network_id: str
    public: str | None = None


@attrs.frozen
class InstanceData:
    """
    Everything the trees show of one instance.

    @ivar instance: the record.
    @ivar ami_id: its image's EC2 id (C{ami-00000000} when the image is gone).
    @ivar key_type: the type of its key pair, C{ssh} or C{x509}.
    @ivar hostname: the hostname with C{[api] dhcp_domain}.
    @ivar availability_zone: its zone, or the default zone.
    @ivar region: the region the EC2 face serves.
    @ivar user_data: the decoded user data, or None.
    @ivar net: its L{NetworkInfo}, or None without a fixed IP.
    @ivar volumes: the volumes attached to it (L{VolumeAttachment}s), oldest first.
    """

    instance: Instance
    ami_id: str
    key_type: str
    hostname: str
    availability_zone: str
    region: str
    user_data: bytes | None
    net: NetworkInfo | None
    volumes: tuple[VolumeAttachment, ...] = ()


def decode_user_data(text: str | None) -> bytes | None:
    """User data as the instance gets it: the API stores it base64-encoded."""
    if text is None:
        return None
    try:
        return base64.b64decode(text, validate=False)
    except (binascii.Error, ValueError):
        return text.encode("utf-8")


def network_info(instance: Instance, fixed_range: str) -> NetworkInfo | None:
    """The instance's port on C{fixed_range}, or None when it has no fixed IP."""
    if not instance.fixed_ip:
        return None
    address = ipaddress.ip_address(instance.fixed_ip)
    network = ipaddress.ip_network(fixed_range, strict=False)
    if address.version != network.version or address not in network:
        network = ipaddress.ip_network(address)
    gateway = next(iter(network.hosts()), address)
    network_id = None
    if isinstance(instance.networks, tuple):
        network_id = next((n.get("uuid") for n in instance.networks if n.get("uuid")), None)
    port_id = next((a.port_id for a in instance.addresses
                    if a.type == "fixed" and a.address == instance.fixed_ip), None)
    return NetworkInfo(
        address=str(address),
        mac=instance.mac_address or "",
        network=network,
        gateway=str(gateway),
        port_id=port_id or str(uuid.uuid5(_PORT_NAMESPACE, "port:" + instance.uuid)),
        network_id=network_id or str(uuid.uuid5(_PORT_NAMESPACE, "net:" + str(network))),
        public=next((a.address for a in instance.addresses if a.type == "floating"), None),
    )


def key_type(public_key: str | None) -> str:
    """
    A key pair's type, told by its public key: an x509 pair's is a PEM
    certificate, anything else is an SSH key. The instance keeps its own copy
    of the key, which outlives the pair, so no lookup is needed.
    """
    if public_key and public_key.lstrip().startswith("-----BEGIN CERTIFICATE"):
        return "x509"
    return "ssh"


@inlineCallbacks
def collect(compute: Any, conf: Any, instance: Instance):
    """
    Gather an L{InstanceData}: fires with it.

    @param compute: the internal API.
    @param conf: the process's config.
    """
    admin = get_admin_context()
    ami_id = "ami-00000000"
    if instance.image_id:
        try:
            image = yield compute.get_image(admin, instance.image_id)
            ami_id = image.ec2_id
        except NotFound:
            pass
    volumes: tuple[VolumeAttachment, ...] = ()
    if instance.volumes_attached and compute.volumes is not None:
        volumes = tuple((yield compute.volumes.list_attachments(admin, instance.uuid)))
    domain = conf.api.dhcp_domain
    hostname = instance.hostname or instance.name
    if domain:
        hostname = "%s.%s" % (hostname, domain)
    return InstanceData(
        instance=instance,
        ami_id=ami_id,
        key_type=key_type(instance.key_data),
        hostname=hostname,
        availability_zone=instance.availability_zone or conf.default_availability_zone,
        region=conf.ec2.region_name,
        user_data=decode_user_data(instance.user_data),
        net=network_info(instance, conf.network.fixed_range),
        volumes=volumes,
    )
