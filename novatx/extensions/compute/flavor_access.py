"""
Private flavors' access lists: C{GET /flavors/{id}/os-flavor-access} and the
C{addTenantAccess} / C{removeTenantAccess} actions on C{/flavors/{id}/action}.
"""

from __future__ import annotations

from typing import Any

from novatx.compute.exceptions import Conflict, NotFound
from novatx.extensions.compute._extension import ComputeResource, deferred
from novatx.extensions.compute.policies import flavors as policies
from novatx.extensions.compute.schemas import flavors as schemas
from novatx.extensions.interfaces import Action, Route


class PublicFlavorAccessList(NotFound):
    msg_fmt = "Access list not available for public flavors."


class PublicFlavorAccessChange(Conflict):
    msg_fmt = "Can not add access to a public flavor."


def access_document(flavor_id: str, projects: list[str]) -> dict[str, Any]:
    """nova's C{flavor_access} list."""
    return {"flavor_access": [{"flavor_id": flavor_id, "tenant_id": p} for p in projects]}


class FlavorAccess(ComputeResource):
    """Which projects may use a private flavor."""

    name = "FlavorAccess"
    alias = "os-flavor-access"
    policy_defaults = policies.ACCESS_RULES

    def routes(self) -> list[Route]:
        return [
            Route("/flavors/<flavor_id>/os-flavor-access", ("GET",), self.index,
                  "os-flavor-access.index", policy=policies.ACCESS),
        ]

    def actions(self) -> dict[str, list[Action]]:
        return {
            "flavors": [
                Action("addTenantAccess", self.add, schema=schemas.add_tenant_access,
                       policy=policies.ACCESS_ADD, status=200),
                Action("removeTenantAccess", self.remove, schema=schemas.remove_tenant_access,
                       policy=policies.ACCESS_REMOVE, status=200),
            ]
        }

    @deferred
    async def index(self, request: Any, flavor_id: str) -> dict[str, Any]:
        flavor = await self.compute.get_flavor(request.context, flavor_id)
        if flavor.is_public:
            raise PublicFlavorAccessList()
        projects = await self.compute.list_flavor_access(request.context, flavor_id)
        return access_document(flavor.flavorid, list(projects))

    @deferred
    async def add(self, request: Any, flavor_id: str, body: dict[str, Any]) -> dict[str, Any]:
        flavor = await self.compute.get_flavor(request.context, flavor_id)
        if flavor.is_public:
            raise PublicFlavorAccessChange()
        await self.compute.add_flavor_access(request.context, flavor_id, body["tenant"])
        projects = await self.compute.list_flavor_access(request.context, flavor_id)
        return access_document(flavor.flavorid, list(projects))

    @deferred
    async def remove(self, request: Any, flavor_id: str, body: dict[str, Any]) -> dict[str, Any]:
        flavor = await self.compute.get_flavor(request.context, flavor_id)
        if flavor.is_public:
            raise PublicFlavorAccessChange("Can not remove access from a public flavor.")
        await self.compute.remove_flavor_access(request.context, flavor_id, body["tenant"])
        projects = await self.compute.list_flavor_access(request.context, flavor_id)
        return access_document(flavor.flavorid, list(projects))
