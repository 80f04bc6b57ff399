"""
What the networking subset shares: neutron's documents of the internal
records, its list semantics (filters by any field, C{fields=}, C{limit},
C{marker}, C{page_reverse} with C{*_links}), and its error body
(C{{"NeutronError": {"type", "message", "detail"}}}).
"""

from __future__ import annotations

import datetime
import functools
import ipaddress
from typing import Any, Callable, Iterable, Mapping
from urllib.parse import urlencode

from twisted.internet.defer import ensureDeferred

from novatx.compute import exceptions
from novatx.compute.network import exceptions as net_exc
from novatx.compute.network.records import (
    FloatingIP, Network, Port, SecurityGroup, SecurityGroupRule, Subnet,
)
from novatx.extensions.interfaces import Response

#: Query parameters that are not filters.
_CONTROLS = ("fields", "limit", "marker", "page_reverse", "sort_key", "sort_dir")

#: neutron's type names of the internal API's failures, and their statuses.
_TYPES: tuple[tuple[type, str, int], ...] = (
    (net_exc.NetworkNotFound, "NetworkNotFound", 404),
    (net_exc.SubnetNotFound, "SubnetNotFound", 404),
    (net_exc.PortNotFound, "PortNotFound", 404),
    (net_exc.SecurityGroupNotFound, "SecurityGroupNotFound", 404),
    (net_exc.SecurityGroupRuleNotFound, "SecurityGroupRuleNotFound", 404),
    (net_exc.FloatingIPNotFound, "FloatingIPNotFound", 404),
    (net_exc.SecurityGroupRuleExists, "SecurityGroupRuleExists", 409),
    (net_exc.SecurityGroupInUse, "SecurityGroupInUse", 409),
    (net_exc.DefaultSecurityGroupDelete, "SecurityGroupCannotRemoveDefault", 409),
    (net_exc.IpAddressInUse, "IpAddressInUse", 409),
    (net_exc.NoMoreAddresses, "IpAddressGenerationFailure", 409),
    (net_exc.PortInUse, "PortInUse", 409),
    (net_exc.NetworkInUse, "NetworkInUse", 409),
    (net_exc.SubnetInUse, "SubnetInUse", 409),
    (net_exc.InvalidNetwork, "InvalidInput", 400),
    (net_exc.FloatingIPAssociated, "FloatingIPPortAlreadyAssociated", 409),
    (net_exc.NetworkOverLimit, "OverQuota", 409),
    (net_exc.InvalidRule, "InvalidInput", 400),
    (net_exc.InvalidAddress, "InvalidInput", 400),
    (exceptions.NotFound, "NotFound", 404),
    (exceptions.Invalid, "BadRequest", 400),
    (exceptions.Conflict, "Conflict", 409),
    (exceptions.OverLimit, "OverQuota", 409),
    (exceptions.NotAuthorized, "PolicyNotAuthorized", 403),
)


class NeutronError(Exception):
    """A refusal the subset decides itself, in neutron's words."""

    def __init__(self, status: int, kind: str, message: str) -> None:
        super().__init__(message)
        self.status, self.kind, self.message = status, kind, message


def error_response(status: int, kind: str, message: str) -> Response:
    return Response({"NeutronError": {"type": kind, "message": message, "detail": ""}},
                    status=status)


def neutron_errors(handler: Callable[..., Any]) -> Callable[..., Any]:
    """Run an C{async} handler, answering its failures in neutron's error shape."""

    async def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return await handler(*args, **kwargs)
        except NeutronError as e:
            return error_response(e.status, e.kind, e.message)
        except exceptions.NovatxException as e:
            if isinstance(e, exceptions.ServiceUnavailable):
                raise
            for kind, name, status in _TYPES:
                if isinstance(e, kind):
                    return error_response(status, name, str(e))
            raise

    @functools.wraps(handler)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return ensureDeferred(run(*args, **kwargs))

    return wrapper


def body_of(request: Any, key: str) -> dict[str, Any]:
    """The C{key} object of a create or update body, or neutron's 400."""
    body = request.body
    if not isinstance(body, dict) or not isinstance(body.get(key), dict):
        raise NeutronError(400, "BadRequest", "Resource body required")
    return body[key]


def required(body: Mapping[str, Any], name: str) -> Any:
    if body.get(name) is None:
        raise NeutronError(400, "BadRequest", "Failed to parse request. Required attribute "
                           "'%s' not specified" % name)
    return body[name]


def _time(value: datetime.datetime | None) -> str | None:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value is not None else None


def _standard(project_id: str, created: Any, updated: Any = None) -> dict[str, Any]:
    return {"tenant_id": project_id, "project_id": project_id, "created_at": _time(created),
            "updated_at": _time(updated or created), "revision_number": 0, "tags": []}


def network_document(network: Network) -> dict[str, Any]:
    return dict(_standard(network.project_id, network.created_at), **{
        "id": network.id, "name": network.name, "status": "ACTIVE",
        "subnets": list(network.subnets), "shared": network.shared,
        "router:external": network.external, "admin_state_up": True, "mtu": 1500,
        "port_security_enabled": True, "description": "", "availability_zones": ["nova"],
        "availability_zone_hints": [], "ipv4_address_scope": None,
        "ipv6_address_scope": None, "l2_adjacency": True, "is_default": False,
    })


def subnet_document(subnet: Subnet) -> dict[str, Any]:
    pools = []
    if subnet.allocation_pool is not None:
        pools = [{"start": subnet.allocation_pool[0], "end": subnet.allocation_pool[1]}]
    return dict(_standard(subnet.project_id, subnet.created_at), **{
        "id": subnet.id, "name": subnet.name, "network_id": subnet.network_id,
        "cidr": subnet.cidr, "gateway_ip": subnet.gateway_ip, "ip_version": subnet.ip_version,
        "enable_dhcp": True, "allocation_pools": pools, "dns_nameservers": [],
        "host_routes": [], "ipv6_ra_mode": None, "ipv6_address_mode": None,
        "subnetpool_id": None, "description": "", "service_types": [],
    })


