"""Request bodies of the compute API's image metadata routes."""

from __future__ import annotations

from typing import Any

#: Metadata keys and values: strings of up to 255 characters.
_metadata: dict[str, Any] = {
    "type": "object",
    "patternProperties": {
        "^[a-zA-Z0-9-_:. ]{1,255}$": {"type": "string", "maxLength": 255},
    },
    "additionalProperties": False,
}

metadata: dict[str, Any] = {
    "type": "object",
    "properties": {"metadata": _metadata},
    "required": ["metadata"],
    "additionalProperties": False,
}

meta_item: dict[str, Any] = {
    "type": "object",
    "properties": {"meta": dict(_metadata, minProperties=1, maxProperties=1)},
    "required": ["meta"],
    "additionalProperties": False,
}
