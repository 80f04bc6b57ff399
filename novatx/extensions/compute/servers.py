"""
Servers: C{/servers}, C{/servers/detail} and C{/servers/{id}} (list, create,
show, update, delete), as nova serves them at every microversion.

The handlers turn requests into internal-API calls and records into documents
(L{servers_views}); the listing's query rules live in L{server_filters}, the
schemas in L{schemas.servers}, the policy defaults in L{policies.servers}. The
actions on a server are other extensions (L{server_actions} and its siblings).
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any, Iterable

from twisted.internet.defer import maybeDeferred
from zope.interface import implementer

from novatx.compute import exceptions
from novatx.compute.fields import ExtraField
from novatx.compute.interfaces import CreateRequest
from novatx.compute.network import exceptions as net_exc
from novatx.compute.records import Image, Instance, Page
from novatx.extensions.compute._extension import ComputeResource, deferred
from novatx.extensions.compute._personality import check_personality
from novatx.extensions.compute._read_encodings import ReadEncodings
from novatx.extensions.compute.policies import servers as policies
from novatx.extensions.compute.schemas import servers as schemas
from novatx.extensions.compute.server_filters import build_query
from novatx.extensions.compute.server_support import (
    as_bool,
    generate_password,
    normalised_ipv6,
    option,
)
from novatx.extensions.compute.servers_views import (
    DISK_CONFIG_FIELD,
    SCHEDULER_HINTS_FIELD,
    V2_19,
    V2_52,
    V2_57,
    V2_75,
    V2_90,
    V2_98,
    ServerViews,
    version_of,
)
from novatx.extensions.interfaces import IServerFieldProvider, Response, Route
from novatx.extensions.loading import server_create_hooks

#: The extension field that keeps a create's scheduler hints (shown from 2.100).
SCHEDULER_HINTS = ExtraField(name=SCHEDULER_HINTS_FIELD, type="json", default=None, owner="servers")

#: The extension field that keeps C{OS-DCF:diskConfig} (create, update, rebuild, resize).
DISK_CONFIG = ExtraField(name=DISK_CONFIG_FIELD, type="string", default="MANUAL", owner="servers")

def check_base64(field: str, value: str | None) -> None:
    """nova's C{base64} format, which the schema validator does not check."""
    if value is None:
        return
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise exceptions.Invalid(
            "Invalid input for field/attribute %s. Value: %s. '%s' is not a 'base64'" % (field, value, value)
        ) from None


def networks_of(server: dict) -> Any:
    """The internal API's C{networks}: C{"auto"}, C{"none"} or a tuple of dicts."""
    networks = server.get("networks")
    if networks is None:
        return "auto"
    if isinstance(networks, str):
        return networks
    requested = []
    for network in networks:
        if not network.get("uuid") and not network.get("port"):
            raise exceptions.Invalid("Bad networks format: network uuid is not in proper format (%s)" % network)
        requested.append({k: v for k, v in network.items() if v is not None})
    return tuple(requested)


async def images_of(compute: Any, context: Any, instances: Iterable[Instance], version: Any) -> dict[str, Image]:
    """The images of C{instances} by id, when the microversion shows their properties."""
    if version < V2_98:
        return {}
    ids = sorted({i.image_id for i in instances if i.image_id})
    if not ids:
        return {}
    page = await compute.list_images(context.elevated(), filters={"ids": ids})
    items = getattr(page, "items", page)
    return {image.id: image for image in items}


#: What an update changes: body key -> internal-API field.
UPDATABLE = (
    ("name", "name"), ("description", "description"), ("hostname", "hostname"),
    ("accessIPv4", "access_ip_v4"), ("accessIPv6", "access_ip_v6"),
    ("pinned_availability_zone", "pinned_availability_zone"),
)

#: One view builder serves every request.
VIEWS = ServerViews()


