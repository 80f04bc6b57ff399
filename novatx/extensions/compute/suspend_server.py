"""C{os-suspend-server}: the C{suspend} and C{resume} actions (-> SUSPENDED -> ACTIVE)."""

from __future__ import annotations

from typing import Any

from novatx.extensions.compute._extension import ComputeResource, deferred
from novatx.extensions.compute.policies import servers as policies
from novatx.extensions.interfaces import Action


class SuspendServer(ComputeResource):
    """Suspend and resume."""

    name = "SuspendServer"
    alias = "os-suspend-server"
    policy_defaults = policies.suspend_rules()

    def actions(self) -> dict[str, list[Action]]:
        return {
            "servers": [
                Action("suspend", self.suspend, policy=policies.SUSPEND % "suspend"),
                Action("resume", self.resume, policy=policies.SUSPEND % "resume"),
            ]
        }

    @deferred
    async def suspend(self, request: Any, server_id: str, body: Any) -> None:
        await self.compute.suspend(request.context, server_id)

    @deferred
    async def resume(self, request: Any, server_id: str, body: Any) -> None:
        await self.compute.resume(request.context, server_id)
