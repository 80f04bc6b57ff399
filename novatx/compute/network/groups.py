"""
Security groups and their rules, per project.

A project's C{default} group is made the first time anything of the project
needs it, with neutron's default rules (all egress; ingress from members of
the group). The C{default_for} key makes it once even when two requests race.
Rules are checked as neutron checks them, and a rule equal to one of its
group's is refused: the group's row is locked while its rules are compared.
"""

from __future__ import annotations

import ipaddress
import uuid as uuidlib
from typing import Any, Mapping, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from novatx.compute import convert, validation
from novatx.compute.context import RequestContext
from novatx.compute.network.exceptions import (
    AmbiguousSecurityGroup, InvalidRule, SecurityGroupNotFound, SecurityGroupRuleExists, SecurityGroupRuleNotFound,
)
from novatx.compute.network.records import SecurityGroup, SecurityGroupRule
from novatx.db import tables as t

G, R = t.security_groups, t.security_group_rules
DEFAULT = "default"

#: The protocol names neutron takes, besides the numbers 0 to 255.
PROTOCOLS = ("ah", "dccp", "egp", "esp", "gre", "hopopt", "icmp", "igmp", "ipip",
             "ipv6-encap", "ipv6-frag", "ipv6-icmp", "icmpv6", "ipv6-nonxt", "ipv6-opts",
             "ipv6-route", "ospf", "pgm", "rsvp", "sctp", "tcp", "udp", "udplite", "vrrp")
#: Protocols whose rules may have a port range (neutron's).
_PORTED = ("tcp", "udp", "dccp", "sctp", "udplite", "6", "17", "33", "132", "136")
_ICMP = ("icmp", "icmpv6", "ipv6-icmp", "1", "58")
_ETHERTYPES = {"IPv4": 4, "IPv6": 6}


def _default_rules(group_id: int) -> list[dict[str, Any]]:
    return [
        {"direction": "egress", "ethertype": "IPv4", "remote_group_id": None},
        {"direction": "egress", "ethertype": "IPv6", "remote_group_id": None},
        {"direction": "ingress", "ethertype": "IPv4", "remote_group_id": group_id},
        {"direction": "ingress", "ethertype": "IPv6", "remote_group_id": group_id},
    ]


def ensure_default(connection: Connection, project_id: str, now: Any) -> Mapping[str, Any]:
    """The project's C{default} group's row, made with its rules if it has none."""
    statement = sa.select(G).where(G.c.default_for == project_id)
    row = connection.execute(statement).mappings().first()
    if row is not None:
        return row
    try:
        with connection.begin_nested():
            group_id = connection.execute(sa.insert(G).values(
                uuid=str(uuidlib.uuid4()), project_id=project_id, name=DEFAULT,
                description="Default security group", default_for=project_id,
                created_at=now)).inserted_primary_key[0]
            connection.execute(sa.insert(R), [
                dict(rule, uuid=str(uuidlib.uuid4()), group_id=group_id, project_id=project_id,
                     description="", created_at=now) for rule in _default_rules(group_id)])
    except IntegrityError:
        pass
    return connection.execute(statement).mappings().one()


def visible(context: RequestContext) -> sa.ColumnElement:
    return sa.true() if context.is_admin else G.c.project_id == context.project_id


def group_row(connection: Connection, context: RequestContext, group_uuid: Any,
              for_update: bool = False) -> Mapping[str, Any]:
    if not isinstance(group_uuid, str) or not validation.storable(group_uuid):
        raise SecurityGroupNotFound(id=group_uuid)
    statement = sa.select(G).where(G.c.uuid == group_uuid, visible(context))
    if for_update:
        statement = statement.with_for_update()
    row = connection.execute(statement).mappings().first()
    if row is None:
        raise SecurityGroupNotFound(id=group_uuid)
    return row


