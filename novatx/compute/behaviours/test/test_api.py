"""
The behaviours' internal API on every backend: what is kept, what is refused
(with nothing stored), and that firings are counted in the store, so that of
two workers racing for a behaviour that fires once, exactly one gets it.
"""

from __future__ import annotations

import datetime
import time

from twisted.internet import defer, reactor, task, threads
from twisted.trial.unittest import TestCase

from novatx.compute.behaviours import (
    BehaviourNotFound, BehaviourSpec, ClockNotControlled, InvalidBehaviour, Match)
from novatx.compute.behaviours.clock import ControlledClock
from novatx.compute.interfaces import CreateRequest
from novatx.compute.test.support import ADMIN, ALICE, ServiceMixin
from novatx.db import tables as t

UTC = datetime.timezone.utc
HTTP = ("http_error", "latency")


def _error(project: str = "p1", **fields):
    fields.setdefault("params", {"status": 503})
    return BehaviourSpec(project_id=project, effect="http_error", **fields)


def _request(project: str = "p1", path: str = "/v2.1/servers/detail", method: str = "GET",
             **fields) -> Match:
    return Match(project_id=project, effects=HTTP, api="osapi_compute", method=method,
                 path=path, **fields)


class BehavioursAPITestsMixin(ServiceMixin):
    async def behaviours(self, clock=None):
        service = await self.start_service(clock=clock)
        return service.api.behaviours

    async def test_a_behaviour_is_kept_and_listed_with_its_firings(self):
        api = await self.behaviours()
        made = await api.create(ADMIN, _error(count="n", times=3, method="GET",
                                              path="/v2.1/*/detail"))
        self.assertEqual((0, 3, "admin"), (made.fired, made.remaining, made.created_by))
        fired = await api.fire(_request())
        self.assertEqual((made.id, 1, 2), (fired.id, fired.fired, fired.remaining))
        [listed] = await api.list("p1")
        self.assertEqual((1, 2, 3), (listed.fired, listed.remaining, listed.spec.times))
        self.assertEqual([], await api.list("p2"))

    async def test_n_fires_n_times_and_forever_never_runs_out(self):
        api = await self.behaviours()
        await api.create(ADMIN, _error(count="n", times=3))
        fired = [await api.fire(_request()) for _ in range(4)]
        self.assertEqual([1, 2, 3], [b.fired for b in fired[:3]])
        self.assertIsNone(fired[3])
        await api.create(ADMIN, _error(count="forever"))
        fired = [await api.fire(_request()) for _ in range(5)]
        self.assertEqual([1, 2, 3, 4, 5], [b.fired for b in fired])
        self.assertIsNone(fired[-1].remaining)

    async def test_once_fires_once_between_two_workers_racing(self):
        first = await self.start_service()
        second = await self.start_service(self.make_config())
        await first.api.behaviours.create(ADMIN, _error())
        results = await defer.gatherResults([
            service.api.behaviours.fire(_request())
            for _ in range(5) for service in (first, second)])
        self.assertEqual(1, len([r for r in results if r is not None]), results)
        [listed] = await second.api.behaviours.list("p1")
        self.assertEqual((1, 0), (listed.fired, listed.remaining))

    async def test_the_controlled_clock_is_the_store_s_for_every_worker(self):
        conf = self.make_config()
        conf.set_override("enabled", True, "behaviours")
        conf.set_override("clock", "controlled", "behaviours")
        conf.set_override("boot_seconds", 30.0, "simulated")
        first = await self.start_service(conf)
        second = await self.start_service(conf)
        start = first.api.behaviours.clock.seconds()
        self.assertEqual(start, second.api.behaviours.clock.seconds())
        self.assertEqual(start, int(start))
        image_id = await self.cirros(first)
        [made] = await first.api.create_servers(ALICE, CreateRequest(
            name="vm", flavor_id="1", image_id=image_id))
        self.assertEqual(start + 29, await second.api.behaviours.advance_clock(29))
        self.assertEqual("building", (await first.api.get_server(ALICE, made.uuid)).vm_state)
        self.assertEqual(start + 30, await second.api.behaviours.advance_clock(1))
        server = await second.api.get_server(ALICE, made.uuid)
        self.assertEqual(("active", start + 30),
                         (server.vm_state, server.launched_at.timestamp()))
        self.assertEqual(start + 30, await first.api.behaviours.clock_now())
        await self.assertFailure(first.api.behaviours.set_clock(start), InvalidBehaviour)
        await self.assertFailure(first.api.behaviours.advance_clock(-1), InvalidBehaviour)
        self.assertEqual(start + 30, await second.api.behaviours.clock_now())

    async def test_a_real_clock_is_not_moved(self):
        api = await self.behaviours()
        await self.assertFailure(api.advance_clock(10), ClockNotControlled)
        self.assertFalse(api.controlled)

    async def test_a_behaviour_of_one_project_never_touches_another(self):
        api = await self.behaviours()
        await api.create(ADMIN, _error(project="A", count="forever"))
        self.assertIsNone(await api.fire(_request(project="B")))
        self.assertIsNotNone(await api.fire(_request(project="A")))

    async def test_the_scope_matches_method_path_action_and_server_name(self):
        api = await self.behaviours()
        await api.create(ADMIN, _error(count="forever", method="POST", path="/v2.1/servers"))
        await api.create(ADMIN, _error(count="forever", api="ec2",
                                       ec2_action="RunInstances"))
        await api.create(ADMIN, BehaviourSpec(project_id="p1", effect="create_error",
                                              params={"message": "no"}, count="forever",
                                              server_name="db-*"))
        self.assertIsNone(await api.fire(_request(method="GET", path="/v2.1/servers")))
        self.assertIsNone(await api.fire(_request(method="POST", path="/v2.1/servers/x")))
        self.assertIsNotNone(await api.fire(_request(method="POST", path="/v2.1/servers")))
        ec2 = Match(project_id="p1", effects=HTTP, api="ec2", method="POST", path="/")
        self.assertIsNone(await api.fire(ec2))
        self.assertIsNotNone(await api.fire(
            Match(project_id="p1", effects=HTTP, api="ec2", method="POST", path="/",
                  ec2_action="RunInstances")))
        internal = ("create_error",)
        self.assertIsNone(await api.fire(Match(project_id="p1", effects=internal,
                                               server_name="web-1")))
        fired = await api.fire(Match(project_id="p1", effects=internal, server_name="db-1"))
        self.assertEqual("no", fired.spec.params["message"])

    async def test_the_window_is_read_on_the_injected_clock(self):
        clock = task.Clock()
        clock.advance(time.time())
        api = await self.behaviours(clock)
        start = datetime.datetime.fromtimestamp(clock.seconds() + 60, UTC)
        await api.create(ADMIN, _error(count="forever", not_before=start,
                                       not_after=start + datetime.timedelta(seconds=60)))
        self.assertIsNone(await api.fire(_request()))
        clock.advance(61)
        self.assertIsNotNone(await api.fire(_request()))
        clock.advance(60)
        self.assertIsNone(await api.fire(_request()))

    async def test_delete_and_clear(self):
        api = await self.behaviours()
        one = await api.create(ADMIN, _error())
        await api.create(ADMIN, _error())
        await api.create(ADMIN, _error(project="p2"))
        await self.assertFailure(api.delete(one.id, "p2"), BehaviourNotFound)
        await api.delete(one.id, "p1")
        await self.assertFailure(api.delete(one.id), BehaviourNotFound)
        self.assertEqual(1, await api.clear("p1"))
        self.assertEqual([], await api.list("p1"))
        self.assertEqual(1, len(await api.list("p2")))

    async def test_impossible_behaviours_are_refused_and_nothing_is_stored(self):
        api = await self.behaviours()
        now = datetime.datetime.now(UTC)
        cases = [
            (BehaviourSpec(project_id="p1", effect="explode"), "unknown effect 'explode'"),
            (_error(count="n", times=-1), "count n needs times"),
            (_error(count="n"), "count n needs times"),
            (_error(count="sometimes"), "count must be one of once, n, forever"),
            (_error(params={"status": 302}), "status must be an HTTP error status from 400"),
            (_error(params={"status": 600}), "status must be an HTTP error status from 400"),
            (BehaviourSpec(project_id="p1", effect="latency", params={"seconds": -1}),
             "seconds must be from 0"),
            (_error(path="/v2.1/[abc"), "path is no glob"),
            (_error(path="servers"), "must start with /"),
            (BehaviourSpec(project_id="p1", effect="create_error", params={"message": "x"},
                           server_name="db-]"), "server_name is no glob"),
            (_error(not_before=now, not_after=now - datetime.timedelta(seconds=1)),
             "the window ends"),
            (BehaviourSpec(project_id="p1", effect="create_error", params={"message": "x"},
                           path="/v2.1/servers"), "drop path"),
            (_error(params={"status": 503, "colour": "red"}), "takes no colour"),
            (BehaviourSpec(project_id="p1", effect="hold", params={"state": "ASLEEP"}),
             "state must be one of BUILD, DELETING, REBOOT, RESIZE, not 'ASLEEP'"),
            (BehaviourSpec(project_id="p1", effect="hold"), "state must be one of"),
            (BehaviourSpec(project_id="p1", effect="action_error",
                           params={"error": "boom"}), "error must be one of conflict"),
            (BehaviourSpec(project_id="p1", effect="action_error",
                           params={"error": "conflict", "action": "dance"}),
             "action must be one of"),
            (BehaviourSpec(project_id="p1", effect="transition_time",
                           params={"seconds": -5}), "seconds must be from 0 to 86400"),
            (BehaviourSpec(project_id="p1", effect="drop", params={"status": 503}),
             "effect drop takes no status"),
            (BehaviourSpec(project_id="p1", effect="hold", params={"state": "BUILD"},
                           method="GET"), "drop method"),
        ]
        for spec, message in cases:
            failure = await self.assertFailure(api.create(ADMIN, spec), InvalidBehaviour)
            self.assertIn(message, str(failure))
        self.assertEqual([], await api.list())


class ClockStartRaceTestsMixin(ServiceMixin):
    """
    Workers starting together on a database server race to write the
    controlled clock's first time. (SQLite queues writers, so there the second
    always finds the first one's row.)
    """

    async def test_the_clock_another_worker_is_writing_is_the_clock_of_both(self):
        service = await self.start_service()
        other = await threads.deferToThread(service.store.engine.connect)
        self.addCleanup(other.close)
        racing = other.begin()
        await threads.deferToThread(other.execute, t.behaviours_clock.insert().values(
            id=1, seconds=1000.0))
        # The other worker's row commits while this one's start is inserting its own.
        committed = task.deferLater(reactor, 0.3, threads.deferToThread, racing.commit)
        clock = ControlledClock(service.store, reactor)
        await clock.start()
        await committed
        self.assertEqual(1000.0, clock.seconds())


class SQLiteBehavioursAPITests(BehavioursAPITestsMixin, TestCase):
    backend = "sqlite"


class PostgreSQLBehavioursAPITests(BehavioursAPITestsMixin, ClockStartRaceTestsMixin, TestCase):
    backend = "postgresql"


class MariaDBBehavioursAPITests(BehavioursAPITestsMixin, ClockStartRaceTestsMixin, TestCase):
    backend = "mysql"
