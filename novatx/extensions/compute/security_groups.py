"""
Security groups in the compute API: the C{os-security-groups} and
C{os-security-group-rules} proxies (below 2.36, as nova proxied neutron), a
server's groups (C{/servers/{id}/os-security-groups}) and the
C{addSecurityGroup}/C{removeSecurityGroup} actions (every microversion).

nova shows a group's ingress rules only, in its own terms: C{ip_protocol},
C{from_port}/C{to_port} (-1 for "any" ICMP, 1-65535 for a TCP/UDP rule
without ports), C{ip_range} or C{group}. A neutron conflict (the default
group, a group in use, a duplicate rule) is nova's 400.
"""

from __future__ import annotations

import ipaddress
import uuid
from typing import Any

from novatx.compute import exceptions
from novatx.compute.network import exceptions as net_exc
from novatx.compute.network.records import SecurityGroup, SecurityGroupRule
from novatx.extensions.compute._extension import ComputeResource, deferred
from novatx.extensions.compute.policies import network as policies
from novatx.extensions.compute.schemas import network as schemas
from novatx.extensions.compute.removed import PROXY_MAX_VERSION
from novatx.extensions.interfaces import Action, Route

P = policies.SECURITY_GROUPS


def rule_document(rule: SecurityGroupRule, names: dict[str, tuple[str, str]]) -> dict[str, Any]:
    """A rule as nova shows it; C{names}: group id -> (name, project) of remote groups."""
    low, high = rule.port_range_min, rule.port_range_max
    if rule.protocol and low is None and high is None:
        low, high = (1, 65535) if rule.protocol in ("tcp", "udp") else (-1, -1)
    document: dict[str, Any] = {
        "id": rule.id, "parent_group_id": rule.security_group_id,
        "ip_protocol": rule.protocol, "from_port": low, "to_port": high,
        "group": {}, "ip_range": {},
    }
    if rule.remote_group_id:
        name, project = names.get(rule.remote_group_id, (None, None))
        document["group"] = {"name": name, "tenant_id": project}
    else:
        document["ip_range"] = {"cidr": rule.remote_ip_prefix or (
            "::/0" if rule.ethertype == "IPv6" else "0.0.0.0/0")}
    return document


def group_document(group: SecurityGroup, names: dict[str, tuple[str, str]]) -> dict[str, Any]:
    return {
        "id": group.id, "name": group.name, "description": group.description,
        "tenant_id": group.project_id,
        "rules": [rule_document(rule, names) for rule in group.rules
                  if rule.direction == "ingress"],
    }


def _names(groups: list[SecurityGroup]) -> dict[str, tuple[str, str]]:
    return {group.id: (group.name, group.project_id) for group in groups}


def _as_nova(error: exceptions.NovatxException) -> exceptions.NovatxException:
    """A neutron refusal as nova's proxy answered it."""
    if isinstance(error, net_exc.SecurityGroupNotFound):
        return exceptions.NotFound("Security group %s not found." % error.kwargs.get("id"))
    if isinstance(error, exceptions.Conflict) and not isinstance(
            error, net_exc.AmbiguousSecurityGroup):
        return exceptions.Invalid(str(error))
    if isinstance(error, net_exc.NetworkOverLimit):
        return exceptions.OverLimit("Quota exceeded, too many %s."
                                    % error.kwargs["quota"].replace("_", " "))
    return error


def _port(value: Any, what: str) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise exceptions.Invalid("Invalid port range %s. %s must be an integer."
                                 % (value, what)) from None


def validate_id(value: Any) -> str:
    """nova's check of a group id it hands to neutron: a UUID, or 400."""
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise exceptions.Invalid("Security group id should be uuid") from None


