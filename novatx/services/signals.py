"""
Stopping on SIGTERM and SIGINT: once, by draining, with exit status 0.

The reactor's own handlers make twistd exit by the signal (status 143 for
SIGTERM) and raise an error when a second signal arrives while the first
one's stop is under way. An operator (or a service manager) expects a drained
daemon to exit 0, and sending SIGINT to a terminal's process group reaches
the daemon and its workers alike, so each may get two signals (a worker may
also learn that the daemon is gone while it already stops).
"""

from __future__ import annotations

import signal
from typing import Any

from twisted.logger import Logger


class ReactorStopper:
    """Stops a reactor once, whoever asks first."""

    _log = Logger()

    def __init__(self, reactor: Any) -> None:
        self._reactor = reactor
        self._requested = False

    def stop(self, why: str) -> None:
        """Stop the reactor (its shutdown drains the services), unless already asked."""
        if self._requested:
            return
        self._requested = True
        self._log.info("{why}: draining, then stopping", why=why)
        self._reactor.stop()

    def install(self) -> None:
        """
        Make SIGTERM and SIGINT call L{stop}.

        Call once the reactor runs: it installs its own handlers when it starts.
        """

        def handler(signum: int, frame: Any) -> None:
            why = "Received %s" % signal.Signals(signum).name
            self._reactor.callFromThread(self._signalled, why)

        signal.signal(signal.SIGTERM, handler)
        signal.signal(signal.SIGINT, handler)

    def _signalled(self, why: str) -> None:
        """
        Stop for a signal, then ignore SIGTERM and SIGINT at the C level.

        A Python handler is not enough for the signals that follow: the
        interpreter puts back the default action (death by the signal) while
        it finalizes, so a late SIGTERM from the daemon would turn a drained
        exit 0 into "killed by signal 15". This runs from the reactor, after
        CPython has handled every signal already caught: switching to SIG_IGN
        inside the handler itself would make CPython raise "Signal 15 ignored
        due to race condition" for one caught in the same instant.
        """
        self.stop(why)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
