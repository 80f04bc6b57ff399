"""
C{/os-hosts}: nova's host listing, deprecated at 2.43 (404 from then on).

It lists one entry per service (the control services in C{internal}); a
compute host's own document sums what its servers hold: in total, now, and
per project, as nova's C{(total)}, C{(used_now)}, C{(used_max)} rows.
"""

from __future__ import annotations

from typing import Any

from novatx.compute.exceptions import NotFound
from novatx.extensions.compute import _hosts, _listing
from novatx.extensions.compute._extension import ComputeResource, deferred
from novatx.extensions.compute.policies import hosts as policies
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
        ]

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