async def server_document(compute: Any, request: Any, instance: Instance, brief: bool = False,
                          changed: bool = False) -> dict:
    """
    The document of one server (show, update, rebuild), with what it needs
    beyond the record and what policy lets the caller see.

    @param changed: the answer of an update or a rebuild, which nova gives
        without C{OS-EXT-SRV-ATTR:user_data} even where (from 2.75) it is
        otherwise the full document.
    """
    images = await images_of(compute, request.context, [instance], version_of(request))
    document = VIEWS.show(
        request, instance, images, brief=brief,
        extended=request.allows(policies.EXTENDED_ATTRIBUTES),
        show_host_status=request.allows(policies.SERVERS % "show:host_status"),
        fields=compute.extra_fields(),
    )
    if changed:
        document.pop("OS-EXT-SRV-ATTR:user_data", None)
    return document


@implementer(IServerFieldProvider)
class Servers(ComputeResource):
    """The servers collection and its members."""

    name = "Servers"
    alias = "servers"
    policy_defaults = policies.servers_rules()

    def __init__(self) -> None:
        super().__init__()
        self._encodings = ReadEncodings()
        self._shown = ReadEncodings()

    def fields(self) -> list[ExtraField]:
        return [SCHEDULER_HINTS, DISK_CONFIG]

    def routes(self) -> list[Route]:
        p = policies.SERVERS
        return [
            Route("/servers", ("GET",), self.index, "servers.index", policy=p % "index"),
            Route("/servers/detail", ("GET",), self.detail, "servers.detail", policy=p % "detail"),
            Route("/servers", ("POST",), self.create, "servers.create", schema=schemas.create,
                  policy=p % "create", status=202),
            Route("/servers/<server_id>", ("GET",), self.show, "servers.show", policy=p % "show"),
            Route("/servers/<server_id>", ("PUT",), self.update, "servers.update", schema=schemas.update,
                  policy=p % "update"),
            Route("/servers/<server_id>", ("DELETE",), self.delete, "servers.delete", policy=p % "delete",
                  status=204),
        ] + self._volumes_boot_routes()

    def _volumes_boot_routes(self) -> list[Route]:
        """C{/os-volumes_boot}: nova's old name of C{/servers}, served by the same handlers."""
        p = policies.SERVERS
        base, item = "/os-volumes_boot", "/os-volumes_boot/<server_id>"
        return [
            Route(base, ("GET",), self.index, "os-volumes_boot.index", policy=p % "index"),
            Route(base + "/detail", ("GET",), self.detail, "os-volumes_boot.detail",
                  policy=p % "detail"),
            Route(base, ("POST",), self.create, "os-volumes_boot.create", schema=schemas.create,
                  policy=p % "create", status=202),
            Route(item, ("GET",), self.show, "os-volumes_boot.show", policy=p % "show"),
            Route(item, ("PUT",), self.update, "os-volumes_boot.update", schema=schemas.update,
                  policy=p % "update"),
            Route(item, ("DELETE",), self.delete, "os-volumes_boot.delete",
                  policy=p % "delete", status=204),
        ]

    def _max_limit(self) -> int:
        return option(self.config, "api", "max_limit", 1000)

    async def _list(self, request: Any, detail: bool) -> dict | bytes:
        """
        A listing's answer. Requests that shared one read and ask in the same
        shape share one encoding of it (L{ReadEncodings}), unless a
        controller extension must see each document or the microversion shows
        image properties, which each request reads for itself.
        """
        version = version_of(request)
        context = request.context
        query, limit = build_query(request.args, version, context, self._max_limit())
        page = await self.compute.list_servers(context, query)
        policy = self._detail_policy(request) if detail else ()
        if detail and version >= V2_98:
            images = await images_of(self.compute, context, page.items, version)
            return VIEWS.detail(request, page.items, limit, images, *policy,
                                fields=self.compute.extra_fields())
        if self.is_extended():
            return self._document(request, page, limit, detail, policy)
        args = request.args
        shape = (
            detail, version.major, version.minor, policy, request.root, request.project_id,
            tuple((name, tuple(values)) for name, values in sorted(args.items())) if args else (),
        )
        body = self._encodings.get(page, shape)
        if body is None:
            body = json.dumps(self._document(request, page, limit, detail, policy)).encode("utf-8")
            self._encodings.keep(page, shape, body)
        return body

    def _document(self, request: Any, page: Page, limit: int | None, detail: bool, policy: tuple) -> dict:
        if detail:
            return VIEWS.detail(request, page.items, limit, None, *policy,
                                fields=self.compute.extra_fields())
        return VIEWS.index(request, page.items, limit)

    @staticmethod
    def _detail_policy(request: Any) -> tuple[bool, bool]:
        """What policy lets the caller see in a detailed listing: extended attributes, host status."""
        return (
            request.allows(policies.EXTENDED_ATTRIBUTES),
            request.allows(policies.SERVERS % "show:host_status"),
        )

    @deferred
    async def index(self, request: Any) -> dict | bytes:
        """C{GET /servers}: ids, names and links."""
        return await self._list(request, detail=False)

    @deferred
    async def detail(self, request: Any) -> dict | bytes:
        """C{GET /servers/detail}: every field of every server."""
        return await self._list(request, detail=True)

    @deferred
    async def show(self, request: Any, server_id: str) -> dict | bytes:
        """
        C{GET /servers/{id}}. The internal API answers from its read cache
        with the same record while the server is unchanged; requests for it
        in the same shape share one encoding (L{ReadEncodings}), as listings
        do, unless a controller extension must see each document or the
        microversion shows image properties.
        """
        instance = await self.compute.get_server(request.context, server_id)
        version = version_of(request)
        if self.is_extended() or version >= V2_98:
            return {"server": await server_document(self.compute, request, instance)}
        shape = (version.major, version.minor, self._detail_policy(request), request.root,
                 request.project_id)
        body = self._shown.get(instance, shape)
        if body is None:
            body = json.dumps({"server": await server_document(self.compute, request, instance)}
                              ).encode("utf-8")
            self._shown.keep(instance, shape, body)
        return body

    @deferred
    async def create(self, request: Any) -> Response:
        """C{POST /servers}: one server, or C{min_count..max_count} of them."""
        version = version_of(request)
        body = request.body
        server = body["server"]
        check_base64("user_data", server.get("user_data"))
        if version < V2_57:
            await check_personality(self.compute, request.context, server.get("personality") or ())
        min_count = int(server.get("min_count", 1))
        max_count = int(server.get("max_count", min_count))
        if min_count > max_count:
            raise exceptions.Invalid("min_count must be <= max_count")
        image_ref = server.get("imageRef") or None
        bdms = tuple(server.get("block_device_mapping_v2") or server.get("block_device_mapping") or ())
        if image_ref is None and not bdms:
            raise exceptions.Invalid("Missing imageRef attribute")
        hints = body.get("os:scheduler_hints") or body.get("OS-SCH-HNT:scheduler_hints") or {}
        admin_pass = server.get("adminPass") or generate_password()
        fields: dict[str, Any] = {
            "name": server["name"],
            "flavor_id": str(server["flavorRef"]).rstrip("/").rsplit("/", 1)[-1],
            "image_id": image_ref.rstrip("/").rsplit("/", 1)[-1] if image_ref else None,
            "min_count": min_count,
            "max_count": max_count,
            "key_name": server.get("key_name"),
            "user_data": server.get("user_data"),
            "metadata": dict(server.get("metadata") or {}),
            "availability_zone": server.get("availability_zone"),
            "networks": networks_of(server),
            "security_groups": tuple(dict.fromkeys(
                group["name"] for group in server.get("security_groups") or ())),
            "block_device_mapping": bdms,
            "server_group": hints.get("group"),
            "admin_password": admin_pass,
            "access_ip_v4": server.get("accessIPv4"),
            "access_ip_v6": normalised_ipv6(server.get("accessIPv6")),
            "config_drive": as_bool(server.get("config_drive", False)),
            "extra": {SCHEDULER_HINTS.name: hints} if hints else {},
        }
        if DISK_CONFIG.name in server:
            fields["extra"][DISK_CONFIG.name] = server[DISK_CONFIG.name]
        if version >= V2_19:
            fields["description"] = server.get("description")
        if version >= V2_52:
            fields["tags"] = tuple(server.get("tags") or ())
        if version >= V2_90:
            fields["hostname"] = server.get("hostname")
        for hook in server_create_hooks(self.context):
            before = set(fields["extra"])
            await maybeDeferred(hook.create_kwargs, request, server, fields)
            undeclared = sorted(set(fields["extra"]) - before - set(hook.writes))
            if undeclared:
                raise RuntimeError(
                    "Server-create hook %r wrote %s, which its writes do not name"
                    % (hook.name, ", ".join(undeclared)))
        try:
            instances = await self.compute.create_servers(request.context, CreateRequest(**fields))
        except exceptions.FlavorNotFound:
            raise exceptions.Invalid("Invalid flavorRef provided.") from None
        except exceptions.ImageNotFound:
            raise exceptions.Invalid("Can not find requested image") from None
        except exceptions.KeypairNotFound:
            raise exceptions.Invalid("Invalid key_name provided.") from None
        except net_exc.SecurityGroupNotFound as e:
            raise exceptions.Invalid("Security group %s not found." % e.kwargs["id"]) from None
        except net_exc.NetworkNotFound as e:
            raise exceptions.Invalid(
                "Network %s could not be found." % e.kwargs["network_id"]) from None
        except net_exc.PortNotFound as e:
            raise exceptions.Invalid(
                "Port id %s could not be found." % e.kwargs["port_id"]) from None
        except net_exc.PortInUse as e:
            raise exceptions.Conflict("Port %s is still in use." % e.kwargs["port_id"]) from None
        if as_bool(server.get("return_reservation_id", False)):
            return Response({"reservation_id": instances[0].reservation_id}, status=202)
        first = instances[0]
        shown = admin_pass if option(self.config, "api", "enable_instance_password", True) else None
        return Response(
            VIEWS.create(request, first, shown, fields["security_groups"]),
            status=202,
            headers={"Location": request.project_url("servers", first.uuid)},
        )

    def _extension_fields(self) -> set[str]:
        """The names of the extension fields the loaded extensions declare."""
        return {
            field.name
            for ext in self.context.extensions.values()
            if IServerFieldProvider.providedBy(ext)
            for field in ext.fields()
        }

    @deferred
    async def update(self, request: Any, server_id: str) -> dict:
        """
        C{PUT /servers/{id}}: name, description, hostname, access addresses, the
        pinned zone (2.104), and the extension fields whose extensions let the
        update schema take them (C{schema_properties("servers.update", ...)}).
        """
        server = request.body["server"]
        changes: dict[str, Any] = {}
        for key, field in UPDATABLE:
            if key in server:
                changes[field] = server[key]
        if "access_ip_v6" in changes:
            changes["access_ip_v6"] = normalised_ipv6(changes["access_ip_v6"])
        extra = {name: server[name] for name in self._extension_fields() if name in server}
        if extra:
            changes["extra"] = extra
        instance = await self.compute.update_server(request.context, server_id, **changes)
        brief = version_of(request) < V2_75
        return {"server": await server_document(self.compute, request, instance, brief=brief,
                                                changed=True)}

    @deferred
    async def delete(self, request: Any, server_id: str) -> None:
        """
        C{DELETE /servers/{id}}: 204; the server goes away in the background.
        A server whose termination is disabled (EC2's DisableApiTermination)
        is kept and still answered 204, as nova's compute API returns early
        for it without an error.
        """
        try:
            await self.compute.delete_server(request.context, server_id)
        except exceptions.InstanceTerminationDisabled:
            return
