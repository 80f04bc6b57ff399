"""
Values a client may send that a database cannot hold, on SQLite, PostgreSQL
and MariaDB alike: a NUL character (PostgreSQL refuses it with an error), a
string longer than its column, an integer past the column's range (SQLite
cannot even bind it). Lookups by one find nothing; writes of one are
L{Invalid}; nothing is written and no database error escapes.
"""

from __future__ import annotations

from sqlalchemy import exc as sa_exc
from twisted.internet.defer import fail
from twisted.trial.unittest import SynchronousTestCase, TestCase

from novatx.compute import exceptions as exc
from novatx.compute.api._base import _store_errors
from novatx.compute.interfaces import CreateRequest, ServerQuery
from novatx.compute.test.support import ADMIN, ALICE, ServiceMixin
from novatx.db.store import StoreUnavailable

HUGE = 2 ** 70


class BadValuesTestsMixin(ServiceMixin):
    async def setUp(self):
        self.service = await self.start_service()
        self.api = self.service.api

    async def refused(self, kind, call, message=None):
        with self.assertRaises(kind) as caught:
            await call()
        if message is not None:
            self.assertEqual(message, str(caught.exception))

    async def test_key_pairs(self):
        api = self.api
        await api.create_key_pair(ALICE, "a")
        await api.create_key_pair(ALICE, "b")
        await self.refused(exc.KeypairNotFound, lambda: api.get_key_pair(ALICE, "a\x00"))
        await self.refused(exc.KeypairNotFound, lambda: api.delete_key_pair(ALICE, "a\x00"))
        await self.refused(exc.MarkerNotFound, lambda: api.list_key_pairs(ALICE, marker="a\x00"))
        await self.refused(exc.Invalid, lambda: api.list_key_pairs(ALICE, limit=-1),
                           "limit must be >= 0")
        everything = await api.list_key_pairs(ALICE, limit=HUGE)
        self.assertEqual((["a", "b"], False), ([k.name for k in everything.items],
                                               everything.has_more))
        nothing = await api.list_key_pairs(ALICE, limit=0)
        self.assertEqual(((), False), (nothing.items, nothing.has_more))

    async def test_flavors(self):
        api = self.api
        for call in [
            lambda: api.create_flavor(ADMIN, "big", 2 ** 31, 1, 1),
            lambda: api.create_flavor(ADMIN, "big", 512, 1, HUGE),
            lambda: api.create_flavor(ADMIN, "nul", 512, 1, 1, flavorid="x\x00"),
            lambda: api.create_flavor(ADMIN, "long", 512, 1, 1, flavorid="x" * 256),
            lambda: api.create_flavor(ADMIN, "desc", 512, 1, 1, description="d\x00"),
            lambda: api.set_flavor_extra_specs(ADMIN, "1", {"k": "v\x00"}),
            lambda: api.set_flavor_extra_specs(ADMIN, "1", {"k\x00": "v"}),
            lambda: api.add_flavor_access(ADMIN, "1", "p\x00"),
            lambda: api.add_flavor_access(ADMIN, "1", "p" * 256),
        ]:
            await self.refused(exc.Invalid, call)
        await self.refused(exc.FlavorNotFound, lambda: api.get_flavor(ADMIN, "1\x00"))
        await self.refused(exc.MarkerNotFound, lambda: api.list_flavors(ADMIN, marker="1\x00"))
        self.assertEqual((), (await api.list_flavors(ADMIN, min_ram=HUGE)).items)
        self.assertEqual((), (await api.list_flavors(ADMIN, min_disk=HUGE)).items)
        listed = await api.list_flavors(ADMIN, limit=HUGE)
        self.assertEqual((["1", "2", "3", "4", "5"], False),
                         ([f.flavorid for f in listed.items], listed.has_more))
        self.assertEqual({}, (await api.get_flavor(ADMIN, "1")).extra_specs)

    async def test_images(self):
        api = self.api
        for call in [
            lambda: api.create_image_record(ALICE, "i\x00"),
            lambda: api.create_image_record(ALICE, "i" * 256),
            lambda: api.create_image_record(ALICE, "big", size=2 ** 63),
            lambda: api.create_image_record(ALICE, "small", min_ram=-1),
            lambda: api.create_image_record(ALICE, "disk", min_disk=2 ** 31),
        ]:
            await self.refused(exc.Invalid, call)
        await self.refused(exc.ImageNotFound, lambda: api.get_image(ALICE, "i\x00"))
        await self.refused(exc.ImageNotFound, lambda: api.get_image_by_ec2_id(ALICE, HUGE))
        self.assertEqual((), (await api.list_images(ALICE, filters={"name": "c\x00"})).items)
        self.assertEqual((), (await api.list_images(ALICE, filters={"ids": ["i\x00"]})).items)
        self.assertEqual((), (await api.list_images(
            ALICE, filters={"internal_ids": [HUGE]})).items)
        self.assertEqual(["cirros"], [i.name for i in (await api.list_images(ALICE)).items])

    async def test_quotas(self):
        api = self.api
        await self.refused(exc.Invalid, lambda: api.update_quotas(ADMIN, "p1", {
            "instances": 2 ** 31}), "Quota limit 2147483648 for instances must be less than "
                                    "or equal to 2147483647.")
        await self.refused(exc.Invalid, lambda: api.update_quotas(ADMIN, "p\x00", {
            "instances": 5}))
        await self.refused(exc.Invalid, lambda: api.get_quotas(ADMIN, "p\x00"))
        self.assertEqual(10, (await api.get_quotas(ADMIN, "p1")).limits["instances"])

    async def test_server_groups(self):
        api = self.api
        group = await api.create_server_group(ALICE, "g", "affinity")
        await self.refused(exc.ServerGroupNotFound, lambda: api.get_server_group(ALICE, "g\x00"))
        await self.refused(exc.ServerGroupNotFound,
                           lambda: api.delete_server_group(ALICE, group.uuid + "\x00"))
        await self.refused(exc.Invalid, lambda: api.list_server_groups(ALICE, limit=-1))
        await self.refused(exc.Invalid, lambda: api.list_server_groups(ALICE, offset=-1))
        self.assertEqual([group.uuid],
                         [g.uuid for g in await api.list_server_groups(ALICE, limit=HUGE)])
        self.assertEqual([], await api.list_server_groups(ALICE, offset=HUGE))

    async def test_servers(self):
        api = self.api
        instance = await self.boot(self.service)
        for call in [
            lambda: api.lock(ALICE, instance.uuid, reason="r" * 256),
            lambda: api.lock(ALICE, instance.uuid, reason="r\x00"),
            lambda: api.change_password(ALICE, instance.uuid, "p\x00"),
        ]:
            await self.refused(exc.Invalid, call)
        self.assertEqual((), (await api.list_servers(ALICE, ServerQuery(
            ec2_ids=(HUGE, -1)))).items)
        await self.refused(exc.InstanceNotFound, lambda: api.get_server_by_ec2_id(ALICE, HUGE))
        await self.refused(exc.InstanceNotFound, lambda: api.get_server_by_address("10.0.0.1\x00"))
        await self.refused(exc.NotFound, lambda: api.delete_metadata_item(ALICE, instance.uuid, "k\x00"))
        await self.refused(exc.NotFound, lambda: api.delete_tag(ALICE, instance.uuid, "t\x00"))
        await self.refused(exc.NotFound, lambda: api.get_instance_action(ALICE, instance.uuid, "r\x00"))
        await self.refused(exc.Invalid, lambda: api.update_server(
            ALICE, instance.uuid, description="d" * 70000))
        current = await api.get_server(ALICE, instance.uuid)
        self.assertEqual((False, "ACTIVE"), (current.locked, current.status))

    async def test_ec2_credentials_and_passwords(self):
        api = self.api
        instance = await self.boot(self.service)
        await self.refused(exc.NotFound, lambda: api.get_ec2_credential("a\x00"))
        await self.refused(exc.NotFound, lambda: api.delete_ec2_credential("a\x00"))
        await self.refused(exc.InstanceNotFound, lambda: api.set_password(instance.uuid + "\x00", "p"))
        for password in ("p\x00", "p" * 1021):
            await self.refused(exc.Invalid, lambda: api.set_password(instance.uuid, password))
        self.assertEqual("", await api.get_password(instance.uuid + "\x00"))
        self.assertEqual("", await api.get_password(instance.uuid))
        await api.set_password(instance.uuid, "p" * 1020)
        self.assertEqual("p" * 1020, await api.get_password(instance.uuid))

    async def test_server_creates(self):
        """Every field a create writes is checked first: a refused create writes nothing."""
        api = self.api
        image = await self.cirros(self.service)
        for field, value in [
            ("availability_zone", "z" * 256), ("availability_zone", "z\x00"),
            ("description", "d" * 256), ("admin_password", "p\x00"),
            ("key_name", "k\x00"), ("server_group", "g\x00"),
            ("access_ip_v4", "1" * 65), ("access_ip_v6", "f" * 65), ("client_token", "c" * 65),
        ]:
            with self.subTest(field=field):
                await self.refused(exc.Invalid, lambda: api.create_servers(ALICE, CreateRequest(
                    name="vm", flavor_id="1", image_id=image, **{field: value})))
        self.assertEqual((), (await api.list_servers(ALICE, ServerQuery())).items)


class SQLiteBadValuesTests(BadValuesTestsMixin, TestCase):
    backend = "sqlite"


class PostgreSQLBadValuesTests(BadValuesTestsMixin, TestCase):
    backend = "postgresql"


class MariaDBBadValuesTests(BadValuesTestsMixin, TestCase):
    backend = "mysql"


class StoreErrorsTests(SynchronousTestCase):
    """What reaches the caller of the internal API when a transaction fails."""

    def test_a_value_the_database_refused_is_invalid(self):
        for error in (sa_exc.DataError("INSERT ...", {}, Exception("value too long")),
                      OverflowError("Python int too large to convert to SQLite INTEGER")):
            self.failureResultOf(fail(error).addErrback(_store_errors), exc.Invalid)

    def test_an_outage_is_unavailable_and_anything_else_passes_through(self):
        outage = StoreUnavailable("sqlite:///x", "disk I/O error")
        self.failureResultOf(fail(outage).addErrback(_store_errors), exc.DatabaseUnavailable)
        self.failureResultOf(fail(KeyError("bug")).addErrback(_store_errors), KeyError)
