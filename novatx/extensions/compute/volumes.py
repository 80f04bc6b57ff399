"""
C{os-volumes} and C{os-snapshots}: the compute API's proxies to block storage,
which nova serves up to 2.35 and answers 404 from 2.36.

They show the volumes and snapshots of L{novatx.compute.volumes} in nova's
old camel-case shapes; a volume no server holds lists one empty attachment
(C{[{}]}), as nova's proxy always did.
"""

from __future__ import annotations

from typing import Any

from novatx.compute.volumes.records import Snapshot, Volume
from novatx.extensions.compute import _listing
from novatx.extensions.compute._extension import ComputeResource, deferred, refuse_blank_id
from novatx.extensions.compute.policies import volumes as policies
from novatx.extensions.compute.schemas import volumes as schemas
from novatx.extensions.compute.servers_views import primitive_time
from novatx.extensions.interfaces import Response, Route

#: The last microversion that has the proxies.
MAX_VERSION = "2.35"


def volume_view(volume: Volume) -> dict[str, Any]:
    attachments = [
        {"id": attachment.volume_id, "volumeId": attachment.volume_id,
         "serverId": attachment.server_id, "device": attachment.device}
        for attachment in volume.attachments
    ]
    return {
        "id": volume.id,
        "status": volume.status,
        "size": volume.size,
        "availabilityZone": volume.availability_zone,
        "createdAt": primitive_time(volume.created_at),
        "attachments": attachments or [{}],
        "displayName": volume.name,
        "displayDescription": volume.description,
        "volumeType": volume.volume_type,
        "snapshotId": volume.snapshot_id,
        "metadata": dict(volume.metadata),
    }


def snapshot_view(snapshot: Snapshot) -> dict[str, Any]:
    return {
        "id": snapshot.id,
        "volumeId": snapshot.volume_id,
        "status": snapshot.status,
        "size": snapshot.size,
        "createdAt": primitive_time(snapshot.created_at),
        "displayName": snapshot.name,
        "displayDescription": snapshot.description,
    }


def _limited(request: Any, items: tuple, max_limit: int) -> tuple:
    """nova's C{common.limited}: C{offset} and C{limit} over the whole listing."""
    offset = _listing.parse_int(request, "offset") or 0
    limit = _listing.parse_int(request, "limit")
    limit = max_limit if limit is None else min(limit, max_limit)
    return items[offset:offset + limit]


class VolumeProxies(ComputeResource):
    """C{/os-volumes} and C{/os-snapshots}, up to 2.35."""

    name = "Volumes"
    alias = "os-volumes"
    policy_defaults = policies.PROXY_RULES

    def routes(self) -> list[Route]:
        v, s = policies.VOLUMES, policies.SNAPSHOTS
        common = {"max_version": MAX_VERSION}
        return [
            Route("/os-volumes", ("GET",), self.index, "os-volumes.index", policy=v % "list",
                  **common),
            Route("/os-volumes/detail", ("GET",), self.index, "os-volumes.detail",
                  policy=v % "detail", **common),
            Route("/os-volumes", ("POST",), self.create, "os-volumes.create",
                  schema=schemas.volume_create, policy=v % "create", **common),
            Route("/os-volumes/<volume_id>", ("GET",), self.show, "os-volumes.show",
                  policy=v % "show", **common),
            Route("/os-volumes/<volume_id>", ("DELETE",), self.delete, "os-volumes.delete",
                  policy=v % "delete", status=202, **common),
            Route("/os-volumes/", ("DELETE",), self.blank_id, "os-volumes.delete_blank",
                  policy=v % "delete", **common),
            Route("/os-snapshots", ("GET",), self.snapshots, "os-snapshots.index",
                  policy=s % "list", **common),
            Route("/os-snapshots/detail", ("GET",), self.snapshots, "os-snapshots.detail",
                  policy=s % "detail", **common),
            Route("/os-snapshots", ("POST",), self.create_snapshot, "os-snapshots.create",
                  schema=schemas.snapshot_create, policy=s % "create", **common),
            Route("/os-snapshots/<snapshot_id>", ("GET",), self.show_snapshot,
                  "os-snapshots.show", policy=s % "show", **common),
            Route("/os-snapshots/<snapshot_id>", ("DELETE",), self.delete_snapshot,
                  "os-snapshots.delete", policy=s % "delete", status=202, **common),
        ]

    @property
    def _volumes(self) -> Any:
        return self.compute.volumes

    @deferred
    async def index(self, request: Any) -> dict[str, Any]:
        refuse_blank_id(request)
        page = await self._volumes.list_volumes(request.context)
        return {"volumes": [volume_view(v) for v in
                            _limited(request, page.items, self.max_limit)]}

    @deferred
    async def show(self, request: Any, volume_id: str) -> dict[str, Any]:
        return {"volume": volume_view(await self._volumes.get_volume(request.context, volume_id))}

    @deferred
    async def create(self, request: Any) -> dict[str, Any]:
        body = request.body["volume"]
        volume = await self._volumes.create_volume(
            request.context, int(body["size"]), name=body.get("display_name"),
            description=body.get("display_description"),
            availability_zone=body.get("availability_zone"),
            volume_type=body.get("volume_type"), metadata=body.get("metadata"),
            snapshot_id=body.get("snapshot_id"))
        return {"volume": volume_view(volume)}

    @deferred
    async def delete(self, request: Any, volume_id: str) -> Response:
        await self._volumes.delete_volume(request.context, volume_id)
        return Response(None, status=202)

    @deferred
    async def snapshots(self, request: Any) -> dict[str, Any]:
        page = await self._volumes.list_snapshots(request.context)
        return {"snapshots": [snapshot_view(s) for s in
                              _limited(request, page.items, self.max_limit)]}

    @deferred
    async def show_snapshot(self, request: Any, snapshot_id: str) -> dict[str, Any]:
        snapshot = await self._volumes.get_snapshot(request.context, snapshot_id)
        return {"snapshot": snapshot_view(snapshot)}

    @deferred
    async def create_snapshot(self, request: Any) -> dict[str, Any]:
        body = request.body["snapshot"]
        snapshot = await self._volumes.create_snapshot(
            request.context, body["volume_id"], name=body.get("display_name"),
            description=body.get("display_description"))
        return {"snapshot": snapshot_view(snapshot)}

    @deferred
    async def delete_snapshot(self, request: Any, snapshot_id: str) -> Response:
        await self._volumes.delete_snapshot(request.context, snapshot_id)
        return Response(None, status=202)
