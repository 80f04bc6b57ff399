"""
A plugin's own tables, on SQLite, PostgreSQL and MariaDB: the example's
migration line is applied with novatx's (and refused, named, when behind
without auto-migrate); its per-project favourites are served by a real
C{twistd nova} whose two workers start together on a new store; and the
internal API's atomic change of an extension field does not lose counts when
two internal APIs (two workers) count at once.
"""

from __future__ import annotations

import json
import os
import threading

import sqlalchemy as sa
from twisted.internet.defer import gatherResults
from twisted.trial.unittest import TestCase
from twisted.web.client import readBody
from twisted.web.http_headers import Headers

from novatx.compute.exceptions import Conflict, InstanceNotFound, Invalid
from novatx.compute.fields import ExtraField
from novatx.compute.interfaces import CreateRequest
from novatx.compute.test.support import ALICE, BOB, ServiceMixin
from novatx.db import engine as db_engine
from novatx.db import migrate
from novatx.db.test.backends import temporary_database
from novatx.extensions.test.test_example_plugin import ensure_installed
from novatx.services.test.daemon import HTTP, DaemonProcess, config_file
from novatx.test.helpers import noauth_headers

COUNTER = ExtraField("test:count", "integer", 0, owner="test")


def example_line() -> migrate.PluginMigrations:
    (line,) = [p for p in migrate.plugin_migrations() if p.name == "example"]
    return line


class PluginMigrationTestsMixin:
    backend = "sqlite"

    async def setUp(self) -> None:
        await ensure_installed(self)
        self.url = temporary_database(self, self.backend)
        self.engine = db_engine.create_engine(self.url, pool_size=2)
        self.addCleanup(self.engine.dispose)

    def test_the_line_is_applied_after_novatx_s(self) -> None:
        migrate.ensure_current(self.engine, True)
        line = example_line()
        self.assertEqual("alembic_version_example", line.version_table)
        self.assertEqual(line.revision, migrate.current(self.engine, line))
        self.assertEqual(migrate.head(line), line.revision)
        self.assertEqual(migrate.head(), migrate.current(self.engine))
        migrate.ensure_current(self.engine, False)

    def test_a_line_behind_without_auto_migrate_is_refused_naming_it(self) -> None:
        migrate.upgrade(self.engine, plugins=False)
        with self.assertRaises(migrate.SchemaNotCurrent) as caught:
            migrate.ensure_current(self.engine, False)
        self.assertIn("has the tables of plugin 'example' at revision None, not example_0001",
                      str(caught.exception))
        self.assertIsNone(migrate.current(self.engine, example_line()))

    def test_downgrade_to_base_removes_the_plugin_s_tables_too(self) -> None:
        migrate.upgrade(self.engine)
        migrate.downgrade(self.engine)
        left = {name for name in sa.inspect(self.engine).get_table_names()
                if not name.startswith("alembic_version")}
        self.assertEqual(set(), left)


class DaemonFavouritesMixin:
    """Two workers start at once on an empty store; favourites are per project."""

    backend = "sqlite"
    timeout = 120

    async def setUp(self) -> None:
        await ensure_installed(self)
        url = temporary_database(self, self.backend)
        directory = os.path.abspath(self.mktemp())
        os.makedirs(directory)
        conf = config_file(directory, None, enabled_apis="osapi_compute",
                           osapi_compute_workers=2, database__connection=url)
        self.daemon = DaemonProcess(self, directory, ["--config-file", conf])
        await self.daemon.serving(("osapi_compute",))
        self.http = HTTP(self)
        self.engine = db_engine.create_engine(url, pool_size=1)
        self.addCleanup(self.engine.dispose)

    async def call(self, method: bytes, path: str, user: str, project: str) -> tuple[int, object]:
        address = "http://127.0.0.1:%d/v2.1%s" % (self.daemon.ports["osapi_compute"], path)
        headers = Headers({k: [v] for k, v in noauth_headers(user, project).items()})
        response = await self.http.agent.request(method, address.encode("ascii"), headers)
        body = await readBody(response)
        return response.code, (json.loads(body) if body else None)

    async def test_favourites_are_stored_per_project(self) -> None:
        for colour in ("red", "blue", "red"):
            code, body = await self.call(b"PUT", "/example-favourites/" + colour, "alice", "p1")
            self.assertEqual((200, {"favourite": colour}), (code, body))
        for _ in range(4):
            code, body = await self.call(b"GET", "/example-favourites", "alice", "p1")
            self.assertEqual((200, {"favourites": ["blue", "red"]}), (code, body))
        self.assertEqual((200, {"favourites": []}),
                         await self.call(b"GET", "/example-favourites", "bob", "p2"))
        code, body = await self.call(b"PUT", "/example-favourites/pink", "alice", "p1")
        self.assertEqual(404, code, body)
        self.assertEqual((204, None),
                         await self.call(b"DELETE", "/example-favourites/red", "alice", "p1"))
        code, _ = await self.call(b"DELETE", "/example-favourites/red", "alice", "p1")
        self.assertEqual(404, code)
        self.assertEqual((200, {"favourites": ["blue"]}),
                         await self.call(b"GET", "/example-favourites", "alice", "p1"))
        self.assertEqual("example_0001", migrate.current(self.engine, example_line()))
        self.assertNotIn("database is locked", self.daemon.text())


