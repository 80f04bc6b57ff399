"""
A worker's read cache: answers kept with the change generations they were
read at, served from memory while those generations have not moved.

Exactness comes from the order of things. A request first checks the
generations its read needs (L{GenerationChecks}: every request waiting for a
check shares the next one, one statement on one database thread), then, when
they differ from those its cached answer was read at, reads again and labels
what it read with the generations it checked, which it read before. A write
raises its generations in its own transaction (L{novatx.db.generations}), so:

  - a write committed before the check is in the check's generations, and in
    any read started after the check: a request never gets an answer older
    than what was committed when it arrived;
  - a write committed after the check raises a generation past the label, so
    the next check misses: at worst a re-read too many, never a stale answer.

Requests whose checks found the same generations share one read in flight
(any write they must see was committed before the first check of them).
Answers are shared objects: cached reads must answer values nobody mutates
(frozen records), and each answer's key must hold everything the read
depended on (the caller's project, user, roles and the query), so that one
project's rows are never served to another.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Callable, Hashable

import attrs
from twisted.internet.defer import Deferred
from twisted.internet.interfaces import IReactorTime
from twisted.python.failure import Failure

from novatx.db.generations import Key

#: Told of every cached read: its name and whether memory answered it.
Observer = Callable[[str, bool], None]


class GenerationChecks:
    """
    Batches of generation checks: at most one scheduled or in flight; the
    requests that ask meanwhile share the next, which checks the union of
    what they need. A check never begins before its request arrived.

    When a check is begun matters as much as how many requests share it.
    Each costs the database thread a wake-up and hand-overs of the
    interpreter lock to and from the reactor thread, which serves the
    requests meanwhile:

      - a check asked while none is pending begins at the end of the
        reactor's current pass, so that every request read in that pass
        shares it;
      - the next check begins C{delay} seconds after the last one's batch
        was answered, and only if requests are waiting: the clients just
        answered send their next requests within a fraction of a
        millisecond, and that short wait (as a database's group commit)
        lets them share one check instead of each starting its own. A
        request whose answer needs a second read (a handler's) joins that
        check too.

    @param read: fires with the generations of a set of keys (one
        statement on the store's peek thread, L{novatx.db.store.Store.peek}).
    @param timer: the reactor whose passes and time those are (never a
        controlled clock, which stands still).
    @param delay: C{[database] generation_check_delay}, in seconds.
    """

    def __init__(self, read: Callable[[frozenset[Key]], "Deferred[dict[Key, int]]"],
                 timer: IReactorTime, delay: float = 0.0) -> None:
        self._read = read
        self._timer = timer
        self._delay = delay
        self._pending = False
        self._waiting: list[tuple[frozenset[Key], Deferred]] = []

    def check(self, keys: frozenset[Key]) -> "Deferred[dict[Key, int]]":
        """The generations of C{keys}, read after this call."""
        caller: Deferred = Deferred()
        self._waiting.append((keys, caller))
        if not self._pending:
            self._pending = True
            self._timer.callLater(0, self._start)
        return caller

    def _start(self) -> None:
        batch, self._waiting = self._waiting, []

        def ended(result: Any) -> None:
            for _, caller in batch:
                if isinstance(result, Failure):
                    caller.errback(result)
                else:
                    caller.callback(result)
            if self._waiting:
                self._timer.callLater(self._delay, self._start)
            else:
                self._pending = False

        try:
            d = self._read(frozenset().union(*(keys for keys, _ in batch)))
        except BaseException:
            d = Deferred()
            d.errback(Failure())
        d.addBoth(ended)


@attrs.define
class _Entry:
    label: tuple
    value: Any
    weight: int


def _weight(value: Any) -> int:
    """How many records C{value} holds (a page's items, a list's), at least one."""
    items = getattr(value, "items", value)
    return max(1, len(items)) if isinstance(items, (list, tuple)) else 1


class ReadCache:
    """
    Answers by key, each with the generations it was read at.

    @param checks: the worker's L{GenerationChecks}.
    @param observe: told C{(name, hit)} of every read (metrics).
    """

    #: Records kept at most, over every answer (a page counts its items);
    #: the least recently used answers go first.
    MAX_RECORDS = 20000

    def __init__(self, checks: GenerationChecks, observe: Observer | None = None) -> None:
        self._checks = checks
        self.observe = observe
        self._entries: OrderedDict[Hashable, _Entry] = OrderedDict()
        self._records = 0
        self._loads: dict[tuple[Hashable, tuple], list[Deferred]] = {}

    def read(self, name: str, key: Hashable, needs: frozenset[Key],
             load: Callable[[], Deferred]) -> Deferred:
        """
        The answer of C{key}: from memory when the generations in C{needs} are
        those it was read at, else from C{load()} (shared with the requests
        that checked the same generations). A failed load is not kept.

        @param name: the read's name, for L{observe}.
        """
        full = (name, key)

        def checked(found: dict[Key, int]) -> Any:
            label = tuple(sorted((k, found.get(k, 0)) for k in needs))
            entry = self._entries.get(full)
            hit = entry is not None and entry.label == label
            if self.observe is not None:
                self.observe(name, hit)
            if hit:
                assert entry is not None
                self._entries.move_to_end(full)
                return entry.value
            return self._load(full, label, load)

        return self._checks.check(needs).addCallback(checked)

    def _keep(self, full: Hashable, entry: _Entry) -> None:
        old = self._entries.pop(full, None)
        if old is not None:
            self._records -= old.weight
        self._entries[full] = entry
        self._records += entry.weight
        while self._records > self.MAX_RECORDS and len(self._entries) > 1:
            _, dropped = self._entries.popitem(last=False)
            self._records -= dropped.weight

    def _load(self, full: Hashable, label: tuple, load: Callable[[], Deferred]) -> Deferred:
        caller: Deferred = Deferred()
        waiting = self._loads.get((full, label))
        if waiting is not None:
            waiting.append(caller)
            return caller
        waiting = self._loads[(full, label)] = [caller]

        def ended(result: Any) -> None:
            del self._loads[(full, label)]
            if not isinstance(result, Failure):
                self._keep(full, _Entry(label, result, _weight(result)))
            for each in waiting:
                if isinstance(result, Failure):
                    each.errback(result)
                else:
                    each.callback(result)

        try:
            d = load()
        except BaseException:
            d = Deferred()
            d.errback(Failure())
        d.addBoth(ended)
        return caller
