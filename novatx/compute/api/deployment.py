"""
What the deployment is: its zone, its host, the states of its services, usage.
"""

from __future__ import annotations

import datetime
from typing import Any, Mapping

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from twisted.internet.defer import Deferred, fail

from novatx.compute import aggregates, convert, migrations, services
from novatx.compute.api._base import ComputeAPIBase
from novatx.compute.context import RequestContext
from novatx.compute.exceptions import Invalid, NotAuthorized
from novatx.db import tables as t

I = t.instances


class DeploymentAPI(ComputeAPIBase):
    """Zones, hosts, service states and usage. One part of L{novatx.compute.api.ComputeAPI}."""

    def list_availability_zones(self, context: RequestContext) -> Deferred:
        """
        The zone of the compute host, available while its compute service
        is enabled (nova counts a zone whose computes are all disabled among
        its unavailable zones).
        """
        return self._read(
            lambda connection: services.zones(connection, self._zoned_host(connection)))

    def _zoned_host(self, connection: Connection) -> dict[str, Any]:
        """The compute host, in the zone its aggregates give it."""
        return aggregates.zoned(connection, self.driver.host_info())

    def list_hosts(self, context: RequestContext) -> Deferred:
        return self._read(lambda connection: [self._zoned_host(connection)])

    def list_service_states(self, context: RequestContext) -> Deferred:
        """
        The state admins gave the deployment's services, by C{(host, binary)}
        (L{services.ServiceState}); a service not listed was never changed.
        """
        return self._read(services.states)

    def update_service(self, context: RequestContext, host: str, binary: str,
                       **changes: Any) -> Deferred:
        """
        Change one service's state (C{disabled}, C{disabled_reason},
        C{forced_down}); fires with its new L{services.ServiceState}.
        """
        unknown = set(changes) - services.CHANGEABLE
        if unknown:
            return fail(Invalid("Cannot update %s." % ", ".join(sorted(unknown))))
        if host != self.driver.host_info()["host"]:
            return fail(services.HostBinaryNotFound(host=host, binary=binary))
        return self._write(services.update, host, binary, self._now(), changes)

    def get_usage(self, context: RequestContext, start: datetime.datetime,
                  end: datetime.datetime, project_id: str | None = None) -> Deferred:
        if project_id is not None and project_id != context.project_id and not context.is_admin:
            return fail(NotAuthorized("Policy doesn't allow this operation to be performed."))
        begin, finish = convert.to_store(start), convert.to_store(end)
        if finish < begin:
            return fail(Invalid("Invalid start time. The start time cannot occur after "
                                "the end time."))

        def run(connection: Connection) -> list[dict[str, Any]]:
            clauses = [I.c.created_at < finish,
                       sa.or_(I.c.terminated_at.is_(None), I.c.terminated_at > begin)]
            if project_id is not None:
                clauses.append(I.c.project_id == project_id)
            elif not context.is_admin:
                clauses.append(I.c.project_id == context.project_id)
            projects: dict[str, dict[str, Any]] = {}
            for row in connection.execute(sa.select(I).where(*clauses)
                                          .order_by(I.c.id)).mappings():
                first = max(row["created_at"], begin)
                last = min(row["terminated_at"] or finish, finish)
                hours = max(0.0, (last - first).total_seconds() / 3600.0)
                flavor = row["flavor"]
                usage = projects.setdefault(row["project_id"], {
                    "tenant_id": row["project_id"], "start": start, "stop": end,
                    "total_hours": 0.0, "total_memory_mb_usage": 0.0,
                    "total_vcpus_usage": 0.0, "total_local_gb_usage": 0.0,
                    "server_usages": []})
                usage["total_hours"] += hours
                usage["total_memory_mb_usage"] += hours * flavor["memory_mb"]
                usage["total_vcpus_usage"] += hours * flavor["vcpus"]
                usage["total_local_gb_usage"] += hours * (flavor["root_gb"]
                                                          + flavor.get("ephemeral_gb", 0))
                usage["server_usages"].append({
                    "instance_id": row["uuid"], "name": row["name"], "hours": hours,
                    "memory_mb": flavor["memory_mb"], "vcpus": flavor["vcpus"],
                    "local_gb": flavor["root_gb"] + flavor.get("ephemeral_gb", 0),
                    "tenant_id": row["project_id"], "flavor": flavor["name"],
                    "started_at": convert.aware(row["created_at"]),
                    "ended_at": convert.aware(row["terminated_at"]),
                    "state": "terminated" if row["deleted"] else row["vm_state"],
                    "uptime": int((last - first).total_seconds()),
                })
            return list(projects.values())
        return self._read(run)

    def list_migrations(self, context: RequestContext, filters: Mapping[str, Any] | None = None,
                        limit: int | None = None, marker: str | None = None) -> Deferred:
        """Admins: the servers' migrations, newest first (L{migrations.list_page})."""
        if not context.is_admin:
            return fail(NotAuthorized("Policy doesn't allow os_compute_api:os-migrations:index "
                                      "to be performed."))
        return self._read(migrations.list_page, dict(filters or {}), limit, marker)
