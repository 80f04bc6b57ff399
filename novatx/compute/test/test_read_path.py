"""
The read path's prebuilt statements answer what the general ones do, on
SQLite, PostgreSQL and MariaDB: a plain listing against the same listing
forced through the filtered path, and a flavor read with its extra specs and
its access rules in one query.
"""

from __future__ import annotations

from twisted.trial.unittest import TestCase

from novatx.compute import exceptions as exc
from novatx.compute.interfaces import CreateRequest, ServerQuery
from novatx.compute.test.support import ADMIN, ALICE, BOB, ServiceMixin, settled


class ReadPathTestsMixin(ServiceMixin):
    async def test_plain_listing_matches_the_filtered_listing(self):
        service = await self.start_service()
        group = await service.api.create_server_group(ALICE, "g", "anti-affinity")
        image = await self.cirros(service)
        created = await service.api.create_servers(ALICE, CreateRequest(
            name="a", flavor_id="1", image_id=image, min_count=3, max_count=3,
            metadata={"role": "web"}, tags=("blue", "alpha")))
        created += await service.api.create_servers(ALICE, CreateRequest(
            name="b", flavor_id="1", image_id=image, server_group=group.uuid))
        created += await service.api.create_servers(BOB, CreateRequest(name="c", flavor_id="1",
                                                                       image_id=image))
        for instance in created:
            await settled(service, ADMIN, instance.uuid)
        for context, fields in [(ALICE, {}), (ALICE, {"limit": 2}), (ALICE, {"limit": 4}),
                                (BOB, {}), (ADMIN, {"all_tenants": True}),
                                (ADMIN, {"all_tenants": True, "limit": 3})]:
            plain = await service.api.list_servers(context, ServerQuery(**fields))
            filtered = await service.api.list_servers(context, ServerQuery(deleted=False, **fields))
            self.assertEqual(filtered, plain)
        listed = await service.api.list_servers(ALICE, ServerQuery())
        self.assertEqual(["b", "a-3", "a-2", "a-1"], [i.name for i in listed.items])
        self.assertEqual([(), ("alpha", "blue"), ("alpha", "blue"), ("alpha", "blue")],
                         [i.tags for i in listed.items])
        self.assertEqual([{}, {"role": "web"}, {"role": "web"}, {"role": "web"}],
                         [i.metadata for i in listed.items])
        self.assertEqual([(group.uuid,), (), (), ()], [i.server_groups for i in listed.items])
        limited = await service.api.list_servers(ALICE, ServerQuery(limit=2))
        self.assertEqual((["b", "a-3"], True), ([i.name for i in limited.items], limited.has_more))

    async def test_flavor_with_specs_and_access(self):
        service = await self.start_service()
        private = await service.api.create_flavor(ADMIN, "private", 512, 1, 1, flavorid="p1",
                                                  is_public=False)
        await service.api.set_flavor_extra_specs(ADMIN, "p1", {"hw:cpu_policy": "dedicated",
                                                               "quota:disk": "10"})
        await service.api.add_flavor_access(ADMIN, "p1", ALICE.project_id)
        seen = await service.api.get_flavor(ALICE, "p1")
        self.assertEqual((private.id, "private", {"hw:cpu_policy": "dedicated", "quota:disk": "10"}),
                         (seen.id, seen.name, seen.extra_specs))
        self.assertEqual(seen, await service.api.get_flavor(ADMIN, "p1"))
        with self.assertRaises(exc.FlavorNotFound):
            await service.api.get_flavor(BOB, "p1")
        tiny = await service.api.get_flavor(BOB, "1")
        self.assertEqual(("m1.tiny", {}), (tiny.name, tiny.extra_specs))
        with self.assertRaises(exc.FlavorNotFound):
            await service.api.get_flavor(ALICE, "nope")


class SQLiteReadPathTests(ReadPathTestsMixin, TestCase):
    backend = "sqlite"


class PostgreSQLReadPathTests(ReadPathTestsMixin, TestCase):
    backend = "postgresql"


class MariaDBReadPathTests(ReadPathTestsMixin, TestCase):
    backend = "mysql"
