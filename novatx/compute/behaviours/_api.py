"""
The behaviours' internal API: make, list and remove behaviours, and fire them.

Every method runs its database work on the store's threads and fires with
records. Time (windows, creation stamps) comes from the injected clock.
"""

from __future__ import annotations

import uuid
from typing import Any, Callable

from twisted.internet.defer import Deferred, fail, gatherResults, maybeDeferred, succeed
from twisted.logger import Logger

from novatx.compute import convert
from novatx.compute.behaviours import _queries, _validation
from novatx.compute.behaviours._records import Behaviour, BehaviourSpec, Match
from novatx.compute.behaviours.clock import ControlledClock
from novatx.compute.behaviours.exceptions import (
    BehaviourNotFound, ClockNotControlled, InvalidBehaviour)
from novatx.compute.context import RequestContext
from novatx.compute.exceptions import DatabaseUnavailable
from novatx.db.store import Store, StoreUnavailable

log = Logger()


def _store_errors(failure: Any) -> Any:
    """A store that cannot be reached is a 503 to whoever asked."""
    failure.trap(StoreUnavailable)
    raise DatabaseUnavailable(reason=str(failure.value)) from failure.value


class BehavioursAPI:
    """
    Behaviours over one store and clock.

    @ivar store: the L{Store} the behaviours are kept in.
    @ivar clock: the C{IReactorTime} windows are read on and delays wait on.
    """

    def __init__(self, store: Store, clock: Any) -> None:
        self.store = store
        self.clock = clock
        self._on_removed: list[Callable[[], Any]] = []

    def on_removed(self, hook: Callable[[], Any]) -> None:
        """
        Call C{hook()} after behaviours were removed (holds release their
        servers); the removal answers once its Deferred fired.
        """
        self._on_removed.append(hook)

    def _removed(self, result: Any) -> Deferred:
        """Run the hooks (a failing one is logged); fires with C{result} once they are done."""
        def logged(failure: Any) -> None:
            log.failure("a hook after removing behaviours failed", failure)
        hooks = [maybeDeferred(hook).addErrback(logged) for hook in self._on_removed]
        return gatherResults(hooks).addCallback(lambda _: result)

    def _read(self, function: Any, *args: Any) -> Deferred:
        return self.store.read(function, *args).addErrback(_store_errors)

    def _write(self, function: Any, *args: Any) -> Deferred:
        return self.store.write(function, *args).addErrback(_store_errors)

    def _now(self) -> Any:
        return convert.naive(self.clock.seconds())

    def create(self, context: RequestContext, spec: BehaviourSpec) -> "Deferred[Behaviour]":
        """
        Keep C{spec} once it is checked; an impossible one fails with
        L{InvalidBehaviour} and nothing is stored.
        """
        try:
            _validation.check(spec)
        except InvalidBehaviour as e:
            return fail(e)
        return self._write(_queries.insert, str(uuid.uuid4()), spec, context.user_id,
                           self._now())

    def list(self, project_id: str | None = None) -> "Deferred[list[Behaviour]]":
        """A project's behaviours (every one: C{None}) with their firings."""
        return self._read(_queries.list_, project_id)

    def delete(self, behaviour_id: str, project_id: str | None = None) -> "Deferred[None]":
        """Remove one behaviour (of C{project_id} only, when given)."""

        def deleted(count: int) -> None:
            if not count:
                raise BehaviourNotFound(behaviour_id=behaviour_id)
        d = self._write(_queries.delete, behaviour_id, project_id).addCallback(deleted)
        return d.addCallback(self._removed)

    def clear(self, project_id: str) -> "Deferred[int]":
        """Remove every behaviour of a project; fires with how many there were."""
        return self._write(_queries.clear, project_id).addCallback(self._removed)

    @property
    def controlled(self) -> bool:
        """Whether the clock is the controlled one (C{[behaviours] clock = controlled})."""
        return isinstance(self.clock, ControlledClock)

    def _controlled_clock(self) -> ControlledClock:
        if not isinstance(self.clock, ControlledClock):
            raise ClockNotControlled()
        return self.clock

    def clock_now(self) -> "Deferred[float]":
        """The clock's time, caught up with the store's when it is controlled."""
        if not self.controlled:
            return succeed(self.clock.seconds())
        return self._store_errors(self.clock.sync()).addCallback(lambda _: self.clock.seconds())

    def advance_clock(self, seconds: float) -> "Deferred[float]":
        """
        Move the controlled clock C{seconds} forward; fires with its new time
        once the transitions due by then are done. A real clock is a
        L{ClockNotControlled}; a negative advance an L{InvalidBehaviour}.
        """
        try:
            clock = self._controlled_clock()
        except ClockNotControlled as e:
            return fail(e)
        return self._store_errors(clock.advance(seconds))

    def set_clock(self, seconds: float) -> "Deferred[float]":
        """Move the controlled clock to C{seconds} (never backwards); as L{advance_clock}."""
        try:
            clock = self._controlled_clock()
        except ClockNotControlled as e:
            return fail(e)
        return self._store_errors(clock.set(seconds))

    @staticmethod
    def _store_errors(d: Deferred) -> Deferred:
        return d.addErrback(_store_errors)

    def fire(self, match: Match, request_id: str | None = None) -> "Deferred[Behaviour | None]":
        """
        Take one firing of the oldest behaviour in scope of C{match}; fires
        with it (its counts after this firing), or C{None} when none is.
        """

        def logged(behaviour: Behaviour | None) -> Behaviour | None:
            if behaviour is not None:
                log.info("behaviour {id} ({effect}) of project {project} fired for request "
                         "{request_id} ({fired} fired, {remaining} left)", id=behaviour.id,
                         effect=behaviour.spec.effect, project=match.project_id,
                         request_id=request_id, fired=behaviour.fired,
                         remaining="unlimited" if behaviour.remaining is None
                         else behaviour.remaining)
            return behaviour
        return self._write(_queries.fire, match, self._now()).addCallback(logged)
