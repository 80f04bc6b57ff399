"""
C{/os-hosts}: nova's host listing, deprecated at 2.43 (404 from then on).

It lists one entry per service (the control services in C{internal}); a
compute host's own document sums what its servers hold: in total, now, and
per project, as nova's C{(total)}, C{(used_now)}, C{(used_max)} rows.

An update may enable or disable a compute host (its C{nova-compute} service,
as C{os-services} does); maintenance mode and the power actions are what the
simulated host, like nova's libvirt driver, does not implement (501), after
the 404 for a host that does not exist.
"""

from __future__ import annotations

from typing import Any

from novatx.compute.exceptions import NotFound, NotSupported
from novatx.extensions.compute import _hosts, _listing
from novatx.extensions.compute._extension import ComputeResource, deferred
from novatx.extensions.compute.policies import hosts as policies
from novatx.extensions.compute.schemas import hosts as schemas
from novatx.extensions.interfaces import Route

#: The last microversion that has C{/os-hosts}.
MAX_VERSION = "2.42"


class HostNotFound(NotFound):
    msg_fmt = "Host %(host)s could not be found."


def _resource(host: str, project: str, cpu: int, memory_mb: int, disk_gb: int) -> dict[str, Any]:
    return {"resource": {"host": host, "project": project, "cpu": cpu, "memory_mb": memory_mb, "disk_gb": disk_gb}}


class Hosts(ComputeResource):
    """The deprecated host listing."""

    name = "Hosts"
    alias = "os-hosts"
    policy_defaults = policies.HOSTS

    def routes(self) -> list[Route]:
        return [
            Route("/os-hosts", ("GET",), self.index, "os-hosts.index",
                  policy=policies.HOSTS_LIST, max_version=MAX_VERSION),
            Route("/os-hosts/<host_name>", ("GET",), self.show, "os-hosts.show",
                  policy=policies.HOSTS_SHOW, max_version=MAX_VERSION),
            Route("/os-hosts/<host_name>", ("PUT",), self.update, "os-hosts.update",
                  schema=schemas.update, policy=policies.HOSTS_UPDATE, max_version=MAX_VERSION),
            Route("/os-hosts/<host_name>/startup", ("GET",), self.startup, "os-hosts.startup",
                  policy=policies.HOSTS_POWER % "start", max_version=MAX_VERSION),
            Route("/os-hosts/<host_name>/shutdown", ("GET",), self.shutdown, "os-hosts.shutdown",
                  policy=policies.HOSTS_POWER % "shutdown", max_version=MAX_VERSION),
            Route("/os-hosts/<host_name>/reboot", ("GET",), self.reboot, "os-hosts.reboot",
                  policy=policies.HOSTS_POWER % "reboot", max_version=MAX_VERSION),
        ]

    async def _compute_host(self, request: Any, host_name: str) -> None:
        """Nova's 404 unless C{host_name} is a compute host of the deployment."""
        hosts = await self.compute.list_hosts(request.context)
        if host_name not in [info["host"] for info in hosts]:
            raise HostNotFound(host=host_name)

    @deferred
    async def update(self, request: Any, host_name: str) -> dict[str, Any]:
        """C{status}: enable or disable the host; C{maintenance_mode}: 501."""
        await self._compute_host(request, host_name)
        body = request.body
        result: dict[str, Any] = {"host": host_name}
        if "maintenance_mode" in body:
            raise NotSupported("Feature not supported by the simulated host: maintenance_mode.")
        disabled = body["status"].strip().lower() == "disable"
        await self.compute.update_service(request.context, host_name, "nova-compute",
                                          disabled=disabled)
        result["status"] = "disabled" if disabled else "enabled"
        return result

    async def _power(self, request: Any, host_name: str, action: str) -> None:
        await self._compute_host(request, host_name)
        raise NotSupported("Feature not supported by the simulated host: %s." % action)

    @deferred
    async def startup(self, request: Any, host_name: str) -> None:
        await self._power(request, host_name, "startup")

    @deferred
    async def shutdown(self, request: Any, host_name: str) -> None:
        await self._power(request, host_name, "shutdown")

    @deferred
    async def reboot(self, request: Any, host_name: str) -> None:
        await self._power(request, host_name, "reboot")

    @deferred
    async def index(self, request: Any) -> dict[str, Any]:
        zone = _listing.query_value(request, "zone")
        hosts = await self.compute.list_hosts(request.context)
        return {
            "hosts": [
                {"host_name": s.host, "service": s.binary[len("nova-"):], "zone": s.zone}
                for s in _hosts.services(list(hosts))
                if not zone or s.zone == zone
            ]
        }

    @deferred
    async def show(self, request: Any, host_name: str) -> dict[str, Any]:
        for hypervisor in await _hosts.hypervisors(self.compute, request.context):
            if hypervisor.service.host == host_name:
                break
        else:
            raise HostNotFound(host=host_name)
        info = hypervisor.info
        used = (hypervisor.vcpus_used, hypervisor.memory_mb_used, hypervisor.local_gb_used)
        rows = [
            _resource(host_name, "(total)", info["vcpus"], info["memory_mb"], info["local_gb"]),
            _resource(host_name, "(used_now)", *used),
            _resource(host_name, "(used_max)", *used),
        ]
        for project, usage in sorted(hypervisor.projects.items()):
            rows.append(_resource(host_name, project, *usage))
        return {"host": rows}
