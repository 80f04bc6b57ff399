"""
The read cache: change generations raised by every write path, answers
exact across two workers of one store, and never one project's rows for
another's, on SQLite, PostgreSQL and MariaDB; the batching of checks and the
sharing of loads on their own.
"""

from __future__ import annotations

import time
from typing import Any

from twisted.internet import reactor, task
from twisted.internet.defer import Deferred, gatherResults, succeed
from twisted.trial.unittest import TestCase

from novatx.compute import instances
from novatx.compute.context import RequestContext
from novatx.compute.exceptions import InstanceNotFound
from novatx.compute.interfaces import CreateRequest, ServerQuery
from novatx.compute.readcache import GenerationChecks, ReadCache
from novatx.compute.test.support import ADMIN, ALICE, BOB, ServiceMixin
from novatx.db import generations

#: Alice again, in Bob's project.
ALICE_IN_P2 = RequestContext(user_id="alice", project_id="p2")


async def totals(service: Any) -> dict[str, int]:
    """Each kind's generation summed over projects, read from the store."""
    found = await service.store.read(generations.read,
                                     {(kind, None) for kind in generations.KINDS})
    return {kind: found[(kind, None)] for kind, _ in found}


async def walked(service: Any, clock: task.Clock, uuid: str) -> Any:
    """The server once the driver, stepped by C{clock}, has settled it."""
    for _ in range(200):
        clock.advance(1)
        await task.deferLater(reactor, 0.02, lambda: None)
        instance = await service.api.get_server(ADMIN, uuid)
        if instance.task_state is None and instance.vm_state != "building":
            return instance
    raise AssertionError("%s did not settle" % uuid)


class GenerationsTestsMixin(ServiceMixin):
    async def _raised(self, service: Any, kinds: set[str], work: Any) -> Any:
        """Run C{work()}; check that it raised C{kinds}' generations and no other."""
        before = await totals(service)
        result = await work()
        after = await totals(service)
        raised = {kind for kind in generations.KINDS if after[kind] > before[kind]}
        self.assertEqual(kinds, raised)
        self.assertTrue(all(after[kind] >= before[kind] for kind in generations.KINDS))
        return result

    async def test_every_write_path_raises_its_kinds(self):
        conf = self.make_config()
        conf.set_override("fixed_range", "10.9.0.0/30", "network")
        clock = task.Clock()
        clock.advance(time.time())
        service = await self.start_service(conf, clock=clock)
        api = service.api
        image = await self.cirros(service)
        await self._raised(service, set(), lambda: api.list_servers(ALICE, ServerQuery()))
        created = await self._raised(service, {"servers"}, lambda: api.create_servers(
            ALICE, CreateRequest(name="a", flavor_id="1", image_id=image)))
        active = await self._raised(service, {"servers"}, lambda: walked(service, clock,
                                                                 created[0].uuid))
        self.assertEqual("ACTIVE", active.status)
        second = await api.create_servers(ALICE, CreateRequest(name="b", flavor_id="1",
                                                                image_id=image))
        failed = await self._raised(service, {"servers"}, lambda: walked(service, clock,
                                                                 second[0].uuid))
        self.assertEqual("ERROR", failed.status)
        await self._raised(service, {"servers"}, lambda: api.update_server(ALICE, active.uuid,
                                                                   name="renamed"))
        await self._raised(service, {"key_pairs"}, lambda: api.create_key_pair(ALICE, "k"))
        await self._raised(service, {"key_pairs"}, lambda: api.delete_key_pair(ALICE, "k"))
        await self._raised(service, {"quotas"}, lambda: api.update_quotas(ADMIN, "p1",
                                                                  {"instances": 20}))
        await self._raised(service, {"flavors"}, lambda: api.create_flavor(ADMIN, "big", 4096, 4, 40))
        await self._raised(service, {"images"}, lambda: api.create_image_record(ALICE, "mine"))
        await self._raised(service, {"server_groups"}, lambda: api.create_server_group(
            ALICE, "g", "anti-affinity"))

    async def test_a_server_s_writes_count_for_its_project(self):
        service = await self.start_service()
        before = await service.store.read(generations.read, generations.needs(
            ["servers"], "p1") | generations.needs(["servers"], "p2"))
        await self.boot(service)
        after = await service.store.read(generations.read, set(before))
        self.assertGreater(after[("servers", "p1")], before[("servers", "p1")])
        self.assertEqual(before[("servers", "p2")], after[("servers", "p2")])


