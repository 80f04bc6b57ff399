"""C{os-pause-server}: the C{pause} and C{unpause} actions (ACTIVE <-> PAUSED)."""

from __future__ import annotations

from typing import Any

from novatx.extensions.compute._extension import ComputeResource, deferred
from novatx.extensions.compute.policies import servers as policies
from novatx.extensions.interfaces import Action


class PauseServer(ComputeResource):
    """Pause and unpause."""

    name = "PauseServer"
    alias = "os-pause-server"
    policy_defaults = policies.pause_rules()

    def actions(self) -> dict[str, list[Action]]:
        return {
            "servers": [
                Action("pause", self.pause, policy=policies.PAUSE % "pause"),
                Action("unpause", self.unpause, policy=policies.PAUSE % "unpause"),
            ]
        }

    @deferred
    async def pause(self, request: Any, server_id: str, body: Any) -> None:
        await self.compute.pause(request.context, server_id)

    @deferred
    async def unpause(self, request: Any, server_id: str, body: Any) -> None:
        await self.compute.unpause(request.context, server_id)
