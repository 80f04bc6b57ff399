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

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, Engine, make_url

#: The execution option that marks a connection as about to write.
WRITE = "novatx_write"

_DRIVERS = {"postgresql": "postgresql+psycopg", "postgres": "postgresql+psycopg",
            "mysql": "mysql+pymysql", "mariadb": "mariadb+pymysql"}


def database_url(conf) -> URL:
    """The store's URL from C{[database] connection}, or the default SQLite file."""
    text = conf.database.connection
    if not text:
        path = os.path.join(conf.state_path, "novatx.sqlite")
        return URL.create("sqlite", database=path)
    url = make_url(text)
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
    kwargs: dict = {"pool_pre_ping": True, "future": True}
    if backend == "sqlite":
        if url.database and url.database != ":memory:":
            directory = os.path.dirname(os.path.abspath(url.database))
            os.makedirs(directory, exist_ok=True)
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
    engine = sa.create_engine(url, **kwargs)
    if backend == "sqlite":
        _tune_sqlite(engine, busy_timeout_ms)
    return engine


def _tune_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
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