class AtomicFieldMixin(ServiceMixin):
    """C{update_extra}: the row is locked from read to write."""

    async def two_workers(self):
        first = await self.start_service()
        second = await self.start_service()
        for service in (first, second):
            service.api.register_fields([COUNTER])
        created = await first.api.create_servers(ALICE, CreateRequest(
            name="counted", flavor_id="1", image_id=await self.cirros(first)))
        return first, second, created[0].uuid

    async def test_increments_from_two_workers_are_all_kept(self) -> None:
        first, second, uuid = await self.two_workers()
        counting = [service.api.update_extra(ALICE, uuid, COUNTER.name, lambda n: n + 1)
                    for _ in range(10) for service in (first, second)]
        await gatherResults(counting, consumeErrors=True)
        instance = await second.api.get_server(ALICE, uuid)
        self.assertEqual(20, instance.extra[COUNTER.name])

    async def test_a_lost_compare_and_set_changes_nothing(self) -> None:
        first, _, uuid = await self.two_workers()

        def from_zero_to_five(value: int) -> int:
            if value != 0:
                raise Conflict("test:count is %d, not 0" % (value,))
            return 5

        changed = await first.api.update_extra(ALICE, uuid, COUNTER.name, from_zero_to_five)
        self.assertEqual(5, changed.extra[COUNTER.name])
        with self.assertRaises(Conflict):
            await first.api.update_extra(ALICE, uuid, COUNTER.name, from_zero_to_five)
        self.assertEqual(5, (await first.api.get_server(ALICE, uuid)).extra[COUNTER.name])

    async def test_bad_values_unknown_fields_and_other_projects_are_refused(self) -> None:
        first, _, uuid = await self.two_workers()
        with self.assertRaises(Invalid):
            await first.api.update_extra(ALICE, uuid, COUNTER.name, lambda n: "many")
        with self.assertRaises(Invalid):
            await first.api.update_extra(ALICE, uuid, "test:nothing", lambda n: 1)
        with self.assertRaises(InstanceNotFound):
            await first.api.update_extra(BOB, uuid, COUNTER.name, lambda n: n + 1)
        self.assertEqual(0, (await first.api.get_server(ALICE, uuid)).extra[COUNTER.name])

    async def test_plugins_run_their_sql_off_the_reactor(self) -> None:
        first, _, _ = await self.two_workers()
        threads = []

        def count(connection):
            threads.append(threading.current_thread().name)
            return connection.execute(sa.text("SELECT count(*) FROM flavors")).scalar()

        self.assertEqual(5, await first.api.store_read(count))
        self.assertNotEqual(threading.main_thread().name, threads[0])


class SQLitePluginMigrationTests(PluginMigrationTestsMixin, TestCase):
    backend = "sqlite"


class PostgreSQLPluginMigrationTests(PluginMigrationTestsMixin, TestCase):
    backend = "postgresql"


class MariaDBPluginMigrationTests(PluginMigrationTestsMixin, TestCase):
    backend = "mysql"


class SQLiteDaemonFavouritesTests(DaemonFavouritesMixin, TestCase):
    backend = "sqlite"


class PostgreSQLDaemonFavouritesTests(DaemonFavouritesMixin, TestCase):
    backend = "postgresql"


class MariaDBDaemonFavouritesTests(DaemonFavouritesMixin, TestCase):
    backend = "mysql"


class SQLiteAtomicFieldTests(AtomicFieldMixin, TestCase):
    backend = "sqlite"


class PostgreSQLAtomicFieldTests(AtomicFieldMixin, TestCase):
    backend = "postgresql"


class MariaDBAtomicFieldTests(AtomicFieldMixin, TestCase):
    backend = "mysql"
