"""
C{/os-availability-zone}: the zones servers may be placed in, and (C{/detail},
admins) the hosts and services of each, the control services in C{internal}.
A service an admin disabled is not C{active}, one forced down not
C{available}; a zone whose compute services are all disabled is unavailable,
and nova lists no hosts for it.
"""

from __future__ import annotations

from typing import Any

from novatx.extensions.compute import _hosts
from novatx.extensions.compute._extension import ComputeResource, deferred
from novatx.extensions.compute.policies import hosts as policies
from novatx.extensions.interfaces import Route


class AvailabilityZones(ComputeResource):
    """Availability zones."""

    name = "AvailabilityZone"
    alias = "os-availability-zone"
    policy_defaults = policies.AVAILABILITY_ZONES

    def routes(self) -> list[Route]:
        return [
            Route("/os-availability-zone", ("GET",), self.index, "os-availability-zone.index",
                  policy=policies.AZ_LIST),
            Route("/os-availability-zone/detail", ("GET",), self.detail,
                  "os-availability-zone.detail", policy=policies.AZ_DETAIL),
        ]

    @deferred
    async def index(self, request: Any) -> dict[str, Any]:
        zones = await self.compute.list_availability_zones(request.context)
        return {
            "availabilityZoneInfo": [
                {"zoneName": name, "zoneState": {"available": available}, "hosts": None}
                for name, available in zones
            ]
        }

    @deferred
    async def detail(self, request: Any) -> dict[str, Any]:
        zones = await self.compute.list_availability_zones(request.context)
        _, services = await _hosts.deployment(self.compute, request.context)
        updated = _hosts.timestamp(self.reactor)
        by_zone: dict[str, dict[str, dict[str, Any]]] = {}
        for service in services:
            host = by_zone.setdefault(service.zone, {}).setdefault(service.host, {})
            host[service.binary] = {"available": service.state == "up", "active": not service.disabled,
                                    "updated_at": updated}
        info = [
            {"zoneName": _hosts.INTERNAL_ZONE, "zoneState": {"available": True},
             "hosts": by_zone.get(_hosts.INTERNAL_ZONE, {})}
        ]
        info.extend(
            {"zoneName": name, "zoneState": {"available": available},
             "hosts": (by_zone.get(name) or None) if available else None}
            for name, available in zones
        )
        return {"availabilityZoneInfo": info}
