"""
C{ips}: C{/servers/{id}/ips} (every network's addresses) and
C{/servers/{id}/ips/{network}} (one network's), without the C{OS-EXT-IPS}
fields the server documents carry.
"""

from __future__ import annotations

from typing import Any

from novatx.compute import exceptions
from novatx.extensions.compute._extension import ComputeResource, deferred
from novatx.extensions.compute.policies import servers as policies
from novatx.extensions.compute.servers_views import addresses
from novatx.extensions.interfaces import Route


class IPs(ComputeResource):
    """A server's addresses by network."""

    name = "IPs"
    alias = "ips"
    policy_defaults = policies.ips_rules()

    def routes(self) -> list[Route]:
        return [
            Route("/servers/<server_id>/ips", ("GET",), self.index, "ips.index", policy=policies.IPS % "index"),
            Route("/servers/<server_id>/ips/<network>", ("GET",), self.show, "ips.show",
                  policy=policies.IPS % "show"),
        ]

    @deferred
    async def index(self, request: Any, server_id: str) -> dict:
        instance = await self.compute.get_server(request.context, server_id)
        return {"addresses": addresses(instance, extended=False)}

    @deferred
    async def show(self, request: Any, server_id: str, network: str) -> dict:
        instance = await self.compute.get_server(request.context, server_id)
        networks = addresses(instance, extended=False)
        if network not in networks:
            raise exceptions.NotFound("Instance is not a member of specified network")
        return {network: networks[network]}
