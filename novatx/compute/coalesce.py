"""
Identical reads asked for at the same time share one trip to the database.

Clients poll listings: a dashboard, C{openstack server list} in a loop, many
C{--wait}s of one project. Each listing costs a transaction on a database
thread, and under load those transactions, not the HTTP work, bound what a
worker serves. L{CoalescedReads} runs at most one read per key at a time; the
callers that ask for the same key while it runs wait for the next read, which
starts as soon as the running one ends and answers all of them.

A caller never gets a read that began before it asked: whatever was committed
before its request arrived is in its answer, exactly as if it had read alone.
A caller alone pays nothing: with no read running, its read starts at once.
"""

from __future__ import annotations

from typing import Any, Callable, Generic, Hashable, TypeVar

import attrs
from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

T = TypeVar("T")


@attrs.define
class _Key:
    """The callers of one key: those the running read answers, and the next ones."""

    running: list[Deferred] = attrs.Factory(list)
    waiting: list[Deferred] = attrs.Factory(list)


class CoalescedReads(Generic[T]):
    """
    One read in flight per key; callers who arrive meanwhile share the next.

    The value handed to every caller of one read is the same object, so reads
    coalesced here must answer values nobody mutates (frozen records).
    """

    def __init__(self) -> None:
        self._keys: dict[Hashable, _Key] = {}

    def read(self, key: Hashable, start: Callable[[], "Deferred[T]"]) -> "Deferred[T]":
        """
        The result of C{start()}, called now if no read of C{key} is running,
        else once the running one has ended (shared with everyone who asked
        for C{key} in between).
        """
        caller: Deferred = Deferred()
        state = self._keys.get(key)
        if state is None:
            state = self._keys[key] = _Key()
            state.running.append(caller)
            self._start(key, state, start)
        else:
            state.waiting.append(caller)
        return caller

    def _start(self, key: Hashable, state: _Key, start: Callable[[], Deferred]) -> None:
        def ended(result: Any) -> None:
            callers, state.running = state.running, state.waiting
            state.waiting = []
            if state.running:
                self._start(key, state, start)
            else:
                del self._keys[key]
            for caller in callers:
                if isinstance(result, Failure):
                    caller.errback(result)
                else:
                    caller.callback(result)

        try:
            d = start()
        except BaseException:
            d = Deferred()
            d.errback(Failure())
        d.addBoth(ended)
