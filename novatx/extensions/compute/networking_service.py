"""
The Networking API v2.0 subset on the compute port, under C{/networking}.

The openstack CLI and openstacksdk reach networks, ports, security groups and
floating IPs through neutron's API; this answers the requests they make, in
neutron's shapes and with neutron's errors, from the same simulated network
the compute API's servers stand on (L{novatx.compute.network}). Point a
client at it with C{network_endpoint_override}, or a keystone catalog's
C{network} entry.
"""

from __future__ import annotations

from typing import Any

from novatx.compute.network.records import NEUTRON_NAMES
from novatx.extensions.compute import _neutron as n
from novatx.extensions.compute._extension import ComputeResource
from novatx.extensions.compute.policies import network as policies
from novatx.extensions.interfaces import Response, Route

#: The extensions the subset's behaviour matches, as clients probe them.
EXTENSIONS = (
    ("external-net", "Neutron external network", "Adds external network attribute."),
    ("security-group", "security-group", "The security groups extension."),
    ("security-groups-normalized-cidr", "Normalized CIDR field for security group rules",
     "Add new field with normalized remote_ip_prefix cidr in SG rule"),
    ("standard-attr-description", "standard-attr-description",
     "Extension to add descriptions to standard attributes"),
    ("standard-attr-timestamp", "Resource timestamps",
     "Adds created_at and updated_at fields to all Neutron resources."),
    ("quotas", "Quota management support", "Expose functions for quotas management."),
)

#: The collections a client discovers at C{/v2.0}.
RESOURCES = (("network", "networks"), ("subnet", "subnets"), ("port", "ports"),
             ("security_group", "security-groups"),
             ("security_group_rule", "security-group-rules"), ("floatingip", "floatingips"))


def _route(path: str, methods: tuple[str, ...], handler: Any, name: str,
           status: int = 200) -> Route:
    return Route("/v2.0" + path, methods, handler, "networking-service." + name,
                 policy=policies.NETWORKING_SERVICE, root="networking", status=status)


