"""
EC2's IP permissions and the network's security group rules, both ways.

An EC2-Classic permission (protocol, port range, sources) is one or more
ingress rules of the internal API (L{novatx.compute.network}), one per source;
a group's ingress rules are shown back as permissions, those of one protocol
and range merged, as AWS shows them. The group's egress rules stay unseen:
EC2-Classic groups have none to show (C{ipPermissionsEgress} is empty).

Ports are AWS's: TCP and UDP from 0 to 65535, where the network takes 1 to
65535 (port 0 is no port) and "no range" for all of them, so C{0-65535} is
every port and a range from 0 starts at 1; ICMP's C{fromPort} is the type and
C{toPort} the code, C{-1} for any.
"""

from __future__ import annotations

import ipaddress
from typing import Any, Iterable, Mapping, Sequence

import attrs

from novatx.compute.network.records import SecurityGroup, SecurityGroupRule
from novatx.extensions.ec2 import errors, params as P

#: The protocol numbers that EC2 shows by name.
_NAMES = {"6": "tcp", "17": "udp", "1": "icmp"}
_PORTED = ("tcp", "udp")
_ALL = "-1"


@attrs.frozen
class Source:
    """Where a permission lets traffic come from: a CIDR or a group (by its id)."""

    cidr: str | None = None
    group_id: str | None = None
    description: str = ""


@attrs.frozen
class Permission:
    """
    One EC2 permission, canonical: C{protocol} C{tcp}, C{udp}, C{icmp}, a
    number or C{-1}; C{low}/C{high} the network's port range (None: all).
    """

    protocol: str
    low: int | None
    high: int | None
    sources: tuple[Source, ...]

    def rules(self) -> list[tuple[dict[str, Any], str | None]]:
        """The internal API's rule fields and remote group id, one per source."""
        made = []
        for source in self.sources:
            ethertype = "IPv4"
            if source.cidr is not None:
                ethertype = "IPv6" if ":" in source.cidr else "IPv4"
            made.append(({
                "direction": "ingress", "ethertype": ethertype,
                "protocol": None if self.protocol == _ALL else self.protocol,
                "port_range_min": self.low, "port_range_max": self.high,
                "remote_ip_prefix": source.cidr, "description": source.description,
            }, source.group_id))
        return made


def _protocol(text: str) -> str:
    lowered = text.lower()
    if lowered in ("-1", "all"):
        return _ALL
    lowered = _NAMES.get(lowered, lowered)
    if lowered in ("tcp", "udp", "icmp"):
        return lowered
    if lowered.isascii() and lowered.isdigit() and 0 <= int(lowered) <= 255:
        return str(int(lowered))
    raise errors.EC2Error(
        "InvalidParameterValue",
        "Invalid value '%s' for IP protocol. Unknown protocol." % (text,))


def _range(protocol: str, fields: Mapping[str, str], prefix: str
           ) -> tuple[int | None, int | None]:
    if protocol in _PORTED:
        low = P.integer(fields, "FromPort", None, -1, 65535)
        high = P.integer(fields, "ToPort", None, -1, 65535)
        if low is None or high is None:
            raise errors.missing_parameter(prefix + ("FromPort" if low is None else "ToPort"))
        if low == -1 and high == -1:
            return None, None
        if low < 0 or high < 0 or low > high:
            raise errors.EC2Error(
                "InvalidParameterValue",
                "Invalid value '%s-%s' for portRange. It must be from 0 to 65535, its "
                "start no greater than its end." % (low, high))
        if (low, high) == (0, 65535):
            return None, None
        return max(low, 1), max(high, 1)
    if protocol == "icmp":
        kind = P.integer(fields, "FromPort", -1, -1, 255)
        code = P.integer(fields, "ToPort", -1, -1, 255)
        if kind == -1 and code != -1:
            raise errors.EC2Error(
                "InvalidParameterValue",
                "Invalid value '%s' for ICMP code: the type is any (-1)." % (code,))
        return (None if kind == -1 else kind), (None if code == -1 else code)
    return None, None


def _cidr(text: str) -> str | None:
    try:
        network = ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise errors.invalid_value("cidrIp", text, "This is not a valid CIDR block.") from None
    if "/" not in text:
        raise errors.invalid_value("cidrIp", text, "This is not a valid CIDR block.")
    return None if network.prefixlen == 0 else str(network)


