"""
L{WorkerSupervisor} against a fake process reactor and a L{Clock}: restarts,
the fork-rate limit, reloads one worker at a time, stopping.
"""

from __future__ import annotations

from contextlib import contextmanager

from twisted.internet.error import ProcessDone, ProcessTerminated
from twisted.internet.task import Clock
from twisted.logger import globalLogPublisher
from twisted.python.failure import Failure
from twisted.trial.unittest import TestCase

from novatx.services.errors import StartupError
from novatx.services.settings import APISettings
from novatx.services.workers import LISTEN_FD, READY_FD, WorkerSupervisor


class _Transport:
    def __init__(self, protocol, pid):
        self.protocol = protocol
        self.pid = pid
        self.signals: list[str] = []

    def signalProcess(self, name):
        self.signals.append(name)


class _ProcessClock(Clock):
    """A L{Clock} that records C{spawnProcess} calls instead of starting processes."""

    def __init__(self):
        super().__init__()
        self.spawned: list[tuple[_Transport, list[str], dict]] = []

    def spawnProcess(self, protocol, executable, args, env=None, childFDs=None, **kw):
        transport = _Transport(protocol, 1000 + len(self.spawned))
        protocol.makeConnection(transport)
        self.spawned.append((transport, args, childFDs))
        return transport


@contextmanager
def _logged(text):
    """Collect the log events whose format contains C{text}."""
    events: list = []

    def observer(event):
        if text in (event.get("log_format") or ""):
            events.append(event)

    globalLogPublisher.addObserver(observer)
    try:
        yield events
    finally:
        globalLogPublisher.removeObserver(observer)


def _api(workers=2):
    return APISettings("ec2", "127.0.0.1", 0, workers, 16384)


class SupervisorTests(TestCase):
    def setUp(self):
        self.clock = _ProcessClock()
        self.generation = "first"
        self.supervisor = WorkerSupervisor(
            _api(), None, 7, lambda settings, name: ["worker", name, self.generation], self.clock
        )

    def ready(self, index):
        self.clock.spawned[index][0].protocol.childDataReceived(READY_FD, b"ready\n")

    def die(self, index, code=1):
        protocol = self.clock.spawned[index][0].protocol
        protocol.processEnded(Failure(ProcessTerminated(exitCode=code)))

    def test_start_spawns_n_workers_sharing_the_socket(self):
        started = self.supervisor.start()
        self.assertEqual(len(self.clock.spawned), 2)
        for _, args, fds in self.clock.spawned:
            self.assertEqual(args, ["worker", "ec2", "first"])
            self.assertEqual(fds[LISTEN_FD], 7)
            self.assertEqual(fds[0], "w")
        self.assertNoResult(started)
        self.ready(0)
        self.ready(1)
        self.successResultOf(started)

    def test_worker_exiting_before_it_serves_stops_the_start_with_its_reason(self):
        started = self.supervisor.start()
        self.clock.spawned[1][0].protocol.childDataReceived(
            READY_FD, b"error cannot build the ec2 API: bad value\n"
        )
        self.die(1, 2)
        error = self.failureResultOf(started, StartupError).value
        self.assertEqual(str(error), "cannot build the ec2 API: bad value")
        self.clock.advance(10)
        self.assertEqual(len(self.clock.spawned), 2)

    def test_worker_exiting_silently_before_it_serves_stops_the_start(self):
        started = self.supervisor.start()
        self.ready(0)
        self.die(1, 3)
        error = self.failureResultOf(started, StartupError).value
        self.assertEqual(
            str(error), "a worker of the ec2 API exited before serving (exit status 3)"
        )
        self.assertEqual(len(self.clock.spawned), 2)

    def test_dead_worker_is_replaced_no_faster_than_n_starts_in_n_seconds(self):
        self.supervisor.start()
        self.ready(0)
        self.ready(1)
        with _logged("Forking too fast, sleeping") as logged:
            self.die(0)
        self.assertEqual(len(self.clock.spawned), 2)
        self.assertTrue(logged)
        self.clock.advance(1)
        self.assertEqual(len(self.clock.spawned), 2)
        self.clock.advance(1)
        self.assertEqual(len(self.clock.spawned), 3)

    def test_dead_worker_is_replaced_at_once_when_starts_are_old(self):
        self.supervisor.start()
        self.ready(0)
        self.ready(1)
        self.clock.advance(10)
        self.die(1)
        self.assertEqual(len(self.clock.spawned), 3)

    def test_reload_stops_an_old_worker_only_once_its_replacement_is_ready(self):
        self.supervisor.start()
        self.ready(0)
        self.ready(1)
        self.generation = "second"
        done = self.supervisor.replace(None, _api())
        self.assertEqual(len(self.clock.spawned), 3)
        self.assertEqual(self.clock.spawned[2][1][-1], "second")
        self.assertEqual(self.clock.spawned[0][0].signals + self.clock.spawned[1][0].signals, [])
        self.ready(2)
        self.assertEqual(len(self.clock.spawned), 4)
        self.assertEqual([t.signals for t, _, _ in self.clock.spawned[:2]], [["TERM"], []])
        self.ready(3)
        self.assertEqual(self.clock.spawned[1][0].signals, ["TERM"])
        self.successResultOf(done)
        self.die(0, 0)
        self.die(1, 0)
        self.assertEqual(len(self.clock.spawned), 4)

    def test_reload_to_more_workers_starts_the_extra_ones(self):
        self.supervisor.start()
        self.ready(0)
        self.ready(1)
        done = self.supervisor.replace(None, _api(workers=3))
        for index in (2, 3, 4):
            self.ready(index)
        self.successResultOf(done)
        self.assertEqual(
            [t.signals for t, _, _ in self.clock.spawned], [["TERM"], ["TERM"], [], [], []]
        )

    def test_reload_whose_new_worker_dies_keeps_the_old_workers(self):
        self.supervisor.start()
        self.ready(0)
        self.ready(1)
        done = self.supervisor.replace(None, _api())
        self.die(2, 3)
        self.successResultOf(done)
        self.assertEqual([t.signals for t, _, _ in self.clock.spawned[:2]], [[], []])
        self.assertEqual(len(self.clock.spawned), 3)

    def test_stop_during_a_reload_ends_it_without_an_error(self):
        self.supervisor.start()
        self.ready(0)
        self.ready(1)
        done = self.supervisor.replace(None, _api())
        stopped = self.supervisor.stop(grace=2)
        with _logged("exited before serving") as errors:
            for index in (0, 1, 2):
                self.die(index, 0)
        self.successResultOf(done)
        self.successResultOf(stopped)
        self.assertEqual(errors, [])
        self.assertEqual(len(self.clock.spawned), 3)

    def test_stop_terminates_then_kills_after_the_grace_period(self):
        self.supervisor.start()
        stopped = self.supervisor.stop(grace=2)
        self.assertEqual([t.signals for t, _, _ in self.clock.spawned], [["TERM"], ["TERM"]])
        self.clock.spawned[0][0].protocol.processEnded(Failure(ProcessDone(0)))
        self.clock.advance(7)
        self.assertEqual(self.clock.spawned[1][0].signals, ["TERM", "KILL"])
        self.die(1, None)
        self.successResultOf(stopped)
        self.assertEqual(len(self.clock.spawned), 2)
