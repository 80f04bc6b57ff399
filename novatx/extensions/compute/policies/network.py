"""
Policy defaults of the networking the compute API serves: security groups
(the proxies and the server actions), floating IPs (the proxies and the
actions below 2.44), floating IP pools and networks, under nova's names.
"""

from __future__ import annotations

from oslo_policy import policy

from novatx.extensions.compute.policies._rules import (
    ANYONE, PROJECT_MEMBER_OR_ADMIN, PROJECT_READER_OR_ADMIN,
)
from novatx.extensions.compute.policies.servers import _ACTION, _by_name, _rule

SECURITY_GROUPS = "os_compute_api:os-security-groups:%s"
FLOATING_IPS = "os_compute_api:os-floating-ips:%s"
POOLS = "os_compute_api:os-floating-ip-pools:list"
NETWORKS = "os_compute_api:os-networks:%s"
TENANT_NETWORKS = "os_compute_api:os-tenant-networks:%s"


def security_groups_rules() -> dict[str, policy.DocumentedRuleDefault]:
    """The rules of C{os-security-groups} and its actions."""
    groups, group = "/os-security-groups", "/os-security-groups/{security_group_id}"
    rules = "/os-security-group-rules"
    return _by_name(
        _rule(SECURITY_GROUPS % "get", PROJECT_READER_OR_ADMIN, "List security groups", "GET",
              groups),
        _rule(SECURITY_GROUPS % "show", PROJECT_READER_OR_ADMIN, "Show a security group", "GET",
              group),
        _rule(SECURITY_GROUPS % "create", PROJECT_MEMBER_OR_ADMIN, "Create a security group",
              "POST", groups),
        _rule(SECURITY_GROUPS % "update", PROJECT_MEMBER_OR_ADMIN, "Update a security group",
              "PUT", group),
        _rule(SECURITY_GROUPS % "delete", PROJECT_MEMBER_OR_ADMIN, "Delete a security group",
              "DELETE", group),
        _rule(SECURITY_GROUPS % "rule:create", PROJECT_MEMBER_OR_ADMIN,
              "Create a security group rule", "POST", rules),
        _rule(SECURITY_GROUPS % "rule:delete", PROJECT_MEMBER_OR_ADMIN,
              "Delete a security group rule", "DELETE", rules + "/{security_group_rule_id}"),
        _rule(SECURITY_GROUPS % "list", PROJECT_READER_OR_ADMIN,
              "List a server's security groups", "GET",
              "/servers/{server_id}/os-security-groups"),
        _rule(SECURITY_GROUPS % "add", PROJECT_MEMBER_OR_ADMIN,
              "Add a security group to a server", "POST", _ACTION % "addSecurityGroup"),
        _rule(SECURITY_GROUPS % "remove", PROJECT_MEMBER_OR_ADMIN,
              "Remove a security group from a server", "POST",
              _ACTION % "removeSecurityGroup"),
    )


def floating_ips_rules() -> dict[str, policy.DocumentedRuleDefault]:
    """The rules of C{os-floating-ips}, its actions and C{os-floating-ip-pools}."""
    ips, ip = "/os-floating-ips", "/os-floating-ips/{floating_ip_id}"
    return _by_name(
        _rule(FLOATING_IPS % "list", PROJECT_READER_OR_ADMIN, "List floating IPs", "GET", ips),
        _rule(FLOATING_IPS % "show", PROJECT_READER_OR_ADMIN, "Show a floating IP", "GET", ip),
        _rule(FLOATING_IPS % "create", PROJECT_MEMBER_OR_ADMIN, "Allocate a floating IP",
              "POST", ips),
        _rule(FLOATING_IPS % "delete", PROJECT_MEMBER_OR_ADMIN, "Release a floating IP",
              "DELETE", ip),
        _rule(FLOATING_IPS % "add", PROJECT_MEMBER_OR_ADMIN,
              "Associate a floating IP with a server", "POST", _ACTION % "addFloatingIp"),
        _rule(FLOATING_IPS % "remove", PROJECT_MEMBER_OR_ADMIN,
              "Disassociate a floating IP from a server", "POST",
              _ACTION % "removeFloatingIp"),
        _rule(POOLS, ANYONE, "List floating IP pools", "GET", "/os-floating-ip-pools"),
    )


def networks_rules() -> dict[str, policy.DocumentedRuleDefault]:
    """The rules of C{os-networks} and C{os-tenant-networks}."""
    return _by_name(
        _rule(NETWORKS % "list", PROJECT_READER_OR_ADMIN, "List networks", "GET",
              "/os-networks"),
        _rule(NETWORKS % "view", PROJECT_READER_OR_ADMIN, "Show a network", "GET",
              "/os-networks/{network_id}"),
        _rule(TENANT_NETWORKS % "list", PROJECT_READER_OR_ADMIN, "List project networks",
              "GET", "/os-tenant-networks"),
        _rule(TENANT_NETWORKS % "show", PROJECT_READER_OR_ADMIN, "Show a project network",
              "GET", "/os-tenant-networks/{network_id}"),
    )


#: The one rule of the Networking API subset under C{/networking}: who may
#: use it at all (what each caller sees is the internal API's business).
NETWORKING_SERVICE = "novatx:networking"

NETWORKING_SERVICE_RULES = {
    NETWORKING_SERVICE: policy.RuleDefault(
        NETWORKING_SERVICE, ANYONE, "Use the Networking API subset under /networking."),
}


ATTACH_INTERFACES = "os_compute_api:os-attach-interfaces:%s"


def attach_interfaces_rules() -> dict[str, policy.DocumentedRuleDefault]:
    """The rules of C{os-interface}."""
    interfaces = "/servers/{server_id}/os-interface"
    return _by_name(
        _rule(ATTACH_INTERFACES % "list", PROJECT_READER_OR_ADMIN,
              "List a server's port interfaces", "GET", interfaces),
        _rule(ATTACH_INTERFACES % "show", PROJECT_READER_OR_ADMIN,
              "Show a server's port interface", "GET", interfaces + "/{port_id}"),
        _rule(ATTACH_INTERFACES % "create", PROJECT_MEMBER_OR_ADMIN,
              "Attach a port interface to a server", "POST", interfaces),
        _rule(ATTACH_INTERFACES % "delete", PROJECT_MEMBER_OR_ADMIN,
              "Detach a port interface from a server", "DELETE", interfaces + "/{port_id}"),
    )


MULTINIC = "os_compute_api:os-multinic:%s"


def multinic_rules() -> dict[str, policy.DocumentedRuleDefault]:
    """The rules of C{addFixedIp} and C{removeFixedIp} (nova's C{os-multinic})."""
    return _by_name(
        _rule(MULTINIC % "add", PROJECT_MEMBER_OR_ADMIN, "Add a fixed IP to a server",
              "POST", _ACTION % "addFixedIp"),
        _rule(MULTINIC % "remove", PROJECT_MEMBER_OR_ADMIN, "Remove a fixed IP from a server",
              "POST", _ACTION % "removeFixedIp"),
    )
