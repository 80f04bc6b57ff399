"""
The compute service: the store, the driver and the internal API of one
worker, as an C{IService}.

Constructing it does no I/O. Starting it opens the store (creating or
upgrading the schema when C{[database] auto_migrate} is on; the first
migration seeds nova's default flavors and a cirros image), then starts the
driver's pick-up of transitions other workers left. A store that cannot be
reached fails the start with a message naming the URL without its password.

The daemon's supervising parent only opens the store once and closes it
(L{prepare_store}): the API and the driver are imported by L{ComputeService}
itself, so that a parent importing this module does not pay for them.
"""

from __future__ import annotations

import os
import socket
import uuid
from typing import Any

from twisted.application.service import Service
from twisted.internet.defer import Deferred, fail, inlineCallbacks
from twisted.logger import Logger

from novatx.compute.exceptions import DatabaseUnavailable
from novatx.db import engine as db_engine
from novatx.db import migrate
from novatx.db.migrate import SchemaNotCurrent
from novatx.db.store import Store, StoreUnavailable

__all__ = ["ComputeService", "SchemaNotCurrent", "prepare_store"]

log = Logger()


def _clock(conf: Any, store: Store, reactor: Any) -> Any:
    """
    The clock of a worker: the reactor, or with behaviours enabled and
    C{[behaviours] clock = controlled}, a L{ControlledClock} over the store.
    """
    if conf.behaviours.enabled and conf.behaviours.clock == "controlled":
        from novatx.compute.behaviours.clock import ControlledClock

        return ControlledClock(store, reactor)
    return reactor


def _store(conf: Any, reactor: Any) -> Store:
    """The configured store (not started)."""
    engine = db_engine.create_engine(
        db_engine.database_url(conf), pool_size=conf.database.max_pool_size,
        pool_timeout=conf.database.pool_timeout,
        busy_timeout_ms=conf.database.sqlite_busy_timeout,
        connect_timeout=conf.database.connect_timeout)
    return Store(engine, reactor, threads=conf.database.max_pool_size)


@inlineCallbacks
def _open(store: Store, conf: Any):
    """Start the store and bring its schema to the code's, or fail saying why."""
    store.start()
    try:
        yield store.call(migrate.ensure_current, store.engine, conf.database.auto_migrate)
    except StoreUnavailable as e:
        raise DatabaseUnavailable(reason=str(e)) from e
    except Exception as e:
        if isinstance(e, SchemaNotCurrent):
            raise
        raise DatabaseUnavailable(
            reason="cannot use the database at %s: %s" % (store.url, e)) from e


def prepare_store(conf: Any, reactor: Any) -> Deferred:
    """
    Open the store once (create, upgrade or check its schema) and close it;
    every way this fails (a C{connection} that is no URL included) is the
    returned Deferred's failure, never an exception from the call.

    The daemon does, when every API is served by workers, so that workers
    starting together do not race to create the store.
    """
    try:
        store = _store(conf, reactor)
    except db_engine.BadDatabaseURL:
        return fail()
    opened = _open(store, conf)
    return opened.addBoth(lambda result: store.stop().addCallback(lambda _: result))


class ComputeService(Service):
    """
    One worker's internal compute API.

    @ivar api: the L{IComputeAPI}; usable once C{startService} has fired.
    @ivar store: the L{Store}.
    @ivar driver: the L{SimulatedDriver}.
    @ivar volume_driver: the L{SimulatedVolumeDriver} of block storage; its
        L{VolumeAPI} is the internal API's C{volumes}.
    @ivar worker_id: this worker's name in the store's claims.
    """

    name = "compute"

    def __init__(self, conf: Any, reactor: Any, clock: Any = None) -> None:
        """
        @param reactor: runs the database threads' results back on its thread.
        @param clock: the C{IReactorTime} of stamps and transitions (default:
            C{reactor}, or the controlled clock of behaviours when configured);
            tests pass a C{Clock}.
        """
        from novatx.compute.api import ComputeAPI
        from novatx.compute.behaviours.clock import ControlledClock
        from novatx.compute.driver import SimulatedDriver
        from novatx.compute.volumes.api import VolumeAPI
        from novatx.compute.volumes.driver import SimulatedVolumeDriver

        self._conf = conf
        self._reactor = reactor
        self.store = _store(conf, reactor)
        self._clock = clock if clock is not None else _clock(conf, self.store, reactor)
        self.worker_id = "%s:%d:%s" % (socket.gethostname(), os.getpid(), uuid.uuid4().hex[:8])
        self.url = db_engine.database_url(conf)
        self.driver = SimulatedDriver(conf, self.store, self._clock, self.worker_id,
                                      self._notify)
        self.api = ComputeAPI(conf, self.store, self._clock, self.driver)
        self.volume_driver = SimulatedVolumeDriver(conf, self.store, self._clock,
                                                   self.worker_id, self._notify)
        self.api.volumes = VolumeAPI(conf, self.store, self._clock, self.volume_driver,
                                     self._notify)

        self._controlled = isinstance(self._clock, ControlledClock)
        if self._controlled:
            self._clock.add_catch_up(self.driver.take_due)
        self.api.behaviours.on_removed(self._release_held)

    def _release_held(self) -> Deferred:
        """Carry on the servers whose hold was removed (at once, on either clock)."""
        d = self.driver.release_held()
        if self._controlled:
            d.addCallback(lambda _: self._clock.run_due())
        return d

    def _notify(self, instance_uuid: str) -> None:
        self.api.notify(instance_uuid)

    def startService(self) -> Deferred:
        super().startService()
        return self._open()

    @inlineCallbacks
    def _open(self):
        yield _open(self.store, self._conf)
        if self._controlled:
            yield self._clock.start()
        yield self.store.write(self._networks)
        self.driver.start()
        self.volume_driver.start()
        log.info("compute store open at {url} (worker {worker})", url=self.store.url,
                 worker=self.worker_id)

    def _networks(self, connection: Any) -> None:
        """The configured networks, and ports for addresses given before ports existed."""
        from novatx.compute import convert
        from novatx.compute.network import servers, topology

        now = convert.naive(self._clock.seconds())
        topology.ensure(connection, self._conf, now)
        servers.adopt(connection, self._conf, now)

    def stopService(self) -> Deferred:
        super().stopService()
        self.driver.stop()
        self.volume_driver.stop()
        return self.store.stop()
