"""
Floating IPs in the compute API: the C{os-floating-ips} and
C{os-floating-ip-pools} proxies (below 2.36) and the C{addFloatingIp} and
C{removeFloatingIp} server actions (below 2.44), with nova's answers.
"""

from __future__ import annotations

from typing import Any

from novatx.compute import exceptions
from novatx.compute.network import exceptions as net_exc
from novatx.compute.network.records import FloatingIP
from novatx.extensions.compute._extension import ComputeResource, deferred
from novatx.extensions.compute.policies import network as policies
from novatx.extensions.compute.removed import PROXY_MAX_VERSION
from novatx.extensions.compute.schemas import network as schemas
from novatx.extensions.interfaces import Action, Route

P = policies.FLOATING_IPS
#: The last microversion with the floating IP actions.
ACTIONS_MAX_VERSION = "2.43"


def floating_ip_document(fip: FloatingIP) -> dict[str, Any]:
    return {"id": fip.id, "ip": fip.floating_ip_address, "pool": fip.pool,
            "fixed_ip": fip.fixed_ip_address, "instance_id": fip.device_id}


class FloatingIPs(ComputeResource):
    """A project's floating IPs, the pools they come from, and servers using them."""

    name = "FloatingIps"
    alias = "os-floating-ips"
    policy_defaults = policies.floating_ips_rules()

    def routes(self) -> list[Route]:
        top = PROXY_MAX_VERSION
        return [
            Route("/os-floating-ips", ("GET",), self.index, "os-floating-ips.index",
                  policy=P % "list", max_version=top),
            Route("/os-floating-ips", ("POST",), self.create, "os-floating-ips.create",
                  schema=schemas.floating_ip_create, policy=P % "create", max_version=top),
            Route("/os-floating-ips/<fip_id>", ("GET",), self.show, "os-floating-ips.show",
                  policy=P % "show", max_version=top),
            Route("/os-floating-ips/<fip_id>", ("DELETE",), self.delete,
                  "os-floating-ips.delete", policy=P % "delete", max_version=top, status=202),
            Route("/os-floating-ip-pools", ("GET",), self.pools, "os-floating-ip-pools.index",
                  policy=policies.POOLS, max_version=top),
        ]

    def actions(self) -> dict[str, list[Action]]:
        top = ACTIONS_MAX_VERSION
        return {
            "servers": [
                Action("addFloatingIp", self.add, schema=schemas.add_floating_ip,
                       policy=P % "add", max_version=top),
                Action("removeFloatingIp", self.remove, schema=schemas.remove_floating_ip,
                       policy=P % "remove", max_version=top),
            ]
        }

    @deferred
    async def index(self, request: Any) -> dict:
        fips = await self.compute.list_floating_ips(request.context)
        return {"floating_ips": [floating_ip_document(fip) for fip in fips]}

    @deferred
    async def show(self, request: Any, fip_id: str) -> dict:
        try:
            fip = await self.compute.get_floating_ip(request.context, fip_id)
        except net_exc.FloatingIPNotFound:
            raise exceptions.NotFound("Floating IP not found for ID %s" % fip_id) from None
        return {"floating_ip": floating_ip_document(fip)}

    @deferred
    async def create(self, request: Any) -> dict:
        pool = (request.body or {}).get("pool")
        try:
            fip = await self.compute.create_floating_ip(request.context, pool)
        except (net_exc.NoMoreAddresses, net_exc.InvalidAddress):
            if pool:
                raise exceptions.NotFound("No more floating IPs in pool %s." % pool) from None
            raise exceptions.NotFound("No more floating IPs available.") from None
        except net_exc.NetworkNotFound:
            raise exceptions.NotFound("Floating IP pool not found.") from None
        except net_exc.NetworkOverLimit:
            if pool:
                raise exceptions.OverLimit("IP allocation over quota in pool %s." % pool) \
                    from None
            raise exceptions.OverLimit("IP allocation over quota.") from None
        return {"floating_ip": floating_ip_document(fip)}

    @deferred
    async def delete(self, request: Any, fip_id: str) -> None:
        try:
            await self.compute.delete_floating_ip(request.context, fip_id)
        except net_exc.FloatingIPNotFound:
            raise exceptions.NotFound("Floating IP not found for ID %s" % fip_id) from None

    @deferred
    async def pools(self, request: Any) -> dict:
        networks = await self.compute.list_networks(request.context, {"external": [True]})
        return {"floating_ip_pools": [{"name": network.name} for network in networks]}

    @deferred
    async def add(self, request: Any, server_id: str, body: dict) -> None:
        address = body["address"]
        try:
            await self.compute.add_server_floating_ip(request.context, server_id, address,
                                                      body.get("fixed_address"))
        except net_exc.FloatingIPNotFound:
            raise exceptions.NotFound("floating IP not found") from None
        except net_exc.FloatingIPAssociated as e:
            raise exceptions.Invalid(str(e)) from None
        except net_exc.InvalidAddress as e:
            raise exceptions.Invalid(str(e)) from None

    @deferred
    async def remove(self, request: Any, server_id: str, body: dict) -> None:
        address = body["address"]
        try:
            await self.compute.remove_server_floating_ip(request.context, server_id, address)
        except net_exc.FloatingIPNotFound:
            raise exceptions.NotFound("floating IP not found") from None
        except net_exc.FloatingIPNotAssociated:
            raise exceptions.Conflict("Floating IP %s is not associated with instance %s."
                                      % (address, server_id)) from None
