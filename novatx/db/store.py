"""
The store's asynchronous face: database work in a thread pool, as Deferreds.

The reactor thread never runs a query. L{Store.read} and L{Store.write} run a
function with a connection inside one transaction on a pool thread and fire
with its result; a lost or refused database becomes L{StoreUnavailable}, whose
message names the URL without its password. Every transaction that changed
rows raises their change generations before it commits
(L{novatx.db.generations}), whoever ran it.
"""

from __future__ import annotations

import random
import time
from typing import Any, Callable, TypeVar

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine
from twisted.internet.defer import Deferred, DeferredList, succeed
from twisted.internet.threads import deferToThreadPool
from twisted.python.failure import Failure
from twisted.python.threadpool import ThreadPool

from novatx import metrics
from novatx.db import generations
from novatx.db.engine import WRITE, create_engine, safe_url
from novatx.db.peek import PeekThread

T = TypeVar("T")

#: How often a deadlocked transaction is tried; the codes that mean it
#: (PostgreSQL's SQLSTATEs, MySQL's error numbers).
_RETRIES = 5
_DEADLOCK_CODES = {"40P01", "40001", 1213, 1205}


class StoreUnavailable(Exception):
    """The database cannot be reached (or went away during the work)."""

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__("cannot use the database at %s: %s" % (url, reason))


#: MySQL/MariaDB server errors that mean the database cannot be used now
#: (refused logins, unknown database, shutdown, too many connections, lock
#: waits, a read-only server, a killed connection). Client errors (2000 and
#: up) are lost or refused connections.
_MYSQL_UNAVAILABLE = {1040, 1044, 1045, 1049, 1053, 1077, 1129, 1130, 1203, 1205, 1213, 1226,
                      1290, 1698, 1927, 4031}

#: What SQLite says when its file cannot be used (as opposed to a bad query).
_SQLITE_UNAVAILABLE = ("unable to open", "disk i/o", "database is locked", "readonly",
                       "read-only", "disk is full")


