"""
C{os-rescue}: C{rescue} (a server boots its rescue system, from its own
image or C{rescue_image_ref}; the answer holds the rescue admin password
when passwords are shown) and C{unrescue}.
"""

from __future__ import annotations

from typing import Any

from novatx.compute import exceptions
from novatx.extensions.compute._extension import ComputeResource, deferred
from novatx.extensions.compute.policies import servers as policies
from novatx.extensions.compute.schemas import servers as schemas
from novatx.extensions.compute.server_support import generate_password, option
from novatx.extensions.interfaces import Action, Response


class Rescue(ComputeResource):
    """Rescue and unrescue a server."""

    name = "Rescue"
    alias = "os-rescue"
    policy_defaults = policies.rescue_rules()

    def actions(self) -> dict[str, list[Action]]:
        return {
            "servers": [
                Action("rescue", self.rescue, schema=schemas.rescue, policy=policies.RESCUE,
                       status=200),
                Action("unrescue", self.unrescue, policy=policies.UNRESCUE),
            ]
        }

    @deferred
    async def rescue(self, request: Any, server_id: str, body: Any) -> Response:
        body = body or {}
        password = body.get("adminPass") or generate_password()
        try:
            await self.compute.rescue(request.context, server_id, password,
                                      image_id=body.get("rescue_image_ref"))
        except exceptions.ImageNotFound:
            raise exceptions.Invalid("Cannot find image for rescue") from None
        if option(self.config, "api", "enable_instance_password", True):
            return Response({"adminPass": password}, status=200)
        return Response({}, status=200)

    @deferred
    async def unrescue(self, request: Any, server_id: str, body: Any) -> None:
        await self.compute.unrescue(request.context, server_id)
