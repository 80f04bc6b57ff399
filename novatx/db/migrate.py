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

Plugins own tables too. A distribution names a package of alembic revision
files in the entry point group C{novatx.db.migrations} (the entry point's name
is the plugin's); its revisions form a line of their own, recorded in a version
table of their own (C{alembic_version_<name>}), so a plugin's history never
touches novatx's or another plugin's. The package declares its newest revision
as C{SCHEMA_REVISION}, as L{novatx.db} does, so that a current store is checked
without alembic. Plugin lines are applied after novatx's, under the same lock:
by C{novatx-manage db sync} and, with C{auto_migrate}, once before any worker
starts.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import re
from contextlib import contextmanager
from typing import TYPE_CHECKING, Iterator

import attrs
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


#: The entry point group through which plugins contribute their migrations.
PLUGIN_NAMESPACE = "novatx.db.migrations"


class SchemaNotCurrent(Exception):
    """The store's schema is older than the code and may not be upgraded here."""


class PluginMigrationError(Exception):
    """A plugin's migrations cannot be found or applied; the message names the plugin."""


@attrs.frozen
class PluginMigrations:
    """
    One plugin's line of migrations.

    @ivar name: the entry point's name (the plugin's).
    @ivar package: the package holding its revision files.
    @ivar directory: that package's directory.
    @ivar revision: the package's C{SCHEMA_REVISION}, its newest revision.
    """

    name: str
    package: str
    directory: str
    revision: str

    @property
    def version_table(self) -> str:
        """Where the store records this plugin's revision."""
        return "%s_%s" % (_VERSION_TABLE, re.sub(r"[^a-z0-9_]", "_", self.name.lower()))


def plugin_migrations() -> list[PluginMigrations]:
    """
    Every installed plugin's migrations, by name.

    @raise PluginMigrationError: an entry point whose package cannot be
        imported or is not a directory of revisions.
    """
    found = []
    entry_points = importlib.metadata.entry_points(group=PLUGIN_NAMESPACE)
    for entry_point in sorted(entry_points, key=lambda e: e.name):
        label = "Plugin migrations %r (%s)" % (entry_point.name, entry_point.value)
        try:
            module = importlib.import_module(entry_point.value)
        except Exception as e:
            raise PluginMigrationError(
                "%s cannot be imported: %s: %s" % (label, type(e).__name__, e)) from e
        paths = list(getattr(module, "__path__", []))
        if not paths:
            raise PluginMigrationError("%s is not a package of revision files" % (label,))
        revision = getattr(module, "SCHEMA_REVISION", None)
        if not isinstance(revision, str):
            raise PluginMigrationError(
                "%s declares no SCHEMA_REVISION (its newest revision)" % (label,))
        found.append(PluginMigrations(entry_point.name, entry_point.value, paths[0], revision))
    return found


def alembic_config(plugin: PluginMigrations | None = None) -> "Config":
    """
    The alembic config: the scripts ship inside the package. For a plugin,
    novatx's environment runs the plugin's revisions against its own version
    table.
    """
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "novatx.db:migrations")
    if plugin is not None:
        config.set_main_option("version_locations", plugin.directory)
        config.attributes["version_table"] = plugin.version_table
    return config


def head(plugin: PluginMigrations | None = None) -> str:
    """The newest revision of the migration scripts (novatx's or a plugin's)."""
    from alembic.script import ScriptDirectory

    try:
        return ScriptDirectory.from_config(alembic_config(plugin)).get_current_head()
    except Exception as e:
        if plugin is None:
            raise
        raise PluginMigrationError(
            "Plugin migrations %r (%s) have no single head: %s: %s"
            % (plugin.name, plugin.package, type(e).__name__, e)) from e


def current(engine: Engine, plugin: PluginMigrations | None = None) -> str | None:
    """The store's revision (novatx's or a plugin's), or None when none is applied."""
    table = _VERSION_TABLE if plugin is None else plugin.version_table
    with engine.connect() as connection:
        if not sa.inspect(connection).has_table(table):
            return None
        return connection.execute(
            sa.text("SELECT version_num FROM %s" % table)
        ).scalar_one_or_none()


def _stale_plugins(engine: Engine) -> list[tuple[PluginMigrations, str | None, str]]:
    """C{(plugin, store's revision, head)} of every plugin whose tables are behind."""
    stale = []
    for plugin in plugin_migrations():
        revision = current(engine, plugin)
        if revision != plugin.revision:
            stale.append((plugin, revision, plugin.revision))
    return stale


def ensure_current(engine: Engine, auto_migrate: bool) -> None:
    """
    Make sure the store's schema is the code's (L{SCHEMA_REVISION}), upgrading
    it when C{auto_migrate} allows; alembic is imported only to upgrade.

    @raise StoreUnavailable: the database cannot be reached.
    @raise SchemaNotCurrent: the schema (or a plugin's tables) is at another
        revision and C{auto_migrate} is off.
    @raise PluginMigrationError: a plugin's migrations cannot be applied.
    """
    url = safe_url(engine.url)
    try:
        revision = current(engine)
        stale = _stale_plugins(engine)
        if (revision != SCHEMA_REVISION or stale) and auto_migrate:
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
    if stale:
        plugin, revision, wanted = stale[0]
        raise SchemaNotCurrent(
            "the database at %s has the tables of plugin %r at revision %s, not %s: run "
            "'novatx-manage db sync'" % (url, plugin.name, revision, wanted)
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


def upgrade(engine: Engine, revision: str = "head", plugins: bool = True) -> None:
    """
    Bring the schema to C{revision} (creates it in an empty database); at
    C{head}, every installed plugin's tables to their own head too, unless
    C{plugins} is false.
    """
    from alembic import command

    lines = plugin_migrations() if revision == "head" and plugins else []
    with _locked(engine) as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        for plugin in lines:
            config = alembic_config(plugin)
            config.attributes["connection"] = connection
            try:
                command.upgrade(config, "head")
            except Exception as e:
                if is_unavailable(e):
                    raise
                raise PluginMigrationError(
                    "Plugin migrations %r (%s) failed: %s: %s"
                    % (plugin.name, plugin.package, type(e).__name__, e)) from e
            reached = head(plugin)
            if reached != plugin.revision:
                raise PluginMigrationError(
                    "Plugin migrations %r (%s) declare SCHEMA_REVISION %r, but end at %r"
                    % (plugin.name, plugin.package, plugin.revision, reached))
        if connection.in_transaction() and engine.url.get_backend_name() not in (
            "sqlite", "postgresql"
        ):
            connection.commit()


def downgrade(engine: Engine, revision: str = "base") -> None:
    """
    Take the schema back to C{revision} (C{base}: nothing left, the plugins'
    tables removed first).
    """
    from alembic import command

    lines = plugin_migrations() if revision == "base" else []
    with _locked(engine) as connection:
        for plugin in lines:
            config = alembic_config(plugin)
            config.attributes["connection"] = connection
            command.downgrade(config, "base")
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, revision)
        if connection.in_transaction() and engine.url.get_backend_name() not in (
            "sqlite", "postgresql"
        ):
            connection.commit()
