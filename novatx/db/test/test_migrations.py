"""
The schema: alembic migrations build exactly the tables of
L{novatx.db.tables} from an empty database, seed nova's default flavors and a
cirros image, and go back down to nothing, on SQLite, PostgreSQL and MariaDB.
"""

from __future__ import annotations

import os
import sys

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from twisted.internet.threads import deferToThread
from twisted.internet.utils import getProcessOutputAndValue
from twisted.trial.unittest import TestCase

from novatx.db import SCHEMA_REVISION
from novatx.db import engine as db_engine
from novatx.db import migrate
from novatx.db.tables import metadata
from novatx.db.test.backends import temporary_database


class MigrationTestsMixin:
    backend = "sqlite"

    def setUp(self):
        self.engine = db_engine.create_engine(temporary_database(self, self.backend),
                                              pool_size=2)
        self.addCleanup(self.engine.dispose)

    def tables(self):
        """The tables, but alembic's version tables (novatx's and the plugins')."""
        return {name for name in sa.inspect(self.engine).get_table_names()
                if not name.startswith("alembic_version")}

    def test_upgrade_from_empty_builds_the_declared_schema(self):
        self.assertIsNone(migrate.current(self.engine))
        migrate.upgrade(self.engine, plugins=False)
        self.assertEqual(migrate.head(), migrate.current(self.engine))
        self.assertEqual(set(metadata.tables), self.tables())
        with self.engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(
                connection, opts={"compare_type": True}), metadata)
        self.assertEqual([], differences)

    def test_first_upgrade_seeds_nova_flavors_and_cirros(self):
        migrate.upgrade(self.engine)
        with self.engine.connect() as connection:
            flavors = connection.execute(sa.text(
                "SELECT flavorid, name, memory_mb, vcpus, root_gb FROM flavors "
                "ORDER BY id")).all()
            images = connection.execute(sa.text(
                "SELECT name, status, disk_format, container_format, visibility "
                "FROM images")).all()
        self.assertEqual([("1", "m1.tiny", 512, 1, 1), ("2", "m1.small", 2048, 1, 20),
                          ("3", "m1.medium", 4096, 2, 40), ("4", "m1.large", 8192, 4, 80),
                          ("5", "m1.xlarge", 16384, 8, 160)], [tuple(f) for f in flavors])
        self.assertEqual([("cirros", "active", "qcow2", "bare", "public")],
                         [tuple(i) for i in images])
        migrate.upgrade(self.engine)
        with self.engine.connect() as connection:
            self.assertEqual(5, connection.execute(sa.text(
                "SELECT count(*) FROM flavors")).scalar())

    def test_downgrade_removes_everything_and_upgrade_again_works(self):
        migrate.upgrade(self.engine)
        migrate.downgrade(self.engine, "0001")
        self.assertEqual("0001", migrate.current(self.engine))
        migrate.downgrade(self.engine)
        self.assertIsNone(migrate.current(self.engine))
        self.assertEqual(set(), self.tables())
        migrate.upgrade(self.engine, plugins=False)
        self.assertEqual(set(metadata.tables), self.tables())

    async def test_workers_upgrading_at_once_do_it_once(self):
        results = []
        for _ in range(3):
            results.append(deferToThread(migrate.upgrade, self.engine))
        for d in results:
            await d
        with self.engine.connect() as connection:
            self.assertEqual(5, connection.execute(sa.text(
                "SELECT count(*) FROM flavors")).scalar())
        self.assertEqual(migrate.head(), migrate.current(self.engine))


    async def test_a_current_store_is_checked_without_importing_alembic(self):
        """
        A process whose store is at the code's revision reads it with
        SQLAlchemy; alembic is imported (and the schema upgraded) only for a
        store that is behind.
        """
        script = (
            "import sys\n"
            "from novatx.db import engine, migrate\n"
            "migrate.ensure_current(engine.create_engine(sys.argv[1]), True)\n"
            "print('alembic' in sys.modules)\n"
        )
        url = self.engine.url.render_as_string(hide_password=False)

        async def run() -> bytes:
            out, err, code = await getProcessOutputAndValue(
                sys.executable, ["-c", script, url], env=os.environ)
            self.assertEqual(0, code, err)
            return out.strip()

        self.assertEqual(b"True", await run())
        self.assertEqual(SCHEMA_REVISION, migrate.current(self.engine))
        self.assertEqual(b"False", await run())

    def test_a_store_behind_without_auto_migrate_is_refused_unchanged(self):
        migrate.upgrade(self.engine, "0001")
        with self.assertRaises(migrate.SchemaNotCurrent) as caught:
            migrate.ensure_current(self.engine, False)
        self.assertIn("is at schema revision 0001, not %s" % SCHEMA_REVISION,
                      str(caught.exception))
        self.assertIn("novatx-manage db sync", str(caught.exception))
        self.assertEqual("0001", migrate.current(self.engine))


class SchemaRevisionTests(TestCase):
    def test_the_code_s_revision_is_alembic_s_head(self):
        """
        L{SCHEMA_REVISION}, which every start checks the store against, is the
        newest migration: a new migration must move it too.
        """
        self.assertEqual(migrate.head(), SCHEMA_REVISION)


class SQLiteMigrationTests(MigrationTestsMixin, TestCase):
    backend = "sqlite"


class PostgreSQLMigrationTests(MigrationTestsMixin, TestCase):
    backend = "postgresql"


class MariaDBMigrationTests(MigrationTestsMixin, TestCase):
    backend = "mysql"


class PackagingTests(TestCase):
    def test_every_migration_file_ships_as_package_data(self):
        import fnmatch
        import os
        import tomllib

        import novatx
        root = os.path.dirname(novatx.__file__)
        with open(os.path.join(os.path.dirname(root), "pyproject.toml"), "rb") as f:
            patterns = tomllib.load(f)["tool"]["setuptools"]["package-data"]["novatx"]
        migrations = os.path.join(root, "db", "migrations")
        shipped = []
        for directory, subdirectories, files in os.walk(migrations):
            subdirectories[:] = [d for d in subdirectories if d != "__pycache__"]
            for name in files:
                relative = os.path.relpath(os.path.join(directory, name), root)
                if not any(fnmatch.fnmatch(relative, pattern) for pattern in patterns):
                    self.assertTrue(name.endswith(".py") and os.path.exists(
                        os.path.join(directory, "__init__.py")), relative)
                shipped.append(relative)
        self.assertIn(os.path.join("db", "migrations", "versions", "0001_tables.py"), shipped)
        self.assertIn(os.path.join("db", "migrations", "script.py.mako"), shipped)
