"""
C{/flavors/{id}/os-extra_specs}: a flavor's extra specs, one by one or all.

Values may arrive as numbers or booleans; nova stores them as strings, and so
does this resource.
"""

from __future__ import annotations

from typing import Any

from novatx.compute.exceptions import Invalid, NotFound
from novatx.extensions.compute._extension import ComputeResource, deferred
from novatx.extensions.compute.policies import flavors as policies
from novatx.extensions.compute.schemas import flavors as schemas
from novatx.extensions.interfaces import Response, Route


class ExtraSpecNotFound(NotFound):
    msg_fmt = "Flavor %(flavor_id)s has no extra specs with key %(key)s."


def _as_strings(specs: dict[str, Any]) -> dict[str, str]:
    """Extra spec values as nova stores them."""
    return {key: value if isinstance(value, str) else str(value) for key, value in specs.items()}


class FlavorExtraSpecs(ComputeResource):
    """A flavor's extra specs."""

    name = "FlavorExtraSpecs"
    alias = "os-flavor-extra-specs"
    policy_defaults = policies.EXTRA_SPECS

    def routes(self) -> list[Route]:
        base = "/flavors/<flavor_id>/os-extra_specs"
        return [
            Route(base, ("GET",), self.index, "os-flavor-extra-specs.index",
                  policy=policies.EXTRA_SPECS_INDEX),
            Route(base, ("POST",), self.create, "os-flavor-extra-specs.create",
                  schema=schemas.extra_specs_create, policy=policies.EXTRA_SPECS_CREATE),
            Route(base + "/<key>", ("GET",), self.show, "os-flavor-extra-specs.show",
                  policy=policies.EXTRA_SPECS_SHOW),
            Route(base + "/<key>", ("PUT",), self.update, "os-flavor-extra-specs.update",
                  schema=schemas.extra_spec_update, policy=policies.EXTRA_SPECS_UPDATE),
            Route(base + "/<key>", ("DELETE",), self.delete, "os-flavor-extra-specs.delete",
                  policy=policies.EXTRA_SPECS_DELETE),
        ]

    @deferred
    async def index(self, request: Any, flavor_id: str) -> dict[str, Any]:
        flavor = await self.compute.get_flavor(request.context, flavor_id)
        return {"extra_specs": dict(flavor.extra_specs)}

    @deferred
    async def create(self, request: Any, flavor_id: str) -> dict[str, Any]:
        specs = _as_strings(request.body["extra_specs"])
        await self.compute.set_flavor_extra_specs(request.context, flavor_id, specs)
        return {"extra_specs": specs}

    @deferred
    async def show(self, request: Any, flavor_id: str, key: str) -> dict[str, Any]:
        flavor = await self.compute.get_flavor(request.context, flavor_id)
        if key not in flavor.extra_specs:
            raise ExtraSpecNotFound(flavor_id=flavor_id, key=key)
        return {key: flavor.extra_specs[key]}

    @deferred
    async def update(self, request: Any, flavor_id: str, key: str) -> dict[str, Any]:
        specs = _as_strings(request.body)
        if key not in specs:
            raise Invalid("Request body and URI mismatch")
        await self.compute.set_flavor_extra_specs(request.context, flavor_id, specs)
        return specs

    @deferred
    async def delete(self, request: Any, flavor_id: str, key: str) -> Response:
        """Unset one key: nova answers 200 with an empty body (not 202)."""
        flavor = await self.compute.get_flavor(request.context, flavor_id)
        if key not in flavor.extra_specs:
            raise ExtraSpecNotFound(flavor_id=flavor_id, key=key)
        await self.compute.delete_flavor_extra_spec(request.context, flavor_id, key)
        return Response(status=200)
