"""
C{os-interface}: a server's ports as nova's interface attachments: list,
show, attach (a new port on a network, or the caller's unbound port) and
detach, with nova's answers.
"""

from __future__ import annotations

from typing import Any

from novatx.compute import exceptions
from novatx.compute.network import exceptions as net_exc
from novatx.compute.network.records import Port
from novatx.extensions.compute._extension import ComputeResource, deferred
from novatx.extensions.compute.policies import network as policies
from novatx.extensions.compute.schemas import network as schemas
from novatx.extensions.interfaces import Response, Route

P = policies.ATTACH_INTERFACES


def interface_document(port: Port) -> dict[str, Any]:
    return {
        "port_state": "ACTIVE" if port.device_id else "DOWN",
        "fixed_ips": [{"subnet_id": a.subnet_id, "ip_address": a.ip_address}
                      for a in port.fixed_ips],
        "port_id": port.id, "net_id": port.network_id, "mac_addr": port.mac_address,
    }


class AttachInterfaces(ComputeResource):
    """A server's port interfaces."""

    name = "AttachInterfaces"
    alias = "os-attach-interfaces"
    policy_defaults = policies.attach_interfaces_rules()

    def routes(self) -> list[Route]:
        base = "/servers/<server_id>/os-interface"
        return [
            Route(base, ("GET",), self.index, "os-attach-interfaces.index", policy=P % "list"),
            Route(base, ("POST",), self.create, "os-attach-interfaces.create",
                  schema=schemas.interface_attachment, policy=P % "create"),
            Route(base + "/<port_id>", ("GET",), self.show, "os-attach-interfaces.show",
                  policy=P % "show"),
            Route(base + "/<port_id>", ("DELETE",), self.delete, "os-attach-interfaces.delete",
                  policy=P % "delete", status=202),
        ]

    @deferred
    async def index(self, request: Any, server_id: str) -> dict:
        ports = await self.compute.list_server_ports(request.context, server_id)
        return {"interfaceAttachments": [interface_document(port) for port in ports]}

    @deferred
    async def show(self, request: Any, server_id: str, port_id: str) -> dict:
        ports = await self.compute.list_server_ports(request.context, server_id)
        for port in ports:
            if port.id == port_id:
                return {"interfaceAttachment": interface_document(port)}
        raise exceptions.NotFound("Instance %s is not attached." % server_id)

    @deferred
    async def create(self, request: Any, server_id: str) -> Any:
        body = (request.body or {}).get("interfaceAttachment") or {}
        network_id, port_id = body.get("net_id"), body.get("port_id")
        fixed_ips = body.get("fixed_ips") or []
        if network_id and port_id:
            raise exceptions.Invalid("Must not input both network_id and port_id")
        if fixed_ips and not network_id:
            raise exceptions.Invalid("Must input network_id when request IP address")
        try:
            port = await self.compute.attach_server_port(
                request.context, server_id, network_id=network_id, port_id=port_id,
                fixed_ip=fixed_ips[0]["ip_address"] if fixed_ips else None)
        except (net_exc.InvalidAddress, net_exc.IpAddressInUse,
                net_exc.NoMoreAddresses) as e:
            raise exceptions.Invalid(str(e)) from None
        except net_exc.PortInUse as e:
            raise exceptions.Conflict("Port %s is still in use." % e.kwargs["port_id"]) \
                from None
        return Response({"interfaceAttachment": interface_document(port)}, status=200)

    @deferred
    async def delete(self, request: Any, server_id: str, port_id: str) -> None:
        try:
            await self.compute.detach_server_port(request.context, server_id, port_id)
        except net_exc.PortNotFound:
            raise exceptions.NotFound("Port %s is not attached" % port_id) from None
