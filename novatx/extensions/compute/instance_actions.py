"""
C{os-instance-actions}: what was done to a server, by whom, and (in one
action's document) the steps it took. From 2.58 the list pages
(C{limit}/C{marker}, C{changes-since}) and entries carry C{updated_at}; from
2.51 non-admins see the events too (admins alone see tracebacks, and from 2.62
the host).
"""

from __future__ import annotations

from typing import Any

from novatx.compute import exceptions
from novatx.extensions.compute import _listing
from novatx.extensions.compute._extension import ComputeResource, deferred
from novatx.extensions.compute.policies import servers as policies
from novatx.extensions.compute.server_filters import check_query, parse_time
from novatx.extensions.compute.servers_views import V2_51, V2_58, instance_action, version_of
from novatx.extensions.interfaces import Route

_QUERY = {
    "limit": {"type": "string", "pattern": "^[0-9]*$", "minLength": 1},
    "changes-since": {"type": "string", "format": "date-time"},
    "changes-before": {"type": "string", "format": "date-time"},
}


class InstanceActions(ComputeResource):
    """A server's action log."""

    name = "InstanceActions"
    alias = "os-instance-actions"
    policy_defaults = policies.instance_actions_rules()

    def routes(self) -> list[Route]:
        p = policies.INSTANCE_ACTIONS
        base = "/servers/<server_id>/os-instance-actions"
        return [
            Route(base, ("GET",), self.index, "os-instance-actions.index", policy=p % "list"),
            Route(base + "/<request_id>", ("GET",), self.show, "os-instance-actions.show", policy=p % "show"),
        ]

    @deferred
    async def index(self, request: Any, server_id: str) -> dict:
        version = version_of(request)
        actions = list(await self.compute.list_instance_actions(request.context, server_id))
        document: dict[str, Any] = {}
        if version >= V2_58:
            actions = self._page(request, actions, document, server_id)
        document["instanceActions"] = [instance_action(request, a) for a in actions]
        return document

    def _page(self, request: Any, actions: list, document: dict, server_id: str) -> list:
        """2.58's filters and paging over the newest-first list."""
        check_query(request.args, _QUERY)
        since = request.args.get("changes-since")
        if since:
            when = parse_time("changes-since", since[-1])
            actions = [a for a in actions if (a.updated_at or a.start_time) >= when]
        before = request.args.get("changes-before")
        if before:
            when = parse_time("changes-before", before[-1])
            actions = [a for a in actions if (a.updated_at or a.start_time) <= when]
        marker = request.args.get("marker")
        if marker:
            ids = [a.request_id for a in actions]
            if marker[-1] not in ids:
                raise exceptions.MarkerNotFound(marker=marker[-1])
            actions = actions[ids.index(marker[-1]) + 1:]
        limit = request.args.get("limit")
        if limit:
            count = _listing.capped_limit("limit", limit[-1], len(actions))
            if len(actions) > count > 0:
                actions = actions[:count]
                document["links"] = [{
                    "rel": "next",
                    "href": "%s?limit=%d&marker=%s" % (
                        request.project_url("servers", server_id, "os-instance-actions"),
                        count,
                        actions[-1].request_id,
                    ),
                }]
        return actions

    @deferred
    async def show(self, request: Any, server_id: str, request_id: str) -> dict:
        action = await self.compute.get_instance_action(request.context, server_id, request_id)
        with_events = version_of(request) >= V2_51 or request.allows(policies.INSTANCE_ACTIONS % "events")
        return {"instanceAction": instance_action(request, action, with_events=with_events)}
