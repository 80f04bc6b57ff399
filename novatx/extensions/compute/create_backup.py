"""
C{os-create-backup}: the C{createBackup} action, a snapshot kept in a
rotation of C{rotation} backups of its C{backup_type}. As for createImage,
from 2.45 the answer's body names the image, before its C{Location} header;
a rotation of 0 makes no image and answers with neither.
"""

from __future__ import annotations

from typing import Any

from novatx.extensions.compute._extension import ComputeResource, deferred
from novatx.extensions.compute.policies import servers as policies
from novatx.extensions.compute.schemas import servers as schemas
from novatx.extensions.compute.servers_views import V2_45, version_of
from novatx.extensions.interfaces import Action, Response


class CreateBackup(ComputeResource):
    """Back a server up."""

    name = "CreateBackup"
    alias = "os-create-backup"
    policy_defaults = policies.create_backup_rules()

    def actions(self) -> dict[str, list[Action]]:
        return {
            "servers": [
                Action("createBackup", self.create_backup, schema=schemas.create_backup,
                       policy=policies.CREATE_BACKUP),
            ]
        }

    @deferred
    async def create_backup(self, request: Any, server_id: str, body: dict) -> Response:
        image = await self.compute.backup(
            request.context, server_id, body["name"], body["backup_type"], int(body["rotation"]),
            metadata=dict(body.get("metadata") or {}),
        )
        if image is None:
            return Response(None, status=202)
        if version_of(request) >= V2_45:
            return Response({"image_id": image.id}, status=202)
        location = request.project_url("images", image.id)
        return Response(None, status=202, headers={"Location": location})
