"""
C{os-lock-server}: the C{lock} and C{unlock} actions. A locked server refuses
its owner's actions (409) until unlocked; from 2.73 a lock may give a reason,
shown as C{locked_reason}. The internal API keeps an admin's lock from being
undone by the owner.
"""

from __future__ import annotations

from typing import Any

from novatx.extensions.compute._extension import ComputeResource, deferred
from novatx.extensions.compute.policies import servers as policies
from novatx.extensions.compute.schemas import servers as schemas
from novatx.extensions.compute.servers_views import V2_73, version_of
from novatx.extensions.interfaces import Action


class LockServer(ComputeResource):
    """Lock and unlock."""

    name = "LockServer"
    alias = "os-lock-server"
    policy_defaults = policies.lock_rules()

    def actions(self) -> dict[str, list[Action]]:
        return {
            "servers": [
                Action("lock", self.lock, schema=schemas.lock, policy=policies.LOCK % "lock"),
                Action("unlock", self.unlock, policy=policies.LOCK % "unlock"),
            ]
        }

    @deferred
    async def lock(self, request: Any, server_id: str, body: Any) -> None:
        reason = None
        if version_of(request) >= V2_73 and isinstance(body, dict):
            reason = body.get("locked_reason")
        await self.compute.lock(request.context, server_id, reason=reason)

    @deferred
    async def unlock(self, request: Any, server_id: str, body: Any) -> None:
        await self.compute.unlock(request.context, server_id)
