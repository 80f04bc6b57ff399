"""
A colour every server keeps: a field, a create hook, a response field, an action.

  - L{ServerColour} declares the extension field C{example:colour}
    (C{IServerFieldProvider}): the internal API stores it with every server
    (C{grey} when not given) and hands it to the driver; it extends the
    C{servers} resource (C{IControllerExtension}): show and detail responses
    carry the field, an update (C{PUT /servers/<id>}) may change it, and
    C{POST /servers/<id>/action} gains C{{"example:describeColour": null}}.
  - L{ColourOnCreate} (a server-create hook) accepts C{"example:colour"} in
    the create body and passes it to the internal API as that field.
"""

from __future__ import annotations

from typing import Any

from oslo_policy.policy import DocumentedRuleDefault
from zope.interface import implementer

from novatx.compute.fields import ExtraField
from novatx.compute.interfaces import ServerQuery
from novatx.extensions.interfaces import (
    Action,
    IAPIRequest,
    IControllerExtension,
    IPolicyDefaultsProvider,
    IServerCreateHook,
    IServerFieldProvider,
)
from novatx_example.palette import DEFAULT_COLOUR, PALETTE, complement

FIELD = ExtraField("example:colour", "string", DEFAULT_COLOUR, owner="example-server-colour")
POLICY_DESCRIBE = "example:servers:describe_colour"

#: The JSON schema of the field, wherever a body may carry it.
COLOUR_SCHEMA = {"type": "string", "enum": sorted(PALETTE)}

#: The routes of the servers resource whose responses show the colour.
SHOWN_BY = ("servers.show", "servers.detail", "servers.update")


@implementer(IControllerExtension, IServerFieldProvider, IPolicyDefaultsProvider)
class ServerColour:
    """The colour on servers: stored, shown, described."""

    name = "Example server colour"
    alias = "example-server-colour"
    version = 1
    api = "osapi_compute"
    extends = "servers"

    def __init__(self) -> None:
        self.compute: Any = None

    def setup(self, context: Any) -> None:
        """Keep the internal API: responses read the stored colour from it."""
        self.compute = context.compute

    def fields(self) -> list[ExtraField]:
        return [FIELD]

    def policies(self) -> list[DocumentedRuleDefault]:
        return [
            DocumentedRuleDefault(
                POLICY_DESCRIBE, "rule:project_reader_or_admin", "Describe a server's colour",
                [{"method": "POST", "path": "/servers/{server_id}/action (example:describeColour)"}],
            )
        ]

    def actions(self) -> list[Action]:
        schema = {
            "type": "object",
            "properties": {"example:describeColour": {"type": "null"}},
            "required": ["example:describeColour"],
            "additionalProperties": False,
        }
        return [Action("example:describeColour", self.describe, schema, POLICY_DESCRIBE, status=200)]

    def schema_properties(self, endpoint: str, version: Any) -> dict:
        """
        An update may change the colour: the servers resource passes a declared
        field the update body carries to the internal API, which stores it.
        (Create takes the field through the hook.)
        """
        if endpoint == "servers.update":
            return {FIELD.name: COLOUR_SCHEMA}
        return {}

    async def _colours(self, context: Any, server_ids: list[str]) -> dict[str, str]:
        """The stored colours of servers the caller sees, deleted ones too (changes-since lists them)."""
        colours: dict[str, str] = {}
        for deleted in (False, True):
            query = ServerQuery(uuids=tuple(server_ids), deleted=deleted, all_tenants=True, limit=len(server_ids))
            page = await self.compute.list_servers(context, query)
            colours.update((i.uuid, i.extra.get(FIELD.name) or DEFAULT_COLOUR) for i in page.items)
        return colours

    async def extend_response(self, request: IAPIRequest, endpoint: str, document: dict) -> None:
        """Show the colour in server documents: one query for a whole page."""
        if endpoint not in SHOWN_BY:
            return
        servers = [document["server"]] if "server" in document else document.get("servers", [])
        if not servers:
            return
        colours = await self._colours(request.context, [server["id"] for server in servers])
        for server in servers:
            if server["id"] in colours:
                server[FIELD.name] = colours[server["id"]]

    async def describe(self, request: IAPIRequest, server_id: str, body: Any) -> dict:
        instance = await self.compute.get_server(request.context, server_id)
        colour = instance.extra.get(FIELD.name) or DEFAULT_COLOUR
        return {"colour": {"name": colour, "rgb": PALETTE[colour], "complement": complement(colour)}}


@implementer(IServerCreateHook)
class ColourOnCreate:
    """Reads C{"example:colour"} from a create request."""

    name = "example-server-colour"
    writes = (FIELD.name,)

    def schema_properties(self, version: Any) -> dict:
        return {FIELD.name: COLOUR_SCHEMA}

    def create_kwargs(self, request: IAPIRequest, server_body: dict, create_fields: dict) -> None:
        if FIELD.name in server_body:
            create_fields.setdefault("extra", {})[FIELD.name] = server_body[FIELD.name]
