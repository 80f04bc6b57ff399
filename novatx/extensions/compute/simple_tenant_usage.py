"""
C{/os-simple-tenant-usage}: server hours and the resources they held, per
project, over a period (C{start}, C{end}; both default to now).

Admins list every project's usage; a project reads its own with
C{/os-simple-tenant-usage/{tenant_id}}, always with the per-server detail.
From 2.40 both page by server (C{limit}, C{marker}: a server's UUID), and the
totals count the servers of the page, as nova's do.
"""

from __future__ import annotations

import datetime
from typing import Any

from novatx.compute.exceptions import Invalid, MarkerNotFound
from novatx.extensions.compute import _listing
from novatx.extensions.compute._extension import (
    ComputeResource, deferred, refuse_blank_id, version_tuple,
)
from novatx.extensions.compute.policies import hosts as policies
from novatx.extensions.interfaces import Route

V2_40 = (2, 40)

#: The spellings of C{start} and C{end} nova accepts.
DATETIME_FORMATS = ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S.%f", "%Y-%m-%d %H:%M:%S.%f")


def _naive(value: Any) -> str | None:
    """A datetime as nova's usage shows it: ISO 8601 without a zone."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return value.isoformat()


def server_usage(usage: dict[str, Any], now: datetime.datetime) -> dict[str, Any]:
    """One server's line, with C{uptime} in seconds until it ended (or now)."""
    ended = usage.get("ended_at")
    started = usage.get("started_at")
    uptime = int(((ended or now) - started).total_seconds()) if started is not None else 0
    document = dict(usage)
    document.update({"started_at": _naive(started), "ended_at": _naive(ended), "uptime": uptime})
    return document


def tenant_usage(usage: dict[str, Any], detailed: bool, now: datetime.datetime) -> dict[str, Any]:
    """One project's totals, with its servers' lines when C{detailed}."""
    document = {key: value for key, value in usage.items() if key != "server_usages"}
    document["start"] = _naive(usage["start"])
    document["stop"] = _naive(usage["stop"])
    if detailed:
        document["server_usages"] = [server_usage(s, now) for s in usage["server_usages"]]
    return document


def paginate(usages: list[dict[str, Any]], limit: int, marker: str | None) -> tuple[list[dict[str, Any]], str | None]:
    """
    The page of servers after C{marker}, at most C{limit}, regrouped by project
    with totals over those servers; and the last server's id when the page is full.
    """
    lines = [(usage, server) for usage in usages for server in usage["server_usages"]]
    if marker is not None:
        ids = [server["instance_id"] for _, server in lines]
        if marker not in ids:
            raise MarkerNotFound(marker=marker)
        lines = lines[ids.index(marker) + 1:]
    lines = lines[:limit]
    paged: dict[str, dict[str, Any]] = {}
    for usage, server in lines:
        project = paged.get(usage["tenant_id"])
        if project is None:
            project = paged[usage["tenant_id"]] = dict(
                usage, server_usages=[], total_hours=0.0, total_memory_mb_usage=0.0,
                total_vcpus_usage=0.0, total_local_gb_usage=0.0,
            )
        hours = server["hours"]
        project["server_usages"].append(server)
        project["total_hours"] += hours
        project["total_memory_mb_usage"] += hours * server["memory_mb"]
        project["total_vcpus_usage"] += hours * server["vcpus"]
        project["total_local_gb_usage"] += hours * server["local_gb"]
    last = lines[-1][1]["instance_id"] if lines and len(lines) == limit else None
    return list(paged.values()), last


class SimpleTenantUsage(ComputeResource):
    """Usage per project."""

    name = "SimpleTenantUsage"
    alias = "os-simple-tenant-usage"
    policy_defaults = policies.USAGE

    def routes(self) -> list[Route]:
        return [
            Route("/os-simple-tenant-usage", ("GET",), self.index, "os-simple-tenant-usage.index",
                  policy=policies.USAGE_LIST),
            Route("/os-simple-tenant-usage/<tenant_id>", ("GET",), self.show,
                  "os-simple-tenant-usage.show"),
        ]

    def _now(self) -> datetime.datetime:
        return datetime.datetime.fromtimestamp(self.reactor.seconds(), datetime.timezone.utc)

    def _period(self, request: Any) -> tuple[datetime.datetime, datetime.datetime]:
        now = self._now()
        bounds = []
        for name in ("start", "end"):
            value = _listing.query_value(request, name)
            if value is None:
                bounds.append(now)
                continue
            for spelling in DATETIME_FORMATS:
                try:
                    parsed = datetime.datetime.strptime(value, spelling)
                except ValueError:
                    continue
                bounds.append(parsed.replace(tzinfo=datetime.timezone.utc))
                break
            else:
                raise Invalid("Datetime is in invalid format")
        start, end = bounds
        if start > end:
            raise Invalid("Invalid start time. The start time cannot occur after the end time.")
        return start, end

    def _page(self, request: Any, usages: list[dict[str, Any]], collection: str) -> tuple[list, list]:
        """From 2.40, the page the request asks for and its C{next} link."""
        if version_tuple(request) < V2_40:
            return usages, []
        limit, marker = _listing.page_size(request, self.max_limit)
        usages, last = paginate(usages, limit, marker)
        if last is None:
            return usages, []
        return usages, _listing.next_links(request, [last], collection, str, 1)

    @deferred
    async def index(self, request: Any) -> dict[str, Any]:
        refuse_blank_id(request)
        start, end = self._period(request)
        detailed = _listing.bool_flag(request.args.get("detailed", []))
        usages, links = self._page(request, await self.compute.get_usage(request.context, start, end),
                                   "os-simple-tenant-usage")
        now = self._now()
        document: dict[str, Any] = {"tenant_usages": [tenant_usage(u, detailed, now) for u in usages]}
        if links:
            document["tenant_usages_links"] = links
        return document

    @deferred
    async def show(self, request: Any, tenant_id: str) -> dict[str, Any]:
        request.authorize(policies.USAGE_SHOW, {"project_id": tenant_id})
        start, end = self._period(request)
        usages = await self.compute.get_usage(request.context, start, end, project_id=tenant_id)
        usages, links = self._page(request, usages, "os-simple-tenant-usage/" + tenant_id)
        now = self._now()
        document: dict[str, Any] = {"tenant_usage": tenant_usage(usages[0], True, now) if usages else {}}
        if links:
            document["tenant_usage_links"] = links
        return document
