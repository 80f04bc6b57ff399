"""
Request schemas of a server's volume attachments (by microversion) and of
the volume proxies, as nova's.
"""

from __future__ import annotations

import copy
from typing import Any

from novatx.extensions.compute.schemas._params import boolean, positive_integer
from novatx.extensions.compute.schemas.servers import metadata, tag, uuid

#: nova's C{match_device} pattern.
device = {"type": ["string", "null"], "pattern": "(^/dev/x{0,1}[a-z]{0,1}d{0,1})([a-z]+)[0-9]*$"}

attachment_create: dict[str, Any] = {
    "type": "object",
    "properties": {
        "volumeAttachment": {
            "type": "object",
            "properties": {"volumeId": uuid, "device": device},
            "required": ["volumeId"],
            "additionalProperties": False,
        },
    },
    "required": ["volumeAttachment"],
    "additionalProperties": False,
}
attachment_create_v249 = copy.deepcopy(attachment_create)
attachment_create_v249["properties"]["volumeAttachment"]["properties"]["tag"] = tag
attachment_create_v279 = copy.deepcopy(attachment_create_v249)
attachment_create_v279["properties"]["volumeAttachment"]["properties"][
    "delete_on_termination"] = boolean

ATTACHMENT_CREATE = [
    ("2.1", "2.48", attachment_create),
    ("2.49", "2.78", attachment_create_v249),
    ("2.79", None, attachment_create_v279),
]

attachment_update = copy.deepcopy(attachment_create)
del attachment_update["properties"]["volumeAttachment"]["properties"]["device"]

#: 2.85: the body may repeat what a show answers, only C{delete_on_termination} changes.
attachment_update_v285: dict[str, Any] = {
    "type": "object",
    "properties": {
        "volumeAttachment": {
            "type": "object",
            "properties": {
                "volumeId": uuid, "device": device, "tag": tag,
                "delete_on_termination": boolean, "serverId": uuid, "id": uuid,
            },
            "required": ["volumeId"],
            "additionalProperties": False,
        },
    },
    "required": ["volumeAttachment"],
    "additionalProperties": False,
}

ATTACHMENT_UPDATE = [
    ("2.1", "2.84", attachment_update),
    ("2.85", None, attachment_update_v285),
]

_text = {"type": ["string", "null"], "maxLength": 255}

volume_create: dict[str, Any] = {
    "type": "object",
    "properties": {
        "volume": {
            "type": "object",
            "properties": {
                "volume_type": {"type": "string"},
                "metadata": metadata,
                "snapshot_id": uuid,
                "size": positive_integer,
                "availability_zone": {"type": "string"},
                "display_name": _text,
                "display_description": _text,
            },
            "required": ["size"],
            "additionalProperties": False,
        },
    },
    "required": ["volume"],
    "additionalProperties": False,
}

snapshot_create: dict[str, Any] = {
    "type": "object",
    "properties": {
        "snapshot": {
            "type": "object",
            "properties": {
                "volume_id": {"type": "string", "minLength": 1},
                "force": boolean,
                "display_name": _text,
                "display_description": _text,
            },
            "required": ["volume_id"],
            "additionalProperties": False,
        },
    },
    "required": ["snapshot"],
    "additionalProperties": False,
}

_nonempty = {"type": "string", "minLength": 1}

#: C{POST /os-assisted-volume-snapshots}, as nova's schema has it.
assisted_snapshot: dict[str, Any] = {
    "type": "object",
    "properties": {
        "snapshot": {
            "type": "object",
            "properties": {
                "volume_id": _nonempty,
                "create_info": {
                    "type": "object",
                    "properties": {
                        "snapshot_id": _nonempty,
                        "type": {"type": "string", "enum": ["qcow2"]},
                        "new_file": _nonempty,
                        "id": _nonempty,
                    },
                    "required": ["snapshot_id", "type", "new_file"],
                    "additionalProperties": False,
                },
            },
            "required": ["volume_id", "create_info"],
            "additionalProperties": False,
        },
    },
    "required": ["snapshot"],
    "additionalProperties": False,
}
