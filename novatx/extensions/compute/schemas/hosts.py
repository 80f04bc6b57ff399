"""Request bodies of C{/os-hosts}: the update (up to 2.42)."""

from __future__ import annotations

from typing import Any

_switch = {"type": "string", "enum": ["enable", "disable", "Enable", "Disable",
                                      "ENABLE", "DISABLE"]}

update: dict[str, Any] = {
    "type": "object",
    "properties": {"status": _switch, "maintenance_mode": _switch},
    "anyOf": [{"required": ["status"]}, {"required": ["maintenance_mode"]}],
    "additionalProperties": False,
}
