"""
The store's peek thread: one thread with one connection of its own, for the
one-statement reads a worker's read cache makes before every batch of answers
from memory (L{novatx.db.generations}).

Such a read is most of what a cached answer costs, so it skips what the
store's thread pool and a SQLAlchemy transaction add to a statement: the
pool's coordination, a connection checkout with its liveness ping, C{BEGIN}
and C{COMMIT}, and the statement compiler. The connection is in autocommit,
so the statement is its own transaction and reads what was committed when it
started, on SQLite, PostgreSQL and MariaDB alike; the SQL is handed to the
driver as it is. Less Python on the second thread also means fewer hand-overs
of the interpreter lock to and from the reactor thread, which serves the
requests meanwhile.
"""

from __future__ import annotations

import queue
import threading
from typing import Any, Callable

from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection, Engine
from twisted.internet.defer import Deferred, succeed
from twisted.python.failure import Failure


class PeekThread:
    """
    Runs statements one at a time on a thread of its own, in the order asked.

    @param reactor: where the answers are delivered (C{callFromThread}).
    @param make_engine: makes the thread's engine (one connection), on the
        thread when it first needs it; the thread connects in autocommit,
        again after a failure dropped its connection, and disposes of the
        engine when it ends.
    """

    def __init__(self, reactor: Any, make_engine: Callable[[], Engine]) -> None:
        self._reactor = reactor
        self._make_engine = make_engine
        #: A statement, its parameters and the Deferred its rows fire; or
        #: None, to close the connection and end.
        self._work: queue.SimpleQueue = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._ended: "Deferred[None]" = Deferred()

    def rows(self, sql: str, params: tuple) -> "Deferred[list[tuple]]":
        """
        The rows of C{sql} with C{params}. A driver's error fails the
        Deferred as SQLAlchemy's wrapping of it (L{sa_exc.DBAPIError}), and
        the connection that raised it is dropped.
        """
        answer: Deferred = Deferred()
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, args=(self._ended,),
                                            name="novatx-db-peek", daemon=True)
            self._thread.start()
        self._work.put((sql, params, answer))
        return answer

    def stop(self) -> "Deferred[None]":
        """Close the connection and end the thread, after the work already asked."""
        if self._thread is None:
            return succeed(None)
        self._thread = None
        ended, self._ended = self._ended, Deferred()
        self._work.put(None)
        return ended

    def _run(self, ended: "Deferred[None]") -> None:
        deliver = self._reactor.callFromThread
        engine: Engine | None = None
        connection: Connection | None = None
        while True:
            work = self._work.get()
            if work is None:
                break
            sql, params, answer = work
            try:
                if connection is None:
                    if engine is None:
                        engine = self._make_engine()
                    connection = engine.connect().execution_options(
                        isolation_level="AUTOCOMMIT")
                cursor = connection.connection.cursor()
                try:
                    cursor.execute(sql, params)
                    found = list(cursor.fetchall())
                finally:
                    cursor.close()
            except BaseException as e:
                failure = Failure(_wrapped(e, connection, sql, params))
                _drop(connection)
                connection = None
                deliver(answer.errback, failure)
            else:
                deliver(answer.callback, found)
        _drop(connection)
        if engine is not None:
            engine.dispose()
        deliver(ended.callback, None)


def _wrapped(error: BaseException, connection: Connection | None, sql: str,
             params: tuple) -> BaseException:
    """A driver's own exception as SQLAlchemy wraps it (what the store's callers know)."""
    if connection is None or isinstance(error, sa_exc.SQLAlchemyError):
        return error
    dialect = connection.dialect
    if not isinstance(error, dialect.loaded_dbapi.Error):
        return error
    return sa_exc.DBAPIError.instance(sql, params, error, dialect.loaded_dbapi.Error,
                                      dialect=dialect)


def _drop(connection: Connection | None) -> None:
    """Close C{connection} for good (its database may be gone)."""
    if connection is not None:
        try:
            connection.invalidate()
            connection.close()
        except sa_exc.SQLAlchemyError:
            pass
