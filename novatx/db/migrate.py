"""
Creating and upgrading the schema with alembic: C{novatx-manage db sync}, and
the daemon's start when C{[database] auto_migrate} is on.

Several workers may start at once on one store, so an upgrade holds a lock
while it reads the current revision and applies what is missing: SQLite's write
lock, PostgreSQL's advisory lock, MySQL's named lock.

alembic is imported only where a migration runs, not with this module: it
weighs a tenth of a second and some 11 MB, which a process whose store is
already current should not pay. Such a process reads the store's revision
from C{alembic_version} with SQLAlchemy and compares it to
L{novatx.db.SCHEMA_REVISION} (L{ensure_current}).
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING, Iterator

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from novatx.db import SCHEMA_REVISION
from novatx.db.engine import WRITE, safe_url
from novatx.db.store import StoreUnavailable, describe, is_unavailable

if TYPE_CHECKING:
    from alembic.config import Config

_LOCK_KEY = 0x6E6F7661  # "nova"
_LOCK_NAME = "novatx-migrate"

#: alembic's table of the applied revision (one row, or none at base).
_VERSION_TABLE = "alembic_version"


class SchemaNotCurrent(Exception):
    """The store's schema is older than the code and may not be upgraded here."""


def alembic_config() -> "Config":
    """The alembic config: the scripts ship inside the package."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "novatx.db:migrations")
    return config


def head() -> str:
    """The newest revision of the migration scripts, as alembic finds it."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current(engine: Engine) -> str | None:
    """The store's revision, or None for an empty database."""
    with engine.connect() as connection:
        if not sa.inspect(connection).has_table(_VERSION_TABLE):
            return None
        return connection.execute(
            sa.text("SELECT version_num FROM %s" % _VERSION_TABLE)
        ).scalar_one_or_none()


def ensure_current(engine: Engine, auto_migrate: bool) -> None:
    """
    Make sure the store's schema is the code's (L{SCHEMA_REVISION}), upgrading
    it when C{auto_migrate} allows; alembic is imported only to upgrade.

    @raise StoreUnavailable: the database cannot be reached.
    @raise SchemaNotCurrent: the schema is at another revision and
        C{auto_migrate} is off.
    """
    url = safe_url(engine.url)
    try:
        revision = current(engine)
        if revision != SCHEMA_REVISION and auto_migrate:
            upgrade(engine)
            return
    except Exception as e:
        if is_unavailable(e):
            raise StoreUnavailable(url, describe(e)) from e
        raise
    if revision != SCHEMA_REVISION:
        raise SchemaNotCurrent(
            "the database at %s is at schema revision %s, not %s: run "
            "'novatx-manage db sync'" % (url, revision, SCHEMA_REVISION)
        )


@contextmanager
def _locked(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as connection:
        backend = engine.url.get_backend_name()
        if backend == "sqlite":
            connection = connection.execution_options(**{WRITE: True})
            with connection.begin():
                yield connection
        elif backend == "postgresql":
            with connection.begin():
                connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
                yield connection
        else:
            connection.execute(sa.text("SELECT GET_LOCK(:name, 300)"), {"name": _LOCK_NAME})
            connection.commit()
            try:
                yield connection
            finally:
                connection.execute(sa.text("SELECT RELEASE_LOCK(:name)"), {"name": _LOCK_NAME})
                connection.commit()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to C{revision} (creates it in an empty database)."""
    from alembic import command

    with _locked(engine) as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        if connection.in_transaction() and engine.url.get_backend_name() not in (
            "sqlite", "postgresql"
        ):
            connection.commit()


def downgrade(engine: Engine, revision: str = "base") -> None:
    """Take the schema back to C{revision} (C{base}: nothing left)."""
    from alembic import command

    with _locked(engine) as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, revision)
        if connection.in_transaction() and engine.url.get_backend_name() not in (
            "sqlite", "postgresql"
        ):
            connection.commit()
