"""
C{os-networks} and C{os-tenant-networks}: the networks a project may use, as
nova's proxies (below 2.36) showed neutron's. Only the reads remain; nova
answers its removed nova-network writes 410.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from novatx.compute import exceptions
from novatx.compute.network.records import Network, Subnet
from novatx.extensions.compute._extension import ComputeResource, deferred
from novatx.extensions.compute.policies import network as policies
from novatx.extensions.compute.removed import PROXY_MAX_VERSION, gone
from novatx.extensions.interfaces import Route

#: What C{os-networks} shows everyone; nova-network's other fields are admins'.
_FIELDS = ("id", "cidr", "netmask", "gateway", "broadcast", "dns1", "dns2", "cidr_v6",
           "gateway_v6", "label", "netmask_v6")
_ADMIN_FIELDS = ("created_at", "updated_at", "deleted_at", "deleted", "injected", "bridge",
                 "vlan", "vpn_public_address", "vpn_public_port", "vpn_private_address",
                 "dhcp_start", "project_id", "host", "bridge_interface", "multi_host",
                 "priority", "rxtx_base", "mtu", "dhcp_server", "enable_dhcp",
                 "share_address")


def network_document(network: Network, subnets: list[Subnet], admin: bool) -> dict[str, Any]:
    """A network in C{os-networks}' terms: nova-network's fields, neutron's values."""
    fields = _FIELDS + (_ADMIN_FIELDS if admin else ())
    document: dict[str, Any] = {field: None for field in fields}
    document.update(id=network.id, label=network.name)
    for subnet in subnets:
        net = ipaddress.ip_network(subnet.cidr)
        if net.version == 4 and document["cidr"] is None:
            document.update(cidr=subnet.cidr, netmask=str(net.netmask),
                            gateway=subnet.gateway_ip, broadcast=str(net.broadcast_address))
        elif net.version == 6 and document["cidr_v6"] is None:
            document.update(cidr_v6=subnet.cidr, gateway_v6=subnet.gateway_ip,
                            netmask_v6=str(net.netmask))
    if admin:
        document.update(deleted=False, project_id=network.project_id or None)
    return document


def tenant_network_document(network: Network, subnets: list[Subnet]) -> dict[str, Any]:
    cidr = next((s.cidr for s in subnets if s.ip_version == 4), None)
    return {"id": network.id, "label": network.name, "cidr": cidr}


class Networks(ComputeResource):
    """The networks, through nova's two proxies."""

    name = "Networks"
    alias = "os-networks"
    policy_defaults = policies.networks_rules()

    def routes(self) -> list[Route]:
        top = PROXY_MAX_VERSION
        routes = [
            Route("/os-networks", ("GET",), self.index, "os-networks.index",
                  policy=policies.NETWORKS % "list", max_version=top),
            Route("/os-networks/<network_id>", ("GET",), self.show, "os-networks.show",
                  policy=policies.NETWORKS % "view", max_version=top),
            Route("/os-tenant-networks", ("GET",), self.tenant_index,
                  "os-tenant-networks.index", policy=policies.TENANT_NETWORKS % "list",
                  max_version=top),
            Route("/os-tenant-networks/<network_id>", ("GET",), self.tenant_show,
                  "os-tenant-networks.show", policy=policies.TENANT_NETWORKS % "show",
                  max_version=top),
        ]
        for api in ("os-networks", "os-tenant-networks"):
            routes.append(Route("/" + api, ("POST",), gone, "%s.create" % api,
                                max_version=top))
            routes.append(Route("/%s/<path:rest>" % api, ("POST", "DELETE", "PUT"), gone,
                                "%s.gone" % api, max_version=top))
        return routes

    async def _networks(self, request: Any, network_id: str | None = None) -> list[Any]:
        filters = {"id": [network_id]} if network_id is not None else None
        networks = await self.compute.list_networks(request.context, filters)
        subnets = await self.compute.list_subnets(request.context)
        by_network: dict[str, list[Subnet]] = {}
        for subnet in subnets:
            by_network.setdefault(subnet.network_id, []).append(subnet)
        return [(network, by_network.get(network.id, [])) for network in networks]

    @deferred
    async def index(self, request: Any) -> dict:
        admin = request.context.is_admin
        return {"networks": [network_document(n, s, admin)
                             for n, s in await self._networks(request)]}

    @deferred
    async def show(self, request: Any, network_id: str) -> dict:
        found = await self._networks(request, network_id)
        if not found:
            raise exceptions.NotFound("Network not found")
        return {"network": network_document(*found[0], request.context.is_admin)}

    @deferred
    async def tenant_index(self, request: Any) -> dict:
        return {"networks": [tenant_network_document(n, s)
                             for n, s in await self._networks(request)
                             if not n.external]}

    @deferred
    async def tenant_show(self, request: Any, network_id: str) -> dict:
        found = [(n, s) for n, s in await self._networks(request, network_id) if not n.external]
        if not found:
            raise exceptions.NotFound("Network not found")
        return {"network": tenant_network_document(*found[0])}