def rule_fields(body: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    """
    A nova rule body as the internal API's fields (always ingress), checked
    with nova's words: TCP/UDP ports in 1-65535 with C{from_port <= to_port},
    ICMP type and code in -1..255 (-1: any), a valid C{cidr}.
    """
    protocol = body.get("ip_protocol")
    low, high = _port(body.get("from_port"), "from_port"), _port(body.get("to_port"), "to_port")
    if protocol is not None:
        protocol = str(protocol).lower()
        if protocol not in ("tcp", "udp", "icmp") and not protocol.isdigit():
            raise exceptions.Invalid("Invalid IP protocol %s." % body.get("ip_protocol"))
    if protocol in ("tcp", "udp"):
        if low is None or high is None:
            raise exceptions.Invalid("Invalid port range %s:%s. Valid TCP ports should be "
                                     "between 1-65535" % (low, high))
        if low > high:
            raise exceptions.Invalid("Invalid port range %s:%s. Former value cannot be greater "
                                     "than the later" % (low, high))
        if not (1 <= low <= 65535 and 1 <= high <= 65535):
            raise exceptions.Invalid("Invalid port range %s:%s. Valid %s ports should be "
                                     "between 1-65535" % (low, high, protocol.upper()))
    elif protocol == "icmp":
        for value in (low, high):
            if value is not None and not -1 <= value <= 255:
                raise exceptions.Invalid("Invalid port range %s:%s. For ICMP, the type:code "
                                         "must be valid" % (low, high))
        low = None if low == -1 else low
        high = None if high == -1 or low is None else high
    elif low is not None or high is not None:
        if protocol is None:
            raise exceptions.Invalid("Invalid IP protocol None.")
    group_id = body.get("group_id")
    cidr = body.get("cidr")
    ethertype = "IPv4"
    if group_id in (None, ""):
        group_id = None
        try:
            network = ipaddress.ip_network(cidr or "0.0.0.0/0", strict=False)
        except (TypeError, ValueError):
            raise exceptions.Invalid("Invalid cidr %s." % cidr) from None
        ethertype = "IPv%d" % network.version
        cidr = str(cidr) if cidr else str(network)
    else:
        cidr = None
        group_id = str(group_id)
    return {"direction": "ingress", "ethertype": ethertype, "protocol": protocol,
            "port_range_min": low, "port_range_max": high, "remote_ip_prefix": cidr}, group_id


class SecurityGroups(ComputeResource):
    """Security groups, their rules, and the servers in them."""

    name = "SecurityGroups"
    alias = "os-security-groups"
    policy_defaults = policies.security_groups_rules()

    def routes(self) -> list[Route]:
        top = PROXY_MAX_VERSION
        return [
            Route("/os-security-groups", ("GET",), self.index, "os-security-groups.index",
                  policy=P % "get", max_version=top),
            Route("/os-security-groups", ("POST",), self.create, "os-security-groups.create",
                  schema=schemas.security_group, policy=P % "create", max_version=top),
            Route("/os-security-groups/<group_id>", ("GET",), self.show,
                  "os-security-groups.show", policy=P % "show", max_version=top),
            Route("/os-security-groups/<group_id>", ("PUT",), self.update,
                  "os-security-groups.update", schema=schemas.security_group,
                  policy=P % "update", max_version=top),
            Route("/os-security-groups/<group_id>", ("DELETE",), self.delete,
                  "os-security-groups.delete", policy=P % "delete", max_version=top,
                  status=202),
            Route("/os-security-groups/", ("DELETE",), self.blank_id,
                  "os-security-groups.delete_blank", policy=P % "delete", max_version=top),
            Route("/os-security-group-rules", ("POST",), self.create_rule,
                  "os-security-group-rules.create", schema=schemas.security_group_rule,
                  policy=P % "rule:create", max_version=top),
            Route("/os-security-group-rules/<rule_id>", ("DELETE",), self.delete_rule,
                  "os-security-group-rules.delete", policy=P % "rule:delete",
                  max_version=top, status=202),
            Route("/servers/<server_id>/os-security-groups", ("GET",), self.server_groups,
                  "os-security-groups.server_index", policy=P % "list"),
        ]

    def actions(self) -> dict[str, list[Action]]:
        return {
            "servers": [
                Action("addSecurityGroup", self.add, schema=schemas.add_security_group,
                       policy=P % "add"),
                Action("removeSecurityGroup", self.remove, schema=schemas.remove_security_group,
                       policy=P % "remove"),
            ]
        }

    async def _call(self, method: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return await method(*args, **kwargs)
        except exceptions.NovatxException as e:
            raise _as_nova(e) from None

    @deferred
    async def index(self, request: Any) -> dict:
        all_projects = request.args.get("all_tenants", ["0"])[-1] not in ("0", "false", "False")
        groups = await self.compute.list_security_groups(request.context,
                                                         all_projects=all_projects)
        names = _names(groups)
        return {"security_groups": [group_document(group, names) for group in groups]}

    @deferred
    async def show(self, request: Any, group_id: str) -> dict:
        group = await self._call(self.compute.get_security_group, request.context, group_id)
        groups = await self.compute.list_security_groups(request.context)
        return {"security_group": group_document(group, _names(groups + [group]))}

    @deferred
    async def create(self, request: Any) -> dict:
        body = request.body["security_group"]
        group = await self._call(self.compute.create_security_group, request.context,
                                 body["name"], body["description"])
        return {"security_group": group_document(group, {})}

    @deferred
    async def update(self, request: Any, group_id: str) -> dict:
        body = request.body["security_group"]
        group = await self._call(self.compute.update_security_group, request.context,
                                 group_id, name=body["name"], description=body["description"])
        return {"security_group": group_document(group, _names([group]))}

    @deferred
    async def delete(self, request: Any, group_id: str) -> None:
        await self._call(self.compute.delete_security_group, request.context, group_id)

    @deferred
    async def create_rule(self, request: Any) -> dict:
        body = request.body["security_group_rule"]
        parent = validate_id(body["parent_group_id"])
        fields, group_id = rule_fields(body)
        if group_id is not None:
            validate_id(group_id)
        try:
            rule = await self.compute.create_security_group_rule(
                request.context, parent, fields, remote_group_id=group_id)
        except net_exc.SecurityGroupRuleExists:
            raise exceptions.Invalid("This rule already exists in group %s" % parent) from None
        except exceptions.NovatxException as e:
            raise _as_nova(e) from None
        groups = await self.compute.list_security_groups(request.context)
        return {"security_group_rule": rule_document(rule, _names(groups))}

    @deferred
    async def delete_rule(self, request: Any, rule_id: str) -> None:
        try:
            await self.compute.delete_security_group_rule(request.context, rule_id)
        except net_exc.SecurityGroupRuleNotFound:
            raise exceptions.NotFound("Security group rule %s not found." % rule_id) from None

    @deferred
    async def server_groups(self, request: Any, server_id: str) -> dict:
        groups = await self.compute.server_security_groups(request.context, server_id)
        names = _names(groups)
        return {"security_groups": [group_document(group, names) for group in groups]}

    @deferred
    async def add(self, request: Any, server_id: str, body: dict) -> None:
        await self._call(self.compute.add_server_security_group, request.context, server_id,
                         body["name"])

    @deferred
    async def remove(self, request: Any, server_id: str, body: dict) -> None:
        await self._call(self.compute.remove_server_security_group, request.context,
                         server_id, body["name"])
