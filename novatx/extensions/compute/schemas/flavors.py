"""Request bodies of the flavor resources: create, update, extra specs, access."""

from __future__ import annotations

import copy
from typing import Any

from novatx.extensions.compute.schemas import _params

_flavor_properties: dict[str, Any] = {
    "name": _params.name,
    "id": {
        "type": ["string", "number", "null"],
        "minLength": 1,
        "maxLength": 255,
        "pattern": r"^(?! )[a-zA-Z0-9. _-]+(?<! )$",
    },
    "ram": _params.positive_integer,
    "vcpus": _params.positive_integer,
    "disk": _params.non_negative_integer,
    "OS-FLV-EXT-DATA:ephemeral": _params.non_negative_integer,
    "swap": _params.non_negative_integer,
    "rxtx_factor": {
        "type": ["number", "string"],
        "pattern": r"^[0-9]+(\.[0-9]+)?$",
        "minimum": 0,
        "exclusiveMinimum": True,
        "maximum": 3.40282e38,
    },
    "os-flavor-access:is_public": _params.boolean,
}

create: dict[str, Any] = {
    "type": "object",
    "properties": {
        "flavor": {
            "type": "object",
            "properties": _flavor_properties,
            "required": ["name", "ram", "vcpus", "disk"],
            "additionalProperties": False,
        },
    },
    "required": ["flavor"],
    "additionalProperties": False,
}

#: From 2.55 a flavor may carry a description.
create_v255 = copy.deepcopy(create)
create_v255["properties"]["flavor"]["properties"]["description"] = _params.description

#: C{PUT /flavors/{id}} (2.55): only the description changes.
update_v255: dict[str, Any] = {
    "type": "object",
    "properties": {
        "flavor": {
            "type": "object",
            "properties": {"description": _params.description},
            "required": ["description"],
            "additionalProperties": False,
        },
    },
    "required": ["flavor"],
    "additionalProperties": False,
}

#: Extra spec keys nova accepts, and their values (numbers become strings).
EXTRA_SPEC_KEY = r"^[a-zA-Z0-9-_:. ]{1,255}$"
_extra_specs: dict[str, Any] = {
    "type": "object",
    "patternProperties": {
        EXTRA_SPEC_KEY: {"type": ["string", "number", "boolean"], "minLength": 0, "maxLength": 255},
    },
    "additionalProperties": False,
}

extra_specs_create: dict[str, Any] = {
    "type": "object",
    "properties": {"extra_specs": _extra_specs},
    "required": ["extra_specs"],
    "additionalProperties": False,
}

extra_spec_update: dict[str, Any] = dict(_extra_specs, minProperties=1, maxProperties=1)

_tenant_action: dict[str, Any] = {
    "type": "object",
    "properties": {"tenant": _params.project_id},
    "required": ["tenant"],
    "additionalProperties": False,
}

add_tenant_access: dict[str, Any] = {
    "type": "object",
    "properties": {"addTenantAccess": _tenant_action},
    "required": ["addTenantAccess"],
    "additionalProperties": False,
}

remove_tenant_access: dict[str, Any] = {
    "type": "object",
    "properties": {"removeTenantAccess": _tenant_action},
    "required": ["removeTenantAccess"],
    "additionalProperties": False,
}