class NetworkingService(ComputeResource):
    """neutron's v2.0 API, the part the clients and tempest's compute tests use."""

    name = "NetworkingService"
    alias = "networking-service"
    policy_defaults = policies.NETWORKING_SERVICE_RULES

    def routes(self) -> list[Route]:
        return [
            Route("/", ("GET",), self.versions, "networking-service.versions", auth=False,
                  root="networking"),
            _route("", ("GET",), self.resources, "resources"),
            _route("/extensions", ("GET",), self.extensions, "extensions"),
            _route("/extensions/<alias>", ("GET",), self.extension, "extension"),
            _route("/networks", ("GET",), self.list_networks, "networks.index"),
            _route("/networks", ("POST",), self.create_network, "networks.create", 201),
            _route("/networks/<item_id>", ("GET",), self.show_network, "networks.show"),
            _route("/networks/<item_id>", ("DELETE",), self.delete_network, "networks.delete",
                   204),
            _route("/subnets", ("GET",), self.list_subnets, "subnets.index"),
            _route("/subnets", ("POST",), self.create_subnet, "subnets.create", 201),
            _route("/subnets/<item_id>", ("GET",), self.show_subnet, "subnets.show"),
            _route("/subnets/<item_id>", ("DELETE",), self.delete_subnet, "subnets.delete", 204),
            _route("/ports", ("GET",), self.list_ports, "ports.index"),
            _route("/ports", ("POST",), self.create_port, "ports.create", 201),
            _route("/ports/<item_id>", ("GET",), self.show_port, "ports.show"),
            _route("/ports/<item_id>", ("PUT",), self.update_port, "ports.update"),
            _route("/ports/<item_id>", ("DELETE",), self.delete_port, "ports.delete", 204),
            _route("/security-groups", ("GET",), self.list_groups, "security-groups.index"),
            _route("/security-groups", ("POST",), self.create_group, "security-groups.create",
                   201),
            _route("/security-groups/<item_id>", ("GET",), self.show_group,
                   "security-groups.show"),
            _route("/security-groups/<item_id>", ("PUT",), self.update_group,
                   "security-groups.update"),
            _route("/security-groups/<item_id>", ("DELETE",), self.delete_group,
                   "security-groups.delete", 204),
            _route("/security-group-rules", ("GET",), self.list_rules,
                   "security-group-rules.index"),
            _route("/security-group-rules", ("POST",), self.create_rule,
                   "security-group-rules.create", 201),
            _route("/security-group-rules/<item_id>", ("GET",), self.show_rule,
                   "security-group-rules.show"),
            _route("/security-group-rules/<item_id>", ("DELETE",), self.delete_rule,
                   "security-group-rules.delete", 204),
            _route("/floatingips", ("GET",), self.list_floating_ips, "floatingips.index"),
            _route("/floatingips", ("POST",), self.create_floating_ip, "floatingips.create",
                   201),
            _route("/floatingips/<item_id>", ("GET",), self.show_floating_ip,
                   "floatingips.show"),
            _route("/floatingips/<item_id>", ("PUT",), self.update_floating_ip,
                   "floatingips.update"),
            _route("/floatingips/<item_id>", ("DELETE",), self.delete_floating_ip,
                   "floatingips.delete", 204),
            _route("/quotas/<project_id>", ("GET",), self.show_quota, "quotas.show"),
            _route("/quotas/<project_id>", ("PUT",), self.update_quota, "quotas.update"),
            _route("/quotas/<project_id>/default", ("GET",), self.default_quota,
                   "quotas.default"),
            _route("/quotas/<project_id>/details.json", ("GET",), self.quota_details,
                   "quotas.details"),
        ]

    # -- discovery -----------------------------------------------------------------------

    def versions(self, request: Any) -> dict[str, Any]:
        href = request.url("v2.0") + "/"
        return {"versions": [{"id": "v2.0", "status": "CURRENT",
                              "links": [{"rel": "self", "href": href}]}]}

    def resources(self, request: Any) -> dict[str, Any]:
        return {"resources": [{"name": name, "collection": collection,
                               "links": [{"rel": "self", "href": request.url("v2.0", collection)}]}
                              for name, collection in RESOURCES]}

    @staticmethod
    def _extension(alias: str, name: str, description: str) -> dict[str, Any]:
        return {"alias": alias, "name": name, "description": description,
                "updated": "2013-01-01T10:00:00-00:00", "links": []}

    def extensions(self, request: Any) -> dict[str, Any]:
        return {"extensions": [self._extension(*e) for e in EXTENSIONS]}

    def extension(self, request: Any, alias: str) -> Any:
        for entry in EXTENSIONS:
            if entry[0] == alias:
                return {"extension": self._extension(*entry)}
        return n.error_response(404, "HTTPNotFound",
                                "Extension with alias %s does not exist" % alias)

    # -- networks and subnets ------------------------------------------------------------

    @n.neutron_errors
    async def list_networks(self, request: Any) -> dict:
        networks = await self.compute.list_networks(request.context)
        return n.listing(request, "networks", [n.network_document(x) for x in networks],
                         "networks")

    @n.neutron_errors
    async def show_network(self, request: Any, item_id: str) -> dict:
        network = await self.compute.get_network(request.context, item_id)
        return n.one(request, "network", n.network_document(network))

    @n.neutron_errors
    async def create_network(self, request: Any) -> Any:
        body = n.body_of(request, "network")
        shared = body.get("shared", False)
        if not isinstance(shared, bool):
            raise n.NeutronError(400, "BadRequest", "Invalid input for shared. Reason: '%s' "
                                 "is not a valid boolean value." % (shared,))
        network = await self.compute.create_network(request.context, body.get("name") or "",
                                                    shared=shared)
        return Response({"network": n.network_document(network)}, status=201)

    @n.neutron_errors
    async def delete_network(self, request: Any, item_id: str) -> Any:
        await self.compute.delete_network(request.context, item_id)
        return Response(None, status=204)

    @n.neutron_errors
    async def create_subnet(self, request: Any) -> Any:
        body = n.body_of(request, "subnet")
        network_id = n.required(body, "network_id")
        cidr = n.required(body, "cidr")
        ip_version = body.get("ip_version", 4)
        if ip_version not in (4, 6, "4", "6") or isinstance(ip_version, bool):
            raise n.NeutronError(400, "BadRequest", "Invalid input for ip_version. Reason: "
                                 "%r is not in [4, 6]." % (ip_version,))
        subnet = await self.compute.create_subnet(
            request.context, str(network_id), cidr, ip_version=int(ip_version),
            name=body.get("name") or "")
        return Response({"subnet": n.subnet_document(subnet)}, status=201)

    @n.neutron_errors
    async def delete_subnet(self, request: Any, item_id: str) -> Any:
        await self.compute.delete_subnet(request.context, item_id)
        return Response(None, status=204)

    @n.neutron_errors
    async def list_subnets(self, request: Any) -> dict:
        subnets = await self.compute.list_subnets(request.context)
        return n.listing(request, "subnets", [n.subnet_document(x) for x in subnets],
                         "subnets")

    @n.neutron_errors
    async def show_subnet(self, request: Any, item_id: str) -> dict:
        subnet = await self.compute.get_subnet(request.context, item_id)
        return n.one(request, "subnet", n.subnet_document(subnet))

    # -- ports ---------------------------------------------------------------------------

    @n.neutron_errors
    async def list_ports(self, request: Any) -> dict:
        ports = await self.compute.list_ports(request.context)
        return n.listing(request, "ports", [n.port_document(x) for x in ports],
                         "ports")

    @n.neutron_errors
    async def show_port(self, request: Any, item_id: str) -> dict:
        port = await self.compute.get_port(request.context, item_id)
        return n.one(request, "port", n.port_document(port))

    @n.neutron_errors
    async def create_port(self, request: Any) -> Any:
        body = n.body_of(request, "port")
        network_id = n.required(body, "network_id")
        fixed_ips = body.get("fixed_ips") or []
        if not isinstance(fixed_ips, list) or len(fixed_ips) > 1 or not all(
                isinstance(f, dict) for f in fixed_ips):
            raise n.NeutronError(400, "BadRequest", "Invalid input for fixed_ips: only one "
                                 "fixed IP of the network's subnet may be asked for.")
        address = fixed_ips[0].get("ip_address") if fixed_ips else None
        port = await self.compute.create_port(
            request.context, network_id, name=body.get("name") or "", fixed_ip=address,
            security_groups=body.get("security_groups"))
        return Response({"port": n.port_document(port)}, status=201)

    @n.neutron_errors
    async def update_port(self, request: Any, item_id: str) -> dict:
        body = n.body_of(request, "port")
        groups = body.get("security_groups")
        if groups is not None and not (isinstance(groups, list)
                                       and all(isinstance(g, str) for g in groups)):
            raise n.NeutronError(400, "BadRequest", "Invalid input for security_groups.")
        port = await self.compute.update_port(request.context, item_id, name=body.get("name"),
                                              security_groups=groups)
        return {"port": n.port_document(port)}

    @n.neutron_errors
    async def delete_port(self, request: Any, item_id: str) -> Any:
        await self.compute.delete_port(request.context, item_id)
        return Response(None, status=204)

    # -- security groups -----------------------------------------------------------------

    @n.neutron_errors
    async def list_groups(self, request: Any) -> dict:
        groups = await self.compute.list_security_groups(request.context,
                                                         all_projects=True)
        return n.listing(request, "security_groups", [n.group_document(x) for x in groups],
                         "security-groups")

    @n.neutron_errors
    async def show_group(self, request: Any, item_id: str) -> dict:
        group = await self.compute.get_security_group(request.context, item_id)
        return n.one(request, "security_group", n.group_document(group))

    @n.neutron_errors
    async def create_group(self, request: Any) -> Any:
        body = n.body_of(request, "security_group")
        group = await self.compute.create_security_group(
            request.context, body.get("name") or "", body.get("description") or "")
        return Response({"security_group": n.group_document(group)}, status=201)

    @n.neutron_errors
    async def update_group(self, request: Any, item_id: str) -> dict:
        body = n.body_of(request, "security_group")
        group = await self.compute.update_security_group(
            request.context, item_id, name=body.get("name"),
            description=body.get("description"))
        return {"security_group": n.group_document(group)}

    @n.neutron_errors
    async def delete_group(self, request: Any, item_id: str) -> Any:
        await self.compute.delete_security_group(request.context, item_id)
        return Response(None, status=204)

    @n.neutron_errors
    async def list_rules(self, request: Any) -> dict:
        rules = await self.compute.list_security_group_rules(request.context)
        return n.listing(request, "security_group_rules", [n.rule_document(x) for x in rules],
                         "security-group-rules")

    @n.neutron_errors
    async def show_rule(self, request: Any, item_id: str) -> dict:
        rule = await self.compute.get_security_group_rule(request.context, item_id)
        return n.one(request, "security_group_rule", n.rule_document(rule))

    @n.neutron_errors
    async def create_rule(self, request: Any) -> Any:
        body = n.body_of(request, "security_group_rule")
        group_id = n.required(body, "security_group_id")
        rule = await self.compute.create_security_group_rule(
            request.context, group_id, body, remote_group_id=body.get("remote_group_id"))
        return Response({"security_group_rule": n.rule_document(rule)}, status=201)

    @n.neutron_errors
    async def delete_rule(self, request: Any, item_id: str) -> Any:
        await self.compute.delete_security_group_rule(request.context, item_id)
        return Response(None, status=204)

    # -- floating IPs --------------------------------------------------------------------

    @n.neutron_errors
    async def list_floating_ips(self, request: Any) -> dict:
        fips = await self.compute.list_floating_ips(request.context)
        return n.listing(request, "floatingips", [n.floating_ip_document(x) for x in fips],
                         "floatingips")

    @n.neutron_errors
    async def show_floating_ip(self, request: Any, item_id: str) -> dict:
        fip = await self.compute.get_floating_ip(request.context, item_id)
        return n.one(request, "floatingip", n.floating_ip_document(fip))

    @n.neutron_errors
    async def create_floating_ip(self, request: Any) -> Any:
        body = n.body_of(request, "floatingip")
        network_id = n.required(body, "floating_network_id")
        fip = await self.compute.create_floating_ip(
            request.context, network_id, address=body.get("floating_ip_address"),
            port_id=body.get("port_id"), fixed_address=body.get("fixed_ip_address"),
            description=body.get("description") or "")
        return Response({"floatingip": n.floating_ip_document(fip)}, status=201)

    @n.neutron_errors
    async def update_floating_ip(self, request: Any, item_id: str) -> dict:
        body = n.body_of(request, "floatingip")
        port_id = body.get("port_id")
        if "port_id" not in body:
            port_id = (await self.compute.get_floating_ip(request.context, item_id)).port_id
        fip = await self.compute.update_floating_ip(
            request.context, item_id, port_id, body.get("fixed_ip_address"),
            body.get("description"))
        return {"floatingip": n.floating_ip_document(fip)}

    @n.neutron_errors
    async def delete_floating_ip(self, request: Any, item_id: str) -> Any:
        await self.compute.delete_floating_ip(request.context, item_id)
        return Response(None, status=204)

    # -- quotas --------------------------------------------------------------------------

    @n.neutron_errors
    async def show_quota(self, request: Any, project_id: str) -> dict:
        quotas = await self.compute.get_quotas(request.context, project_id)
        return {"quota": {neutron: quotas.limits[ours]
                          for ours, neutron in NEUTRON_NAMES.items()}}

    @n.neutron_errors
    async def default_quota(self, request: Any, project_id: str) -> dict:
        quotas = await self.compute.get_default_quotas(request.context)
        return {"quota": {neutron: quotas.limits[ours]
                          for ours, neutron in NEUTRON_NAMES.items()}}

    @n.neutron_errors
    async def quota_details(self, request: Any, project_id: str) -> dict:
        quotas = await self.compute.get_quotas(request.context, project_id, usages=True)
        return {"quota": {neutron: {"limit": quotas.limits[ours],
                                    "used": quotas.in_use.get(ours, 0), "reserved": 0}
                          for ours, neutron in NEUTRON_NAMES.items()}}

    @n.neutron_errors
    async def update_quota(self, request: Any, project_id: str) -> dict:
        body = n.body_of(request, "quota")
        ours = {neutron: name for name, neutron in NEUTRON_NAMES.items()}
        unknown = sorted(set(body) - set(ours))
        if unknown:
            raise n.NeutronError(400, "InvalidInput", "Unrecognized attribute(s) '%s'"
                                 % ", ".join(unknown))
        limits = {ours[key]: value for key, value in body.items()}
        await self.compute.update_quotas(request.context, project_id, limits, force=True)
        return await self.show_quota(request, project_id)