class ExactnessTestsMixin(ServiceMixin):
    async def test_a_read_after_a_write_on_another_worker_sees_it(self):
        """
        Worker B reads (and keeps reads in flight) while worker A writes; a
        read B starts once A's write has answered always shows the write.
        """
        first = await self.start_service()
        second = await self.start_service()
        hits: list[bool] = []
        second.api.read_cache.observe = lambda name, hit: hits.append(hit)
        server = await self.boot(first)
        group = await first.api.create_server_group(ALICE, "g0", "affinity")
        for n in range(12):
            busy = [second.api.list_servers(ALICE, ServerQuery()),
                    second.api.get_server(ALICE, server.uuid),
                    second.api.list_key_pairs(ALICE),
                    second.api.get_quotas(ALICE, "p1", usages=True)]
            name = "n%d" % n
            await first.api.update_server(ALICE, server.uuid, name=name)
            await first.api.create_key_pair(ALICE, name)
            await first.api.update_quotas(ADMIN, "p1", {"key_pairs": 100 + n})
            await first.api.create_flavor(ADMIN, name, 512, 1, 1)
            await first.api.delete_server_group(ALICE, group.uuid)
            group = await first.api.create_server_group(ALICE, name, "affinity")
            page, one, keys, quotas, flavors, groups = await gatherResults([
                second.api.list_servers(ALICE, ServerQuery()),
                second.api.get_server(ALICE, server.uuid),
                second.api.list_key_pairs(ALICE),
                second.api.get_quotas(ALICE, "p1", usages=True),
                second.api.list_flavors(ADMIN, is_public=None),
                second.api.list_server_groups(ALICE)])
            self.assertEqual([name], [i.name for i in page.items])
            self.assertEqual(name, one.name)
            self.assertIn(name, [k.name for k in keys.items])
            self.assertEqual(100 + n, quotas.limits["key_pairs"])
            self.assertIn(name, [f.name for f in flavors.items])
            self.assertEqual([name], [g.name for g in groups])
            await gatherResults(busy)
        self.assertIn(False, hits)

    async def test_a_driver_step_on_another_worker_is_seen(self):
        first = await self.start_service()
        second = await self.start_service()
        image = await self.cirros(first)
        created = await first.api.create_servers(ALICE, CreateRequest(
            name="vm", flavor_id="1", image_id=image))
        seen = [await second.api.get_server(ALICE, created[0].uuid)]
        while seen[-1].status == "BUILD":
            seen.append(await second.api.get_server(ALICE, created[0].uuid))
        now = await first.store.read(lambda c: c.exec_driver_sql(
            "SELECT vm_state FROM instances").scalar())
        self.assertEqual(("ACTIVE", "active"), (seen[-1].status, now))


class BatchTestsMixin(ServiceMixin):
    async def test_concurrent_reads_check_in_one_statement_and_read_once(self):
        """Reads asked in one pass of the reactor share one check and one load."""
        service = await self.start_service()
        await self.boot(service)
        peeks: list[Any] = []
        loads: list[Any] = []
        peek, read = service.store.peek, service.store.read

        def counted_peek(sql: str, params: tuple) -> Deferred:
            peeks.append(params)
            return peek(sql, params)

        def counted_read(function: Any, *args: Any, **kwargs: Any) -> Deferred:
            if function is instances.list_page:
                loads.append(function)
            return read(function, *args, **kwargs)
        service.store.peek = counted_peek  # type: ignore[method-assign]
        service.store.read = counted_read  # type: ignore[method-assign]
        pages = await gatherResults([service.api.list_servers(ALICE, ServerQuery())
                                     for _ in range(10)])
        self.assertEqual(1, len({id(page) for page in pages}))
        self.assertEqual(1, len(peeks))
        self.assertEqual(1, len(loads))
        peeks.clear()
        loads.clear()
        again = await gatherResults([service.api.list_servers(ALICE, ServerQuery())
                                     for _ in range(10)])
        self.assertTrue(all(page is pages[0] for page in again))
        self.assertEqual(1, len(peeks))
        self.assertEqual([], loads)


