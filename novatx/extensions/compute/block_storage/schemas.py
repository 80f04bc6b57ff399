"""Request schemas of the Block Storage subset, as cinder's v3 schemas."""

from __future__ import annotations

from typing import Any

from novatx.extensions.compute.schemas._params import MAX_INT, boolean

#: cinder's C{volume_size}: an integer (or its digits), at least 1; null when
#: a source gives the size.
volume_size = {"type": ["integer", "string", "null"], "pattern": "^[0-9]+$", "minimum": 1,
               "maximum": MAX_INT}

_text = {"type": ["string", "null"], "maxLength": 255}
_uuid_or_null = {"type": ["string", "null"], "format": "uuid"}

metadata: dict[str, Any] = {
    "type": ["object", "null"],
    "patternProperties": {"^[a-zA-Z0-9-_:. /]{1,255}$": {"type": "string", "maxLength": 255}},
    "additionalProperties": False,
}

create: dict[str, Any] = {
    "type": "object",
    "properties": {
        "volume": {
            "type": "object",
            "properties": {
                "name": _text,
                "description": _text,
                "display_name": _text,
                "display_description": _text,
                "size": volume_size,
                "availability_zone": _text,
                "volume_type": {"type": ["string", "null"], "maxLength": 255},
                "metadata": metadata,
                "snapshot_id": _uuid_or_null,
                "imageRef": {"type": ["string", "null"]},
                "image_id": {"type": ["string", "null"]},
                "source_volid": _uuid_or_null,
                "multiattach": {"type": ["boolean", "null"], "enum": [False, None]},
                "consistencygroup_id": _uuid_or_null,
                "backup_id": {"type": ["string", "null"], "maxLength": 0},
            },
            "additionalProperties": False,
        },
        "OS-SCH-HNT:scheduler_hints": {"type": ["object", "null"]},
    },
    "required": ["volume"],
    "additionalProperties": False,
}

update: dict[str, Any] = {
    "type": "object",
    "properties": {
        "volume": {
            "type": "object",
            "properties": {
                "name": _text, "description": _text, "display_name": _text,
                "display_description": _text, "metadata": metadata,
            },
            "additionalProperties": False,
        },
    },
    "required": ["volume"],
    "additionalProperties": False,
}

metadata_set: dict[str, Any] = {
    "type": "object",
    "properties": {"metadata": dict(metadata, type="object")},
    "required": ["metadata"],
    "additionalProperties": False,
}

metadata_item: dict[str, Any] = {
    "type": "object",
    "properties": {"meta": dict(metadata, type="object", minProperties=1, maxProperties=1)},
    "required": ["meta"],
    "additionalProperties": False,
}

action: dict[str, Any] = {"type": "object", "minProperties": 1, "maxProperties": 1}

extend = {
    "type": "object",
    "properties": {"new_size": dict(volume_size, type=["integer", "string"])},
    "required": ["new_size"],
    "additionalProperties": False,
}

snapshot_create: dict[str, Any] = {
    "type": "object",
    "properties": {
        "snapshot": {
            "type": "object",
            "properties": {
                "name": _text, "description": _text, "display_name": _text,
                "display_description": _text, "volume_id": {"type": "string", "format": "uuid"},
                "force": boolean, "metadata": metadata,
            },
            "required": ["volume_id"],
            "additionalProperties": False,
        },
    },
    "required": ["snapshot"],
    "additionalProperties": False,
}

snapshot_update: dict[str, Any] = {
    "type": "object",
    "properties": {
        "snapshot": {
            "type": "object",
            "properties": {
                "name": _text, "description": _text, "display_name": _text,
                "display_description": _text,
            },
            "additionalProperties": False,
        },
    },
    "required": ["snapshot"],
    "additionalProperties": False,
}
