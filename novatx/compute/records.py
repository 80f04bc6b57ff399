"""
Plain records that the internal API returns.

They are the one shape every face reads: the compute API's view builders, EC2's
XML renderers and the metadata trees all take these, never database rows. They are
frozen: a change goes through the internal API, which returns a new record.
"""

from __future__ import annotations

import datetime
from typing import Any

import attrs

#: Records hold timezone-aware UTC datetimes.
DateTime = datetime.datetime


@attrs.frozen
class Flavor:
    """A flavor. C{flavorid} is the API's id (nova's default ones are "1".."5")."""

    id: int
    flavorid: str
    name: str
    memory_mb: int
    vcpus: int
    root_gb: int
    ephemeral_gb: int = 0
    swap: int = 0
    rxtx_factor: float = 1.0
    is_public: bool = True
    disabled: bool = False
    description: str | None = None
    extra_specs: dict[str, str] = attrs.field(factory=dict)
    created_at: DateTime | None = None
    updated_at: DateTime | None = None


@attrs.frozen
class Image:
    """
    An image in the small registry. C{id} is its UUID; C{internal_id} gives its
    EC2 id (C{ami-%08x}).
    """

    id: str
    internal_id: int
    name: str | None
    status: str  # queued | saving | active | deleted
    disk_format: str | None = "qcow2"
    container_format: str | None = "bare"
    size: int | None = None
    min_disk: int = 0
    min_ram: int = 0
    visibility: str = "public"  # public | private | shared | community
    owner: str | None = None
    protected: bool = False
    properties: dict[str, str] = attrs.field(factory=dict)
    created_at: DateTime | None = None
    updated_at: DateTime | None = None

    @property
    def ec2_id(self) -> str:
        return "ami-%08x" % self.internal_id


@attrs.frozen
class KeyPair:
    """
    A user's key pair. C{private_key} is only set on the record that generated
    it; C{private_key_fingerprint} on every record of a pair the store
    generated (L{novatx.compute.keys.private_key_fingerprint}).
    """

    name: str
    user_id: str
    type: str  # ssh | x509
    public_key: str
    fingerprint: str
    created_at: DateTime | None = None
    id: int | None = None
    private_key: str | None = None
    private_key_fingerprint: str | None = None


@attrs.frozen
class Fault:
    """Why an instance is in ERROR (nova's C{instance_faults})."""

    code: int
    message: str
    details: str = ""
    created_at: DateTime | None = None


@attrs.frozen
class AttachedVolume:
    """A volume a server holds, as server documents list it (C{volumes_attached})."""

    id: str
    delete_on_termination: bool = False


@attrs.frozen
class Instance:
    """
    A server / EC2 instance. C{id} is the store's integer id, which gives the EC2 id
    (C{i-%08x}); C{uuid} is what the compute API shows.

    C{status} is the compute API status derived from C{vm_state}/C{task_state}
    (see L{novatx.compute.states}); EC2 derives its own from the same fields.
    C{extra} holds extension fields (L{novatx.compute.fields.ExtraField}).
    C{disable_terminate} refuses deletes; C{shutdown_terminate} is EC2's
    C{instanceInitiatedShutdownBehavior} of C{terminate}.
    """

    id: int
    uuid: str
    name: str
    project_id: str
    user_id: str
    flavor: Flavor
    image_id: str | None
    vm_state: str
    task_state: str | None
    power_state: int
    status: str
    created_at: DateTime
    updated_at: DateTime | None = None
    launched_at: DateTime | None = None
    terminated_at: DateTime | None = None
    deleted: bool = False
    deleted_at: DateTime | None = None
    hostname: str = ""
    description: str | None = None
    display_description: str | None = None
    key_name: str | None = None
    key_data: str | None = None
    user_data: str | None = None  # base64 text, as the API received it
    metadata: dict[str, str] = attrs.field(factory=dict)
    tags: tuple[str, ...] = ()
    availability_zone: str | None = None
    launch_index: int = 0
    reservation_id: str = ""
    fixed_ip: str | None = None
    mac_address: str | None = None
    host: str | None = None
    node: str | None = None
    locked: bool = False
    locked_by: str | None = None  # "owner" | "admin"
    locked_reason: str | None = None
    progress: int = 0
    config_drive: str = ""
    access_ip_v4: str | None = None
    access_ip_v6: str | None = None
    fault: Fault | None = None
    server_groups: tuple[str, ...] = ()
    block_device_mapping: tuple[dict[str, Any], ...] = ()
    networks: str | tuple[dict[str, Any], ...] = "auto"
    pinned_availability_zone: str | None = None
    #: L{novatx.compute.network.records.ServerAddress}es: fixed, then floating, per port.
    addresses: tuple[Any, ...] = ()
    #: The names of the security groups of the server's ports.
    security_groups: tuple[str, ...] = ()
    #: Each of those groups as (name, store id), by name (EC2 shows C{sg-} ids).
    security_group_ids: tuple[tuple[str, int], ...] = ()
    disable_terminate: bool = False
    shutdown_terminate: bool = False
    extra: dict[str, Any] = attrs.field(factory=dict)
    volumes_attached: tuple[AttachedVolume, ...] = ()

    @property
    def ec2_id(self) -> str:
        return "i-%08x" % self.id


@attrs.frozen
class InstanceActionEvent:
    event: str
    start_time: DateTime
    finish_time: DateTime | None = None
    result: str | None = None
    host: str | None = None


@attrs.frozen
class InstanceAction:
    """One entry of C{os-instance-actions}."""

    action: str
    instance_uuid: str
    request_id: str
    user_id: str
    project_id: str
    start_time: DateTime
    updated_at: DateTime | None = None
    message: str | None = None
    events: tuple[InstanceActionEvent, ...] = ()


@attrs.frozen
class ServerGroup:
    uuid: str
    name: str
    project_id: str
    user_id: str
    policy: str
    rules: dict[str, Any] = attrs.field(factory=dict)
    members: tuple[str, ...] = ()
    created_at: DateTime | None = None


@attrs.frozen
class QuotaSet:
    """Limits and usage for one project (and user, when asked per user)."""

    project_id: str
    limits: dict[str, int]
    in_use: dict[str, int] = attrs.field(factory=dict)
    reserved: dict[str, int] = attrs.field(factory=dict)


@attrs.frozen
class EC2Credential:
    access: str
    secret: str
    user_id: str
    project_id: str
    created_at: DateTime | None = None


@attrs.frozen
class Page:
    """A page of a listing: the items, and whether more follow (for C{next} links)."""

    items: tuple[Any, ...]
    has_more: bool = False