class ProjectsTestsMixin(ServiceMixin):
    async def test_a_project_never_gets_another_s_rows(self):
        service = await self.start_service()
        server = await self.boot(service)
        await service.api.create_key_pair(ALICE, "alices")
        for _ in range(2):
            mine = await service.api.list_servers(ALICE, ServerQuery())
            self.assertEqual([server.uuid], [i.uuid for i in mine.items])
            self.assertEqual(server.uuid, (await service.api.get_server(ALICE, server.uuid)).uuid)
            for other in (BOB, ALICE_IN_P2):
                self.assertEqual((), (await service.api.list_servers(other, ServerQuery())).items)
                with self.assertRaises(InstanceNotFound):
                    await service.api.get_server(other, server.uuid)
                used = await service.api.get_quotas(other, "p2", usages=True)
                self.assertEqual(0, used.in_use["instances"])
            self.assertEqual(1, (await service.api.get_quotas(ALICE, "p1", usages=True))
                             .in_use["instances"])
            self.assertEqual((), (await service.api.list_key_pairs(BOB)).items)
            self.assertEqual(["alices"],
                             [k.name for k in (await service.api.list_key_pairs(ALICE)).items])


class SQLiteGenerationsTests(GenerationsTestsMixin, TestCase):
    backend = "sqlite"


class PostgreSQLGenerationsTests(GenerationsTestsMixin, TestCase):
    backend = "postgresql"


class MariaDBGenerationsTests(GenerationsTestsMixin, TestCase):
    backend = "mysql"


class SQLiteExactnessTests(ExactnessTestsMixin, TestCase):
    backend = "sqlite"


class PostgreSQLExactnessTests(ExactnessTestsMixin, TestCase):
    backend = "postgresql"


class MariaDBExactnessTests(ExactnessTestsMixin, TestCase):
    backend = "mysql"


class SQLiteBatchTests(BatchTestsMixin, TestCase):
    backend = "sqlite"


class PostgreSQLBatchTests(BatchTestsMixin, TestCase):
    backend = "postgresql"


class SQLiteProjectsTests(ProjectsTestsMixin, TestCase):
    backend = "sqlite"


class PostgreSQLProjectsTests(ProjectsTestsMixin, TestCase):
    backend = "postgresql"


class MariaDBProjectsTests(ProjectsTestsMixin, TestCase):
    backend = "mysql"


class _Checks:
    """
    A generation read that answers when the test says so, counting calls;
    its checks run on C{clock}.
    """

    def __init__(self) -> None:
        self.clock = task.Clock()
        self.asked: list[frozenset] = []
        self.pending: list[Deferred] = []
        self.generations: dict = {}

    def checks(self, delay: float = 0.0) -> GenerationChecks:
        return GenerationChecks(self.read, self.clock, delay)

    def read(self, keys: frozenset) -> Deferred:
        self.asked.append(keys)
        d: Deferred = Deferred()
        self.pending.append(d)
        return d

    def answer(self) -> None:
        """Let the check asked for begin, then answer it."""
        self.clock.advance(0)
        d = self.pending.pop(0)
        d.callback(dict(self.generations))


A = frozenset({("servers", "p1"), ("servers", "")})
B = frozenset({("key_pairs", None)})
DELAY = 0.0002


class GenerationChecksTests(TestCase):
    def test_the_requests_of_one_reactor_pass_share_a_check(self):
        fake = _Checks()
        checks = fake.checks(DELAY)
        both = [checks.check(A), checks.check(B)]
        self.assertEqual([], fake.asked)
        fake.clock.advance(0)
        self.assertEqual([A | B], fake.asked)
        fake.answer()
        self.assertTrue(all(d.called for d in both))

    def test_requests_during_a_check_share_the_next_after_the_delay(self):
        fake = _Checks()
        checks = fake.checks(DELAY)
        first = checks.check(A)
        fake.clock.advance(0)
        later = [checks.check(A)]
        fake.pending.pop(0).callback({})
        self.assertTrue(first.called)
        later.append(checks.check(B))
        fake.clock.advance(DELAY / 2)
        self.assertEqual([A], fake.asked)
        fake.clock.advance(DELAY / 2)
        self.assertEqual([A, A | B], fake.asked)
        self.assertFalse(any(d.called for d in later))
        fake.answer()
        self.assertTrue(all(d.called for d in later))
        self.assertEqual([], fake.pending)
        self.assertEqual([], fake.clock.getDelayedCalls())

    def test_a_check_asked_when_none_is_pending_does_not_wait_the_delay(self):
        fake = _Checks()
        checks = fake.checks(60.0)
        for keys in (A, B):
            d = checks.check(keys)
            fake.clock.advance(0)
            self.assertEqual(keys, fake.asked[-1])
            fake.answer()
            self.assertTrue(d.called)

    def test_a_read_asked_while_its_batch_is_answered_joins_the_next_check(self):
        """A handler's second read waits for one check, not two."""
        fake = _Checks()
        checks = fake.checks(DELAY)
        second: list[Deferred] = []
        checks.check(A).addCallback(lambda _: second.append(checks.check(B)))
        fake.clock.advance(0)
        waiting = checks.check(A)
        fake.answer()
        fake.clock.advance(DELAY)
        self.assertEqual([A, A | B], fake.asked)
        fake.answer()
        self.assertTrue(waiting.called)
        self.assertTrue(second[0].called)
        self.assertEqual([], fake.pending)

    def test_a_failed_check_fails_its_batch_only(self):
        fake = _Checks()
        checks = fake.checks()
        first = checks.check(A)
        fake.clock.advance(0)
        second = checks.check(A)
        fake.pending.pop(0).errback(RuntimeError("gone"))
        self.failureResultOf(first, RuntimeError)
        fake.answer()
        self.assertEqual({}, self.successResultOf(second))

    def test_a_check_that_cannot_be_asked_fails_its_batch(self):
        def refused(keys: frozenset) -> Deferred:
            raise RuntimeError("no database thread")
        clock = task.Clock()
        checks = GenerationChecks(refused, clock)
        d = checks.check(A)
        clock.advance(0)
        self.failureResultOf(d, RuntimeError)
        self.assertEqual([], clock.getDelayedCalls())


