"""
C{/os-assisted-volume-snapshots} (admins; cinder's file-based drivers call it):
nova asks the hypervisor holding an attached volume to snapshot or merge
its file. The simulated hosts keep no volume files, so each request is
checked as nova checks it (the volume must be attached: nova's 400
otherwise) and answered as nova answers, with nothing else done.
"""

from __future__ import annotations

import json
from typing import Any

from novatx.compute.exceptions import Invalid, NotFound
from novatx.extensions.compute import _listing
from novatx.extensions.compute._extension import ComputeResource, deferred
from novatx.extensions.compute.policies import volumes as policies
from novatx.extensions.compute.schemas import volumes as schemas
from novatx.extensions.interfaces import Response, Route


class VolumeBDMNotFound(Invalid):
    msg_fmt = "No volume Block Device Mapping with id %(volume_id)s."


class AssistedVolumeSnapshots(ComputeResource):
    """Snapshots of attached volumes' files, asked for by the block storage service."""

    name = "AssistedVolumeSnapshots"
    alias = "os-assisted-volume-snapshots"
    policy_defaults = policies.ASSISTED_SNAPSHOT_RULES

    def routes(self) -> list[Route]:
        return [
            Route("/os-assisted-volume-snapshots", ("POST",), self.create,
                  "os-assisted-volume-snapshots.create", schema=schemas.assisted_snapshot,
                  policy=policies.ASSISTED_SNAPSHOTS % "create"),
            Route("/os-assisted-volume-snapshots/<snapshot_id>", ("DELETE",), self.delete,
                  "os-assisted-volume-snapshots.delete",
                  policy=policies.ASSISTED_SNAPSHOTS % "delete"),
        ]

    async def _attached(self, request: Any, volume_id: str) -> None:
        """nova's refusal of a volume no server has attached."""
        try:
            volume = await self.compute.volumes.get_volume(request.context.elevated(), volume_id)
        except NotFound:
            raise VolumeBDMNotFound(volume_id=volume_id) from None
        if not volume.attachments:
            raise VolumeBDMNotFound(volume_id=volume_id)

    @deferred
    async def create(self, request: Any) -> dict[str, Any]:
        snapshot = request.body["snapshot"]
        await self._attached(request, snapshot["volume_id"])
        # nova answers with the id create_info gave, if any (tempest's gives none).
        return {"snapshot": {"id": snapshot["create_info"].get("id"),
                             "volumeId": snapshot["volume_id"]}}

    @deferred
    async def delete(self, request: Any, snapshot_id: str) -> Response:
        raw = _listing.query_value(request, "delete_info")
        try:
            volume_id = json.loads(raw)["volume_id"] if raw is not None else None
        except (ValueError, TypeError, KeyError):
            volume_id = None
        if not isinstance(volume_id, str):
            raise Invalid("delete_info must be JSON naming the volume_id.")
        await self._attached(request, volume_id)
        return Response(None, status=204)
