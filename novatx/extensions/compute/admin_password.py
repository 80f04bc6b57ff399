"""C{os-admin-password}: the C{changePassword} action (the password is kept, never shown)."""

from __future__ import annotations

from typing import Any

from novatx.extensions.compute._extension import ComputeResource, deferred
from novatx.extensions.compute.policies import servers as policies
from novatx.extensions.compute.schemas import servers as schemas
from novatx.extensions.interfaces import Action


class AdminPassword(ComputeResource):
    """Change a server's admin password."""

    name = "AdminPassword"
    alias = "os-admin-password"
    policy_defaults = policies.admin_password_rules()

    def actions(self) -> dict[str, list[Action]]:
        return {
            "servers": [
                Action("changePassword", self.change_password, schema=schemas.change_password,
                       policy=policies.ADMIN_PASSWORD),
            ]
        }

    @deferred
    async def change_password(self, request: Any, server_id: str, body: dict) -> None:
        await self.compute.change_password(request.context, server_id, body["adminPass"])
