"""
C{/os-aggregates} (admins): host aggregates and their actions C{add_host},
C{remove_host}, C{set_metadata}; from 2.41 each shows its C{uuid}, from 2.81
C{POST /os-aggregates/{id}/images} asks its hosts to cache images (202; the
simulated hosts have nothing to cache).

An aggregate's C{availability_zone} puts its hosts in that zone: the zone
listings, the hosts' views and where new servers go follow it.
"""

from __future__ import annotations

from typing import Any

import attrs

from novatx.compute.aggregates import Aggregate
from novatx.extensions.compute._extension import ComputeResource, deferred, version_tuple
from novatx.extensions.compute.policies import aggregates as policies
from novatx.extensions.compute.schemas import aggregates as schemas
from novatx.extensions.interfaces import Action, Response, Route

V2_41 = (2, 41)


def _time(value: Any) -> str | None:
    """nova's aggregate times: ISO 8601 without a zone suffix."""
    return None if value is None else value.replace(tzinfo=None).isoformat()


def aggregate_document(request: Any, aggregate: Aggregate, full: bool = True) -> dict[str, Any]:
    """One aggregate; a create's answer (C{full=False}) has no hosts nor metadata."""
    document: dict[str, Any] = {
        "availability_zone": aggregate.availability_zone,
        "created_at": _time(aggregate.created_at),
        "deleted": False,
        "deleted_at": None,
        "id": aggregate.id,
        "name": aggregate.name,
        "updated_at": _time(aggregate.updated_at),
    }
    if full:
        document["hosts"] = list(aggregate.hosts)
        document["metadata"] = dict(aggregate.metadata)
    if version_tuple(request) >= V2_41:
        document["uuid"] = aggregate.uuid
    return document


class Aggregates(ComputeResource):
    """Host aggregates."""

    name = "Aggregates"
    alias = "os-aggregates"
    policy_defaults = policies.RULES

    def routes(self) -> list[Route]:
        p = policies.AGGREGATES
        member = "/os-aggregates/<aggregate_id>"
        return [
            Route("/os-aggregates", ("GET",), self.index, "os-aggregates.index",
                  policy=p % "index"),
            Route("/os-aggregates", ("POST",), self.create, "os-aggregates.create",
                  schema=schemas.create, policy=p % "create"),
            Route(member, ("GET",), self.show, "os-aggregates.show", policy=p % "show"),
            Route(member, ("PUT",), self.update, "os-aggregates.update", schema=schemas.update,
                  policy=p % "update"),
            Route(member, ("DELETE",), self.delete, "os-aggregates.delete", policy=p % "delete"),
            Route(member + "/images", ("POST",), self.cache_images, "os-aggregates.images",
                  schema=schemas.cache_images, policy=p % "images", min_version="2.81",
                  status=202),
        ]

    def actions(self) -> dict[str, list[Action]]:
        p = policies.AGGREGATES
        return {
            "os-aggregates": [
                Action("add_host", self.add_host, schema=schemas.add_host, policy=p % "add_host",
                       status=200),
                Action("remove_host", self.remove_host, schema=schemas.remove_host,
                       policy=p % "remove_host", status=200),
                Action("set_metadata", self.set_metadata, schema=schemas.set_metadata,
                       policy=p % "set_metadata", status=200),
            ]
        }

    @deferred
    async def index(self, request: Any) -> dict[str, Any]:
        found = await self.compute.list_aggregates(request.context)
        return {"aggregates": [aggregate_document(request, a) for a in found]}

    @deferred
    async def create(self, request: Any) -> dict[str, Any]:
        body = request.body["aggregate"]
        made = await self.compute.create_aggregate(
            request.context, body["name"], body.get("availability_zone"))
        return {"aggregate": aggregate_document(request, made, full=False)}

    @deferred
    async def show(self, request: Any, aggregate_id: str) -> dict[str, Any]:
        found = await self.compute.get_aggregate(request.context, aggregate_id)
        return {"aggregate": aggregate_document(request, found)}

    @deferred
    async def update(self, request: Any, aggregate_id: str) -> dict[str, Any]:
        body = request.body["aggregate"]
        changed = await self.compute.update_aggregate(
            request.context, aggregate_id, name=body.get("name"),
            availability_zone=body.get("availability_zone", attrs.NOTHING))
        return {"aggregate": aggregate_document(request, changed)}

    @deferred
    async def delete(self, request: Any, aggregate_id: str) -> None:
        await self.compute.delete_aggregate(request.context, aggregate_id)

    @deferred
    async def cache_images(self, request: Any, aggregate_id: str) -> Response:
        await self.compute.get_aggregate(request.context, aggregate_id)
        for item in request.body["cache"]:
            await self.compute.get_image(request.context, item["id"])
        return Response(None, status=202)

    @deferred
    async def add_host(self, request: Any, aggregate_id: str, body: dict) -> Response:
        changed = await self.compute.add_aggregate_host(request.context, aggregate_id, body["host"])
        return Response({"aggregate": aggregate_document(request, changed)})

    @deferred
    async def remove_host(self, request: Any, aggregate_id: str, body: dict) -> Response:
        changed = await self.compute.remove_aggregate_host(request.context, aggregate_id,
                                                           body["host"])
        return Response({"aggregate": aggregate_document(request, changed)})

    @deferred
    async def set_metadata(self, request: Any, aggregate_id: str, body: dict) -> Response:
        changed = await self.compute.set_aggregate_metadata(request.context, aggregate_id,
                                                            body["metadata"])
        return Response({"aggregate": aggregate_document(request, changed)})
