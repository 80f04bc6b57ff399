"""
C{/os-quota-class-sets/{id}} (admins): the limits of a quota class. The
C{default} class's limits stand over the configured C{[quota]} defaults for
every project (C{os-quota-sets/{id}/defaults} and every project without its
own limits follow them); other classes are kept and shown, not applied, as
in nova.
"""

from __future__ import annotations

from typing import Any

from novatx.extensions.compute import _quotas
from novatx.extensions.compute._extension import ComputeResource, deferred
from novatx.extensions.compute.policies import quotas as policies
from novatx.extensions.compute.schemas import quota_sets as schemas
from novatx.extensions.interfaces import APIVersion, Route

V2_1 = APIVersion(2, 1)


def class_document(quotas: Any, version: APIVersion) -> dict[str, Any]:
    return {name: _quotas.limit_of(quotas, name) for name in _quotas.class_names(version)}


class QuotaClassSets(ComputeResource):
    """Quota classes."""

    name = "QuotaClasses"
    alias = "os-quota-class-sets"
    policy_defaults = policies.QUOTA_CLASS_SETS

    def routes(self) -> list[Route]:
        path = "/os-quota-class-sets/<class_name>"
        return [
            Route(path, ("GET",), self.show, "os-quota-class-sets.show",
                  policy=policies.CLASS_SHOW),
            Route(path, ("PUT",), self.update, "os-quota-class-sets.update",
                  schema=schemas.CLASS_BY_VERSION, policy=policies.CLASS_UPDATE),
        ]

    @deferred
    async def show(self, request: Any, class_name: str) -> dict[str, Any]:
        quotas = await self.compute.get_quota_class(request.context, class_name)
        document = class_document(quotas, request.version or V2_1)
        document["id"] = class_name
        return {"quota_class_set": document}

    @deferred
    async def update(self, request: Any, class_name: str) -> dict[str, Any]:
        limits = {
            _quotas.internal_name(name): int(value)
            for name, value in request.body["quota_class_set"].items()
        }
        quotas = await self.compute.update_quota_class(request.context, class_name, limits)
        return {"quota_class_set": class_document(quotas, request.version or V2_1)}
