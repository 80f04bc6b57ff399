"""
The core actions of C{POST /servers/{id}/action}: reboot, os-start, os-stop,
resize, confirmResize, revertResize, rebuild, createImage and (2.17)
trigger_crash_dump.

Each handler calls one internal-API method; the internal API checks the
instance's state (409 when it forbids the action) and the lock, and another
project's server is a 404 from it. What nova answers a 400 for (an unknown
flavor in a resize, a missing image in a rebuild) is translated here.
"""

from __future__ import annotations

from typing import Any

from novatx.compute import exceptions
from novatx.extensions.compute._extension import ComputeResource, deferred
from novatx.extensions.compute._personality import check_personality
from novatx.extensions.compute.policies import servers as policies
from novatx.extensions.compute.schemas import servers as schemas
from novatx.extensions.compute.servers import DISK_CONFIG, check_base64, server_document
from novatx.extensions.compute.servers_views import V2_19, V2_45, V2_54, V2_57, V2_75, V2_90, version_of
from novatx.extensions.compute.server_support import generate_password, normalised_ipv6, option
from novatx.extensions.interfaces import Action, Response


class ServerActions(ComputeResource):
    """The actions nova's servers controller itself serves."""

    name = "ServerActions"
    alias = "server-actions"
    policy_defaults = policies.server_actions_rules()

    def actions(self) -> dict[str, list[Action]]:
        p = policies.SERVERS
        return {
            "servers": [
                Action("reboot", self.reboot, schema=schemas.reboot, policy=p % "reboot"),
                Action("os-start", self.start, policy=p % "start"),
                Action("os-stop", self.stop, policy=p % "stop"),
                Action("resize", self.resize, schema=schemas.resize, policy=p % "resize"),
                Action("confirmResize", self.confirm_resize, policy=p % "confirm_resize", status=204),
                Action("revertResize", self.revert_resize, policy=p % "revert_resize"),
                Action("rebuild", self.rebuild, schema=schemas.rebuild, policy=p % "rebuild"),
                Action("createImage", self.create_image, schema=schemas.create_image, policy=p % "create_image"),
                Action("trigger_crash_dump", self.trigger_crash_dump, policy=p % "trigger_crash_dump",
                       min_version="2.17"),
            ]
        }

    @deferred
    async def reboot(self, request: Any, server_id: str, body: dict) -> None:
        """C{{"reboot": {"type": "SOFT"|"HARD"}}}."""
        await self.compute.reboot(request.context, server_id, hard=body["type"].upper() == "HARD")

    @deferred
    async def start(self, request: Any, server_id: str, body: Any) -> None:
        """C{os-start}: SHUTOFF -> ACTIVE."""
        await self.compute.start(request.context, server_id)

    @deferred
    async def stop(self, request: Any, server_id: str, body: Any) -> None:
        """C{os-stop}: ACTIVE -> SHUTOFF."""
        await self.compute.stop(request.context, server_id)

    @deferred
    async def resize(self, request: Any, server_id: str, body: dict) -> None:
        """C{{"resize": {"flavorRef": ...}}}: to VERIFY_RESIZE."""
        flavor_id = str(body["flavorRef"]).rstrip("/").rsplit("/", 1)[-1]
        extra = {DISK_CONFIG.name: body[DISK_CONFIG.name]} if DISK_CONFIG.name in body else None
        try:
            await self.compute.resize(request.context, server_id, flavor_id, extra=extra)
        except exceptions.FlavorNotFound:
            raise exceptions.Invalid("Unable to locate requested flavor.") from None

    @deferred
    async def confirm_resize(self, request: Any, server_id: str, body: Any) -> None:
        """C{confirmResize}: 204, the new flavor stays."""
        await self.compute.confirm_resize(request.context, server_id)

    @deferred
    async def revert_resize(self, request: Any, server_id: str, body: Any) -> None:
        """C{revertResize}: back to the old flavor."""
        await self.compute.revert_resize(request.context, server_id)

    @deferred
    async def rebuild(self, request: Any, server_id: str, body: dict) -> Response:
        """
        C{rebuild}: the server again from an image (the same or another), with
        the server's document and a new C{adminPass} in the answer; from
        2.54 the answer names the key pair, from 2.57 it holds the user data.
        """
        version = version_of(request)
        changes: dict[str, Any] = {}
        for key, field, since in (
            ("name", "name", None), ("metadata", "metadata", None),
            ("accessIPv4", "access_ip_v4", None), ("accessIPv6", "access_ip_v6", None),
            ("description", "description", V2_19), ("key_name", "key_name", V2_54),
            ("user_data", "user_data", V2_57), ("hostname", "hostname", V2_90),
        ):
            if key in body and (since is None or version >= since):
                changes[field] = body[key]
        if "user_data" in changes:
            check_base64("user_data", changes["user_data"])
        if "access_ip_v6" in changes:
            changes["access_ip_v6"] = normalised_ipv6(changes["access_ip_v6"])
        if DISK_CONFIG.name in body:
            changes["extra"] = {DISK_CONFIG.name: body[DISK_CONFIG.name]}
        if version < V2_57:
            await check_personality(self.compute, request.context, body.get("personality") or ())
        admin_pass = body.get("adminPass") or generate_password()
        try:
            instance = await self.compute.rebuild(request.context, server_id, body["imageRef"], **changes)
        except exceptions.ImageNotFound:
            raise exceptions.Invalid("Cannot find image for rebuild") from None
        except exceptions.KeypairNotFound:
            raise exceptions.Invalid("Invalid key_name provided.") from None
        document = await server_document(self.compute, request, instance,
                                         brief=version < V2_75, changed=True)
        if version >= V2_54:
            document["key_name"] = instance.key_name
        if version >= V2_57:
            document["user_data"] = instance.user_data
        if option(self.config, "api", "enable_instance_password", True):
            document["adminPass"] = admin_pass
        return Response({"server": document}, status=202)

    @deferred
    async def trigger_crash_dump(self, request: Any, server_id: str, body: Any) -> None:
        """C{trigger_crash_dump} (2.17): an NMI to the guest."""
        await self.compute.trigger_crash_dump(request.context, server_id)

    @deferred
    async def create_image(self, request: Any, server_id: str, body: dict) -> Response:
        """
        C{createImage}: a snapshot. From 2.45 the answer's body names the image;
        before, its C{Location} header points at it.
        """
        image = await self.compute.create_image(
            request.context, server_id, body["name"], metadata=dict(body.get("metadata") or {})
        )
        if version_of(request) >= V2_45:
            return Response({"image_id": image.id}, status=202)
        return Response(None, status=202, headers={"Location": request.project_url("images", image.id)})
