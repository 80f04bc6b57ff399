"""
Worker processes that share one API's listening socket.

The daemon binds the socket once; each worker is a fresh Python process
(C{reactor.spawnProcess}, never C{os.fork()} of a running reactor) that gets the
socket as its fd 3 and adopts it (L{novatx.services.worker}). The kernel hands
each connection to whichever worker accepts first.

A worker that exits before it accepts, while the API starts, stops the whole
start with the reason it reported on fd 4 (C{error <why>}): it would fail the
same way every time. Once the API serves, the supervisor keeps
C{<api>_workers} of them running: a worker that dies is replaced, but no more
than N starts happen in any N seconds (nova's "Forking too fast, sleeping"),
waiting with C{callLater}. A reload replaces workers one
at a time, stopping an old one only once its replacement accepts, so no
connection is refused. A worker's fd 0 is a pipe from the daemon: when the
daemon dies the pipe ends and the worker stops, so none is orphaned. Its fd 4
is a pipe to the daemon, on which it says C{ready} or C{error}; its stdout and stderr are
relayed into the daemon's log.
"""

from __future__ import annotations

import collections
import os
from typing import Any, Callable

from twisted.internet.defer import Deferred, DeferredList, inlineCallbacks
from twisted.internet.error import ProcessExitedAlready
from twisted.internet.protocol import ProcessProtocol
from twisted.logger import Logger

from novatx.services.errors import StartupError
from novatx.services.settings import APISettings, DaemonSettings

#: The worker's end of the inherited listening socket.
LISTEN_FD = 3
#: The worker's end of the pipe on which it reports C{ready}.
READY_FD = 4
#: Seconds past C{graceful_shutdown_timeout} before a stopping worker is
#: killed: a worker closes what is left of its connections at the timeout
#: itself and exits at once, so the daemon is gone within the timeout plus
#: this margin.
KILL_MARGIN = 1.5


class _Worker(ProcessProtocol):
    """
    One worker process, as the supervisor sees it.

    @ivar ready: fires True when the worker accepts connections, False if it
        exits before.
    @ivar ended: fires when the process has exited.
    @ivar retired: the supervisor asked it to stop; it is not replaced.
    @ivar probation: started by a reload: if it exits before ready, the reload
        is abandoned instead of the worker being replaced.
    @ivar error: why it could not start, as it reported it, or None.
    """

    def __init__(self, supervisor: "WorkerSupervisor", probation: bool = False) -> None:
        self._supervisor = supervisor
        self.ready: Deferred[bool] = Deferred()
        self.ended: Deferred[None] = Deferred()
        self.retired = False
        self.probation = probation
        self.pid = 0
        self.error: str | None = None
        self._partial = {1: b"", 2: b"", READY_FD: b""}

    def connectionMade(self) -> None:
        self.pid = self.transport.pid

    def childDataReceived(self, childFD: int, data: bytes) -> None:
        lines = (self._partial.get(childFD, b"") + data).split(b"\n")
        self._partial[childFD] = lines.pop()
        if childFD == READY_FD:
            for line in lines:
                self._reported(line)
            return
        for line in lines:
            self._supervisor.relay(self, childFD, line)

    def _reported(self, line: bytes) -> None:
        """A line on the ready pipe: C{ready}, or C{error <why>}."""
        word, _, rest = line.partition(b" ")
        if word == b"error":
            self.error = rest.decode("utf-8", "replace")
        elif word == b"ready" and not self.ready.called:
            self.ready.callback(True)

    def childConnectionLost(self, childFD: int) -> None:
        rest = self._partial.pop(childFD, b"")
        if rest and childFD == READY_FD:
            self._reported(rest)
        elif rest:
            self._supervisor.relay(self, childFD, rest)

    def processEnded(self, reason: Any) -> None:
        if not self.ready.called:
            self.ready.callback(False)
        self._supervisor.ended(self, reason.value)
        self.ended.callback(None)

    def retire(self) -> None:
        """Ask the worker to drain and exit (SIGTERM)."""
        self.retired = True
        self.signal("TERM")

    def signal(self, name: str) -> None:
        try:
            self.transport.signalProcess(name)
        except ProcessExitedAlready:
            pass


def _describe_exit(status: Any) -> str:
    if getattr(status, "signal", None):
        return "killed by signal %d" % status.signal
    return "exit status %s" % getattr(status, "exitCode", "?")


