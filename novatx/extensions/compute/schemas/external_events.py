"""Request body of C{POST /os-server-external-events}."""

from __future__ import annotations

from typing import Any

from novatx.extensions.compute.schemas.servers import uuid

#: The event names nova takes (the newer ones arrived with 2.51, 2.76, 2.82, 2.93).
EVENT_NAMES = ["network-changed", "network-vif-plugged", "network-vif-unplugged",
               "network-vif-deleted", "volume-extended", "power-update",
               "accelerator-request-bound", "volume-reimaged"]

create: dict[str, Any] = {
    "type": "object",
    "properties": {
        "events": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "properties": {
                    "server_uuid": uuid,
                    "name": {"type": "string", "enum": EVENT_NAMES},
                    "status": {"type": "string", "enum": ["failed", "completed", "in-progress"]},
                    "tag": {"type": "string", "maxLength": 255},
                },
                "required": ["server_uuid", "name"],
                "additionalProperties": False,
            },
        },
    },
    "required": ["events"],
    "additionalProperties": False,
}
