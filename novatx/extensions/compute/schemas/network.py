"""
Request bodies of the networking the compute API serves: the security group
and floating IP proxies (below 2.36) and the server actions that use them.
"""

from __future__ import annotations

from typing import Any

from novatx.extensions.compute.schemas.servers import action
from novatx.extensions.compute.schemas.servers import ip_address as _ip_address
from novatx.extensions.compute.schemas.servers import uuid as _uuid

_text: dict[str, Any] = {"type": "string", "maxLength": 255}

add_security_group = action("addSecurityGroup", {
    "type": "object",
    "properties": {"name": {"type": "string", "minLength": 1}},
    "required": ["name"],
    "additionalProperties": False,
})

remove_security_group = action("removeSecurityGroup", {
    "type": "object",
    "properties": {"name": {"type": "string", "minLength": 1}},
    "required": ["name"],
    "additionalProperties": False,
})

add_floating_ip = action("addFloatingIp", {
    "type": "object",
    "properties": {"address": _ip_address, "fixed_address": _ip_address},
    "required": ["address"],
    "additionalProperties": False,
})

remove_floating_ip = action("removeFloatingIp", {
    "type": "object",
    "properties": {"address": _ip_address},
    "required": ["address"],
    "additionalProperties": False,
})

security_group: dict[str, Any] = {
    "type": "object",
    "properties": {
        "security_group": {
            "type": "object",
            "properties": {"name": dict(_text, minLength=1), "description": _text},
            "required": ["name", "description"],
        },
    },
    "required": ["security_group"],
}

_port: dict[str, Any] = {"type": ["integer", "string", "null"]}

security_group_rule: dict[str, Any] = {
    "type": "object",
    "properties": {
        "security_group_rule": {
            "type": "object",
            "properties": {
                "parent_group_id": {"type": ["string", "integer"]},
                "ip_protocol": {"type": ["string", "null"]},
                "from_port": _port,
                "to_port": _port,
                "cidr": {"type": ["string", "null"]},
                "group_id": {"type": ["string", "integer", "null"]},
            },
            "required": ["parent_group_id"],
        },
    },
    "required": ["security_group_rule"],
}

floating_ip_create: dict[str, Any] = {
    "type": ["object", "null"],
    "properties": {"pool": {"type": ["string", "null"]}},
}

interface_attachment: dict[str, Any] = {
    "type": "object",
    "properties": {
        "interfaceAttachment": {
            "type": "object",
            "properties": {
                "net_id": _uuid,
                "port_id": _uuid,
                "fixed_ips": {
                    "type": "array", "minItems": 1, "maxItems": 1,
                    "items": {
                        "type": "object",
                        "properties": {"ip_address": _ip_address},
                        "required": ["ip_address"],
                        "additionalProperties": False,
                    },
                },
            },
            "additionalProperties": False,
        },
    },
    "additionalProperties": False,
}

add_fixed_ip = action("addFixedIp", {
    "type": "object",
    "properties": {"networkId": {"type": ["string", "integer"], "minLength": 1}},
    "required": ["networkId"],
    "additionalProperties": False,
})

remove_fixed_ip = action("removeFixedIp", {
    "type": "object",
    "properties": {"address": _ip_address},
    "required": ["address"],
    "additionalProperties": False,
})
