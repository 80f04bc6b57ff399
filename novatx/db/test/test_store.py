"""
What counts as the database being unavailable (a 503 that clears by itself)
and what is a refused statement, told apart on each backend from the errors
its real driver raises; and an engine that does no I/O until it connects.
"""

from __future__ import annotations

import os
import threading

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from twisted.internet import reactor
from twisted.trial.unittest import TestCase

from novatx.db import engine as db_engine
from novatx.db.store import Store, StoreUnavailable, is_unavailable
from novatx.db.test.backends import SERVER_URLS, temporary_database

class ClassificationTestsMixin:
    backend = "sqlite"

    def error_of(self, url, statement=sa.text("SELECT 1")):
        engine = db_engine.create_engine(url, pool_size=1, connect_timeout=3)
        self.addCleanup(engine.dispose)
        try:
            with engine.connect() as connection:
                connection.execute(statement)
        except Exception as e:
            return e
        self.fail("%s on %s did not fail" % (statement, url))

    def test_refused_statements_are_not_an_outage(self):
        url = temporary_database(self, self.backend)
        for statement in (sa.text("SELEKT 1"), sa.text("SELECT * FROM no_such_table"),
                          sa.select(sa.literal("a").regexp_match("["))):
            error = self.error_of(url, statement)
            self.assertFalse(is_unavailable(error), (str(statement), error))


    async def test_work_runs_on_a_database_thread_in_a_transaction(self):
        url = temporary_database(self, self.backend)
        store = Store(db_engine.create_engine(url, pool_size=2), reactor, 2)
        store.start()
        self.addCleanup(store.stop)

        def where(connection):
            return threading.current_thread() is threading.main_thread(), \
                connection.in_transaction()
        self.assertEqual((False, True), await store.read(where))
        self.assertEqual((False, True), await store.write(where))


class ServerClassificationTestsMixin(ClassificationTestsMixin):
    def test_a_refused_connection_is_an_outage(self):
        url = sa.engine.make_url(SERVER_URLS[self.backend]).set(port=1)
        self.assertTrue(is_unavailable(self.error_of(url)))

    def test_a_missing_database_is_an_outage(self):
        url = sa.engine.make_url(SERVER_URLS[self.backend]).set(
            database="novatx_no_such_db")
        self.assertTrue(is_unavailable(self.error_of(url)))

    async def test_the_store_says_which_database_it_cannot_reach(self):
        url = sa.engine.make_url(SERVER_URLS[self.backend]).set(port=1, password="hunter2")
        store = Store(db_engine.create_engine(url, pool_size=1, connect_timeout=3), reactor, 1)
        store.start()
        self.addCleanup(store.stop)
        with self.assertRaises(StoreUnavailable) as caught:
            await store.check()
        self.assertIn(db_engine.safe_url(url), str(caught.exception))
        self.assertNotIn("hunter2", str(caught.exception))


class SQLiteClassificationTests(ClassificationTestsMixin, TestCase):
    backend = "sqlite"

    def test_a_file_that_cannot_be_opened_is_an_outage(self):
        self.assertTrue(is_unavailable(self.error_of("sqlite:////proc/novatx/novatx.sqlite")))

    def test_connections_use_wal_foreign_keys_and_the_busy_timeout(self):
        url = temporary_database(self, "sqlite")
        engine = db_engine.create_engine(url, pool_size=1, busy_timeout_ms=2500)
        self.addCleanup(engine.dispose)
        with engine.connect() as connection:
            pragmas = [connection.exec_driver_sql("PRAGMA %s" % name).scalar()
                       for name in ("journal_mode", "foreign_keys", "busy_timeout")]
        self.assertEqual(["wal", 1, 2500], pragmas)

    def test_the_engine_makes_its_directory_when_it_first_connects(self):
        directory = os.path.abspath(self.mktemp())
        url = "sqlite:///" + os.path.join(directory, "store", "novatx.sqlite")
        engine = db_engine.create_engine(url, pool_size=1)
        self.addCleanup(engine.dispose)
        self.assertFalse(os.path.exists(directory))
        with engine.connect() as connection:
            self.assertEqual(1, connection.execute(sa.text("SELECT 1")).scalar())
        self.assertTrue(os.path.isdir(os.path.join(directory, "store")))


class PostgreSQLClassificationTests(ServerClassificationTestsMixin, TestCase):
    backend = "postgresql"


class MariaDBClassificationTests(ServerClassificationTestsMixin, TestCase):
    backend = "mysql"


