"""
Request bodies of C{PUT /os-services/...}: before 2.53 the body names the
service by host and binary (the path names the action); from 2.53 the path
names it by id and the body says what changes.
"""

from __future__ import annotations

import copy
from typing import Any

from novatx.extensions.compute.schemas import _params

#: nova's C{fqdn}: what a services table host may be.
HOST = {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[a-zA-Z0-9-._]*$"}
REASON = {"type": "string", "minLength": 1, "maxLength": 255}

#: 2.1 .. 2.10: C{enable}, C{disable}, C{disable-log-reason}.
action: dict[str, Any] = {
    "type": "object",
    "properties": {
        "host": HOST,
        "binary": {"type": "string", "minLength": 1, "maxLength": 255},
        "disabled_reason": REASON,
    },
    "required": ["host", "binary"],
    "additionalProperties": False,
}

#: 2.11 .. 2.52: and C{force-down}.
action_211 = copy.deepcopy(action)
action_211["properties"]["forced_down"] = _params.boolean

#: From 2.53: no property is required; code refuses a body that changes nothing.
update_253: dict[str, Any] = {
    "type": "object",
    "properties": {
        "status": {"type": "string", "enum": ["enabled", "disabled"]},
        "disabled_reason": REASON,
        "forced_down": _params.boolean,
    },
    "additionalProperties": False,
}
