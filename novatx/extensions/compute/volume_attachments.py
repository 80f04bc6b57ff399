"""
C{os-volume_attachments}: a server's volumes, attached and detached through
block storage (L{novatx.compute.volumes}).

What a document shows changes with the microversion as nova's: C{tag} is
taken from 2.49 and shown from 2.70, C{delete_on_termination} taken and
shown from 2.79, and from 2.89 an entry gives C{attachment_id} and
C{bdm_uuid} instead of the C{id} that was only the volume's. Swapping a
volume (an update naming another volume, or any update before 2.85) is
cinder's to ask while it migrates one, so it needs the swap policy (an
admin's) and is refused as nova refuses it for a volume that is not moving.
"""

from __future__ import annotations

from typing import Any

from novatx.compute import states
from novatx.compute.exceptions import Invalid, InstanceInvalidState
from novatx.compute.volumes.records import VolumeAttachment
from novatx.extensions.compute import _listing
from novatx.extensions.compute._extension import ComputeResource, deferred
from novatx.extensions.compute.policies import volumes as policies
from novatx.extensions.compute.schemas import _params
from novatx.extensions.compute.schemas import volumes as schemas
from novatx.extensions.interfaces import APIVersion, Route

V2_20 = APIVersion(2, 20)
V2_70 = APIVersion(2, 70)
V2_79 = APIVersion(2, 79)
V2_85 = APIVersion(2, 85)
V2_89 = APIVersion(2, 89)

_SHELVED = (states.SHELVED, states.SHELVED_OFFLOADED)


def _at_least(request: Any, version: APIVersion) -> bool:
    return request.version is not None and request.version >= version


def attachment_view(request: Any, attachment: VolumeAttachment) -> dict[str, Any]:
    """An entry of the index, or a show: nova's detail view at the request's version."""
    document: dict[str, Any] = {}
    new_ids = _at_least(request, V2_89)
    if not new_ids:
        document["id"] = attachment.volume_id
    document["volumeId"] = attachment.volume_id
    document["serverId"] = attachment.server_id
    document["device"] = attachment.device
    if _at_least(request, V2_70):
        document["tag"] = attachment.tag
    if _at_least(request, V2_79):
        document["delete_on_termination"] = attachment.delete_on_termination
    if new_ids:
        document["attachment_id"] = attachment.id
        document["bdm_uuid"] = attachment.bdm_uuid
    return document


def _refuse_shelved_before_2_20(request: Any, server: Any, method: str) -> None:
    """Attaching to (or detaching from) a shelved server came with 2.20."""
    if server.vm_state in _SHELVED and not _at_least(request, V2_20):
        raise InstanceInvalidState(method=method, instance_uuid=server.uuid, attr="vm_state",
                                   state=server.vm_state)


class VolumeAttachments(ComputeResource):
    """C{/servers/{server_id}/os-volume_attachments}."""

    name = "VolumeAttachments"
    alias = "os-volume-attachments"
    policy_defaults = policies.ATTACHMENT_RULES

    def routes(self) -> list[Route]:
        p = policies.ATTACHMENTS
        base = "/servers/<server_id>/os-volume_attachments"
        item = base + "/<volume_id>"
        return [
            Route(base, ("GET",), self.index, "os-volume-attachments.index", policy=p % "index"),
            Route(base, ("POST",), self.create, "os-volume-attachments.create",
                  schema=schemas.ATTACHMENT_CREATE, policy=p % "create"),
            Route(item, ("GET",), self.show, "os-volume-attachments.show", policy=p % "show"),
            Route(item, ("PUT",), self.update, "os-volume-attachments.update",
                  schema=schemas.ATTACHMENT_UPDATE, status=202),
            Route(item, ("DELETE",), self.delete, "os-volume-attachments.delete",
                  policy=p % "delete", status=202),
        ]

    @property
    def _volumes(self) -> Any:
        return self.compute.volumes

    @deferred
    async def index(self, request: Any, server_id: str) -> dict[str, Any]:
        limit = _listing.parse_int(request, "limit")
        offset = _listing.parse_int(request, "offset") or 0
        found = await self._volumes.list_attachments(request.context, server_id)
        limit = self.max_limit if limit is None else min(limit, self.max_limit)
        return {"volumeAttachments": [attachment_view(request, attachment)
                                      for attachment in found[offset:offset + limit]]}

    @deferred
    async def show(self, request: Any, server_id: str, volume_id: str) -> dict[str, Any]:
        found = await self._volumes.get_attachment(request.context, server_id, volume_id)
        return {"volumeAttachment": attachment_view(request, found)}

    @deferred
    async def create(self, request: Any, server_id: str) -> dict[str, Any]:
        body = request.body["volumeAttachment"]
        server = await self.compute.get_server(request.context, server_id)
        _refuse_shelved_before_2_20(request, server, "attach_volume")
        delete_on_termination = _params.to_bool(body.get("delete_on_termination", False))
        found = await self._volumes.attach_volume(
            request.context, server.uuid, body["volumeId"], device=body.get("device"),
            tag=body.get("tag"), delete_on_termination=delete_on_termination)
        document: dict[str, Any] = {"id": found.volume_id, "serverId": found.server_id,
                                    "volumeId": found.volume_id, "device": found.device}
        if _at_least(request, V2_70):
            document["tag"] = found.tag
        if _at_least(request, V2_79):
            document["delete_on_termination"] = found.delete_on_termination
        return {"volumeAttachment": document}

    @deferred
    async def update(self, request: Any, server_id: str, volume_id: str) -> None:
        body = request.body["volumeAttachment"]
        server = await self.compute.get_server(request.context, server_id)
        only_swap = not _at_least(request, V2_85)
        swap = only_swap or body["volumeId"] != volume_id
        if swap:
            request.authorize(policies.ATTACHMENTS % "swap", {})
        else:
            request.authorize(policies.ATTACHMENTS % "update",
                              {"project_id": server.project_id, "user_id": server.user_id})
        if not only_swap:
            await self._update_regular(request, server.uuid, volume_id, body)
        if swap:
            await self._volumes.swap_volume(request.context, server.uuid, volume_id,
                                            body["volumeId"])

    async def _update_regular(self, request: Any, server_id: str, volume_id: str,
                              body: dict[str, Any]) -> None:
        found = await self._volumes.get_attachment(request.context, server_id, volume_id)
        fixed = (("id", volume_id), ("serverId", server_id), ("device", found.device),
                 ("tag", found.tag))
        for name, value in fixed:
            if name in body and body[name] != value:
                raise Invalid("The %s property is not mutable" % name)
        if "delete_on_termination" in body:
            await self._volumes.update_attachment(
                request.context, server_id, volume_id,
                _params.to_bool(body["delete_on_termination"]))

    @deferred
    async def delete(self, request: Any, server_id: str, volume_id: str) -> None:
        server = await self.compute.get_server(request.context, server_id)
        _refuse_shelved_before_2_20(request, server, "detach_volume")
        await self._volumes.detach_volume(request.context, server.uuid, volume_id)
