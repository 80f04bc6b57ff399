"""
What every part of the internal compute API shares: the store, the clock
and the driver, reading and writing off the reactor thread, the extension
fields, the observers of changed instances, the read cache, and the two ways
a server is changed (a plain change in one transaction, and an action the
driver walks).
"""

from __future__ import annotations

import datetime
from typing import Any, Callable, Hashable, Iterable, Mapping

from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection
from twisted.internet.defer import Deferred, succeed
from twisted.logger import Logger

from novatx import metrics
from novatx.compute import actions, convert, instances
from novatx.compute.behaviours import BehavioursAPI, action_error
from novatx.compute.coalesce import CoalescedReads
from novatx.compute.context import RequestContext
from novatx.compute.exceptions import DatabaseUnavailable, InstanceIsLocked, Invalid
from novatx.compute.fields import ExtraField
from novatx.compute.readcache import GenerationChecks, ReadCache
from novatx.compute.records import Instance, Page
from novatx.compute.transitions import TRANSITIONS
from novatx.db import generations
from novatx.db.store import Store, StoreUnavailable

log = Logger()


def _store_errors(failure: Any) -> Any:
    """
    What a failed transaction means to the caller: an outage is
    L{DatabaseUnavailable} (503). The internal API checks values before they
    reach the database; one that slips past (too long for its column, a NUL
    PostgreSQL refuses, an integer no driver can bind) is still the caller's
    mistake, L{Invalid}, and its transaction was rolled back.
    """
    failure.trap(StoreUnavailable, sa_exc.DataError, OverflowError)
    if failure.check(StoreUnavailable):
        raise DatabaseUnavailable(reason=str(failure.value)) from failure.value
    log.info("a value the store refused: {error}", error=failure.value)
    raise Invalid("Invalid input: a value is too long or holds characters that cannot be stored.") \
        from failure.value


