"""
C{GET /servers/{id}/diagnostics} (admins): what the simulated host can say
of a server. From 2.48 in nova's standard shape (the host reports as a
libvirt one would: one CPU entry per vCPU, one NIC for its address, one disk
for its root and ephemeral disks, counters at zero); before, the loose
libvirt-style keys. A server not on a host yet is nova's 409.
"""

from __future__ import annotations

from typing import Any

from novatx.compute import states
from novatx.compute.exceptions import InstanceNotReady
from novatx.compute.records import Instance
from novatx.extensions.compute._extension import ComputeResource, deferred, version_tuple
from novatx.extensions.compute.policies import server_extras as policies
from novatx.extensions.interfaces import Route

V2_48 = (2, 48)

#: nova's diagnostics state of each power state.
_STATES = {
    states.NOSTATE: "pending", states.RUNNING: "running", states.POWER_PAUSED: "paused",
    states.SHUTDOWN: "shutdown", states.CRASHED: "crashed",
    states.POWER_SUSPENDED: "suspended",
}

_NIC_COUNTERS = ("rx_octets", "rx_errors", "rx_drop", "rx_packets", "rx_rate",
                 "tx_octets", "tx_errors", "tx_drop", "tx_packets", "tx_rate")


def _disks(instance: Instance) -> int:
    return 1 + (1 if instance.flavor.ephemeral_gb else 0)


def standard(instance: Instance, uptime: int | None) -> dict[str, Any]:
    """The 2.48 document."""
    nics = [] if not instance.mac_address else [
        dict({"mac_address": instance.mac_address}, **{k: 0 for k in _NIC_COUNTERS})]
    return {
        "state": _STATES.get(instance.power_state, "pending"),
        "driver": "libvirt",
        "hypervisor": "simulated",
        "hypervisor_os": None,
        "uptime": uptime,
        "config_drive": bool(instance.config_drive),
        "num_cpus": instance.flavor.vcpus,
        "num_nics": len(nics),
        "num_disks": _disks(instance),
        "memory_details": {"maximum": instance.flavor.memory_mb, "used": 0},
        "cpu_details": [{"id": cpu, "time": 0, "utilisation": 0}
                        for cpu in range(instance.flavor.vcpus)],
        "nic_details": nics,
        "disk_details": [{"read_bytes": 0, "read_requests": 0, "write_bytes": 0,
                          "write_requests": 0, "errors_count": 0}
                         for _ in range(_disks(instance))],
    }


def legacy(instance: Instance) -> dict[str, Any]:
    """Before 2.48: libvirt's own keys."""
    document: dict[str, Any] = {"cpu%d_time" % cpu: 0 for cpu in range(instance.flavor.vcpus)}
    document["memory"] = instance.flavor.memory_mb * 1024
    for disk in ("vda", "vdb")[:_disks(instance)]:
        document.update({disk + "_read": 0, disk + "_read_req": 0, disk + "_write": 0,
                         disk + "_write_req": 0, disk + "_errors": -1})
    if instance.mac_address:
        document.update({"tap0_rx": 0, "tap0_rx_packets": 0, "tap0_rx_drop": 0,
                         "tap0_rx_errors": 0, "tap0_tx": 0, "tap0_tx_packets": 0,
                         "tap0_tx_drop": 0, "tap0_tx_errors": 0})
    return document


class ServerDiagnostics(ComputeResource):
    """A server's diagnostics."""

    name = "ServerDiagnostics"
    alias = "os-server-diagnostics"
    policy_defaults = policies.DIAGNOSTICS_RULES

    def routes(self) -> list[Route]:
        return [
            Route("/servers/<server_id>/diagnostics", ("GET",), self.show,
                  "os-server-diagnostics.show", policy=policies.DIAGNOSTICS),
        ]

    @deferred
    async def show(self, request: Any, server_id: str) -> dict[str, Any]:
        instance = await self.compute.get_server(request.context, server_id)
        if not instance.host:
            raise InstanceNotReady(instance_id=server_id)
        if version_tuple(request) < V2_48:
            return legacy(instance)
        uptime = None
        if instance.launched_at is not None:
            uptime = max(0, int(self.reactor.seconds() - instance.launched_at.timestamp()))
        return standard(instance, uptime)
