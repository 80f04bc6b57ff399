"""
What must hold when many things happen at once, on every backend: quotas never
overshoot, an address is never given twice (and an exhausted pool puts the
server in ERROR saying why), a transition abandoned by a worker is finished by
exactly one other, and a slow query (one holding its thread and connection
until the test releases it) does not stall other requests.
"""

from __future__ import annotations

import threading
import time

import sqlalchemy as sa
from twisted.internet import defer, reactor, task
from twisted.trial.unittest import TestCase

from novatx.compute import exceptions as exc
from novatx.compute.interfaces import CreateRequest, ServerQuery
from novatx.compute.test.support import ALICE, ServiceMixin, settled
from novatx.db import tables as t


async def _outcomes(deferreds):
    results = await defer.DeferredList(deferreds, consumeErrors=True)
    return [value if ok else value.value for ok, value in results]


class ConcurrencyTestsMixin(ServiceMixin):
    async def test_parallel_creates_never_overshoot_the_quota(self):
        conf = self.make_config()
        conf.set_override("instances", 5, "quota")
        conf.set_override("max_pool_size", 10, "database")
        service = await self.start_service(conf)
        image = await self.cirros(service)
        outcomes = await _outcomes([
            service.api.create_servers(ALICE, CreateRequest(name="r%d" % i, flavor_id="1",
                                                            image_id=image))
            for i in range(20)])
        made = [o for o in outcomes if isinstance(o, list)]
        refused = [o for o in outcomes if isinstance(o, exc.QuotaExceeded)]
        self.assertEqual((5, 15), (len(made), len(refused)), outcomes)
        self.assertEqual("Quota exceeded for instances: Requested 1, but already used 5 of 5 "
                         "instances", str(refused[0]))
        page = await service.api.list_servers(ALICE, ServerQuery())
        self.assertEqual(5, len(page.items))

    async def test_addresses_are_never_given_twice_and_exhaustion_is_an_error(self):
        configs = []
        for _ in range(2):
            conf = self.make_config()
            conf.set_override("fixed_range", "10.9.0.0/28", "network")
            conf.set_override("instances", 50, "quota")
            conf.set_override("cores", 50, "quota")
            conf.set_override("max_pool_size", 6, "database")
            configs.append(conf)
        first = await self.start_service(configs[0])
        second = await self.start_service(configs[1])
        image = await self.cirros(first)
        batches = await _outcomes([
            service.api.create_servers(ALICE, CreateRequest(
                name="w%d" % n, flavor_id="1", image_id=image, min_count=10, max_count=10))
            for n, service in enumerate((first, second))])
        uuids = [i.uuid for batch in batches for i in batch]
        final = [await settled(first, ALICE, uuid) for uuid in uuids]
        active = [i for i in final if i.status == "ACTIVE"]
        errors = [i for i in final if i.status == "ERROR"]
        addresses = [i.fixed_ip for i in active]
        self.assertEqual((13, 7), (len(active), len(errors)))
        self.assertEqual(len(addresses), len(set(addresses)))
        self.assertTrue(all(a.startswith("10.9.0.") for a in addresses))
        self.assertNotIn("10.9.0.1", addresses)
        fault = errors[0].fault
        self.assertEqual(500, fault.code)
        self.assertIn("No valid host was found", fault.message)
        self.assertIn("10.9.0.0/28", fault.message)
        self.assertIsNone(errors[0].fixed_ip)

    async def test_an_abandoned_transition_is_finished_by_exactly_one_worker(self):
        frozen = task.Clock()
        frozen.advance(time.time())
        owner = await self.start_service(self.make_config(claim_seconds=600), clock=frozen)
        image = await self.cirros(owner)
        created = await owner.api.create_servers(ALICE, CreateRequest(
            name="orphan", flavor_id="1", image_id=image, min_count=6, max_count=6))
        await owner.stopService()

        def expire(connection):
            connection.execute(sa.update(t.instances).values(claim_expires=0))
        helpers = [await self.start_service() for _ in range(3)]
        finished = []
        for helper in helpers:
            original = helper.driver._finish

            def counting(connection, row, action, params, stamp, original=original,
                         helper=helper):
                finished.append((row["uuid"], helper.worker_id))
                return original(connection, row, action, params, stamp)
            helper.driver._finish = counting
        await helpers[0].store.write(expire)
        await defer.DeferredList([helper.driver.resume_pending() for helper in helpers])
        final = [await settled(helpers[0], ALICE, i.uuid) for i in created]
        self.assertEqual(["ACTIVE"] * 6, [i.status for i in final])
        self.assertEqual(sorted(i.uuid for i in created), sorted(u for u, _ in finished))

    async def test_a_slow_query_does_not_stall_other_requests(self):
        service = await self.start_service()
        instance = await self.boot(service)
        entered = defer.Deferred()
        release = threading.Event()
        self.addCleanup(release.set)

        def slow(connection):
            connection.execute(sa.select(t.instances.c.id)).all()
            reactor.callFromThread(entered.callback, None)
            # Held (thread and connection) until the test has its answer; the
            # bound only keeps a broken run from hanging the pool for ever.
            return release.wait(60)
        slow_done = service.store.read(slow)
        await entered
        fetched = await service.api.get_server(ALICE, instance.uuid)
        self.assertFalse(release.is_set())
        self.assertEqual(instance.uuid, fetched.uuid)
        release.set()
        self.assertTrue(await slow_done)


class SQLiteConcurrencyTests(ConcurrencyTestsMixin, TestCase):
    backend = "sqlite"


class PostgreSQLConcurrencyTests(ConcurrencyTestsMixin, TestCase):
    backend = "postgresql"


class MariaDBConcurrencyTests(ConcurrencyTestsMixin, TestCase):
    backend = "mysql"
