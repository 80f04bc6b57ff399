"""
C{os-shelve}: the C{shelve}, C{shelveOffload} (admins by default) and
C{unshelve} actions. From 2.77 an unshelve may name an availability zone.
"""

from __future__ import annotations

from typing import Any

from novatx.extensions.compute._extension import ComputeResource, deferred
from novatx.extensions.compute.policies import servers as policies
from novatx.extensions.compute.schemas import servers as schemas
from novatx.extensions.compute.servers_views import V2_77, version_of
from novatx.extensions.interfaces import Action


class Shelve(ComputeResource):
    """Shelve, offload, unshelve."""

    name = "Shelve"
    alias = "os-shelve"
    policy_defaults = policies.shelve_rules()

    def actions(self) -> dict[str, list[Action]]:
        return {
            "servers": [
                Action("shelve", self.shelve, policy=policies.SHELVE % "shelve"),
                Action("shelveOffload", self.shelve_offload, policy=policies.SHELVE % "shelve_offload"),
                Action("unshelve", self.unshelve, schema=schemas.unshelve, policy=policies.SHELVE % "unshelve"),
            ]
        }

    @deferred
    async def shelve(self, request: Any, server_id: str, body: Any) -> None:
        await self.compute.shelve(request.context, server_id)

    @deferred
    async def shelve_offload(self, request: Any, server_id: str, body: Any) -> None:
        await self.compute.shelve_offload(request.context, server_id)

    @deferred
    async def unshelve(self, request: Any, server_id: str, body: Any) -> None:
        zone = None
        if version_of(request) >= V2_77 and isinstance(body, dict):
            zone = body.get("availability_zone")
        await self.compute.unshelve(request.context, server_id, availability_zone=zone)
