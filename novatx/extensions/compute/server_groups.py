"""
C{/os-server-groups}: groups of servers placed by an (anti-)affinity policy.

2.13 shows C{project_id} and C{user_id}; 2.15 allows the soft policies; 2.64
replaces the C{policies} list (and the always-empty C{metadata}) with one
C{policy} and its C{rules} (C{max_server_per_host}, anti-affinity only).
"""

from __future__ import annotations

from typing import Any

from novatx.compute.exceptions import Invalid
from novatx.compute.records import ServerGroup
from novatx.extensions.compute import _listing
from novatx.extensions.compute._extension import ComputeResource, deferred
from novatx.extensions.compute.policies import server_groups as policies
from novatx.extensions.compute.schemas import _params
from novatx.extensions.compute.schemas import server_groups as schemas
from novatx.extensions.interfaces import APIVersion, Response, Route

V2_13 = APIVersion(2, 13)
V2_64 = APIVersion(2, 64)


def _version(request: Any) -> APIVersion:
    return request.version or APIVersion(2, 1)


def server_group_document(request: Any, group: ServerGroup) -> dict[str, Any]:
    """A server group at the request's microversion."""
    version = _version(request)
    document: dict[str, Any] = {
        "id": group.uuid,
        "name": group.name,
        "members": list(group.members),
    }
    if version >= V2_64:
        document["policy"] = group.policy
        document["rules"] = dict(group.rules)
    else:
        document["policies"] = [group.policy]
        document["metadata"] = {}
    if version >= V2_13:
        document["project_id"] = group.project_id
        document["user_id"] = group.user_id
    return document


def _policy_and_rules(request: Any, body: dict[str, Any]) -> tuple[str, dict[str, int]]:
    if _version(request) < V2_64:
        return body["policies"][0], {}
    rules = {key: _params.to_int(value, key) for key, value in body.get("rules", {}).items()}
    if rules and body["policy"] != "anti-affinity":
        raise Invalid("Only anti-affinity policy supports rules.")
    return body["policy"], rules


class ServerGroups(ComputeResource):
    """Server groups of a project."""

    name = "ServerGroups"
    alias = "os-server-groups"
    policy_defaults = policies.RULES

    def routes(self) -> list[Route]:
        return [
            Route("/os-server-groups", ("GET",), self.index, "os-server-groups.index",
                  policy=policies.INDEX),
            Route("/os-server-groups", ("POST",), self.create, "os-server-groups.create",
                  schema=schemas.BY_VERSION, policy=policies.CREATE),
            Route("/os-server-groups/<group_id>", ("GET",), self.show, "os-server-groups.show",
                  policy=policies.SHOW),
            Route("/os-server-groups/<group_id>", ("DELETE",), self.delete,
                  "os-server-groups.delete", policy=policies.DELETE, status=204),
        ]

    @deferred
    async def index(self, request: Any) -> dict[str, Any]:
        all_projects = _listing.bool_flag(request.args.get("all_projects", []))
        if all_projects:
            request.authorize(policies.INDEX_ALL_PROJECTS)
        limit, _ = _listing.page_size(request, self.max_limit)
        offset = _listing.parse_int(request, "offset", minimum=0)
        result = await self.compute.list_server_groups(
            request.context, all_projects=all_projects, limit=limit, offset=offset
        )
        groups = getattr(result, "items", result)
        return {"server_groups": [server_group_document(request, g) for g in groups]}

    @deferred
    async def create(self, request: Any) -> dict[str, Any]:
        body = request.body["server_group"]
        policy, rules = _policy_and_rules(request, body)
        group = await self.compute.create_server_group(
            request.context, body["name"], policy, rules=rules or None
        )
        return {"server_group": server_group_document(request, group)}

    @deferred
    async def show(self, request: Any, group_id: str) -> dict[str, Any]:
        group = await self.compute.get_server_group(request.context, group_id)
        return {"server_group": server_group_document(request, group)}

    @deferred
    async def delete(self, request: Any, group_id: str) -> Response:
        await self.compute.delete_server_group(request.context, group_id)
        return Response(status=204)
