"""
C{os-remote-consoles}: nova's answers on a deployment with no consoles. The
simulated hosts have no VNC, SPICE, RDP, serial or MKS consoles, so asking
for one is nova's 400 "Unavailable console type ..." once the server is
found; the old actions (C{os-getVNCConsole} and its siblings) stop at 2.5,
after which C{POST /servers/{id}/remote-consoles} (2.6) is the way to ask.
"""

from __future__ import annotations

from typing import Any

from novatx.compute.exceptions import Invalid
from novatx.extensions.compute._extension import ComputeResource, deferred
from novatx.extensions.compute.policies import server_extras as policies
from novatx.extensions.compute.schemas import consoles as schemas
from novatx.extensions.interfaces import Action, Route

#: The old actions and the console type each asks for by default.
_ACTIONS = (
    ("os-getVNCConsole", schemas.get_vnc_console),
    ("os-getSPICEConsole", schemas.get_spice_console),
    ("os-getRDPConsole", schemas.get_rdp_console),
    ("os-getSerialConsole", schemas.get_serial_console),
)


class RemoteConsoles(ComputeResource):
    """Remote consoles, none of which the simulated hosts have."""

    name = "Consoles"
    alias = "os-remote-consoles"
    policy_defaults = policies.CONSOLE_RULES

    def routes(self) -> list[Route]:
        return [
            Route("/servers/<server_id>/remote-consoles", ("POST",), self.create,
                  "os-remote-consoles.create", schema=schemas.remote_console,
                  policy=policies.REMOTE_CONSOLES, min_version="2.6"),
        ]

    def actions(self) -> dict[str, list[Action]]:
        return {
            "servers": [
                Action(name, self._old_action(name), schema=schema,
                       policy=policies.REMOTE_CONSOLES, max_version="2.5", status=200)
                for name, schema in _ACTIONS
            ]
        }

    def _old_action(self, name: str) -> Any:
        @deferred
        async def action(request: Any, server_id: str, body: dict) -> None:
            await self._unavailable(request, server_id, body["type"])
        action.__name__ = name
        return action

    async def _unavailable(self, request: Any, server_id: str, console_type: str) -> None:
        await self.compute.get_server(request.context, server_id)
        raise Invalid("Unavailable console type %s." % console_type)

    @deferred
    async def create(self, request: Any, server_id: str) -> None:
        """C{POST /servers/{id}/remote-consoles}: 400 once the server is found."""
        await self._unavailable(request, server_id, request.body["remote_console"]["type"])
