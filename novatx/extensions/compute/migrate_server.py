"""
C{os-migrate-server} and C{os-evacuate} (admins): the C{migrate},
C{os-migrateLive} and C{evacuate} actions, answered as nova answers on a
deployment with a single compute host (L{novatx.compute.api.moves}): a cold
migration is a 400, a live migration is accepted and fails in the
background, an evacuation is refused while the server's host is up.
"""

from __future__ import annotations

from typing import Any

from novatx.extensions.compute._extension import ComputeResource, deferred, version_tuple
from novatx.extensions.compute.policies import servers as policies
from novatx.extensions.compute.schemas import moves as schemas
from novatx.extensions.compute.server_support import generate_password, option
from novatx.extensions.interfaces import Action, Response

V2_14 = (2, 14)


class MigrateServer(ComputeResource):
    """Cold and live migration."""

    name = "MigrateServer"
    alias = "os-migrate-server"
    policy_defaults = policies.migrate_server_rules()

    def actions(self) -> dict[str, list[Action]]:
        return {
            "servers": [
                Action("migrate", self.migrate, schema=schemas.migrate,
                       policy=policies.MIGRATE_SERVER % "migrate"),
                Action("os-migrateLive", self.live_migrate, schema=schemas.live_migrate,
                       policy=policies.MIGRATE_SERVER % "migrate_live"),
            ]
        }

    @deferred
    async def migrate(self, request: Any, server_id: str, body: Any) -> None:
        host = body.get("host") if isinstance(body, dict) else None
        await self.compute.migrate_server(request.context, server_id, host=host)

    @deferred
    async def live_migrate(self, request: Any, server_id: str, body: dict) -> None:
        await self.compute.live_migrate_server(request.context, server_id, host=body.get("host"))


class Evacuate(ComputeResource):
    """Rebuild a server of a failed host elsewhere."""

    name = "Evacuate"
    alias = "os-evacuate"
    policy_defaults = policies.evacuate_rules()

    def actions(self) -> dict[str, list[Action]]:
        return {
            "servers": [
                Action("evacuate", self.evacuate, schema=schemas.evacuate,
                       policy=policies.EVACUATE, status=200),
            ]
        }

    @deferred
    async def evacuate(self, request: Any, server_id: str, body: dict) -> Response:
        await self.compute.evacuate_server(request.context, server_id, host=body.get("host"))
        if version_tuple(request) >= V2_14:
            return Response(None, status=200)
        if option(self.config, "api", "enable_instance_password", True):
            return Response({"adminPass": body.get("adminPass") or generate_password()})
        return Response({})
