"""
The compute service: the store, the driver and the internal API of one
worker, as an C{IService}.

Constructing it does no I/O. Starting it opens the store (creating or
upgrading the schema when C{[database] auto_migrate} is on; the first
migration seeds nova's default flavors and a cirros image), then starts the
driver's pick-up of transitions other workers left. A store that cannot be
reached fails the start with a message naming the URL without its password.
"""

from __future__ import annotations

import os
import socket
import uuid
from typing import Any

from twisted.application.service import Service
from twisted.internet.defer import Deferred, inlineCallbacks
from twisted.logger import Logger

from novatx.compute.api import ComputeAPI
from novatx.compute.driver import SimulatedDriver
from novatx.compute.exceptions import DatabaseUnavailable
from novatx.db import engine as db_engine
from novatx.db import migrate
from novatx.db.store import Store, StoreUnavailable, describe, is_unavailable

log = Logger()


class SchemaNotCurrent(Exception):
    """The store's schema is older than the code and may not be upgraded here."""


class ComputeService(Service):
    """
    One worker's internal compute API.

    @ivar api: the L{IComputeAPI}; usable once C{startService} has fired.
    @ivar store: the L{Store}.
    @ivar driver: the L{SimulatedDriver}.
    @ivar worker_id: this worker's name in the store's claims.
    """

    name = "compute"

    def __init__(self, conf: Any, reactor: Any, clock: Any = None) -> None:
        """
        @param reactor: runs the database threads' results back on its thread.
        @param clock: the C{IReactorTime} of stamps and transitions (default:
            C{reactor}); tests pass a C{Clock}.
        """
        self._conf = conf
        self._reactor = reactor
        self._clock = clock if clock is not None else reactor
        self.worker_id = "%s:%d:%s" % (socket.gethostname(), os.getpid(), uuid.uuid4().hex[:8])
        self.url = db_engine.database_url(conf)
        self.store = Store(
            db_engine.create_engine(
                self.url, pool_size=conf.database.max_pool_size,
                pool_timeout=conf.database.pool_timeout,
                busy_timeout_ms=conf.database.sqlite_busy_timeout,
                connect_timeout=conf.database.connect_timeout),
            reactor, threads=conf.database.max_pool_size)
        self.driver = SimulatedDriver(conf, self.store, self._clock, self.worker_id,
                                      self._notify)
        self.api = ComputeAPI(conf, self.store, self._clock, self.driver)

    def _notify(self, instance_uuid: str) -> None:
        self.api.notify(instance_uuid)

    def startService(self) -> Deferred:
        super().startService()
        return self._open()

    @inlineCallbacks
    def _open(self):
        self.store.start()
        try:
            yield self.store.call(self._prepare_schema)
        except StoreUnavailable as e:
            raise DatabaseUnavailable(reason=str(e)) from e
        except Exception as e:
            if isinstance(e, SchemaNotCurrent):
                raise
            raise DatabaseUnavailable(
                reason="cannot use the database at %s: %s" % (self.store.url, e)) from e
        self.driver.start()
        log.info("compute store open at {url} (worker {worker})", url=self.store.url,
                 worker=self.worker_id)

    def _prepare_schema(self) -> None:
        try:
            if self._conf.database.auto_migrate:
                migrate.upgrade(self.store.engine)
                return
            current = migrate.current(self.store.engine)
        except Exception as e:
            if is_unavailable(e):
                raise StoreUnavailable(self.store.url, describe(e)) from e
            raise
        if current != migrate.head():
            raise SchemaNotCurrent(
                "the database at %s is at schema revision %s, not %s: run "
                "'novatx-manage db sync'" % (self.store.url, current, migrate.head()))

    def stopService(self) -> Deferred:
        super().stopService()
        self.driver.stop()
        return self.store.stop()