class WorkerSupervisor:
    """
    Keeps one API's worker processes running.

    @ivar workers: the worker processes now running (including retiring
        ones), oldest first.
    """

    _log = Logger()

    def __init__(
        self,
        api: APISettings,
        settings: DaemonSettings,
        listen_fd: int,
        command: Callable[[DaemonSettings, str], list[str]],
        reactor: Any,
    ) -> None:
        """
        @param listen_fd: the daemon's listening socket for the API.
        @param command: the command line of a worker for C{(settings, api_name)}.
        """
        self.api = api
        self._settings = settings
        self._fd = listen_fd
        self._command = command
        self._reactor = reactor
        self._wanted = api.workers
        self._starts: collections.deque[float] = collections.deque()
        self.workers: dict[_Worker, None] = {}
        self._stopping = False
        self._replacing = False
        self._sleeping: Any = None
        self._all_ready: Deferred[None] = Deferred()
        self._ready_count = 0

    def start(self) -> Deferred[None]:
        """
        Start the workers.

        @return: fires once C{<api>_workers} of them have accepted; fails with
            L{StartupError} as soon as one exits before it accepts (with the
            reason it reported): a configuration that cannot be served is
            not started again and again.
        """
        self._top_up()
        return self._all_ready

    def _active(self) -> list[_Worker]:
        return [w for w in self.workers if not w.retired]

    def _spawn(self, probation: bool = False) -> _Worker:
        self._starts.append(self._reactor.seconds())
        worker = _Worker(self, probation)
        argv = self._command(self._settings, self.api.name)
        self._reactor.spawnProcess(
            worker,
            argv[0],
            argv,
            env=dict(os.environ),
            childFDs={0: "w", 1: "r", 2: "r", LISTEN_FD: self._fd, READY_FD: "r"},
        )
        self.workers[worker] = None
        self._log.info("{api}: started worker {pid}", api=self.api.name, pid=worker.pid)
        worker.ready.addCallback(self._worker_ready, worker)
        return worker

    def _worker_ready(self, ready: bool, worker: _Worker) -> bool:
        if ready and not self._all_ready.called:
            self._ready_count += 1
            if self._ready_count >= self._wanted:
                self._all_ready.callback(None)
        return ready

    def _top_up(self) -> None:
        """Start workers until C{_wanted} run, at most N starts in N seconds."""
        self._sleeping = None
        if self._stopping:
            return
        window = float(self._wanted)
        while len(self._active()) < self._wanted:
            now = self._reactor.seconds()
            while self._starts and self._starts[0] <= now - window:
                self._starts.popleft()
            if len(self._starts) >= self._wanted:
                self._log.info("Forking too fast, sleeping")
                self._sleeping = self._reactor.callLater(1.0, self._top_up)
                return
            self._spawn()

    def relay(self, worker: _Worker, fd: int, line: bytes) -> None:
        """Log a line a worker wrote (stdout at info, stderr at warn)."""
        emit = self._log.info if fd == 1 else self._log.warn
        emit(
            "{api}[{pid}] {line}",
            api=self.api.name,
            pid=worker.pid,
            line=line.decode("utf-8", "replace").rstrip("\r"),
        )

    def ended(self, worker: _Worker, status: Any) -> None:
        """A worker exited: replace it unless it was asked to stop."""
        self.workers.pop(worker, None)
        if worker.retired or self._stopping:
            self._log.info(
                "{api}: worker {pid} stopped ({how})",
                api=self.api.name,
                pid=worker.pid,
                how=_describe_exit(status),
            )
            return
        self._log.warn(
            "{api}: worker {pid} exited unexpectedly ({how})",
            api=self.api.name,
            pid=worker.pid,
            how=_describe_exit(status),
        )
        if not self._all_ready.called:
            self._stopping = True
            self._all_ready.errback(
                StartupError(
                    worker.error
                    or "a worker of the %s API exited before serving (%s)"
                    % (self.api.name, _describe_exit(status))
                )
            )
            return
        if not worker.probation and self._sleeping is None:
            self._top_up()

    @inlineCallbacks
    def replace(self, settings: DaemonSettings, api: APISettings) -> Any:
        """
        Replace every worker by one started with C{settings}, one at a time:
        an old worker is stopped only once its replacement accepts.

        If a new worker exits before it accepts, the reload stops there and
        the workers still running keep serving.
        """
        if self._replacing or self._stopping:
            self._log.warn("{api}: a reload is already under way", api=self.api.name)
            return
        self._replacing = True
        previous = self._settings, self.api, self._wanted
        self._settings, self.api, self._wanted = settings, api, api.workers
        try:
            old = self._active()
            for index in range(max(len(old), self._wanted)):
                if index < self._wanted:
                    new = self._spawn(probation=True)
                    ready = yield new.ready
                    if self._stopping:
                        return
                    if not ready:
                        self._log.error(
                            "{api}: a worker with the new configuration exited before "
                            "serving ({why}); the other workers keep serving",
                            api=self.api.name,
                            why=new.error or "it gave no reason",
                        )
                        self._settings, self.api, self._wanted = previous
                        return
                    new.probation = False
                if index < len(old) and not self._stopping:
                    old[index].retire()
            self._log.info(
                "{api}: reloaded, {n} workers serving the new configuration",
                api=self.api.name,
                n=self._wanted,
            )
        finally:
            self._replacing = False

    def stop(self, grace: float) -> Deferred[Any]:
        """
        Stop every worker: SIGTERM (each drains), SIGKILL after C{grace}
        seconds plus L{KILL_MARGIN} (C{grace} 0: wait for ever).
        """
        self._stopping = True
        if self._sleeping is not None and self._sleeping.active():
            self._sleeping.cancel()
        self._sleeping = None
        waiting = []
        for worker in list(self.workers):
            worker.retire()
            waiting.append(worker.ended)
        done = DeferredList(waiting)
        if grace and waiting:
            timer = self._reactor.callLater(grace + KILL_MARGIN, self._kill)
            done.addBoth(lambda result: timer.cancel() if timer.active() else None)
        return done

    def _kill(self) -> None:
        for worker in list(self.workers):
            self._log.warn(
                "{api}: worker {pid} did not stop in time; killing it",
                api=self.api.name,
                pid=worker.pid,
            )
            worker.signal("KILL")
