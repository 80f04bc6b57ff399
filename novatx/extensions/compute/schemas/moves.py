"""Request bodies of C{migrate}, C{os-migrateLive} and C{evacuate}, by microversion."""

from __future__ import annotations

from typing import Any

from novatx.extensions.compute.schemas.servers import (
    MAX_VERSION, action, admin_password, boolean, fqdn,
)

_host_or_null = {"oneOf": [fqdn, {"type": "null"}]}


def _object(properties: dict[str, Any], required: list[str] = ()) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(required),
            "additionalProperties": False}


migrate = [
    # Before 2.56 nova reads nothing of the body: tempest sends {"migrate": {}}.
    ("2.1", "2.55", action("migrate", {"type": ["object", "null"]})),
    ("2.56", MAX_VERSION, action("migrate", {"oneOf": [
        {"type": "null"}, _object({"host": _host_or_null})]})),
]

_auto = {"oneOf": [boolean, {"type": "string", "enum": ["auto"]}]}

live_migrate = [
    ("2.1", "2.24", action("os-migrateLive", _object(
        {"block_migration": boolean, "disk_over_commit": boolean, "host": _host_or_null},
        ["block_migration", "disk_over_commit", "host"]))),
    ("2.25", "2.29", action("os-migrateLive", _object(
        {"block_migration": _auto, "host": _host_or_null}, ["block_migration", "host"]))),
    ("2.30", "2.67", action("os-migrateLive", _object(
        {"block_migration": _auto, "host": _host_or_null, "force": boolean},
        ["block_migration", "host"]))),
    ("2.68", MAX_VERSION, action("os-migrateLive", _object(
        {"block_migration": _auto, "host": _host_or_null}, ["block_migration", "host"]))),
]

evacuate = [
    ("2.1", "2.13", action("evacuate", _object(
        {"host": fqdn, "onSharedStorage": boolean, "adminPass": admin_password},
        ["onSharedStorage"]))),
    ("2.14", "2.28", action("evacuate", _object({"host": fqdn, "adminPass": admin_password}))),
    ("2.29", "2.67", action("evacuate", _object(
        {"host": fqdn, "adminPass": admin_password, "force": boolean}))),
    ("2.68", MAX_VERSION, action("evacuate", _object(
        {"host": fqdn, "adminPass": admin_password}))),
]
