"""
C{os-server-tags} (2.26+): C{/servers/{id}/tags} (list, replace, delete all)
and C{/servers/{id}/tags/{tag}} (check: 204 or 404; add: 201 with a
C{Location}, or 204 when present; delete).
"""

from __future__ import annotations

from typing import Any

import jsonschema

from novatx.compute import exceptions
from novatx.extensions.compute._extension import ComputeResource, deferred
from novatx.extensions.compute.policies import servers as policies
from novatx.extensions.compute.schemas import servers as schemas
from novatx.extensions.interfaces import Response, Route

MIN_VERSION = "2.26"


def check_tag(tag: str) -> None:
    """A tag in the URL obeys the same rules as one in a body."""
    try:
        jsonschema.validate(tag, schemas.tag)
    except jsonschema.ValidationError as e:
        raise exceptions.Invalid("Tag '%s' is invalid. %s" % (tag, e.message)) from None


class ServerTags(ComputeResource):
    """A server's tags."""

    name = "ServerTags"
    alias = "os-server-tags"
    policy_defaults = policies.tags_rules()

    def routes(self) -> list[Route]:
        p = policies.TAGS
        base = "/servers/<server_id>/tags"
        item = base + "/<tag>"
        common = {"min_version": MIN_VERSION}
        return [
            Route(base, ("GET",), self.index, "os-server-tags.index", policy=p % "index", **common),
            Route(base, ("PUT",), self.update_all, "os-server-tags.update_all", schema=schemas.tags_set,
                  policy=p % "update_all", **common),
            Route(base, ("DELETE",), self.delete_all, "os-server-tags.delete_all", policy=p % "delete_all",
                  status=204, **common),
            Route(item, ("GET",), self.show, "os-server-tags.show", policy=p % "show", status=204, **common),
            Route(item, ("PUT",), self.update, "os-server-tags.update", policy=p % "update", **common),
            Route(item, ("DELETE",), self.delete, "os-server-tags.delete", policy=p % "delete", status=204,
                  **common),
        ]

    @deferred
    async def index(self, request: Any, server_id: str) -> dict:
        instance = await self.compute.get_server(request.context, server_id)
        return {"tags": list(instance.tags)}

    @deferred
    async def update_all(self, request: Any, server_id: str) -> dict:
        tags = await self.compute.set_tags(request.context, server_id, tuple(request.body["tags"]))
        return {"tags": list(tags)}

    @deferred
    async def delete_all(self, request: Any, server_id: str) -> None:
        await self.compute.set_tags(request.context, server_id, ())

    @deferred
    async def show(self, request: Any, server_id: str, tag: str) -> None:
        instance = await self.compute.get_server(request.context, server_id)
        if tag not in instance.tags:
            raise exceptions.NotFound("Tag %s could not be found." % tag)

    @deferred
    async def update(self, request: Any, server_id: str, tag: str) -> Response:
        check_tag(tag)
        instance = await self.compute.get_server(request.context, server_id)
        if tag in instance.tags:
            return Response(None, status=204)
        if len(instance.tags) >= schemas.MAX_TAGS:
            raise exceptions.Invalid("The number of tags exceeded the per-server limit %d" % schemas.MAX_TAGS)
        await self.compute.add_tag(request.context, server_id, tag)
        return Response(
            None, status=201, headers={"Location": request.project_url("servers", server_id, "tags", tag)}
        )

    @deferred
    async def delete(self, request: Any, server_id: str, tag: str) -> None:
        await self.compute.delete_tag(request.context, server_id, tag)
