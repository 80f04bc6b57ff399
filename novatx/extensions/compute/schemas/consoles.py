"""Request bodies of the remote console actions and C{remote-consoles} (2.6)."""

from __future__ import annotations

from typing import Any

from novatx.extensions.compute.schemas.servers import action


def _typed(key: str, types: list[str]) -> dict[str, Any]:
    return action(key, {
        "type": "object",
        "properties": {"type": {"type": "string", "enum": types}},
        "required": ["type"],
        "additionalProperties": False,
    })


get_vnc_console = _typed("os-getVNCConsole", ["novnc", "xvpvnc"])
get_spice_console = _typed("os-getSPICEConsole", ["spice-html5"])
get_rdp_console = _typed("os-getRDPConsole", ["rdp-html5"])
get_serial_console = _typed("os-getSerialConsole", ["serial"])

remote_console: dict[str, Any] = {
    "type": "object",
    "properties": {
        "remote_console": {
            "type": "object",
            "properties": {
                "protocol": {"type": "string", "enum": ["vnc", "spice", "rdp", "serial", "mks"]},
                "type": {"type": "string", "enum": ["novnc", "xvpvnc", "rdp-html5", "spice-html5",
                                                   "spice-direct", "serial", "webmks"]},
            },
            "required": ["protocol", "type"],
            "additionalProperties": False,
        },
    },
    "required": ["remote_console"],
    "additionalProperties": False,
}