class ReadCacheTests(TestCase):
    def setUp(self) -> None:
        self.fake = _Checks()
        self.seen: list[tuple[str, bool]] = []
        self.cache = ReadCache(self.fake.checks(),
                               lambda name, hit: self.seen.append((name, hit)))
        self.loads: list[Deferred] = []

    def load(self) -> Deferred:
        d: Deferred = Deferred()
        self.loads.append(d)
        return d

    def test_memory_answers_until_a_generation_moves(self):
        d = self.cache.read("servers", "k", A, self.load)
        self.fake.answer()
        self.loads[0].callback("first")
        self.assertEqual("first", self.successResultOf(d))
        d = self.cache.read("servers", "k", A, self.load)
        self.fake.answer()
        self.assertEqual("first", self.successResultOf(d))
        self.assertEqual(1, len(self.loads))
        self.fake.generations[("servers", "")] = 1
        d = self.cache.read("servers", "k", A, self.load)
        self.fake.answer()
        self.loads[1].callback("second")
        self.assertEqual("second", self.successResultOf(d))
        self.assertEqual([("servers", False), ("servers", True), ("servers", False)], self.seen)

    def test_keys_are_separate(self):
        d = self.cache.read("servers", ("p1",), A, lambda: succeed("p1's"))
        self.fake.answer()
        self.assertEqual("p1's", self.successResultOf(d))
        d = self.cache.read("servers", ("p2",), A, lambda: succeed("p2's"))
        self.fake.answer()
        self.assertEqual("p2's", self.successResultOf(d))

    def test_the_same_generations_share_a_load(self):
        first = self.cache.read("servers", "k", A, self.load)
        self.fake.clock.advance(0)
        second = self.cache.read("servers", "k", A, self.load)
        self.fake.answer()
        self.fake.answer()
        self.assertEqual(2, len(self.fake.asked))
        self.assertEqual(1, len(self.loads))
        self.loads[0].callback("rows")
        self.assertEqual(["rows", "rows"], [self.successResultOf(first),
                                            self.successResultOf(second)])

    def test_a_failed_load_is_not_kept(self):
        d = self.cache.read("server", "k", A, self.load)
        self.fake.answer()
        self.loads[0].errback(InstanceNotFound(instance_id="x"))
        self.failureResultOf(d, InstanceNotFound)
        d = self.cache.read("server", "k", A, self.load)
        self.fake.answer()
        self.loads[1].callback("made since")
        self.assertEqual("made since", self.successResultOf(d))

    def test_the_least_recently_used_answers_go_past_the_records_kept(self):
        self.cache.MAX_RECORDS = 3
        for key in ("a", "b", "c"):
            d = self.cache.read("servers", key, A, lambda key=key: succeed((key, key)))
            self.fake.answer()
            self.successResultOf(d)
        d = self.cache.read("servers", "c", A, self.load)
        self.fake.answer()
        self.assertEqual(("c", "c"), self.successResultOf(d))
        d = self.cache.read("servers", "a", A, self.load)
        self.fake.answer()
        self.assertEqual(1, len(self.loads))
