"""
Running a real C{twistd -n nova} in tests, and talking to it.

L{DaemonProcess} starts the daemon as a child process of the test's reactor,
with a config file and a paste file written into the test's temporary
directory, every API on port 0. It collects the daemon's log lines, so a test
waits for a line (L{DaemonProcess.wait_for}) instead of sleeping, and reads the
ports the APIs bound from the C{<api> serving on <url>} lines.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import sys
import time
from typing import Any

import novatx
from zope.interface import implementer
from twisted.internet import reactor
from twisted.internet.defer import Deferred, inlineCallbacks
from twisted.internet.interfaces import IReadDescriptor
from twisted.internet.protocol import ProcessProtocol
from twisted.internet.threads import deferToThread
from twisted.web.client import Agent, HTTPConnectionPool, readBody

#: The directory holding C{novatx/} and C{twisted/plugins/}.
SOURCE_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(novatx.__file__)))

TWISTD = os.path.join(os.path.dirname(sys.executable), "twistd")

PASTE_SECTIONS = {
    "osapi_compute": "compute",
    "ec2": "ec2",
    "metadata": "metadata",
}

SERVING = re.compile(
    r"\] (\w+) serving on (https?)://([^ ]+):(\d+) \((\d+) workers\)|"
    r"\] (\w+) serving on (https?)://([^ ]+):(\d+) \(pid \d+\)"
)
#: The daemon's own line (not a worker's, relayed) saying that an API serves.
DAEMON_SERVING = r"^\S+ \[novatx\.services\.api\.APIService#info\] %s serving "
STARTED_WORKER = re.compile(r"\] (\w+): started worker (\d+)")


def paste_file(
    directory: str,
    greeting_suffix: str = "",
    factory: str = "hello_factory",
    gates: dict[str, str] | None = None,
) -> str:
    """
    Write a paste file of the test apps; returns its path.

    @param gates: C{api name -> FIFO path} holding the start of that API's
        tree (see L{novatx.services.test.apps.hello_factory}).
    """
    path = os.path.join(directory, "api-paste.ini")
    with open(path, "w") as f:
        for api, greeting in PASTE_SECTIONS.items():
            f.write(
                "[app:%s]\nuse = call:novatx.services.test.apps:%s\ngreeting = %s%s\n"
                % (api, factory, greeting, greeting_suffix)
            )
            if gates and api in gates:
                f.write("gate = %s\n" % gates[api])
            f.write("\n")
    return path


def _open_gate(path: str) -> None:
    with open(path, "wb"):
        os.unlink(path)


def open_gate(path: str) -> Deferred[None]:
    """
    Let every start held by the FIFO C{path} go on: the one waiting on it
    now reads its end, and later ones find no FIFO.
    """
    return deferToThread(_open_gate, path)


def config_file(directory: str, paste: str | None, **options: Any) -> str:
    """
    Write a nova.conf: every API on port 0 with one worker, state under
    C{directory}, the given paste file (None: the packaged one); C{options}
    are C{[DEFAULT]} values, or C{group__name} for other groups.
    """
    values: dict[str, dict[str, Any]] = {
        "DEFAULT": {
            "state_path": os.path.join(directory, "state"),
            "osapi_compute_listen_port": 0,
            "ec2_listen_port": 0,
            "metadata_listen_port": 0,
            "osapi_compute_workers": 1,
            "ec2_workers": 1,
            "metadata_workers": 1,
            "graceful_shutdown_timeout": 10,
        },
        "wsgi": {} if paste is None else {"api_paste_config": paste},
    }
    for key, value in options.items():
        group, _, name = key.rpartition("__")
        values.setdefault(group or "DEFAULT", {})[name] = value
    path = os.path.join(directory, "nova.conf")
    with open(path, "w") as f:
        for group, items in values.items():
            f.write("[%s]\n" % group)
            for name, value in items.items():
                f.write("%s = %s\n" % (name, value))
    return path


class _Collector(ProcessProtocol):
    def __init__(self, daemon: "DaemonProcess") -> None:
        self._daemon = daemon
        self._partial = {1: b"", 2: b""}

    def childDataReceived(self, fd: int, data: bytes) -> None:
        lines = (self._partial[fd] + data).split(b"\n")
        self._partial[fd] = lines.pop()
        for line in lines:
            self._daemon.line(fd, line.decode("utf-8", "replace"))

    def processEnded(self, reason: Any) -> None:
        for fd, rest in self._partial.items():
            if rest:
                self._daemon.line(fd, rest.decode("utf-8", "replace"))
        self._daemon.exited(reason.value)


class DaemonProcess:
    """
    A C{twistd -n nova} child process.

    @ivar output: every line it wrote (stdout and stderr), in order.
    @ivar stderr: the lines of stderr.
    @ivar ports: C{api name -> port}, from its log.
    @ivar status: its exit status (C{exitCode}/C{signal}), once it ended.
    """

    def __init__(
        self, test: Any, directory: str, args: list[str], env: dict[str, str] | None = None,
        wrapper: list[str] | None = None,
    ) -> None:
        """
        @param wrapper: an argv prefix the daemon runs under, which must exec
            it (C{ip netns exec NAME}), so C{pid} stays the daemon's.
        """
        self.output: list[str] = []
        self.arrivals: list[float] = []
        self.stderr: list[str] = []
        self.ports: dict[str, int] = {}
        self.schemes: dict[str, str] = {}
        self.status: Any = None
        self._waiters: list[list[Any]] = []
        self._ended: list[Deferred[Any]] = []
        environment = dict(os.environ)
        environment["PYTHONPATH"] = os.pathsep.join(
            [SOURCE_ROOT] + [p for p in [environment.get("PYTHONPATH")] if p]
        )
        environment.update(env or {})
        argv = [*(wrapper or []), TWISTD, "-n", "--pidfile=", "nova", *args]
        self.transport = reactor.spawnProcess(
            _Collector(self), argv[0], argv, env=environment, path=directory
        )
        self.pid = self.transport.pid
        test.addCleanup(self.kill_workers)
        test.addCleanup(self.kill)

    def line(self, fd: int, text: str) -> None:
        self.output.append(text)
        self.arrivals.append(time.monotonic())
        if fd == 2:
            self.stderr.append(text)
        served = SERVING.search(text)
        if served:
            groups = [g for g in served.groups() if g is not None]
            self.ports[groups[0]] = int(groups[3])
            self.schemes[groups[0]] = groups[1]
        for waiter in list(self._waiters):
            pattern, d, left = waiter
            match = pattern.search(text)
            if match:
                waiter[2] = left = left - 1
            if match and not left:
                self._waiters.remove(waiter)
                d.callback(match)

    def exited(self, status: Any) -> None:
        self.status = status
        ended, self._ended = self._ended, []
        for d in ended:
            d.callback(status)
        waiters, self._waiters = self._waiters, []
        for pattern, d, _ in waiters:
            d.errback(
                AssertionError(
                    "daemon exited before logging %r:\n%s" % (pattern.pattern, self.text())
                )
            )

    def text(self) -> str:
        return "\n".join(self.output)

    def wait_for(
        self, pattern: str, timeout: float = 60.0, count: int = 1
    ) -> Deferred[re.Match[str]]:
        """
        Fire with the match of the C{count}th (past or future) line matching
        C{pattern}.
        """
        compiled = re.compile(pattern)
        left = count
        for text in self.output:
            match = compiled.search(text)
            if match:
                left -= 1
            if match and not left:
                d: Deferred[re.Match[str]] = Deferred()
                d.callback(match)
                return d
        d = Deferred()
        if self.status is not None:
            d.errback(
                AssertionError("daemon exited without logging %r:\n%s" % (pattern, self.text()))
            )
            return d
        self._waiters.append([compiled, d, left])
        return d.addTimeout(timeout, reactor, onTimeoutCancel=self._timed_out(pattern))

    def _timed_out(self, pattern: str) -> Any:
        def fail(result: Any, timeout: float) -> Any:
            raise AssertionError(
                "no line matching %r within %ss:\n%s" % (pattern, timeout, self.text())
            )

        return fail

    @inlineCallbacks
    def serving(self, apis: tuple[str, ...] = tuple(PASTE_SECTIONS)) -> Any:
        """
        Wait until every API of C{apis} serves, as the daemon itself logs it
        (with workers: once every worker is ready; a worker's own line,
        relayed into the daemon's log, says less).
        """
        for api in apis:
            yield self.wait_for(DAEMON_SERVING % api)

    def ended(self, timeout: float = 30.0) -> Deferred[Any]:
        """Fire with the exit status once the daemon has exited."""
        d: Deferred[Any] = Deferred()
        if self.status is not None:
            d.callback(self.status)
            return d
        self._ended.append(d)
        return d.addTimeout(timeout, reactor)

    def signal(self, name: str) -> None:
        self.transport.signalProcess(name)

    def worker_pids(self, api: str) -> list[int]:
        return [pid for pid, _ in self.worker_starts(api)]

    def worker_starts(self, api: str) -> list[tuple[int, float]]:
        """C{(pid, monotonic time its start was read)} of every worker of C{api}."""
        starts = []
        for text, arrival in zip(self.output, self.arrivals):
            match = STARTED_WORKER.search(text)
            if match and match.group(1) == api:
                starts.append((int(match.group(2)), arrival))
        return starts

    def kill_workers(self) -> None:
        """Cleanup, after L{kill}: SIGKILL every worker it started that still runs."""
        for text in self.output:
            match = STARTED_WORKER.search(text)
            if match:
                kill_if_running(int(match.group(2)))

    def kill(self) -> Deferred[Any] | None:
        """Cleanup: SIGKILL the daemon if it still runs, and wait for it."""
        if self.status is not None:
            return None
        self.signal("KILL")
        return self.ended()


def url(daemon: DaemonProcess, api: str, path: str = "/") -> bytes:
    return ("%s://127.0.0.1:%d%s" % (daemon.schemes[api], daemon.ports[api], path)).encode()


class HTTP:
    """An L{Agent} on a non-persistent pool, closed by the test's cleanup."""

    def __init__(self, test: Any, context_factory: Any = None) -> None:
        self.pool = HTTPConnectionPool(reactor, persistent=False)
        kwargs = {"pool": self.pool}
        if context_factory is not None:
            kwargs["contextFactory"] = context_factory
        self.agent = Agent(reactor, **kwargs)
        test.addCleanup(self.pool.closeCachedConnections)

    @inlineCallbacks
    def get(self, address: bytes, headers: Any = None) -> Any:
        """C{(status, body)} of a GET."""
        response = yield self.agent.request(b"GET", address, headers)
        body = yield readBody(response)
        return response.code, body


def _exchange(port: int, data: bytes, timeout: float) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        try:
            sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except (ConnectionResetError, socket.timeout):
                break
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)


