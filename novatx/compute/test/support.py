"""
What the compute tests share: a started L{ComputeService} on a chosen
backend with fast transitions, and waiting for an instance to settle.
"""

from __future__ import annotations

from typing import Any, Callable

from twisted.internet import reactor
from twisted.internet.task import deferLater

from novatx.compute.context import RequestContext
from novatx.compute.interfaces import CreateRequest
from novatx.compute.service import ComputeService
from novatx.config import make_config
from novatx.db.test.backends import temporary_database

ALICE = RequestContext(user_id="alice", project_id="p1")
BOB = RequestContext(user_id="bob", project_id="p2")
ADMIN = RequestContext(user_id="admin", project_id="admin", is_admin=True, roles=("admin",))


def fast_config(url: str, **simulated: float) -> Any:
    """A config on C{url} whose transitions take milliseconds."""
    conf = make_config([])
    conf.set_override("connection", url, "database")
    conf.set_override("max_pool_size", 4, "database")
    timing = {"boot_seconds": 0.04, "action_seconds": 0.02, "delete_seconds": 0.01,
              "poll_interval": 0.5, "claim_seconds": 5.0}
    timing.update(simulated)
    for name, value in timing.items():
        conf.set_override(name, value, "simulated")
    return conf


class ServiceMixin:
    """
    A C{TestCase} mixin: C{backend} names the database; C{start_service}
    gives a started service on it, stopped at cleanup.
    """

    backend = "sqlite"

    def database_url(self) -> str:
        """
        This run's database, made at its first use. It is forgotten when the
        run ends (its database is dropped then), so that C{trial -u}, which
        runs the same test object again, gets a new one.
        """
        url = getattr(self, "_url", None)
        if url is None:
            url = self._url = temporary_database(self, self.backend)
            self.addCleanup(delattr, self, "_url")
        return url

    def make_config(self, **simulated: float) -> Any:
        return fast_config(self.database_url(), **simulated)

    async def start_service(self, conf: Any = None, clock: Any = None) -> ComputeService:
        conf = conf if conf is not None else self.make_config()
        service = ComputeService(conf, reactor, clock)
        await service.startService()
        self.addCleanup(service.stopService)
        return service

    async def cirros(self, service: ComputeService) -> str:
        page = await service.api.list_images(ALICE, filters={"name": "cirros"})
        return page.items[0].id

    async def boot(self, service: ComputeService, context: RequestContext = ALICE,
                   **fields: Any) -> Any:
        """Create one server and wait for it to settle."""
        fields.setdefault("name", "vm")
        fields.setdefault("flavor_id", "1")
        if "image_id" not in fields:
            fields["image_id"] = await self.cirros(service)
        created = await service.api.create_servers(context, CreateRequest(**fields))
        return await settled(service, context, created[0].uuid)


async def settled(service: ComputeService, context: RequestContext, uuid: str,
                  timeout: float = 10.0, until: Callable[[Any], bool] | None = None) -> Any:
    """The instance once no task runs on it (or C{until} holds), polling the store."""
    waited = 0.0
    until = until or (lambda instance: instance.task_state is None
                      and instance.vm_state != "building")
    while True:
        instance = await service.api.get_server(context.elevated(), uuid)
        if until(instance):
            return instance
        if waited > timeout:
            raise AssertionError("instance %s did not settle: %s/%s" % (
                uuid, instance.vm_state, instance.task_state))
        await deferLater(reactor, 0.02, lambda: None)
        waited += 0.02


async def gone(service: ComputeService, uuid: str, timeout: float = 10.0) -> None:
    """Wait until the instance is deleted (no longer found)."""
    from novatx.compute.exceptions import InstanceNotFound
    waited = 0.0
    while waited <= timeout:
        try:
            await service.api.get_server(ADMIN, uuid)
        except InstanceNotFound:
            return
        await deferLater(reactor, 0.02, lambda: None)
        waited += 0.02
    raise AssertionError("instance %s was not deleted" % uuid)