def find(connection: Connection, context: RequestContext, name_or_id: Any,
         now: Any) -> Mapping[str, Any]:
    """
    A group of the caller's project by id or by name, as nova's requests name
    them; C{default} is made if it is missing. A name two groups share is
    L{AmbiguousSecurityGroup}.
    """
    if not isinstance(name_or_id, str) or not validation.storable(name_or_id):
        raise SecurityGroupNotFound(id=name_or_id)
    if name_or_id == DEFAULT:
        return ensure_default(connection, context.project_id, now)
    rows = list(connection.execute(sa.select(G).where(
        G.c.project_id == context.project_id,
        sa.or_(G.c.uuid == name_or_id, G.c.name == name_or_id))).mappings())
    by_id = [row for row in rows if row["uuid"] == name_or_id]
    if by_id:
        return by_id[0]
    if len(rows) > 1:
        raise AmbiguousSecurityGroup(name=name_or_id)
    if not rows:
        raise SecurityGroupNotFound(id=name_or_id)
    return rows[0]


def _port(value: Any, field: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 65535:
        raise InvalidRule("Invalid value for port %s." % (value,))
    return value


def _protocol(value: Any) -> str | None:
    if value is None or value == "any":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str):
        lowered = value.lower()
        if lowered in PROTOCOLS:
            return lowered
        if lowered.isdigit() and 0 <= int(lowered) <= 255:
            return str(int(lowered))
    raise InvalidRule("Security group rule protocol %s not supported. Only protocol values "
                      "[None, %s] and integer representations [0 to 255] are supported."
                      % (value, ", ".join(repr(p) for p in PROTOCOLS)))


def check_rule(fields: Mapping[str, Any]) -> dict[str, Any]:
    """
    A rule's fields as neutron takes them (C{direction}, C{ethertype},
    C{protocol}, C{port_range_min}, C{port_range_max}, C{remote_ip_prefix},
    C{description}), checked and made canonical, or L{InvalidRule}.
    """
    direction = fields.get("direction")
    if direction not in ("ingress", "egress"):
        raise InvalidRule("Invalid input for direction. Reason: '%s' is not in ['ingress', "
                          "'egress']." % (direction,))
    ethertype = fields.get("ethertype") or "IPv4"
    if ethertype not in _ETHERTYPES:
        raise InvalidRule("Invalid input for ethertype. Reason: '%s' is not in ['IPv4', "
                          "'IPv6']." % (ethertype,))
    protocol = _protocol(fields.get("protocol"))
    low = _port(fields.get("port_range_min"), "port_range_min")
    high = _port(fields.get("port_range_max"), "port_range_max")
    if protocol is None and (low is not None or high is not None):
        raise InvalidRule("Must also specify protocol if port range is given.")
    if protocol in _ICMP:
        for value, field, name in ((low, "type", "port_range_min"),
                                   (high, "code", "port_range_max")):
            if value is not None and not 0 <= value <= 255:
                raise InvalidRule("Invalid value for ICMP %s (%s) %s. It must be 0 to 255."
                                  % (field, name, value))
        if low is None and high is not None:
            raise InvalidRule("ICMP code (port-range-max) %s is provided but ICMP type "
                              "(port-range-min) is missing." % high)
    elif protocol in _PORTED:
        if (low is None) != (high is None):
            low, high = (low, low) if high is None else (high, high)
        if low == 0 or high == 0:
            raise InvalidRule("Invalid value for port 0.")
        if low is not None and high is not None and low > high:
            raise InvalidRule("For TCP/UDP protocols, port_range_min must be <= "
                              "port_range_max")
    elif low is not None or high is not None:
        raise InvalidRule("Protocol %s does not support port ranges." % protocol)
    prefix = fields.get("remote_ip_prefix")
    if prefix is not None:
        try:
            network = ipaddress.ip_network(prefix, strict=False)
        except (ValueError, TypeError):
            raise InvalidRule("Invalid input for remote_ip_prefix. Reason: '%s' is not a valid "
                              "IP subnet." % (prefix,)) from None
        if network.version != _ETHERTYPES[ethertype]:
            raise InvalidRule("Conflicting value ethertype %s for CIDR %s" % (ethertype, prefix))
        # Kept as given, host bits and all (with the mask added when absent), as
        # neutron keeps it; duplicates are found by the network it stands for.
        prefix = str(ipaddress.ip_interface(prefix))
        if network.prefixlen == 0:
            prefix = None
    if fields.get("remote_group_id") is not None and prefix is not None:
        raise InvalidRule("Only remote_ip_prefix or remote_group_id may be provided.")
    description = validation.text(fields.get("description") or "", "description", 255)
    return {"direction": direction, "ethertype": ethertype, "protocol": protocol,
            "port_range_min": low, "port_range_max": high, "remote_ip_prefix": prefix,
            "description": description}


