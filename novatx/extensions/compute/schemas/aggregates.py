"""Request bodies of host aggregates: create, update and the actions."""

from __future__ import annotations

from typing import Any

from novatx.extensions.compute.schemas.servers import action, name, uuid

_zone = {"type": ["string", "null"], "minLength": 1, "maxLength": 255}

create: dict[str, Any] = {
    "type": "object",
    "properties": {
        "aggregate": {
            "type": "object",
            "properties": {"name": name, "availability_zone": _zone},
            "required": ["name"],
            "additionalProperties": False,
        },
    },
    "required": ["aggregate"],
    "additionalProperties": False,
}

update: dict[str, Any] = {
    "type": "object",
    "properties": {
        "aggregate": {
            "type": "object",
            "properties": {"name": name, "availability_zone": _zone},
            "additionalProperties": False,
            "minProperties": 1,
        },
    },
    "required": ["aggregate"],
    "additionalProperties": False,
}

_host = {
    "type": "object",
    "properties": {"host": name},
    "required": ["host"],
    "additionalProperties": False,
}

add_host = action("add_host", _host)
remove_host = action("remove_host", _host)

set_metadata = action("set_metadata", {
    "type": "object",
    "properties": {
        "metadata": {
            "type": "object",
            "patternProperties": {
                "^[a-zA-Z0-9-_:. ]{1,255}$": {"type": ["string", "null"], "maxLength": 255},
            },
            "additionalProperties": False,
        },
    },
    "required": ["metadata"],
    "additionalProperties": False,
})

cache_images: dict[str, Any] = {
    "type": "object",
    "properties": {
        "cache": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "properties": {"id": uuid},
                "required": ["id"],
                "additionalProperties": False,
            },
        },
    },
    "required": ["cache"],
    "additionalProperties": False,
}