class PeekTestsMixin:
    """L{Store.peek}: one statement in autocommit on the store's peek thread."""

    backend = "sqlite"

    def started_store(self, url=None):
        url = url or temporary_database(self, self.backend)
        store = Store(db_engine.create_engine(url, pool_size=1, connect_timeout=3), reactor, 1)
        store.start()
        self.addCleanup(store.stop)
        return store

    def mark(self, store):
        return "?" if store.paramstyle == "qmark" else "%s"

    async def test_each_peek_sees_what_was_committed_before_it(self):
        """The kept connection holds no snapshot from one peek to the next."""
        store = self.started_store()
        await store.write(lambda c: c.exec_driver_sql("CREATE TABLE counters (n INTEGER)"))
        await store.write(lambda c: c.exec_driver_sql("INSERT INTO counters VALUES (1)"))
        for n in range(1, 5):
            rows = await store.peek("SELECT n FROM counters WHERE n > " + self.mark(store), (0,))
            self.assertEqual([n], [row[0] for row in rows])
            await store.write(lambda c: c.exec_driver_sql("UPDATE counters SET n = n + 1"))

    async def test_a_refused_statement_is_not_an_outage_and_the_next_peek_works(self):
        store = self.started_store()
        for statement in ("SELEKT 1", "SELECT * FROM no_such_table"):
            with self.assertRaises(sa_exc.DBAPIError) as caught:
                await store.peek(statement, ())
            self.assertFalse(is_unavailable(caught.exception), statement)
            self.assertIn(statement, str(caught.exception))
            self.assertEqual([1], [row[0] for row in await store.peek("SELECT 1", ())])

    async def test_stopping_the_store_ends_its_peek_thread(self):
        before = set(threading.enumerate())
        store = self.started_store()
        await store.peek("SELECT 1", ())
        started = [t for t in set(threading.enumerate()) - before if t.name == "novatx-db-peek"]
        self.assertEqual(1, len(started))
        await store.stop()
        started[0].join(10)
        self.assertFalse(started[0].is_alive())


class ServerPeekTestsMixin(PeekTestsMixin):
    #: Makes a statement that waits for a lock give up after 2 seconds.
    lock_timeout: str

    async def test_a_peek_leaves_no_transaction_open(self):
        """A schema change waits for no lock of the peek's connection."""
        store = self.started_store()
        await store.write(lambda c: c.exec_driver_sql("CREATE TABLE counters (n INTEGER)"))
        self.assertEqual([], await store.peek("SELECT n FROM counters", ()))

        def alter(connection):
            connection.exec_driver_sql(self.lock_timeout)
            connection.exec_driver_sql("ALTER TABLE counters ADD COLUMN m INTEGER")
        await store.write(alter)
        self.assertEqual([], await store.peek("SELECT n, m FROM counters", ()))

    async def test_a_peek_at_a_database_that_is_down_is_an_outage(self):
        url = sa.engine.make_url(SERVER_URLS[self.backend]).set(port=1)
        store = self.started_store(url.render_as_string(hide_password=False))
        for _ in range(2):
            with self.assertRaises(StoreUnavailable) as caught:
                await store.peek("SELECT 1", ())
            self.assertIn("127.0.0.1:1", str(caught.exception))


class SQLitePeekTests(PeekTestsMixin, TestCase):
    backend = "sqlite"

    async def test_a_peek_at_a_file_that_cannot_be_opened_is_an_outage(self):
        store = self.started_store("sqlite:////proc/novatx/novatx.sqlite")
        with self.assertRaises(StoreUnavailable):
            await store.peek("SELECT 1", ())


class PostgreSQLPeekTests(ServerPeekTestsMixin, TestCase):
    backend = "postgresql"
    lock_timeout = "SET lock_timeout = '2s'"


class MariaDBPeekTests(ServerPeekTestsMixin, TestCase):
    backend = "mysql"
    lock_timeout = "SET SESSION lock_wait_timeout = 2"


class DriverErrorTests(TestCase):
    """Errors that are hard to provoke on demand, as each driver raises them."""

    def test_broken_connections_and_busy_files_are_outages_bad_values_are_not(self):
        import psycopg
        import pymysql
        import sqlite3
        from sqlalchemy import exc as sa_exc
        cases = [
            (sa_exc.InterfaceError("s", {}, pymysql.err.InterfaceError(0, "")), True),
            (sa_exc.OperationalError("s", {}, pymysql.err.OperationalError(
                2013, "Lost connection to server during query")), True),
            (sa_exc.OperationalError("s", {}, pymysql.err.OperationalError(
                1205, "Lock wait timeout exceeded")), True),
            (sa_exc.OperationalError("s", {}, pymysql.err.OperationalError(
                1139, "Regex error")), False),
            (sa_exc.DataError("s", {}, pymysql.err.DataError(1406, "Data too long")), False),
            (sa_exc.InterfaceError("s", {}, psycopg.InterfaceError(
                "the connection is closed")), True),
            (sa_exc.DataError("s", {}, psycopg.DataError(
                "PostgreSQL text fields cannot contain NUL (0x00) bytes")), False),
            (sa_exc.OperationalError("s", {}, sqlite3.OperationalError(
                "database is locked")), True),
            (sa_exc.InterfaceError("s", {}, sqlite3.InterfaceError(
                "Error binding parameter 0")), False),
            (sa_exc.TimeoutError("QueuePool limit reached"), True),
            (ValueError("not a database error"), False),
        ]
        self.assertEqual([want for _, want in cases], [is_unavailable(e) for e, _ in cases])


class BadURLTests(TestCase):
    def test_an_unknown_driver_is_named_without_password(self):
        with self.assertRaises(db_engine.BadDatabaseURL) as caught:
            db_engine.create_engine("nosuch://bob:hunter2@h/nova")
        self.assertEqual("[database] connection nosuch://bob:***@h/nova: no database driver "
                         "for nosuch://", str(caught.exception))