def port_document(port: Port) -> dict[str, Any]:
    return dict(_standard(port.project_id, port.created_at), **{
        "id": port.id, "name": port.name, "network_id": port.network_id,
        "mac_address": port.mac_address, "admin_state_up": True,
        "status": "ACTIVE" if port.device_id else "DOWN", "device_id": port.device_id or "",
        "device_owner": port.device_owner,
        "fixed_ips": [{"subnet_id": a.subnet_id, "ip_address": a.ip_address}
                      for a in port.fixed_ips],
        "security_groups": list(port.security_groups), "allowed_address_pairs": [],
        "extra_dhcp_opts": [], "binding:vnic_type": "normal", "description": "",
        "port_security_enabled": True,
    })


def _normalized(prefix: str | None) -> str | None:
    """neutron's C{normalized_cidr}: the network a C{remote_ip_prefix} kept as given stands for."""
    return None if prefix is None else str(ipaddress.ip_network(prefix, strict=False))


def rule_document(rule: SecurityGroupRule) -> dict[str, Any]:
    return dict(_standard(rule.project_id, rule.created_at), **{
        "id": rule.id, "security_group_id": rule.security_group_id,
        "direction": rule.direction, "ethertype": rule.ethertype, "protocol": rule.protocol,
        "port_range_min": rule.port_range_min, "port_range_max": rule.port_range_max,
        "remote_ip_prefix": rule.remote_ip_prefix, "remote_group_id": rule.remote_group_id,
        "normalized_cidr": _normalized(rule.remote_ip_prefix),
        "remote_address_group_id": None, "description": rule.description,
    })


def group_document(group: SecurityGroup) -> dict[str, Any]:
    return dict(_standard(group.project_id, group.created_at, group.updated_at), **{
        "id": group.id, "name": group.name, "description": group.description,
        "security_group_rules": [rule_document(rule) for rule in group.rules],
        "stateful": True, "shared": False,
    })


def floating_ip_document(fip: FloatingIP) -> dict[str, Any]:
    return dict(_standard(fip.project_id, fip.created_at, fip.updated_at), **{
        "id": fip.id, "floating_ip_address": fip.floating_ip_address,
        "floating_network_id": fip.floating_network_id, "router_id": None,
        "port_id": fip.port_id, "fixed_ip_address": fip.fixed_ip_address,
        "status": fip.status, "description": fip.description, "qos_policy_id": None,
        "port_forwardings": [],
    })


def _matches(document: Mapping[str, Any], key: str, values: list[str]) -> bool:
    value = document[key]
    if isinstance(value, bool):
        return any(v.lower() == str(value).lower() for v in values)
    if isinstance(value, list):
        return any(str(item) in values for item in value)
    return ("" if value is None else str(value)) in values


def listing(request: Any, collection: str, documents: Iterable[dict[str, Any]],
            path: str) -> dict:
    """
    C{collection}'s answer as neutron gives it: filtered by every query
    parameter naming a field (any of its values), sorted by id, paged by
    C{limit}/C{marker}/C{page_reverse} with C{<collection>_links}, and cut
    to C{fields=} when asked. C{path} is the collection's, under C{v2.0}.
    """
    args = {key: [v for v in values] for key, values in request.args.items()}
    found = list(documents)
    for key, values in args.items():
        if key in _CONTROLS:
            continue
        if found and key not in found[0]:
            raise NeutronError(400, "HTTPBadRequest",
                               "%s is invalid attribute for filtering" % key)
        found = [d for d in found if _matches(d, key, values)]
    found.sort(key=lambda d: d["id"])
    reverse = args.get("page_reverse", ["False"])[-1].lower() == "true"
    if reverse:
        found.reverse()
    marker = args.get("marker", [None])[-1]
    if marker is not None:
        ids = [d["id"] for d in found]
        if marker not in ids:
            raise NeutronError(404, "NotFound", "Marker %s could not be found." % marker)
        found = found[ids.index(marker) + 1:]
    links = []
    limit_text = args.get("limit", [None])[-1]
    if limit_text is not None:
        try:
            limit = int(limit_text)
        except ValueError:
            raise NeutronError(400, "BadRequest", "Bad limit request: Limit must be an "
                               "integer %s." % limit_text) from None
        if limit < 0:
            raise NeutronError(400, "BadRequest", "Bad limit request: Limit must be an "
                               "integer 0 or greater and not '%s'." % limit)
        if limit and len(found) > limit:
            found = found[:limit]
            query = [(k, v) for k, values in sorted(args.items()) if k != "marker"
                     for v in values] + [("marker", found[-1]["id"])]
            links.append({"rel": "next", "href": "%s?%s" % (request.url("v2.0", path),
                                                           urlencode(query))})
    fields = [f for value in args.get("fields", []) for f in value.split(",") if f]
    if fields:
        found = [{k: d[k] for k in fields if k in d} for d in found]
    if reverse:
        found.reverse()
    answer: dict[str, Any] = {collection: found}
    if links:
        answer[collection + "_links"] = links
    return answer


def one(request: Any, key: str, document: dict[str, Any]) -> dict[str, Any]:
    """A show's answer, cut to C{fields=} when asked."""
    fields = [f for value in request.args.get("fields", []) for f in value.split(",") if f]
    if fields:
        document = {k: document[k] for k in fields if k in document}
    return {key: document}
