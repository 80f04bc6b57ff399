"""
C{os-admin-actions}: the admins' C{os-resetState} (to C{active} or
C{error}, the task state cleared) and C{injectNetworkInfo} (recorded; the
simulated host has nothing to inject).
"""

from __future__ import annotations

from typing import Any

from novatx.extensions.compute._extension import ComputeResource, deferred
from novatx.extensions.compute.policies import servers as policies
from novatx.extensions.compute.schemas import servers as schemas
from novatx.extensions.interfaces import Action


class AdminActions(ComputeResource):
    """Reset a server's state; inject its network info."""

    name = "AdminActions"
    alias = "os-admin-actions"
    policy_defaults = policies.admin_actions_rules()

    def actions(self) -> dict[str, list[Action]]:
        return {
            "servers": [
                Action("os-resetState", self.reset_state, schema=schemas.reset_state,
                       policy=policies.ADMIN_ACTIONS % "reset_state"),
                Action("injectNetworkInfo", self.inject_network_info,
                       policy=policies.ADMIN_ACTIONS % "inject_network_info"),
            ]
        }

    @deferred
    async def reset_state(self, request: Any, server_id: str, body: dict) -> None:
        await self.compute.reset_state(request.context, server_id, body["state"])

    @deferred
    async def inject_network_info(self, request: Any, server_id: str, body: Any) -> None:
        await self.compute.inject_network_info(request.context, server_id)
