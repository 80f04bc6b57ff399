"""
C{/os-quota-sets/{project_id}}: show, C{/defaults}, C{/detail}, update, delete.

Readers see their own project's quotas (admins any project's); only admins
change them, and a limit below what is already used is refused unless the body
says C{force}. The quotas listed follow the microversion (see L{_quotas}).
"""

from __future__ import annotations

from typing import Any

from novatx.extensions.compute import _listing, _quotas
from novatx.extensions.compute._extension import ComputeResource, deferred
from novatx.extensions.compute.policies import quotas as policies
from novatx.extensions.compute.schemas import _params
from novatx.extensions.compute.schemas import quota_sets as schemas
from novatx.extensions.interfaces import APIVersion, Response, Route


def _version(request: Any) -> APIVersion:
    return request.version or APIVersion(2, 1)


class QuotaSets(ComputeResource):
    """A project's (or a user's) quotas."""

    name = "Quotas"
    alias = "os-quota-sets"
    policy_defaults = policies.QUOTA_SETS

    def routes(self) -> list[Route]:
        base = "/os-quota-sets/<project_id>"
        return [
            Route(base, ("GET",), self.show, "os-quota-sets.show"),
            Route(base + "/defaults", ("GET",), self.defaults, "os-quota-sets.defaults",
                  policy=policies.DEFAULTS),
            Route(base + "/detail", ("GET",), self.detail, "os-quota-sets.detail"),
            Route(base, ("PUT",), self.update, "os-quota-sets.update",
                  schema=schemas.BY_VERSION, policy=policies.UPDATE),
            Route(base, ("DELETE",), self.delete, "os-quota-sets.delete",
                  policy=policies.DELETE, status=202),
        ]

    async def _quotas(self, request: Any, rule: str, project_id: str, usages: bool) -> Any:
        """Check C{rule} on the project asked about, then fetch its quotas."""
        user_id = _listing.query_value(request, "user_id")
        request.authorize(rule, {"project_id": project_id, "user_id": user_id or request.context.user_id})
        return await self.compute.get_quotas(
            request.context, project_id, user_id=user_id, usages=usages
        )

    @deferred
    async def show(self, request: Any, project_id: str) -> dict[str, Any]:
        quotas = await self._quotas(request, policies.SHOW, project_id, usages=False)
        document = _quotas.limits_document(quotas, _version(request))
        document["id"] = project_id
        return {"quota_set": document}

    @deferred
    async def detail(self, request: Any, project_id: str) -> dict[str, Any]:
        quotas = await self._quotas(request, policies.DETAIL, project_id, usages=True)
        document: dict[str, Any] = {
            name: {
                "limit": _quotas.limit_of(quotas, name),
                "in_use": _quotas.in_use(quotas, name),
                "reserved": _quotas.reserved(quotas, name),
            }
            for name in _quotas.shown_names(_version(request))
        }
        document["id"] = project_id
        return {"quota_set": document}

    @deferred
    async def defaults(self, request: Any, project_id: str) -> dict[str, Any]:
        quotas = await self.compute.get_default_quotas(request.context)
        document = _quotas.limits_document(quotas, _version(request))
        document["id"] = project_id
        return {"quota_set": document}

    @deferred
    async def update(self, request: Any, project_id: str) -> dict[str, Any]:
        body = dict(request.body["quota_set"])
        force = _params.to_bool(body.pop("force", False))
        limits = {
            _quotas.internal_name(name): _params.to_int(value, name)
            for name, value in body.items()
        }
        user_id = _listing.query_value(request, "user_id")
        await self.compute.update_quotas(
            request.context, project_id, limits, user_id=user_id, force=force
        )
        quotas = await self.compute.get_quotas(request.context, project_id, user_id=user_id)
        return {"quota_set": _quotas.limits_document(quotas, _version(request))}

    @deferred
    async def delete(self, request: Any, project_id: str) -> Response:
        user_id = _listing.query_value(request, "user_id")
        await self.compute.delete_quotas(request.context, project_id, user_id=user_id)
        return Response(status=202)
