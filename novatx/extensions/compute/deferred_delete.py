"""
C{os-deferred-delete}: the C{restore} and C{forceDelete} actions on a server
that a delete left SOFT_DELETED (C{[DEFAULT] reclaim_instance_interval} >
0). Restore brings it back ACTIVE; forceDelete deletes it at once.
"""

from __future__ import annotations

from typing import Any

from novatx.extensions.compute._extension import ComputeResource, deferred
from novatx.extensions.compute.policies import servers as policies
from novatx.extensions.interfaces import Action


class DeferredDelete(ComputeResource):
    """Restore or delete at once a soft-deleted server."""

    name = "DeferredDelete"
    alias = "os-deferred-delete"
    policy_defaults = policies.deferred_delete_rules()

    def actions(self) -> dict[str, list[Action]]:
        return {
            "servers": [
                Action("restore", self.restore, policy=policies.DEFERRED_DELETE % "restore"),
                Action("forceDelete", self.force_delete,
                       policy=policies.DEFERRED_DELETE % "force"),
            ]
        }

    @deferred
    async def restore(self, request: Any, server_id: str, body: Any) -> None:
        await self.compute.restore_server(request.context, server_id)

    @deferred
    async def force_delete(self, request: Any, server_id: str, body: Any) -> None:
        await self.compute.force_delete_server(request.context, server_id)
