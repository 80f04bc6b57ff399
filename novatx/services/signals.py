"""
Stopping on SIGTERM and SIGINT: once, by draining, with exit status 0.

The reactor's own handlers make twistd exit by the signal (status 143 for
SIGTERM) and raise an error when a second signal arrives while the first
one's stop is under way. An operator (or a service manager) expects a drained
daemon to exit 0, and sending SIGINT to a terminal's process group reaches
the daemon and its workers alike, so each may get two signals.
"""

from __future__ import annotations

import signal
from typing import Any

from twisted.logger import Logger

_log = Logger()


def install_stop_handlers(reactor: Any) -> None:
    """
    Make SIGTERM and SIGINT stop C{reactor}, once.

    Call once the reactor runs: it installs its own handlers when it starts.
    """
    requested: list[int] = []

    def stop(signum: int) -> None:
        if requested:
            return
        requested.append(signum)
        _log.info("Received {signal}: draining, then stopping", signal=signal.Signals(signum).name)
        reactor.stop()

    def handler(signum: int, frame: Any) -> None:
        reactor.callFromThread(stop, signum)

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)
