"""
C{addFixedIp} and C{removeFixedIp} (nova's C{os-multinic}, to 2.43): a
server gets another fixed address on a network, or loses one. Over the
simulated network an address is a port's, so adding one attaches a port on
the network and removing one detaches the port that holds it.
"""

from __future__ import annotations

from typing import Any

from novatx.compute import exceptions
from novatx.compute.network import exceptions as net_exc
from novatx.extensions.compute._extension import ComputeResource, deferred
from novatx.extensions.compute.policies import network as policies
from novatx.extensions.compute.schemas import network as schemas
from novatx.extensions.interfaces import Action

#: The last microversion with the actions.
MAX_VERSION = "2.43"


class Multinic(ComputeResource):
    """Fixed addresses added to and removed from a server."""

    name = "Multinic"
    alias = "os-multinic"
    policy_defaults = policies.multinic_rules()

    def actions(self) -> dict[str, list[Action]]:
        return {
            "servers": [
                Action("addFixedIp", self.add, schema=schemas.add_fixed_ip,
                       policy=policies.MULTINIC % "add", max_version=MAX_VERSION),
                Action("removeFixedIp", self.remove, schema=schemas.remove_fixed_ip,
                       policy=policies.MULTINIC % "remove", max_version=MAX_VERSION),
            ]
        }

    @deferred
    async def add(self, request: Any, server_id: str, body: dict) -> None:
        try:
            await self.compute.attach_server_port(request.context, server_id,
                                                  network_id=str(body["networkId"]))
        except net_exc.NetworkNotFound as e:
            raise exceptions.Invalid(str(e)) from None
        except net_exc.NoMoreAddresses:
            raise exceptions.Invalid("No fixed IP addresses available for network: %s"
                                     % body["networkId"]) from None

    @deferred
    async def remove(self, request: Any, server_id: str, body: dict) -> None:
        address = body["address"]
        for port in await self.compute.list_server_ports(request.context, server_id):
            if any(a.ip_address == address for a in port.fixed_ips):
                await self.compute.detach_server_port(request.context, server_id, port.id)
                return
        raise exceptions.Invalid("Unable to find address %r" % address)
