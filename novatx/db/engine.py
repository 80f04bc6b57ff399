"""
Opening the store: a SQLAlchemy engine for the configured URL.

SQLite gets WAL, foreign keys and a busy timeout, and its write transactions
start with C{BEGIN IMMEDIATE} so that two writers queue on the lock instead of
failing when a reader upgrades. PostgreSQL runs through psycopg 3, MySQL and
MariaDB through PyMySQL; bare C{postgresql://} and C{mysql://} URLs get those
drivers.
"""

from __future__ import annotations

import os
import sqlite3

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL, Engine, make_url

#: The execution option that marks a connection as about to write.
WRITE = "novatx_write"

_DRIVERS = {"postgresql": "postgresql+psycopg", "postgres": "postgresql+psycopg",
            "mysql": "mysql+pymysql", "mariadb": "mariadb+pymysql"}


class BadDatabaseURL(ValueError):
    """
    C{[database] connection} is no URL, or names a database no installed
    driver serves: a configuration error, said in one line, never with the
    password.
    """


def database_url(conf) -> URL:
    """
    The store's URL from C{[database] connection}, or the default SQLite file.

    @raise BadDatabaseURL: the option is not a URL (which is not repeated:
        it may hold a password in a form that cannot be hidden).
    """
    text = conf.database.connection
    if not text:
        path = os.path.join(conf.state_path, "novatx.sqlite")
        return URL.create("sqlite", database=path)
    try:
        url = make_url(text)
    except sa_exc.ArgumentError:
        raise BadDatabaseURL(
            "[database] connection is not a database URL "
            "(dialect+driver://user:password@host/database)") from None
    if url.drivername in _DRIVERS:
        url = url.set(drivername=_DRIVERS[url.drivername])
    return url


def safe_url(url: URL | str) -> str:
    """The URL as text with its password hidden, for messages and logs."""
    return make_url(url).render_as_string(hide_password=True)


def create_engine(url: URL | str, pool_size: int = 10, pool_timeout: int = 30,
                  busy_timeout_ms: int = 10000, connect_timeout: int = 10) -> Engine:
    """
    An engine for C{url}, tuned for the store's use: C{pool_size} connections
    (one per database thread) and a liveness check on checkout, so that a
    database that came back is used again without a restart.
    """
    url = make_url(url)
    backend = url.get_backend_name()
    if not _known(url):
        raise BadDatabaseURL("[database] connection %s: no database driver for %s://"
                             % (safe_url(url), url.drivername))
    kwargs: dict = {"pool_pre_ping": True, "future": True}
    if backend == "sqlite":
        kwargs.update(
            poolclass=sa.pool.QueuePool, pool_size=pool_size, max_overflow=0,
            pool_timeout=pool_timeout,
            connect_args={"timeout": busy_timeout_ms / 1000.0, "check_same_thread": False},
        )
    else:
        kwargs.update(pool_size=pool_size, max_overflow=0, pool_timeout=pool_timeout,
                      pool_recycle=3600)
        if backend == "postgresql":
            kwargs["connect_args"] = {"connect_timeout": connect_timeout}
        elif backend in ("mysql", "mariadb"):
            kwargs["connect_args"] = {"connect_timeout": connect_timeout, "charset": "utf8mb4"}
            kwargs["isolation_level"] = "READ COMMITTED"
    try:
        engine = sa.create_engine(url, **kwargs)
    except ImportError as e:
        raise BadDatabaseURL("[database] connection %s: its driver is not installed (%s); "
                             "pip install 'novatx[%s]'" % (safe_url(url), e, _EXTRAS.get(
                                 backend, backend))) from None
    if backend == "sqlite":
        _tune_sqlite(engine, busy_timeout_ms)
    return engine


#: The install extra that brings each server database's driver.
_EXTRAS = {"postgresql": "postgresql", "mysql": "mysql", "mariadb": "mysql"}


def _known(url: URL) -> bool:
    """Whether SQLAlchemy has a dialect for C{url} (its driver may still be missing)."""
    try:
        url.get_dialect()
    except sa_exc.NoSuchModuleError:
        return False
    return True


def _tune_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    database = engine.url.database
    if database and database != ":memory:" and not database.startswith("file:"):
        directory = os.path.dirname(os.path.abspath(database))

        @event.listens_for(engine, "do_connect")
        def make_directory(dialect, record, cargs, cparams):
            # At the first connection, not when the engine is made: making
            # one does no I/O, and a directory that cannot be made fails as
            # SQLite's own "unable to open", which names the store's URL.
            try:
                os.makedirs(directory, exist_ok=True)
            except OSError as e:
                raise sqlite3.OperationalError(
                    "unable to open database file: cannot make %s: %s"
                    % (directory, e.strerror)) from e

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, record):
        # Let SQLAlchemy's "begin" event decide how transactions start.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=%d" % busy_timeout_ms)
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        if connection.get_execution_options().get(WRITE):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")
