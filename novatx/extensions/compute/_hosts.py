"""
The simulated deployment as the admin APIs describe it: its hosts, the nova
services on them, and what the servers placed there use.

The internal API reports the compute host(s) its driver simulates
(C{list_hosts}); a real nova also runs a scheduler and a conductor, which its
admin APIs list in the C{internal} zone, so they are shown here the same way.
Ids are stable across workers and restarts: integers by position before 2.53,
UUIDs derived from the host and binary from 2.53, as nova shows them.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any, Mapping

import attrs

from novatx.compute.exceptions import Invalid
from novatx.compute.interfaces import ServerQuery
from novatx.extensions.interfaces import APIVersion

V2_53 = APIVersion(2, 53)

#: The zone nova lists its control services in.
INTERNAL_ZONE = "internal"

_NAMESPACE = uuid.UUID("4e6f7661-7478-4e6f-8176-617478000000")


@attrs.frozen
class Service:
    """
    One nova service of the simulated deployment, with the state admins gave
    it (C{os-services} updates; never changed: enabled and up).
    """

    number: int
    binary: str
    host: str
    zone: str
    disabled: bool = False
    disabled_reason: str | None = None
    forced_down: bool = False

    @property
    def status(self) -> str:
        return "disabled" if self.disabled else "enabled"

    @property
    def state(self) -> str:
        """nova's liveness: a service forced down is down, whatever its heartbeat."""
        return "down" if self.forced_down else "up"

    @property
    def uuid(self) -> str:
        return str(uuid.uuid5(_NAMESPACE, "service:%s:%s" % (self.host, self.binary)))

    def id_at(self, version: APIVersion) -> int | str:
        return self.uuid if version >= V2_53 else self.number


@attrs.frozen
class Hypervisor:
    """
    One compute host, with what its servers use: in all, and by project
    (C{projects}: project id -> (vcpus, memory MB, disk GB)).
    """

    number: int
    info: dict[str, Any]
    service: Service
    servers: tuple[tuple[str, str], ...] = ()
    vcpus_used: int = 0
    memory_mb_used: int = 0
    local_gb_used: int = 0
    projects: dict[str, tuple[int, int, int]] = attrs.field(factory=dict)

    @property
    def hostname(self) -> str:
        return self.info["hypervisor_hostname"]

    @property
    def uuid(self) -> str:
        return str(uuid.uuid5(_NAMESPACE, "hypervisor:%s" % self.hostname))

    def id_at(self, version: APIVersion) -> int | str:
        return self.uuid if version >= V2_53 else self.number


def services(hosts: list[dict[str, Any]], states: Mapping[tuple[str, str], Any] | None = None) -> list[Service]:
    """
    The scheduler and conductor on the first host, and a compute service per
    host, each in the state C{states} (by C{(host, binary)}) gives it.
    """
    control = hosts[0]["host"] if hosts else "localhost"
    found = [
        Service(1, "nova-scheduler", control, INTERNAL_ZONE),
        Service(2, "nova-conductor", control, INTERNAL_ZONE),
    ]
    for index, info in enumerate(hosts):
        found.append(Service(3 + index, "nova-compute", info["host"], info["availability_zone"]))
    states = states or {}
    return [with_state(s, states.get((s.host, s.binary))) for s in found]


def with_state(service: Service, state: Any) -> Service:
    """C{service} in C{state} (a C{ServiceState}; None: as it was)."""
    if state is None:
        return service
    return attrs.evolve(service, disabled=state.disabled, disabled_reason=state.disabled_reason,
                        forced_down=state.forced_down)


async def deployment(compute: Any, context: Any) -> tuple[list[dict[str, Any]], list[Service]]:
    """The hosts, and the services on them in their current state."""
    hosts = list(await compute.list_hosts(context))
    return hosts, services(hosts, await compute.list_service_states(context))


async def hypervisors(compute: Any, context: Any) -> list[Hypervisor]:
    """The compute hosts, each with the servers on it and their use of it."""
    hosts, found = await deployment(compute, context)
    by_host = {s.host: s for s in found if s.binary == "nova-compute"}
    page = await compute.list_servers(context, ServerQuery(all_tenants=True, deleted=False))
    found = []
    for index, info in enumerate(hosts):
        mine = [i for i in page.items if (i.host or info["host"]) == info["host"] and not i.deleted]
        projects: dict[str, tuple[int, int, int]] = {}
        for i in mine:
            cpu, ram, disk = projects.get(i.project_id, (0, 0, 0))
            projects[i.project_id] = (cpu + i.flavor.vcpus, ram + i.flavor.memory_mb,
                                      disk + i.flavor.root_gb + i.flavor.ephemeral_gb)
        found.append(
            Hypervisor(
                number=index + 1,
                info=info,
                service=by_host[info["host"]],
                servers=tuple((i.name, i.uuid) for i in mine),
                vcpus_used=sum(i.flavor.vcpus for i in mine),
                memory_mb_used=sum(i.flavor.memory_mb for i in mine),
                local_gb_used=sum(i.flavor.root_gb + i.flavor.ephemeral_gb for i in mine),
                projects=projects,
            )
        )
    return found


def uuid_or_invalid(value: str) -> str:
    """C{value} as a canonical UUID, or nova's 400 for an id that is not one (2.53+)."""
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise Invalid("Invalid uuid %s" % value) from None


def timestamp(reactor: Any) -> str:
    """Now, as nova's service listings show C{updated_at}."""
    now = datetime.datetime.fromtimestamp(reactor.seconds(), datetime.timezone.utc)
    return now.replace(tzinfo=None).isoformat()