def is_unavailable(error: BaseException) -> bool:
    """
    Whether C{error} means the database cannot be reached or used now (a
    503), not that a statement was refused (a bad value, a bad regular
    expression, a missing table: those are never reported as an outage).
    """
    if isinstance(error, sa_exc.TimeoutError):
        return True
    if not isinstance(error, sa_exc.DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    orig = error.orig
    module = type(orig).__module__
    if module.startswith("psycopg"):
        return isinstance(error, (sa_exc.OperationalError, sa_exc.InterfaceError))
    if module.startswith("pymysql"):
        code = orig.args[0] if orig.args else None
        return isinstance(error, sa_exc.InterfaceError) or (
            isinstance(code, int) and (code >= 2000 or code in _MYSQL_UNAVAILABLE))
    if module.startswith("sqlite3"):
        text = str(orig).lower()
        return isinstance(error, sa_exc.OperationalError) and any(
            words in text for words in _SQLITE_UNAVAILABLE)
    return isinstance(error, (sa_exc.OperationalError, sa_exc.InterfaceError))


def is_deadlock(error: BaseException) -> bool:
    """Whether the database rolled the transaction back to break a deadlock."""
    orig = getattr(error, "orig", None)
    code = getattr(orig, "sqlstate", None) or (orig.args[0] if orig is not None and orig.args
                                                else None)
    return code in _DEADLOCK_CODES


def describe(error: BaseException) -> str:
    """The first line of the driver's message: what went wrong, no traceback."""
    orig = getattr(error, "orig", None) or error
    text = str(orig).strip().splitlines()
    return text[0] if text else type(orig).__name__


class Store:
    """
    An engine, the thread pool that uses it, and the peek thread (L{peek})
    with a connection of its own.

    @ivar engine: the SQLAlchemy engine; only pool threads touch it.
    @ivar url: the URL as text, password hidden.
    @ivar paramstyle: how the driver marks a statement's parameters (PEP 249).
    @ivar reactor: the reactor its answers are delivered on.
    """

    def __init__(self, engine: Engine, reactor: Any, threads: int = 10) -> None:
        self.engine = engine
        generations.track(engine)
        self.url = safe_url(engine.url)
        self.backend = engine.url.get_backend_name()
        self.reactor = reactor
        self._pool = ThreadPool(minthreads=0, maxthreads=threads, name="novatx-db")
        self._started = False
        self._in_flight: set[Deferred] = set()
        self._peeks = PeekThread(reactor, lambda: create_engine(engine.url, pool_size=1))
        self.paramstyle: str = engine.dialect.paramstyle

    def start(self) -> None:
        """Start the thread pool (idempotent)."""
        if not self._started:
            self._started = True
            self._pool.start()

    def stop(self) -> Deferred:
        """
        Close connections and stop the thread pool once the work in flight is
        done. Joining the threads never blocks the reactor while one still
        waits for a reply, which may need the reactor (a proxy, a test).
        """
        if not self._started:
            self.engine.dispose()
            return succeed(None)
        self._started = False
        pool = self._pool
        d = DeferredList(list(self._in_flight), consumeErrors=True)
        d.addCallback(lambda _: self._peeks.stop())
        d.addCallback(lambda _: deferToThreadPool(self.reactor, pool, self.engine.dispose))
        d.addBoth(lambda result: (pool.stop(), result)[1])
        return d

    def _track(self, d: Deferred) -> Deferred:
        self._in_flight.add(d)

        def done(result: Any) -> Any:
            self._in_flight.discard(d)
            return result
        return d.addBoth(done)

    def read(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> "Deferred[T]":
        """Run C{function(connection, *args, **kwargs)} in a transaction, off the reactor."""
        metrics.store_round_trip("read")
        return self._track(deferToThreadPool(self.reactor, self._pool, self.run_sync, False,
                                             function, *args, **kwargs))

    def write(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> "Deferred[T]":
        """The same, for work that writes (SQLite takes its write lock first)."""
        metrics.store_round_trip("write")
        return self._track(deferToThreadPool(self.reactor, self._pool, self.run_sync, True,
                                             function, *args, **kwargs))

    def run_sync(self, write: bool, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """
        Run C{function} in a transaction on the calling thread (pool threads,
        tools). A transaction the database chose as a deadlock victim is run
        again, a few times: C{function} must only touch the database.
        """
        for attempt in range(_RETRIES):
            try:
                with self.engine.connect() as connection:
                    if write:
                        connection = connection.execution_options(**{WRITE: True})
                    with connection.begin():
                        generations.begin(connection)
                        result = function(connection, *args, **kwargs)
                        generations.bump(connection)
                        return result
            except sa_exc.DBAPIError as e:
                if is_deadlock(e) and attempt + 1 < _RETRIES:
                    time.sleep(0.01 * (attempt + 1) * (1 + random.random()))
                    continue
                if is_unavailable(e):
                    raise StoreUnavailable(self.url, describe(e)) from e
                raise
            except sa_exc.TimeoutError as e:
                raise StoreUnavailable(self.url, describe(e)) from e
        raise AssertionError("unreachable")

    def peek(self, sql: str, params: tuple) -> "Deferred[list[tuple]]":
        """
        The rows of C{sql}, one short read-only statement as the driver takes
        it (its marks as L{paramstyle} says), run in autocommit on the peek
        thread's connection (L{novatx.db.peek}). It is what a read cache asks
        before every batch of answers from memory (L{generations.check}). The
        connection is an engine of its own (one connection), so that it never
        takes one the database threads need; one that fails is dropped, and
        the next peek opens another.
        """
        return self._track(self._peeks.rows(sql, params).addErrback(self._peek_failed))

    def _peek_failed(self, failure: Failure) -> Failure:
        error = failure.value
        if isinstance(error, (sa_exc.DBAPIError, sa_exc.TimeoutError)) and is_unavailable(error):
            raise StoreUnavailable(self.url, describe(error)) from error
        return failure

    def call(self, function: Callable[..., T], *args: Any) -> "Deferred[T]":
        """Run C{function(*args)} on a database thread, with no transaction (migrations)."""
        return deferToThreadPool(self.reactor, self._pool, function, *args)

    def check(self) -> "Deferred[None]":
        """Fires when the database answers a trivial query; L{StoreUnavailable} if not."""
        return self.read(lambda connection: connection.execute(sa.text("SELECT 1")).scalar())
