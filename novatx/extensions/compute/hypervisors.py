"""
C{/os-hypervisors}: the simulated compute host(s) as nova's admins see them.

The shape moves with the microversion: C{cpu_info} is a JSON string before
2.28 and an object after; 2.33 pages the listings; 2.53 switches to UUIDs,
replaces C{/search} and C{/servers} with C{hypervisor_hostname_pattern} and
C{with_servers}; 2.88 drops the resource counters (and C{/statistics},
C{/uptime}) and shows C{uptime} in the host's own document.
"""

from __future__ import annotations

import json
import time
from typing import Any

from novatx.compute.exceptions import Invalid, NotFound
from novatx.extensions.compute import _hosts, _listing
from novatx.extensions.compute._extension import ComputeResource, deferred
from novatx.extensions.compute.policies import hosts as policies
from novatx.extensions.interfaces import APIVersion, Route

V2_28 = APIVersion(2, 28)
V2_33 = APIVersion(2, 33)
V2_53 = APIVersion(2, 53)
V2_88 = APIVersion(2, 88)

#: What the simulated CPU reports.
CPU_INFO = {
    "arch": "x86_64",
    "model": "simulated",
    "vendor": "novatx",
    "features": [],
    "topology": {"cores": 1, "threads": 1, "sockets": 1},
}

#: The hypervisor version the simulated host reports.
HYPERVISOR_VERSION = 1000


class HypervisorNotFound(NotFound):
    msg_fmt = "Hypervisor with ID '%(id)s' could not be found."


class NoHypervisorMatch(NotFound):
    msg_fmt = "No hypervisor matching '%(pattern)s' could be found."


def _version(request: Any) -> APIVersion:
    return request.version or APIVersion(2, 1)


def summary(request: Any, hypervisor: _hosts.Hypervisor, with_servers: bool = False) -> dict[str, Any]:
    """The listing's view of one hypervisor."""
    document: dict[str, Any] = {
        "id": hypervisor.id_at(_version(request)),
        "hypervisor_hostname": hypervisor.hostname,
        "state": hypervisor.service.state,
        "status": hypervisor.service.status,
    }
    if with_servers and hypervisor.servers:
        document["servers"] = [{"name": name, "uuid": uuid} for name, uuid in hypervisor.servers]
    return document


def detail(request: Any, hypervisor: _hosts.Hypervisor, uptime: str, with_servers: bool = False) -> dict[str, Any]:
    """The detail view: the summary and the host's resources (counters before 2.88)."""
    version = _version(request)
    info = hypervisor.info
    document = summary(request, hypervisor, with_servers)
    document.update(
        {
            "hypervisor_type": info.get("hypervisor_type", "simulated"),
            "hypervisor_version": HYPERVISOR_VERSION,
            "host_ip": "127.0.0.1",
            "service": {
                "host": hypervisor.service.host,
                "id": hypervisor.service.id_at(version),
                "disabled_reason": hypervisor.service.disabled_reason,
            },
        }
    )
    if version >= V2_88:
        document["uptime"] = uptime
        return document
    free_disk = info["local_gb"] - hypervisor.local_gb_used
    document.update(
        {
            "vcpus": info["vcpus"],
            "memory_mb": info["memory_mb"],
            "local_gb": info["local_gb"],
            "vcpus_used": hypervisor.vcpus_used,
            "memory_mb_used": hypervisor.memory_mb_used,
            "local_gb_used": hypervisor.local_gb_used,
            "free_ram_mb": info["memory_mb"] - hypervisor.memory_mb_used,
            "free_disk_gb": free_disk,
            "disk_available_least": free_disk,
            "current_workload": 0,
            "running_vms": len(hypervisor.servers),
            "cpu_info": CPU_INFO if version >= V2_28 else json.dumps(CPU_INFO),
        }
    )
    return document