class ComputeAPIBase:
    """
    The state and plumbing of the internal API of one worker.

    @param conf: the process's config.
    @param store: the started L{Store}.
    @param clock: an C{IReactorTime}: stamps, claims and the driver's timers.
    @param driver: the compute driver (L{novatx.compute.driver.SimulatedDriver}).
    @ivar behaviours: the L{BehavioursAPI} over the same store and clock.
    @ivar read_cache: the L{ReadCache} of this worker's cached reads (its
        C{observe} is for metrics).
    """

    def __init__(self, conf: Any, store: Store, clock: Any, driver: Any) -> None:
        self._conf = conf
        self._store = store
        self._clock = clock
        self.driver = driver
        self.volumes: Any = None
        self.behaviours = BehavioursAPI(store, clock)
        self._fields: dict[str, ExtraField] = {}
        self._observers: list[Callable[[str], Any]] = []
        self._listings: CoalescedReads[Page] = CoalescedReads()
        checks = GenerationChecks(self._generations, store.reactor,
                                  conf.database.generation_check_delay / 1000.0)
        self.read_cache = ReadCache(checks, observe=metrics.read_cache)

    def _generations(self, keys: frozenset[generations.Key]) -> Deferred:
        """The generations of C{keys}, read by one statement on the store's peek thread."""
        found = generations.check(keys, self._store.paramstyle)
        if not found.sql:
            return succeed({})
        return self._store.peek(found.sql, found.params).addCallbacks(
            found.generations, _store_errors)

    def _seconds(self) -> float:
        return self._clock.seconds()

    def _now(self) -> datetime.datetime:
        return convert.naive(self._clock.seconds())

    def _read(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Deferred:
        return self._store.read(function, *args, **kwargs).addErrback(_store_errors)

    def _write(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Deferred:
        return self._store.write(function, *args, **kwargs).addErrback(_store_errors)

    def _cached(self, name: str, key: Hashable, kinds: Iterable[str], project_id: str | None,
                load: Callable[[], Deferred]) -> Deferred:
        """
        C{load()}'s answer through the read cache: from memory while the
        generations of C{kinds} (of C{project_id}'s rows; None: of every
        project's) are those it was read at. C{key} must hold everything the
        answer depends on besides them.
        """
        return self.read_cache.read(name, key, generations.needs(kinds, project_id), load)

    @property
    def _extra_defaults(self) -> dict[str, Any]:
        return {name: field.default for name, field in self._fields.items()}

    def notify(self, instance_uuid: str) -> None:
        """Tell observers that C{instance_uuid} changed."""
        for observer in list(self._observers):
            try:
                observer(instance_uuid)
            except Exception:
                log.failure("instance observer {observer!r} failed", observer=observer)

    def add_observer(self, observer: Callable[[str], Any]) -> None:
        self._observers.append(observer)

    def extra_fields(self) -> dict[str, ExtraField]:
        """The registered extension fields by name (a copy)."""
        return dict(self._fields)

    def register_fields(self, fields: Iterable[ExtraField]) -> None:
        for field in fields:
            known = self._fields.get(field.name)
            if known is not None:
                raise ValueError("extension field %r is declared by both %r and %r"
                                 % (field.name, known.owner, field.owner))
            self._fields[field.name] = field

    def _check_lock(self, context: RequestContext, row: Mapping[str, Any]) -> None:
        if row["locked"] and not context.is_admin:
            raise InstanceIsLocked(instance_uuid=row["uuid"])

    def _change(self, context: RequestContext, server_uuid: str,
                change: Callable[[Connection, Mapping[str, Any]], Any],
                check_lock: bool = True) -> Deferred:
        """Run C{change(connection, row)} on the locked row; fire with the new record."""
        def run(connection: Connection) -> Instance:
            row = instances.get_row(connection, context, server_uuid, for_update=True)
            generations.attribute(connection, row["project_id"])
            if check_lock:
                self._check_lock(context, row)
            change(connection, row)
            return instances.reload(connection, row["id"], self._extra_defaults)

        def changed(instance: Instance) -> Instance:
            self.notify(instance.uuid)
            return instance

        return self._write(run).addCallback(changed)

    def _notified(self, server_uuid: str) -> Callable[[Any], Any]:
        def done(result: Any) -> Any:
            self.notify(server_uuid)
            return result
        return done

    def _act(self, context: RequestContext, server_uuid: str, name: str,
             prepare: Callable[[Connection, Mapping[str, Any]], tuple[dict, dict]] | None = None,
             ) -> Deferred:
        """
        Check C{name}'s guard on the locked row, let C{prepare} add columns and
        params, write the intention (first task state, claim, instance action)
        and start the driver on it. Fires with the record as written.
        """
        transition = TRANSITIONS[name]
        seconds = self._seconds()

        def run(connection: Connection) -> tuple[Instance, bool] | Exception:
            row = instances.get_row(connection, context, server_uuid, for_update=True)
            generations.attribute(connection, row["project_id"])
            self._check_lock(context, row)
            if name == "delete" and row["pending_action"] == "delete":
                return instances.record(connection, row, self._extra_defaults), False
            transition.check(server_uuid, row["vm_state"], row["task_state"])
            if self._conf.behaviours.enabled:
                injected = action_error(connection, row, name, seconds)
                if injected is not None:
                    return injected
            changes, params = prepare(connection, row) if prepare else ({}, {})
            now = convert.naive(seconds)
            action_id = actions.start(connection, context, server_uuid, name, now, row["host"])
            params["action_id"] = action_id
            if transition.steps:
                changes.update(task_state=transition.steps[0], pending_params=params,
                               **self.driver.claim(name, seconds))
            else:
                changes.update(transition.finish(row, params), task_state=None)
                actions.finish(connection, action_id, now)
            instances.touch(connection, row["id"], now, **changes)
            return instances.reload(connection, row["id"], self._extra_defaults), bool(
                transition.steps)

        def begun(result: tuple[Instance, bool] | Exception) -> Instance:
            if isinstance(result, Exception):
                # An action_error behaviour fired: its firing is kept, nothing else.
                raise result
            instance, started = result
            self.notify(instance.uuid)
            if started:
                if name == "delete":
                    self.driver.destroy(instance)
                else:
                    self.driver.transition(instance, name)
            return instance

        return self._write(run).addCallback(begun)
