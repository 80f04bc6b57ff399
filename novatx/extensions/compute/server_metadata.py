"""
C{server-metadata}: C{/servers/{id}/metadata} (list, merge with POST, replace
with PUT) and C{/servers/{id}/metadata/{key}} (show, set, delete).

The limit on items (128 by default) and the key and value rules are the
internal API's; this module keeps nova's request shapes and answers.
"""

from __future__ import annotations

from typing import Any

from novatx.compute import exceptions
from novatx.extensions.compute._extension import ComputeResource, deferred
from novatx.extensions.compute.policies import servers as policies
from novatx.extensions.compute.schemas import servers as schemas
from novatx.extensions.interfaces import Route


class ServerMetadata(ComputeResource):
    """A server's metadata items."""

    name = "ServerMetadata"
    alias = "server-metadata"
    policy_defaults = policies.metadata_rules()

    def routes(self) -> list[Route]:
        p = policies.METADATA
        base = "/servers/<server_id>/metadata"
        item = base + "/<key>"
        return [
            Route(base, ("GET",), self.index, "server-metadata.index", policy=p % "index"),
            Route(base, ("POST",), self.create, "server-metadata.create", schema=schemas.metadata_set,
                  policy=p % "create"),
            Route(base, ("PUT",), self.update_all, "server-metadata.update_all", schema=schemas.metadata_set,
                  policy=p % "update_all"),
            Route(item, ("GET",), self.show, "server-metadata.show", policy=p % "show"),
            Route(item, ("PUT",), self.update, "server-metadata.update", schema=schemas.metadata_item,
                  policy=p % "update"),
            Route(item, ("DELETE",), self.delete, "server-metadata.delete", policy=p % "delete", status=204),
        ]

    @deferred
    async def index(self, request: Any, server_id: str) -> dict:
        instance = await self.compute.get_server(request.context, server_id)
        return {"metadata": dict(instance.metadata)}

    @deferred
    async def create(self, request: Any, server_id: str) -> dict:
        """POST: merge the items into the server's."""
        items = await self.compute.set_metadata(request.context, server_id, request.body["metadata"])
        return {"metadata": dict(items)}

    @deferred
    async def update_all(self, request: Any, server_id: str) -> dict:
        """PUT: the items become the server's whole metadata."""
        items = await self.compute.set_metadata(
            request.context, server_id, request.body["metadata"], replace=True
        )
        return {"metadata": dict(items)}

    @deferred
    async def show(self, request: Any, server_id: str, key: str) -> dict:
        instance = await self.compute.get_server(request.context, server_id)
        if key not in instance.metadata:
            raise exceptions.NotFound("Metadata item was not found")
        return {"meta": {key: instance.metadata[key]}}

    @deferred
    async def update(self, request: Any, server_id: str, key: str) -> dict:
        """PUT one item: the body's single key must be the URL's."""
        meta = request.body["meta"]
        if key not in meta:
            raise exceptions.Invalid("Request body and URI mismatch")
        await self.compute.set_metadata(request.context, server_id, {key: meta[key]})
        return {"meta": {key: meta[key]}}

    @deferred
    async def delete(self, request: Any, server_id: str, key: str) -> None:
        instance = await self.compute.get_server(request.context, server_id)
        if key not in instance.metadata:
            raise exceptions.NotFound("Metadata item was not found")
        await self.compute.delete_metadata_item(request.context, server_id, key)
