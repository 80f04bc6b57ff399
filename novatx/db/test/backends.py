"""
Databases for tests: a SQLite file, or a fresh database on the PostgreSQL
(127.0.0.1:5432) and MariaDB (127.0.0.1:3306) servers, dropped at cleanup.

A server that cannot be reached fails the test, unless
C{NOVATX_TEST_SKIP_SERVERS=1}: then it skips, saying why.
"""

from __future__ import annotations

import os
import uuid
from typing import Any

import sqlalchemy as sa
from twisted.trial.unittest import SkipTest

#: Where the test servers are; a database per test is made in each.
SERVER_URLS = {
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1:5432/test",
    "mysql": "mysql+pymysql://root@127.0.0.1:3306/test",
}

BACKENDS = ("sqlite", "postgresql", "mysql")


def _server_engine(backend: str) -> sa.Engine:
    return sa.create_engine(SERVER_URLS[backend], isolation_level="AUTOCOMMIT",
                            poolclass=sa.pool.NullPool,
                            connect_args={"connect_timeout": 5})


def temporary_database(testcase: Any, backend: str) -> str:
    """
    The URL of an empty database of C{backend} for C{testcase}, removed when
    the test ends (register this before anything that uses it, so it is
    cleaned up last).
    """
    if backend == "sqlite":
        directory = os.path.abspath(testcase.mktemp())
        os.makedirs(directory)
        return "sqlite:///" + os.path.join(directory, "novatx.sqlite")
    name = "novatx_test_" + uuid.uuid4().hex[:12]
    engine = _server_engine(backend)
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("CREATE DATABASE " + name))
    except sa.exc.OperationalError as e:
        if os.environ.get("NOVATX_TEST_SKIP_SERVERS") == "1":
            raise SkipTest("%s is not reachable at %s: %s" % (backend, SERVER_URLS[backend],
                                                                e.orig))
        raise

    def drop() -> None:
        with engine.connect() as connection:
            if backend == "postgresql":
                connection.execute(sa.text("DROP DATABASE IF EXISTS %s WITH (FORCE)" % name))
            else:
                connection.execute(sa.text("DROP DATABASE IF EXISTS " + name))
        engine.dispose()

    testcase.addCleanup(drop)
    return str(sa.engine.make_url(SERVER_URLS[backend]).set(database=name).render_as_string(
        hide_password=False))