def raw_exchange(port: int, data: bytes, timeout: float = 10.0) -> Deferred[bytes]:
    """Send raw bytes, return everything the server answers until it closes."""
    return deferToThread(_exchange, port, data, timeout)


def process_gone(pid: int) -> bool:
    """True once C{pid} has exited (a zombie counts as exited)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except FileNotFoundError:
        return True


@implementer(IReadDescriptor)
class _ProcessExit:
    """A pidfd in the reactor: readable once its process has exited."""

    def __init__(self, pid: int, ended: Deferred[None]) -> None:
        self._fd = os.pidfd_open(pid)
        self._ended = ended

    def fileno(self) -> int:
        return self._fd

    def doRead(self) -> None:
        reactor.removeReader(self)
        os.close(self._fd)
        self._ended.callback(None)

    def connectionLost(self, reason: Any) -> None:
        pass

    def logPrefix(self) -> str:
        return "pidfd"


def wait_until_gone(pid: int, timeout: float = 30.0) -> Deferred[None]:
    """
    Fire once C{pid} (a process that is not the test's child, such as a
    worker of the daemon) has exited: the kernel says so on a pidfd.
    """
    ended: Deferred[None] = Deferred()
    try:
        watch = _ProcessExit(pid, ended)
    except ProcessLookupError:
        ended.callback(None)
        return ended
    reactor.addReader(watch)

    def give_up(result: Any, timeout: float) -> Any:
        reactor.removeReader(watch)
        os.close(watch.fileno())
        raise AssertionError("process %d still runs after %ss" % (pid, timeout))

    return ended.addTimeout(timeout, reactor, onTimeoutCancel=give_up)


def kill_if_running(pid: int) -> None:
    """Cleanup for worker pids a test saw: never leave one behind."""
    if not process_gone(pid):
        os.kill(pid, signal.SIGKILL)
