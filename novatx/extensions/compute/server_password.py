"""
C{/servers/{id}/os-server-password}: the password the instance encrypted
with its key pair and posted to the metadata API (the same one EC2's
GetPasswordData shows); C{DELETE} forgets it (204).
"""

from __future__ import annotations

from typing import Any

from novatx.extensions.compute._extension import ComputeResource, deferred
from novatx.extensions.compute.policies import server_extras as policies
from novatx.extensions.interfaces import Route


class ServerPassword(ComputeResource):
    """A server's encrypted password."""

    name = "ServerPassword"
    alias = "os-server-password"
    policy_defaults = policies.PASSWORD_RULES

    def routes(self) -> list[Route]:
        path = "/servers/<server_id>/os-server-password"
        return [
            Route(path, ("GET",), self.show, "os-server-password.show",
                  policy=policies.SERVER_PASSWORD % "show"),
            Route(path, ("DELETE",), self.clear, "os-server-password.clear",
                  policy=policies.SERVER_PASSWORD % "clear", status=204),
        ]

    @deferred
    async def show(self, request: Any, server_id: str) -> dict[str, Any]:
        return {"password": await self.compute.get_server_password(request.context, server_id)}

    @deferred
    async def clear(self, request: Any, server_id: str) -> None:
        await self.compute.clear_server_password(request.context, server_id)
