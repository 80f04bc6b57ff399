"""
Creating and upgrading the schema with alembic: C{novatx-manage db sync}, and
the daemon's start when C{[database] auto_migrate} is on.

Several workers may start at once on one store, so an upgrade holds a lock
while it reads the current revision and applies what is missing: SQLite's write
lock, PostgreSQL's advisory lock, MySQL's named lock.

alembic is imported where it is used, not with this module: it weighs more
than a tenth of a second and several megabytes, which a worker process that
never migrates should not pay.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING, Iterator

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from novatx.db.engine import WRITE

if TYPE_CHECKING:
    from alembic.config import Config

_LOCK_KEY = 0x6E6F7661  # "nova"
_LOCK_NAME = "novatx-migrate"


def alembic_config() -> "Config":
    """The alembic config: the scripts ship inside the package."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "novatx.db:migrations")
    return config


def head() -> str:
    """The newest revision the code knows."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current(engine: Engine) -> str | None:
    """The store's revision, or None for an empty database."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


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
