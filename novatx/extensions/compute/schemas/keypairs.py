"""Request bodies of C{POST /os-keypairs}, one per microversion range."""

from __future__ import annotations

import copy
from typing import Any

from novatx.extensions.compute.schemas import _params

#: Names before 2.92: letters, digits, space, C{_} and C{-}.
NAME_20 = {"allOf": [_params.name, {"type": "string", "pattern": r"^[a-zA-Z0-9 _-]+$"}]}
#: From 2.92 also C{@} and C{.}.
NAME_292 = {"allOf": [_params.name, {"type": "string", "pattern": r"^[a-zA-Z0-9 @._-]+$"}]}

create: dict[str, Any] = {
    "type": "object",
    "properties": {
        "keypair": {
            "type": "object",
            "properties": {
                "name": NAME_20,
                "public_key": {"type": "string"},
            },
            "required": ["name"],
            "additionalProperties": False,
        },
    },
    "required": ["keypair"],
    "additionalProperties": False,
}

#: 2.2: the key's C{type}.
create_v22 = copy.deepcopy(create)
create_v22["properties"]["keypair"]["properties"]["type"] = {"type": "string", "enum": ["ssh", "x509"]}

#: 2.10: admins create for another C{user_id}.
create_v210 = copy.deepcopy(create_v22)
create_v210["properties"]["keypair"]["properties"]["user_id"] = {"type": "string"}

#: 2.92: no more generated keys; wider names.
create_v292 = copy.deepcopy(create_v210)
create_v292["properties"]["keypair"]["properties"]["name"] = NAME_292
create_v292["properties"]["keypair"]["required"] = ["name", "public_key"]

BY_VERSION = [
    ("2.1", "2.1", create),
    ("2.2", "2.9", create_v22),
    ("2.10", "2.91", create_v210),
    ("2.92", None, create_v292),
]
