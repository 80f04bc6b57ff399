"""
Admins' flavor management: C{POST /flavors}, C{PUT /flavors/{id}} (2.55),
C{DELETE /flavors/{id}}.

The body's sizes may be integers or strings of digits (nova's leniency); they
become integers here, so the internal API only sees numbers. An C{id} may be a
JSON number too (tempest sends one): nova keeps its text, as here.
"""

from __future__ import annotations

from typing import Any

from novatx.compute.exceptions import Invalid
from novatx.extensions.compute._extension import ComputeResource, deferred
from novatx.extensions.compute.flavors import flavor_detail
from novatx.extensions.compute.policies import flavors as policies
from novatx.extensions.compute.schemas import _params
from novatx.extensions.compute.schemas import flavors as schemas
from novatx.extensions.interfaces import Response, Route


def _size(body: dict[str, Any], key: str, minimum: int, default: int = 0) -> int:
    """One of the body's sizes as an int no smaller than C{minimum}."""
    value = _params.to_int(body.get(key, default), key)
    if value < minimum:
        raise Invalid(
            "Invalid input for field/attribute %s. Value: %s. %s is less than the minimum of %d"
            % (key, body.get(key), value, minimum)
        )
    return value


class FlavorManage(ComputeResource):
    """Creating, describing and deleting flavors (admins)."""

    name = "FlavorManage"
    alias = "os-flavor-manage"
    policy_defaults = policies.MANAGE

    def routes(self) -> list[Route]:
        return [
            Route(
                "/flavors",
                ("POST",),
                self.create,
                "flavors.create",
                schema=[("2.1", "2.54", schemas.create), ("2.55", None, schemas.create_v255)],
                policy=policies.MANAGE_CREATE,
            ),
            Route(
                "/flavors/<flavor_id>",
                ("PUT",),
                self.update,
                "flavors.update",
                schema=schemas.update_v255,
                policy=policies.MANAGE_UPDATE,
                min_version="2.55",
            ),
            Route(
                "/flavors/<flavor_id>",
                ("DELETE",),
                self.delete,
                "flavors.delete",
                policy=policies.MANAGE_DELETE,
                status=202,
            ),
        ]

    @deferred
    async def create(self, request: Any) -> dict[str, Any]:
        body = request.body["flavor"]
        flavor = await self.compute.create_flavor(
            request.context,
            name=body["name"],
            memory_mb=_size(body, "ram", 1),
            vcpus=_size(body, "vcpus", 1),
            root_gb=_size(body, "disk", 0),
            flavorid=None if body.get("id") is None else str(body["id"]),
            ephemeral_gb=_size(body, "OS-FLV-EXT-DATA:ephemeral", 0),
            swap=_size(body, "swap", 0),
            rxtx_factor=float(body.get("rxtx_factor", 1.0)),
            is_public=_params.to_bool(body.get("os-flavor-access:is_public", True)),
            description=body.get("description"),
        )
        return {"flavor": flavor_detail(request, flavor)}

    @deferred
    async def update(self, request: Any, flavor_id: str) -> dict[str, Any]:
        flavor = await self.compute.update_flavor(
            request.context, flavor_id, request.body["flavor"]["description"]
        )
        return {"flavor": flavor_detail(request, flavor)}

    @deferred
    async def delete(self, request: Any, flavor_id: str) -> Response:
        await self.compute.delete_flavor(request.context, flavor_id)
        return Response(status=202)