def read_permissions(params: Mapping[str, str]) -> list[tuple[Permission, list[dict[str, str]]]]:
    """
    The permissions of a request, as C{IpPermissions.N} (with C{IpRanges.M},
    C{Ipv6Ranges.M}, C{Groups.M}) or the flat form (C{IpProtocol},
    C{FromPort}, C{ToPort}, C{CidrIp}, C{SourceSecurityGroupName}); each with
    the groups it names, still to be found by the caller
    (L{Permission.sources} holds their CIDRs only until then).

    @raise errors.EC2Error: C{MissingParameter} when there is none or one
        has no source, C{InvalidParameterValue} for a bad protocol, range or CIDR.
    """
    structured = P.structure_list(params, "IpPermissions")
    if structured:
        if any(key in params for key in ("IpProtocol", "CidrIp", "SourceSecurityGroupName")):
            raise errors.combination(
                "IpPermissions may not be given with IpProtocol, CidrIp or "
                "SourceSecurityGroupName.")
        entries = []
        for index, fields in enumerate(structured, 1):
            prefix = "IpPermissions.%d." % (index,)
            cidrs = [(r.get("CidrIp", ""), r.get("Description", ""))
                     for r in P.structure_list(fields, "IpRanges")]
            cidrs += [(r.get("CidrIpv6", ""), r.get("Description", ""))
                      for r in P.structure_list(fields, "Ipv6Ranges")]
            groups = P.structure_list(fields, "Groups")
            entries.append((prefix, fields, cidrs, groups))
    else:
        if "IpProtocol" not in params and "SourceSecurityGroupName" not in params:
            raise errors.missing_parameter("IpPermissions")
        fields = {key: params[key] for key in ("IpProtocol", "FromPort", "ToPort")
                  if key in params}
        if "IpProtocol" not in fields:
            # A source group alone allows every protocol, as EC2-Classic did.
            fields = {"IpProtocol": _ALL}
        cidrs = [(params["CidrIp"], "")] if "CidrIp" in params else []
        groups = ([{"GroupName": params["SourceSecurityGroupName"]}]
                  if "SourceSecurityGroupName" in params else [])
        entries = [("", fields, cidrs, groups)]
    read = []
    for prefix, fields, cidrs, groups in entries:
        protocol = _protocol(P.required(fields, "IpProtocol") if prefix
                             else fields["IpProtocol"])
        low, high = _range(protocol, fields, prefix)
        if not cidrs and not groups:
            raise errors.missing_parameter(prefix + "IpRanges or Groups")
        sources = tuple(Source(cidr=_cidr(text), description=description)
                        for text, description in cidrs)
        read.append((Permission(protocol, low, high, sources), groups))
    return read


def _shown_protocol(rule: SecurityGroupRule) -> str:
    if rule.protocol is None:
        return _ALL
    return _NAMES.get(rule.protocol, rule.protocol)


def _shown_range(protocol: str, rule: SecurityGroupRule) -> tuple[int | None, int | None]:
    if protocol in _PORTED:
        if rule.port_range_min is None:
            return 0, 65535
        return rule.port_range_min, rule.port_range_max
    if protocol == "icmp":
        return (-1 if rule.port_range_min is None else rule.port_range_min,
                -1 if rule.port_range_max is None else rule.port_range_max)
    return None, None


def permission_items(group: SecurityGroup, groups: Mapping[str, SecurityGroup],
                     group_ids: Mapping[str, str]) -> list[dict[str, Any]]:
    """
    A group's C{ipPermissions}: its ingress rules merged by protocol and range.

    @param groups: the caller's groups by uuid (the names of source groups).
    @param group_ids: their C{sg-} ids by uuid.
    """
    merged: dict[tuple[str, int | None, int | None], dict[str, Any]] = {}
    for rule in group.rules:
        if rule.direction != "ingress":
            continue
        protocol = _shown_protocol(rule)
        low, high = _shown_range(protocol, rule)
        item = merged.setdefault((protocol, low, high), {
            "ipProtocol": protocol, "fromPort": low, "toPort": high,
            "groups": [], "ipRanges": [], "ipv6Ranges": []})
        if rule.remote_group_id is not None:
            source = groups.get(rule.remote_group_id)
            pair = {"userId": source.project_id if source else group.project_id,
                    "groupId": group_ids.get(rule.remote_group_id),
                    "groupName": source.name if source else None}
            if pair not in item["groups"]:
                item["groups"].append(pair)
        elif rule.ethertype == "IPv6":
            item["ipv6Ranges"].append({"cidrIpv6": rule.remote_ip_prefix or "::/0",
                                       "description": rule.description or None})
        else:
            item["ipRanges"].append({"cidrIp": rule.remote_ip_prefix or "0.0.0.0/0",
                                     "description": rule.description or None})
    return list(merged.values())


def _same(fields: Mapping[str, Any], remote: str | None, rule: SecurityGroupRule,
          exact: bool) -> bool:
    if rule.direction != "ingress" or rule.remote_group_id != remote:
        return False
    if (exact or remote is None) and rule.ethertype != fields["ethertype"]:
        return False
    protocol = None if rule.protocol is None else _NAMES.get(rule.protocol, rule.protocol)
    return (protocol, rule.port_range_min, rule.port_range_max, rule.remote_ip_prefix) == (
        fields["protocol"], fields["port_range_min"], fields["port_range_max"],
        fields["remote_ip_prefix"])


def matching_rules(group: SecurityGroup, fields: Mapping[str, Any], remote: str | None,
                   exact: bool = False) -> list[SecurityGroupRule]:
    """
    The group's rules a permission names: equal in protocol, range and
    source; unless C{exact}, a source group's rules of either ethertype (a
    revoked permission takes both, as the group's members may have either
    kind of address).
    """
    return [rule for rule in group.rules if _same(fields, remote, rule, exact)]


def duplicates(rules: Sequence[tuple[Mapping[str, Any], str | None]]) -> Iterable[int]:
    """The positions of rules equal to an earlier one of the same request."""
    seen = set()
    for index, (fields, remote) in enumerate(rules):
        key = (fields["ethertype"], fields["protocol"], fields["port_range_min"],
               fields["port_range_max"], fields["remote_ip_prefix"], remote)
        if key in seen:
            yield index
        seen.add(key)
