"""Snapshots of a project's instances: reuse, expiry, changes, shared reads."""

from __future__ import annotations

from twisted.internet.defer import Deferred
from twisted.internet.task import Clock
from twisted.trial.unittest import SynchronousTestCase

from novatx.compute.context import RequestContext
from novatx.extensions.ec2.snapshot import Snapshots

ALICE = RequestContext("alice", "p1")
BOB = RequestContext("bob", "p2")


class SnapshotTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.clock = Clock()
        self.reads: list[tuple[str, Deferred]] = []
        self.snapshots = Snapshots(self.read, self.clock, 1.0)

    def read(self, context: RequestContext) -> Deferred:
        d: Deferred = Deferred()
        self.reads.append((context.project_id, d))
        return d

    def answer(self, index: int, value: list) -> None:
        self.reads[index][1].callback(value)

    def test_reused_within_lifetime(self) -> None:
        first = self.snapshots.instances(ALICE)
        self.answer(0, ["a"])
        self.assertEqual(self.successResultOf(first), ["a"])
        self.clock.advance(0.9)
        self.assertEqual(self.successResultOf(self.snapshots.instances(ALICE)), ["a"])
        self.assertEqual(len(self.reads), 1)

    def test_read_again_after_lifetime(self) -> None:
        self.snapshots.instances(ALICE)
        self.answer(0, ["a"])
        self.clock.advance(1.0)
        again = self.snapshots.instances(ALICE)
        self.assertEqual(len(self.reads), 2)
        self.answer(1, ["b"])
        self.assertEqual(self.successResultOf(again), ["b"])

    def test_projects_apart(self) -> None:
        self.snapshots.instances(ALICE)
        self.answer(0, ["a"])
        self.snapshots.instances(BOB)
        self.assertEqual([project for project, _ in self.reads], ["p1", "p2"])

    def test_change_forgets(self) -> None:
        self.snapshots.instances(ALICE)
        self.answer(0, ["a"])
        self.snapshots.changed("some-uuid")
        self.snapshots.instances(ALICE)
        self.assertEqual(len(self.reads), 2)

    def test_callers_share_a_read_in_flight(self) -> None:
        first = self.snapshots.instances(ALICE)
        second = self.snapshots.instances(ALICE)
        self.assertEqual(len(self.reads), 1)
        self.answer(0, ["a"])
        self.assertEqual((self.successResultOf(first), self.successResultOf(second)), (["a"], ["a"]))

    def test_read_begun_before_a_change_is_not_kept(self) -> None:
        first = self.snapshots.instances(ALICE)
        self.snapshots.changed("some-uuid")
        after = self.snapshots.instances(ALICE)
        self.assertEqual(len(self.reads), 2)
        self.answer(0, ["old"])
        self.answer(1, ["new"])
        self.assertEqual((self.successResultOf(first), self.successResultOf(after)), (["old"], ["new"]))
        self.assertEqual(self.successResultOf(self.snapshots.instances(ALICE)), ["new"])
        self.assertEqual(len(self.reads), 2)

    def test_failure_reaches_every_caller_and_is_not_kept(self) -> None:
        first = self.snapshots.instances(ALICE)
        second = self.snapshots.instances(ALICE)
        self.reads[0][1].errback(RuntimeError("store down"))
        self.failureResultOf(first, RuntimeError)
        self.failureResultOf(second, RuntimeError)
        self.snapshots.instances(ALICE)
        self.assertEqual(len(self.reads), 2)

    def test_lifetime_zero_only_shares_reads_in_flight(self) -> None:
        snapshots = Snapshots(self.read, self.clock, 0)
        snapshots.instances(ALICE)
        snapshots.instances(ALICE)
        self.answer(0, ["a"])
        snapshots.instances(ALICE)
        self.assertEqual(len(self.reads), 2)