class Hypervisors(ComputeResource):
    """The compute hosts."""

    name = "Hypervisors"
    alias = "os-hypervisors"
    policy_defaults = policies.HYPERVISORS

    def setup(self, context: Any) -> None:
        super().setup(context)
        self._started = self.reactor.seconds()

    def routes(self) -> list[Route]:
        base = "/os-hypervisors"
        return [
            Route(base, ("GET",), self.index, "os-hypervisors.index", policy=policies.HYPERVISORS_LIST),
            Route(base + "/detail", ("GET",), self.detail, "os-hypervisors.detail",
                  policy=policies.HYPERVISORS_LIST_DETAIL),
            Route(base + "/statistics", ("GET",), self.statistics, "os-hypervisors.statistics",
                  policy=policies.HYPERVISORS_STATISTICS, max_version="2.87"),
            Route(base + "/<hypervisor_id>", ("GET",), self.show, "os-hypervisors.show",
                  policy=policies.HYPERVISORS_SHOW),
            Route(base + "/<hypervisor_id>/uptime", ("GET",), self.uptime, "os-hypervisors.uptime",
                  policy=policies.HYPERVISORS_UPTIME, max_version="2.87"),
            Route(base + "/<pattern>/search", ("GET",), self.search, "os-hypervisors.search",
                  policy=policies.HYPERVISORS_SEARCH, max_version="2.52"),
            Route(base + "/<pattern>/servers", ("GET",), self.servers, "os-hypervisors.servers",
                  policy=policies.HYPERVISORS_SERVERS, max_version="2.52"),
        ]

    def _uptime(self) -> str:
        """What C{uptime} prints on the host: the time, and how long it has been up."""
        now = self.reactor.seconds()
        hours, rest = divmod(int(now - self._started), 3600)
        return " %s up %d days, %d:%02d, 0 users, load average: 0.00, 0.00, 0.00" % (
            time.strftime("%H:%M:%S", time.gmtime(now)), hours // 24, hours % 24, rest // 60,
        )

    async def _listed(self, request: Any) -> tuple[list[_hosts.Hypervisor], bool]:
        """The hypervisors a listing shows, with its filters and paging applied."""
        version = _version(request)
        found = await _hosts.hypervisors(self.compute, request.context)
        with_servers = False
        if version >= V2_53:
            with_servers = _listing.bool_flag(request.args.get("with_servers", []))
            pattern = _listing.query_value(request, "hypervisor_hostname_pattern")
            if pattern is not None:
                found = [h for h in found if pattern in h.hostname]
                if not found:
                    raise NoHypervisorMatch(pattern=pattern)
        if version >= V2_33:
            limit, marker = _listing.page_size(request, self.max_limit)
            if marker is not None:
                ids = [str(h.id_at(version)) for h in found]
                if marker not in ids:
                    raise Invalid("marker [%s] not found" % marker)
                found = found[ids.index(marker) + 1:]
            found = found[:limit]
        return found, with_servers

    @deferred
    async def index(self, request: Any) -> dict[str, Any]:
        found, with_servers = await self._listed(request)
        return {"hypervisors": [summary(request, h, with_servers) for h in found]}

    @deferred
    async def detail(self, request: Any) -> dict[str, Any]:
        found, with_servers = await self._listed(request)
        uptime = self._uptime()
        return {"hypervisors": [detail(request, h, uptime, with_servers) for h in found]}

    async def _one(self, request: Any, hypervisor_id: str) -> _hosts.Hypervisor:
        version = _version(request)
        if version >= V2_53:
            _hosts.uuid_or_invalid(hypervisor_id)
        for hypervisor in await _hosts.hypervisors(self.compute, request.context):
            if str(hypervisor.id_at(version)) == hypervisor_id:
                return hypervisor
        raise HypervisorNotFound(id=hypervisor_id)

    @deferred
    async def show(self, request: Any, hypervisor_id: str) -> dict[str, Any]:
        hypervisor = await self._one(request, hypervisor_id)
        with_servers = _version(request) >= V2_53 and _listing.bool_flag(request.args.get("with_servers", []))
        return {"hypervisor": detail(request, hypervisor, self._uptime(), with_servers)}

    @deferred
    async def uptime(self, request: Any, hypervisor_id: str) -> dict[str, Any]:
        hypervisor = await self._one(request, hypervisor_id)
        document = summary(request, hypervisor)
        document["uptime"] = self._uptime()
        return {"hypervisor": document}

    @deferred
    async def statistics(self, request: Any) -> dict[str, Any]:
        found = await _hosts.hypervisors(self.compute, request.context)
        uptime = self._uptime()
        details = [detail(request, h, uptime) for h in found]
        keys = ("vcpus", "vcpus_used", "memory_mb", "memory_mb_used", "local_gb", "local_gb_used",
                "free_ram_mb", "free_disk_gb", "disk_available_least", "current_workload", "running_vms")
        statistics: dict[str, Any] = {key: sum(d[key] for d in details) for key in keys}
        statistics["count"] = len(details)
        return {"hypervisor_statistics": statistics}

    async def _matching(self, request: Any, pattern: str) -> list[_hosts.Hypervisor]:
        found = [h for h in await _hosts.hypervisors(self.compute, request.context) if pattern in h.hostname]
        if not found:
            raise NoHypervisorMatch(pattern=pattern)
        return found

    @deferred
    async def search(self, request: Any, pattern: str) -> dict[str, Any]:
        return {"hypervisors": [summary(request, h) for h in await self._matching(request, pattern)]}

    @deferred
    async def servers(self, request: Any, pattern: str) -> dict[str, Any]:
        return {"hypervisors": [summary(request, h, True) for h in await self._matching(request, pattern)]}