def _network(prefix: str | None) -> Any:
    return None if prefix is None else ipaddress.ip_network(prefix, strict=False)


def _same(rule: Mapping[str, Any], other: Mapping[str, Any]) -> bool:
    keys = ("direction", "ethertype", "protocol", "port_range_min", "port_range_max",
            "remote_group_id")
    return all(rule[key] == other[key] for key in keys) and (
        _network(rule["remote_ip_prefix"]) == _network(other["remote_ip_prefix"]))


def add_rule(connection: Connection, group: Mapping[str, Any], project_id: str,
             rule: Mapping[str, Any], remote_group_id: int | None, now: Any) -> int:
    """Add a checked rule to the locked C{group}; an equal one is L{SecurityGroupRuleExists}."""
    values = dict(rule, remote_group_id=remote_group_id)
    for existing in connection.execute(sa.select(R).where(R.c.group_id == group["id"])
                                       ).mappings():
        if _same(values, existing):
            raise SecurityGroupRuleExists(rule_id=existing["uuid"])
    return connection.execute(sa.insert(R).values(
        uuid=str(uuidlib.uuid4()), group_id=group["id"], project_id=project_id,
        created_at=now, **values)).inserted_primary_key[0]


def rule_row(connection: Connection, context: RequestContext,
             rule_uuid: Any) -> Mapping[str, Any]:
    if not isinstance(rule_uuid, str) or not validation.storable(rule_uuid):
        raise SecurityGroupRuleNotFound(id=rule_uuid)
    clauses = [R.c.uuid == rule_uuid]
    if not context.is_admin:
        clauses.append(R.c.project_id == context.project_id)
    row = connection.execute(sa.select(R).where(*clauses)).mappings().first()
    if row is None:
        raise SecurityGroupRuleNotFound(id=rule_uuid)
    return row


_REMOTE = G.alias("remote")
#: The group a rule belongs to, as the rule listings join it (its uuid filters them).
OWNER = G.alias("owner")


def rule_records(connection: Connection, clauses: Sequence[Any]) -> list[SecurityGroupRule]:
    rows = connection.execute(
        sa.select(R, OWNER.c.uuid.label("group_uuid"), _REMOTE.c.uuid.label("remote_uuid"))
        .select_from(R.join(OWNER, OWNER.c.id == R.c.group_id)
                     .outerjoin(_REMOTE, _REMOTE.c.id == R.c.remote_group_id))
        .where(*clauses).order_by(R.c.id)).mappings()
    return [SecurityGroupRule(
        id=row["uuid"], security_group_id=row["group_uuid"], project_id=row["project_id"],
        direction=row["direction"], ethertype=row["ethertype"], protocol=row["protocol"],
        port_range_min=row["port_range_min"], port_range_max=row["port_range_max"],
        remote_ip_prefix=row["remote_ip_prefix"], remote_group_id=row["remote_uuid"],
        description=row["description"], created_at=convert.aware(row["created_at"]))
        for row in rows]


def records(connection: Connection, rows: Sequence[Mapping[str, Any]]) -> list[SecurityGroup]:
    """Groups with their rules, the rules of a page in one query."""
    if not rows:
        return []
    rules: dict[str, list[SecurityGroupRule]] = {row["uuid"]: [] for row in rows}
    for rule in rule_records(connection, [R.c.group_id.in_([row["id"] for row in rows])]):
        rules[rule.security_group_id].append(rule)
    return [SecurityGroup(id=row["uuid"], name=row["name"], description=row["description"],
                          project_id=row["project_id"], rules=tuple(rules[row["uuid"]]),
                          created_at=convert.aware(row["created_at"]),
                          updated_at=convert.aware(row["updated_at"]),
                          internal_id=row["id"])
            for row in rows]
