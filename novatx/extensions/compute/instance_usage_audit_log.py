"""
C{/os-instance_usage_audit_log} (admins): nova's record of its periodic
usage audits, for the audit period before now or before a given time. Nova
audits by month by default; the simulated hosts run no audit, so each period
shows every compute host as not run, with no instances and no errors.
"""

from __future__ import annotations

import datetime
from typing import Any

from novatx.compute.exceptions import Invalid
from novatx.extensions.compute._extension import ComputeResource, deferred
from novatx.extensions.compute.policies import server_extras as policies
from novatx.extensions.interfaces import Route

#: The times a C{before} path segment may be written in (nova's).
_FORMATS = ("%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S")

_TIME = "%Y-%m-%d %H:%M:%S"


def parse_before(text: str) -> datetime.datetime:
    """A C{before} time, or nova's 400."""
    for form in _FORMATS:
        try:
            return datetime.datetime.strptime(text, form)
        except ValueError:
            continue
    raise Invalid("Invalid timestamp for date %s" % text)


def audit_period(before: datetime.datetime) -> tuple[datetime.datetime, datetime.datetime]:
    """The last whole month that ended at or before C{before}."""
    end = before.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    start = (end - datetime.timedelta(days=1)).replace(day=1)
    return start, end


def audit_document(hosts: list[str], before: datetime.datetime) -> dict[str, Any]:
    start, end = audit_period(before)
    return {
        "hosts_not_run": sorted(hosts),
        "log": {},
        "num_hosts": len(hosts),
        "num_hosts_done": 0,
        "num_hosts_not_run": len(hosts),
        "num_hosts_running": 0,
        "overall_status": "0 of %d hosts done. 0 errors." % len(hosts),
        "period_beginning": start.strftime(_TIME),
        "period_ending": end.strftime(_TIME),
        "total_errors": 0,
        "total_instances": 0,
    }


class InstanceUsageAuditLog(ComputeResource):
    """The usage audits of the compute hosts."""

    name = "OSInstanceUsageAuditLog"
    alias = "os-instance_usage_audit_log"
    policy_defaults = policies.AUDIT_LOG_RULES

    def routes(self) -> list[Route]:
        return [
            Route("/os-instance_usage_audit_log", ("GET",), self.index,
                  "os-instance_usage_audit_log.index", policy=policies.AUDIT_LOG % "list"),
            Route("/os-instance_usage_audit_log/<before>", ("GET",), self.show,
                  "os-instance_usage_audit_log.show", policy=policies.AUDIT_LOG % "show"),
        ]

    def _now(self) -> datetime.datetime:
        return datetime.datetime.fromtimestamp(self.reactor.seconds(), datetime.timezone.utc) \
            .replace(tzinfo=None)

    async def _hosts(self, request: Any) -> list[str]:
        return [info["host"] for info in await self.compute.list_hosts(request.context)]

    @deferred
    async def index(self, request: Any) -> dict[str, Any]:
        return {"instance_usage_audit_logs": audit_document(await self._hosts(request),
                                                            self._now())}

    @deferred
    async def show(self, request: Any, before: str) -> dict[str, Any]:
        when = parse_before(before)
        return {"instance_usage_audit_log": audit_document(await self._hosts(request), when)}
