"""
The timers a simulated driver keeps: none of them is the truth.

A transition in flight lives in the store (its step, its claim); a worker's
timer only ends it sooner. So a driver that stops cancels its timers and loses
nothing: another worker's periodic pick-up finds what was left and finishes it.
"""

from __future__ import annotations

from typing import Any

from twisted.internet.interfaces import IReactorTime
from twisted.internet.task import LoopingCall
from twisted.logger import Logger

log = Logger()


class TransitionTimers:
    """
    Starting and stopping a driver that polls the store for abandoned
    transitions every C{[simulated] poll_interval} and keeps one timer per
    transition it follows (in C{_calls}). The driver provides
    C{resume_pending}.
    """

    #: Named in the log when the poll stops with an error.
    poll_name = "pending transitions"

    _clock: IReactorTime
    _conf: Any
    _calls: dict[Any, Any]
    _loop: LoopingCall | None
    _running: bool

    def resume_pending(self) -> Any:
        raise NotImplementedError

    def start(self) -> None:
        """Begin looking for abandoned transitions, now and every C{poll_interval}."""
        self._running = True
        self._loop = LoopingCall(self.resume_pending)
        # A controlled clock's time only moves when told; the poll looks at
        # the store, so it runs on the real reactor's time.
        self._loop.clock = getattr(self._clock, "reactor", self._clock)
        self._loop.start(self._conf.simulated.poll_interval, now=True).addErrback(
            lambda failure: log.failure("{what} poll stopped", failure, what=self.poll_name))

    def stop(self) -> None:
        """Stop timers; transitions in flight are left to other workers' pick-up."""
        self._running = False
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        for call in self._calls.values():
            if call.active():
                call.cancel()
        self._calls.clear()
