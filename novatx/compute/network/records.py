"""
The networking records the internal API returns: networks, subnets, ports,
security groups with their rules, floating IPs, and a server's addresses.

Ids are the uuids every face shows; the store's integer ids stay inside.
"""

from __future__ import annotations

import datetime

import attrs

DateTime = datetime.datetime

#: neutron's name of each networking quota (the internal API's names are nova's).
NEUTRON_NAMES = {"floating_ips": "floatingip", "security_groups": "security_group",
                 "security_group_rules": "security_group_rule", "ports": "port",
                 "networks": "network"}


@attrs.frozen
class Network:
    id: str
    name: str
    project_id: str
    shared: bool
    external: bool
    subnets: tuple[str, ...] = ()
    created_at: DateTime | None = None


@attrs.frozen
class Subnet:
    id: str
    network_id: str
    name: str
    project_id: str
    cidr: str
    gateway_ip: str | None
    ip_version: int
    #: The first and last address a port may get (after the gateway).
    allocation_pool: tuple[str, str] | None = None
    created_at: DateTime | None = None


@attrs.frozen
class FixedAddress:
    subnet_id: str
    ip_address: str


@attrs.frozen
class Port:
    id: str
    network_id: str
    project_id: str
    name: str
    device_id: str | None
    device_owner: str
    mac_address: str
    fixed_ips: tuple[FixedAddress, ...] = ()
    #: The ids of the port's security groups.
    security_groups: tuple[str, ...] = ()
    tag: str | None = None
    created_at: DateTime | None = None


@attrs.frozen
class SecurityGroupRule:
    id: str
    security_group_id: str
    project_id: str
    direction: str
    ethertype: str
    protocol: str | None = None
    port_range_min: int | None = None
    port_range_max: int | None = None
    remote_ip_prefix: str | None = None
    remote_group_id: str | None = None
    description: str = ""
    created_at: DateTime | None = None


@attrs.frozen
class SecurityGroup:
    id: str
    name: str
    description: str
    project_id: str
    rules: tuple[SecurityGroupRule, ...] = ()
    created_at: DateTime | None = None
    updated_at: DateTime | None = None
    #: The store's integer id: EC2 shows the group as C{sg-%08x} of it.
    internal_id: int = 0


@attrs.frozen
class FloatingIP:
    id: str
    project_id: str
    floating_network_id: str
    floating_ip_address: str
    #: The network's name: nova's proxies call it the pool.
    pool: str
    port_id: str | None = None
    fixed_ip_address: str | None = None
    #: The server of the associated port, if a server holds it.
    device_id: str | None = None
    description: str = ""
    created_at: DateTime | None = None
    updated_at: DateTime | None = None

    @property
    def status(self) -> str:
        return "ACTIVE" if self.port_id else "DOWN"


@attrs.frozen
class ServerAddress:
    """One address of a server as the compute API shows it, under its network's name."""

    network: str
    address: str
    mac_address: str
    type: str  # "fixed" | "floating"
    port_id: str

    @property
    def version(self) -> int:
        return 6 if ":" in self.address else 4


@attrs.frozen
class ServerInterface:
    """A server's port, as C{os-interface} shows it."""

    port_id: str
    network_id: str
    mac_address: str
    fixed_ips: tuple[FixedAddress, ...] = ()
    port_state: str = "ACTIVE"
