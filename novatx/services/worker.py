"""
A worker process: serves one API from the listening socket it inherited.

The daemon starts it as C{python -m novatx.services.worker --api NAME
--listen-fd 3 -- <config args>} (L{novatx.services.daemon.worker_command}). It
reads the same configuration, builds the same tree as a one-process daemon
would, adopts fd 3, and says C{ready} on fd 4 (or C{error <why>} if it cannot
start: the daemon then stops the whole start with that line). It stops (draining) on SIGTERM
or SIGINT, and also when fd 0, a pipe from the daemon, ends: the daemon has died, and a
worker must not outlive it. It ignores SIGHUP: reloading is the daemon's job.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import sys
from typing import Any, Sequence

import attrs
from twisted.internet.protocol import Protocol
from twisted.internet.stdio import StandardIO
from twisted.logger import FileLogObserver, eventAsText, globalLogBeginner

from novatx.services.daemon import build_daemon
from novatx.services.errors import StartupError
from novatx.services.reactor import install_reactor
from novatx.services.settings import read_settings
from novatx.services.signals import ReactorStopper
from novatx.services.workers import LISTEN_FD, READY_FD


class _DaemonLink(Protocol):
    """
    The pipes to the daemon: fd 0 from it, fd 4 to it.

    When fd 0 ends, the daemon is gone: stop.
    """

    def __init__(self, stopper: ReactorStopper) -> None:
        self._stopper = stopper

    def connectionLost(self, reason: Any) -> None:
        self._stopper.stop("The daemon is gone")


def _format(event: dict) -> str:
    text = eventAsText(event, includeTimestamp=False, includeSystem=False)
    return "[%s#%s] %s\n" % (event.get("log_namespace", "-"), event["log_level"].name, text)


def _report_error(message: str) -> None:
    """
    Tell the daemon, on the pipe it reads C{ready} from, why this worker could
    not start: it stops the whole start with that line.
    """
    line = " ".join(message.splitlines())
    os.write(READY_FD, b"error %s\n" % line.encode("utf-8", "replace"))


def _parse(argv: Sequence[str]) -> tuple[argparse.Namespace, list[str]]:
    parser = argparse.ArgumentParser(prog="novatx-worker")
    parser.add_argument("--api", required=True)
    parser.add_argument("--listen-fd", type=int, default=LISTEN_FD)
    parser.add_argument("--enabled-apis")
    argv = list(argv)
    config_args = []
    if "--" in argv:
        config_args = argv[argv.index("--") + 1 :]
        argv = argv[: argv.index("--")]
    return parser.parse_args(argv), config_args


def main(argv: Sequence[str] | None = None) -> int:
    """Run a worker; the exit status is 0 after a clean stop, 1 after a failed start."""
    options, config_args = _parse(sys.argv[1:] if argv is None else argv)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    globalLogBeginner.beginLoggingTo(
        [FileLogObserver(sys.stdout, _format)], redirectStandardIO=False
    )
    enabled = options.enabled_apis.split(",") if options.enabled_apis else None
    listener = socket.socket(fileno=options.listen_fd)
    try:
        settings = read_settings(config_args, enabled)
        api = next(a for a in settings.apis if a.name == options.api)
        settings = attrs.evolve(settings, apis=(attrs.evolve(api, workers=1),))
        reactor = install_reactor(api.tls is not None)
        daemon = build_daemon(settings, reactor, sockets={api.name: listener})
    except StartupError as e:
        _report_error(str(e))
        return 2
    stopper = ReactorStopper(reactor)
    link = _DaemonLink(stopper)
    StandardIO(link, stdin=0, stdout=READY_FD, reactor=reactor)
    daemon.serving.addCallback(lambda _: link.transport.write(b"ready\n"))
    failures: list[str] = []

    def failed(message: str) -> None:
        failures.append(message)
        _report_error(message)

    daemon.report_failure = failed
    reactor.callWhenRunning(stopper.install)
    reactor.callWhenRunning(daemon.startService)
    reactor.addSystemEventTrigger("before", "shutdown", daemon.stopService)
    reactor.run()
    return 1 if failures else 0


def _exit(status: int) -> None:
    """
    Exit once the reactor has stopped, without the interpreter's teardown:
    the services are stopped and the log written, and a worker that takes a
    second more to unload its modules makes the whole daemon overrun
    C{graceful_shutdown_timeout}.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


if __name__ == "__main__":
    _exit(main())
