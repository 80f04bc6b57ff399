"""
C{/os-simple-tenant-usage}: server hours and the resources they held, per
project, over a period (C{start}, C{end}; both default to now).

Admins list every project's usage; a project reads its own with
C{/os-simple-tenant-usage/{tenant_id}}, always with the per-server detail.
"""

from __future__ import annotations

import datetime
from typing import Any

from novatx.compute.exceptions import Invalid
from novatx.extensions.compute import _listing
from novatx.extensions.compute._extension import ComputeResource, deferred
from novatx.extensions.compute.policies import hosts as policies
from novatx.extensions.interfaces import Route

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

    @deferred
    async def index(self, request: Any) -> dict[str, Any]:
        start, end = self._period(request)
        detailed = _listing.bool_flag(request.args.get("detailed", []))
        usages = await self.compute.get_usage(request.context, start, end)
        now = self._now()
        return {"tenant_usages": [tenant_usage(u, detailed, now) for u in usages]}

    @deferred
    async def show(self, request: Any, tenant_id: str) -> dict[str, Any]:
        request.authorize(policies.USAGE_SHOW, {"project_id": tenant_id})
        start, end = self._period(request)
        usages = await self.compute.get_usage(request.context, start, end, project_id=tenant_id)
        now = self._now()
        return {"tenant_usage": tenant_usage(usages[0], True, now) if usages else {}}
