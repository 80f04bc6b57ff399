"""
The request body of C{POST /behaviours}.

The schema checks shapes; the values (known effects, statuses, globs, the
window) are checked by the behaviours' internal API, which says what is wrong
in words a test author reads.
"""

from __future__ import annotations

from typing import Any

_TEXT = {"type": "string", "minLength": 1, "maxLength": 255}
_TIME = {"type": "string", "format": "date-time"}

create: dict[str, Any] = {
    "type": "object",
    "properties": {
        "behaviour": {
            "type": "object",
            "properties": {
                "project_id": _TEXT,
                "effect": _TEXT,
                "params": {"type": "object"},
                "count": _TEXT,
                "times": {"type": "integer"},
                "api": _TEXT,
                "method": _TEXT,
                "path": _TEXT,
                "ec2_action": _TEXT,
                "server_name": _TEXT,
                "not_before": _TIME,
                "not_after": _TIME,
            },
            "required": ["effect"],
            "additionalProperties": False,
        },
    },
    "required": ["behaviour"],
    "additionalProperties": False,
}

#: C{POST /behaviours/clock}: C{{"advance": seconds}} or C{{"set": "<ISO 8601>"}}.
clock: dict[str, Any] = {
    "type": "object",
    "properties": {
        "advance": {"type": "number"},
        "set": _TIME,
    },
    "minProperties": 1,
    "maxProperties": 1,
    "additionalProperties": False,
}
