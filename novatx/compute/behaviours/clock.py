"""
The controlled clock: a daemon's "now" that only moves when a test says so.

With C{[behaviours] clock = controlled}, the internal API, the simulated
drivers and every API's tree read the time from one L{ControlledClock} per
worker instead of the reactor. The time itself is kept in the store (one row
of C{behaviours_clock}), so every worker and host reads the same; a worker
catches up with it (L{ControlledClock.sync}) before it serves a request, in
the behaviours filter.

Moving the clock (L{ControlledClock.move}) writes the store, then runs, in
order of their time, the timers that fall due before the new time, waiting
for each one's store work: a transition of several steps walks all of them,
each stamped with the time it was due. Transitions other workers follow are
taken over when they fall due (the catch-up hooks, the simulated driver's
C{take_due}), so when the move returns every transition due by then is done.
"""

from __future__ import annotations

from typing import Any, Callable

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from twisted.internet.defer import Deferred, DeferredLock, ensureDeferred, fail, succeed
from twisted.internet.interfaces import IDelayedCall, IReactorTime
from twisted.internet.task import Clock
from twisted.logger import Logger
from zope.interface import implementer

from novatx.compute.behaviours.exceptions import InvalidBehaviour
from novatx.db import tables as t
from novatx.db.store import Store

log = Logger()
_c = t.behaviours_clock
#: Timers this close past the time moved to are due: steps added up in
#: floating point (four of 0.05 s) land a hair past their sum.
_SLACK = 1e-6
_ROW = 1


def _read(connection: Connection) -> float | None:
    return connection.execute(sa.select(_c.c.seconds).where(_c.c.id == _ROW)).scalar()


def _start(connection: Connection, seconds: float) -> float:
    """
    The stored time, first set to C{seconds} when there is none yet. Workers
    start together: when another one's row went in first, its time is the one.
    """
    stored = _read(connection)
    if stored is not None:
        return stored
    try:
        with connection.begin_nested():
            connection.execute(_c.insert().values(id=_ROW, seconds=seconds))
    except IntegrityError:
        stored = _read(connection)
        assert stored is not None
        return stored
    return seconds


def _advance(connection: Connection, seconds: float) -> float:
    connection.execute(_c.update().where(_c.c.id == _ROW).values(seconds=_c.c.seconds + seconds))
    return _read(connection)


def _set(connection: Connection, seconds: float) -> float:
    """Move the time to C{seconds}, never backwards (refused: L{InvalidBehaviour})."""
    moved = connection.execute(_c.update().where(_c.c.id == _ROW, _c.c.seconds <= seconds)
                               .values(seconds=seconds)).rowcount
    if not moved:
        raise InvalidBehaviour(reason="the clock only moves forward: it is already past the "
                               "time asked for")
    return seconds


@implementer(IReactorTime)
class ControlledClock:
    """
    An C{IReactorTime} whose time is the store's and moves only when told.

    Anything else asked of it (thread pools, C{callFromThread}...) is the
    real reactor's, so an API's tree can be given this clock as its reactor.

    @ivar reactor: the real reactor: the store's results come back on it, and
        the drivers' polls of the store run on its time.
    """

    def __init__(self, store: Store, reactor: Any) -> None:
        self.reactor = reactor
        self._store = store
        self._timers = Clock()
        self._timers.rightNow = reactor.seconds()
        self._lock = DeferredLock()
        self._catch_up: list[Callable[[float], Deferred]] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.reactor, name)

    # -- IReactorTime ------------------------------------------------------------------

    def seconds(self) -> float:
        return self._timers.rightNow

    def callLater(self, delay: float, callable: Callable[..., Any], *args: Any,
                  **kw: Any) -> IDelayedCall:
        return self._timers.callLater(delay, callable, *args, **kw)

    def getDelayedCalls(self) -> Any:
        return self._timers.getDelayedCalls()

    # -- moving ------------------------------------------------------------------------

    def add_catch_up(self, hook: Callable[[float], Deferred]) -> None:
        """
        Call C{hook(until)} each time this clock moves to C{until}, before
        and after running its own timers; it fires with how many timers it
        added (transitions other workers follow that are due by then, each
        scheduled at its time), which are run before the move ends.
        """
        self._catch_up.append(hook)

    def start(self) -> Deferred:
        """Take the store's time (the first worker to start sets it to the real time)."""
        d = self._store.write(_start, float(int(self.reactor.seconds())))
        d.addCallback(self._started)
        return d

    def _started(self, seconds: float) -> None:
        self._timers.rightNow = seconds

    def sync(self) -> Deferred:
        """Catch up with the store's time (another worker may have moved it)."""
        return self._store.read(_read).addCallback(self._run_to)

    def run_due(self) -> Deferred:
        """Run the timers due by now (one just scheduled with no delay)."""
        return self._run_to(self.seconds())

    def advance(self, seconds: float) -> Deferred:
        """
        Move the time forward by C{seconds} (refused when negative); fires
        with the new time once every timer due by then has run.
        """
        if seconds < 0:
            return fail(InvalidBehaviour(reason="the clock only moves forward: advance must "
                                         "not be negative, not %r" % (seconds,)))
        return self._store.write(_advance, seconds).addCallback(self._moved)

    def set(self, seconds: float) -> Deferred:
        """Move the time to C{seconds} (refused when that is in its past); as L{advance}."""
        return self._store.write(_set, seconds).addCallback(self._moved)

    def _moved(self, seconds: float) -> Deferred:
        return self._run_to(seconds).addCallback(lambda _: seconds)

    def _run_to(self, target: float | None) -> Deferred:
        if target is None or target <= self.seconds() and not self._due(target):
            return succeed(None)
        return self._lock.run(lambda: ensureDeferred(self._walk(target)))

    def _due(self, target: float) -> bool:
        calls = self._timers.calls
        return bool(calls) and min(call.getTime() for call in calls) <= target + _SLACK

    async def _walk(self, target: float) -> None:
        """
        Take over what other workers left due by C{target} (scheduled at the
        times it is due), run every timer due in order, and again until
        nothing more is taken; then stand at C{target}.
        """
        while True:
            added = 0
            for hook in self._catch_up:
                try:
                    added += await hook(target)
                except Exception:
                    log.failure("taking over the transitions due by the clock's time failed")
            while self._due(target):
                await self._run_next()
            if not added:
                break
        self._timers.rightNow = max(self._timers.rightNow, target)

    async def _run_next(self) -> None:
        self._timers._sortCalls()
        call = self._timers.calls.pop(0)
        self._timers.rightNow = max(self._timers.rightNow, call.getTime())
        call.called = 1
        try:
            result = call.func(*call.args, **call.kw)
            if isinstance(result, Deferred):
                await result
        except Exception:
            log.failure("a timer of the controlled clock failed")
