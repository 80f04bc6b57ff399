"""
Tests for L{novatx.compute.coalesce}: concurrent identical reads share the
next trip to the database, never one that began before they asked.
"""

from __future__ import annotations

from twisted.internet.defer import Deferred
from twisted.trial.unittest import SynchronousTestCase

from novatx.compute.coalesce import CoalescedReads


class Reads:
    """A fake database: each read is a Deferred the test fires."""

    def __init__(self) -> None:
        self.started: list[Deferred] = []

    def start(self) -> Deferred:
        d: Deferred = Deferred()
        self.started.append(d)
        return d


def collect(d: Deferred) -> list:
    seen: list = []
    d.addBoth(seen.append)
    return seen


class CoalescedReadsTests(SynchronousTestCase):
    def test_alone_starts_at_once(self) -> None:
        reads, coalesced = Reads(), CoalescedReads()
        answer = collect(coalesced.read("k", reads.start))
        self.assertEqual(len(reads.started), 1)
        reads.started[0].callback("rows")
        self.assertEqual(answer, ["rows"])

    def test_callers_during_a_read_share_the_next(self) -> None:
        """
        Callers who ask while a read runs do not get its (older) answer: one
        new read starts when it ends, and answers them all.
        """
        reads, coalesced = Reads(), CoalescedReads()
        first = collect(coalesced.read("k", reads.start))
        second = collect(coalesced.read("k", reads.start))
        third = collect(coalesced.read("k", reads.start))
        self.assertEqual(len(reads.started), 1)
        reads.started[0].callback("before")
        self.assertEqual((first, second, third), (["before"], [], []))
        self.assertEqual(len(reads.started), 2)
        reads.started[1].callback("after")
        self.assertEqual((second, third), (["after"], ["after"]))
        self.assertIs(second[0], third[0])
        collect(coalesced.read("k", reads.start))
        self.assertEqual(len(reads.started), 3)

    def test_keys_are_separate(self) -> None:
        reads, coalesced = Reads(), CoalescedReads()
        a = collect(coalesced.read("a", reads.start))
        b = collect(coalesced.read("b", reads.start))
        self.assertEqual(len(reads.started), 2)
        reads.started[1].callback("b rows")
        self.assertEqual((a, b), ([], ["b rows"]))

    def test_failure_reaches_every_caller_of_that_read(self) -> None:
        reads, coalesced = Reads(), CoalescedReads()
        first = collect(coalesced.read("k", reads.start))
        second = collect(coalesced.read("k", reads.start))
        reads.started[0].errback(ValueError("database gone"))
        self.assertIsInstance(first[0].value, ValueError)
        reads.started[1].errback(ValueError("still gone"))
        self.assertEqual(str(second[0].value), "still gone")
        again = collect(coalesced.read("k", reads.start))
        reads.started[2].callback("back")
        self.assertEqual(again, ["back"])

    def test_start_raising(self) -> None:
        """A read that cannot even start fails its callers and leaves the key free."""
        coalesced = CoalescedReads()

        def broken() -> Deferred:
            raise RuntimeError("no thread pool")
        answer = collect(coalesced.read("k", broken))
        self.assertIsInstance(answer[0].value, RuntimeError)
        reads = Reads()
        collect(coalesced.read("k", reads.start))
        self.assertEqual(len(reads.started), 1)
