"""L{ReactorStopper}: one stop, however many signals or other reasons come."""

from __future__ import annotations

from twisted.trial.unittest import TestCase

from novatx.services.signals import ReactorStopper


class _Reactor:
    def __init__(self):
        self.stops = 0

    def stop(self):
        if self.stops:
            raise AssertionError("stopped twice")
        self.stops += 1


class ReactorStopperTests(TestCase):
    def test_stops_once_whoever_asks(self):
        reactor = _Reactor()
        stopper = ReactorStopper(reactor)
        stopper.stop("Received SIGINT")
        stopper.stop("Received SIGTERM")
        stopper.stop("The daemon is gone")
        self.assertEqual(reactor.stops, 1)
