"""
C{GET /os-services}: the nova services of the simulated deployment (admins).

C{forced_down} appears at 2.11 and the ids become UUIDs at 2.53, as in nova.
"""

from __future__ import annotations

from typing import Any

from novatx.extensions.compute import _hosts, _listing
from novatx.extensions.compute._extension import ComputeResource, deferred
from novatx.extensions.compute.policies import hosts as policies
from novatx.extensions.interfaces import APIVersion, Route

V2_11 = APIVersion(2, 11)


class Services(ComputeResource):
    """The deployment's services."""

    name = "Services"
    alias = "os-services"
    policy_defaults = policies.SERVICES

    def routes(self) -> list[Route]:
        return [Route("/os-services", ("GET",), self.index, "os-services.index",
                      policy=policies.SERVICES_LIST)]

    @deferred
    async def index(self, request: Any) -> dict[str, Any]:
        version = request.version or APIVersion(2, 1)
        hosts = await self.compute.list_hosts(request.context)
        host = _listing.query_value(request, "host")
        binary = _listing.query_value(request, "binary")
        updated = _hosts.timestamp(self.reactor)
        documents = []
        for service in _hosts.services(list(hosts)):
            if (host is not None and service.host != host) or (binary is not None and service.binary != binary):
                continue
            document: dict[str, Any] = {
                "id": service.id_at(version),
                "binary": service.binary,
                "host": service.host,
                "zone": service.zone,
                "status": "enabled",
                "state": "up",
                "disabled_reason": None,
                "updated_at": updated,
            }
            if version >= V2_11:
                document["forced_down"] = False
            documents.append(document)
        return {"services": documents}
