"""Request bodies of C{POST /os-server-groups}, per microversion range."""

from __future__ import annotations

import copy
from typing import Any

from novatx.extensions.compute.schemas import _params

HARD_POLICIES = ["anti-affinity", "affinity"]
#: 2.15: the soft policies.
ALL_POLICIES = HARD_POLICIES + ["soft-anti-affinity", "soft-affinity"]

create: dict[str, Any] = {
    "type": "object",
    "properties": {
        "server_group": {
            "type": "object",
            "properties": {
                "name": _params.name,
                "policies": {
                    "type": "array",
                    "items": [{"type": "string", "enum": HARD_POLICIES}],
                    "uniqueItems": True,
                    "minItems": 1,
                    "additionalItems": False,
                },
            },
            "required": ["name", "policies"],
            "additionalProperties": False,
        },
    },
    "required": ["server_group"],
    "additionalProperties": False,
}

create_v215 = copy.deepcopy(create)
create_v215["properties"]["server_group"]["properties"]["policies"]["items"] = [
    {"type": "string", "enum": ALL_POLICIES}
]

#: 2.64: one C{policy} and its C{rules}.
create_v264: dict[str, Any] = {
    "type": "object",
    "properties": {
        "server_group": {
            "type": "object",
            "properties": {
                "name": _params.name,
                "policy": {"type": "string", "enum": ALL_POLICIES},
                "rules": {
                    "type": "object",
                    "properties": {
                        "max_server_per_host": _params.positive_integer,
                    },
                    "additionalProperties": False,
                },
            },
            "required": ["name", "policy"],
            "additionalProperties": False,
        },
    },
    "required": ["server_group"],
    "additionalProperties": False,
}

BY_VERSION = [
    ("2.1", "2.14", create),
    ("2.15", "2.63", create_v215),
    ("2.64", None, create_v264),
]
