"""
Several hosts on one machine, for tests: each a network namespace of its
own, joined to the root namespace by a veth pair, running a real
C{twistd -n nova} that listens on the namespace's address only; all over one
fresh PostgreSQL database; HAProxy in front, round robin.

Typical use, in a C{twisted.trial.unittest.TestCase}::

    from novatx.test.hosts import require_hosts, start_hosts, start_haproxy

    async def test_both(self):
        require_hosts()
        hosts = await start_hosts(self, 2)
        proxy = await start_haproxy(self, hosts)

Inside a namespace 127.0.0.1 is the namespace's own loopback, not the
machine's: the daemons reach PostgreSQL through its Unix socket
(L{POSTGRESQL_SOCKET}), which no namespace hides. The database is made (and
dropped) by L{novatx.db.test.backends.temporary_database}.

This needs root, C{ip} (iproute2) and C{haproxy}; missing any of them fails
the test, unless C{NOVATX_TEST_SKIP_HOSTS=1}: then it skips, saying why.
Every namespace, veth pair and process made here is removed by the test's
cleanups, whether it passed or not; processes are killed by their pids.
"""

from __future__ import annotations

import os
import random
import shutil
import socket
import subprocess
import uuid
from typing import Any

import attrs
import sqlalchemy as sa
from twisted.internet import reactor
from twisted.internet.defer import Deferred, gatherResults
from twisted.internet.protocol import ProcessProtocol
from twisted.internet.task import deferLater
from twisted.trial.unittest import SkipTest

from novatx.db.test.backends import temporary_database
from novatx.services.test.daemon import (
    DAEMON_SERVING,
    DaemonProcess,
    config_file,
    kill_if_running,
    wait_until_gone,
)

#: Where PostgreSQL's Unix socket is (Debian's default).
POSTGRESQL_SOCKET = "/var/run/postgresql"

HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"
IP = shutil.which("ip") or "/usr/sbin/ip"

#: How long the hosts may take to serve: several daemons with workers start
#: at once, each importing everything, on what may be a busy machine.
STARTUP_SECONDS = 180.0

#: The /16 the veth pairs' /30s are taken from: 10.251.X.1 (root side),
#: 10.251.X.2 (the namespace's).
PREFIX = "10.251."


def require_hosts() -> None:
    """
    Skip (saying why) under C{NOVATX_TEST_SKIP_HOSTS=1}; otherwise fail when
    what the hosts need is missing.
    """
    if os.environ.get("NOVATX_TEST_SKIP_HOSTS") == "1":
        raise SkipTest("NOVATX_TEST_SKIP_HOSTS=1: no network namespaces and HAProxy")
    missing = []
    if os.geteuid() != 0:
        missing.append("root (network namespaces)")
    if not os.access(IP, os.X_OK):
        missing.append("ip (iproute2)")
    if not os.access(HAPROXY, os.X_OK):
        missing.append("haproxy (Debian's package)")
    if missing:
        raise AssertionError(
            "the several-hosts tests need %s; NOVATX_TEST_SKIP_HOSTS=1 skips them"
            % ", ".join(missing)
        )


def _ip(*args: str) -> None:
    subprocess.run([IP, *args], check=True, capture_output=True, text=True)


def _free_subnet() -> int:
    """An X with no 10.251.X.0/30 address on this machine right now."""
    shown = subprocess.run([IP, "-o", "-4", "addr", "show"], check=True,
                           capture_output=True, text=True).stdout
    taken = {int(word.split(".")[2]) for word in shown.split() if word.startswith(PREFIX)}
    free = [x for x in range(256) if x not in taken]
    if not free:
        raise AssertionError("every 10.251.X.0/30 is taken")
    return random.choice(free)


@attrs.define
class Namespace:
    """A network namespace and the veth pair that reaches it."""

    name: str
    address: str
    outside: str


def make_namespace(test: Any) -> Namespace:
    """
    A namespace of C{test}'s own with C{lo} up, reached from the root
    namespace over a veth pair (10.251.X.1/30 outside, 10.251.X.2/30
    inside); removed at cleanup.
    """
    tag = uuid.uuid4().hex[:8]
    name = "novatx-" + tag
    outer, inner = "nvx%so" % tag, "nvx%si" % tag
    subnet = _free_subnet()
    outside, inside = PREFIX + "%d.1" % subnet, PREFIX + "%d.2" % subnet
    _ip("netns", "add", name)
    test.addCleanup(_ip, "netns", "delete", name)
    test.addCleanup(_remove_link, outer)
    connect_namespace(name, outer, inner, outside, inside)
    return Namespace(name, inside, outside)


def connect_namespace(name: str, outer: str, inner: str, outside: str, inside: str) -> None:
    """
    Reach the namespace C{name} from the root namespace: a veth pair C{outer}
    (here, C{outside}/30) and C{inner} (there, C{inside}/30), both up, and the
    namespace's C{lo} up. Shared by the tests' hosts and C{bench/two_hosts.py}.
    """
    _ip("link", "add", outer, "type", "veth", "peer", "name", inner)
    _ip("link", "set", inner, "netns", name)
    _ip("addr", "add", outside + "/30", "dev", outer)
    _ip("link", "set", outer, "up")
    _ip("-n", name, "addr", "add", inside + "/30", "dev", inner)
    _ip("-n", name, "link", "set", inner, "up")
    _ip("-n", name, "link", "set", "lo", "up")


def _remove_link(link: str) -> None:
    """Delete the veth pair unless deleting its namespace already did."""
    subprocess.run([IP, "link", "delete", link], capture_output=True)


def socket_url(url: str) -> str:
    """C{url} (a PostgreSQL URL) through the machine's Unix socket instead of TCP."""
    parsed = sa.engine.make_url(url).set(host=None, port=None, query={"host": POSTGRESQL_SOCKET})
    return parsed.render_as_string(hide_password=False)


@attrs.define
class Host:
    """
    One host: its namespace and its daemon, listening on the namespace's
    address only.
    """

    name: str
    namespace: Namespace
    daemon: DaemonProcess

    def url(self, path: str = "", api: str = "osapi_compute") -> str:
        return "http://%s:%d%s" % (self.namespace.address, self.daemon.ports[api], path)

    def pids(self) -> list[int]:
        """The daemon's pid and every worker it started."""
        started = {pid for api in self.daemon.ports for pid in self.daemon.worker_pids(api)}
        return [self.daemon.pid, *sorted(started)]

    async def kill(self) -> None:
        """SIGKILL the whole daemon, main process and workers, and wait until all are gone."""
        pids = self.pids()
        for pid in pids:
            kill_if_running(pid)
        await self.daemon.ended()
        for pid in pids[1:]:
            await wait_until_gone(pid)


async def start_hosts(
    test: Any, count: int, *, apis: tuple[str, ...] = ("osapi_compute",), workers: int = 1,
    **options: Any,
) -> list[Host]:
    """
    C{count} hosts (named C{host-a}, C{host-b}, ...) over one fresh
    PostgreSQL database, serving C{apis} with C{workers} workers each;
    C{options} as L{novatx.services.test.daemon.config_file}'s (the
    simulated driver's host is the host's name). Fires once every host
    serves.
    """
    database = socket_url(temporary_database(test, "postgresql"))
    hosts = []
    for index in range(count):
        name = "host-" + chr(ord("a") + index)
        namespace = make_namespace(test)
        directory = os.path.abspath(test.mktemp())
        os.makedirs(directory)
        listen: dict[str, Any] = {}
        for api in apis:
            listen["%s_listen" % api] = namespace.address
            listen["%s_workers" % api] = workers
        settings = dict(enabled_apis=",".join(apis), database__connection=database,
                        simulated__host=name, **listen)
        settings.update(options)
        conf = config_file(directory, None, **settings)
        daemon = DaemonProcess(test, directory, ["--config-file", conf],
                               wrapper=[IP, "netns", "exec", namespace.name])
        hosts.append(Host(name, namespace, daemon))
    await gatherResults([host.daemon.wait_for(DAEMON_SERVING % api, timeout=STARTUP_SECONDS)
                         for host in hosts for api in apis], consumeErrors=True)
    return hosts


class _Output(ProcessProtocol):
    def __init__(self) -> None:
        self.output = b""
        self.ended: Deferred[Any] = Deferred()

    def childDataReceived(self, fd: int, data: bytes) -> None:
        self.output += data

    def processEnded(self, reason: Any) -> None:
        self.ended.callback(reason.value)


@attrs.define
class HAProxy:
    """HAProxy in the foreground, as the test's child, on 127.0.0.1:C{port}."""

    port: int
    pid: int
    output: _Output

    def url(self, path: str = "") -> str:
        return "http://127.0.0.1:%d%s" % (self.port, path)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


HAPROXY_CONFIG = """\
global
    maxconn 512

defaults
    mode http
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    retries 3
    option redispatch

frontend compute
    bind 127.0.0.1:%(port)d
    default_backend hosts

backend hosts
    balance roundrobin
    option httpchk GET /healthcheck
    http-check expect status 200
    http-response set-header X-Novatx-Host %%[srv_name]
%(servers)s
"""


async def start_haproxy(test: Any, hosts: list[Host], api: str = "osapi_compute") -> HAProxy:
    """
    HAProxy on a free port of 127.0.0.1, round robin over C{hosts}' C{api}
    ports, each checked (C{GET /healthcheck}) every 200 ms; every answer names the host that gave
    it in C{X-Novatx-Host}. Fires once it accepts connections; killed at
    cleanup.
    """
    port = _free_port()
    servers = "\n".join(
        "    server %s %s:%d check inter 200ms fall 1 rise 1"
        % (host.name, host.namespace.address, host.daemon.ports[api])
        for host in hosts
    )
    directory = os.path.abspath(test.mktemp())
    os.makedirs(directory)
    path = os.path.join(directory, "haproxy.cfg")
    with open(path, "w") as f:
        f.write(HAPROXY_CONFIG % {"port": port, "servers": servers})
    output = _Output()
    transport = reactor.spawnProcess(output, HAPROXY, [HAPROXY, "-db", "-f", path],
                                     env=dict(os.environ), path=directory)
    proxy = HAProxy(port, transport.pid, output)
    test.addCleanup(_stop_haproxy, proxy)
    await _accepting(proxy)
    return proxy


async def _accepting(proxy: HAProxy, timeout: float = 30.0) -> None:
    for _ in range(int(timeout / 0.05)):
        if proxy.output.ended.called:
            raise AssertionError("haproxy exited:\n%s" % proxy.output.output.decode())
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", proxy.port)) == 0:
                return
        await deferLater(reactor, 0.05)
    raise AssertionError("haproxy did not listen within %ss:\n%s"
                         % (timeout, proxy.output.output.decode()))


def _stop_haproxy(proxy: HAProxy) -> Deferred[Any] | None:
    if proxy.output.ended.called:
        return None
    kill_if_running(proxy.pid)
    return proxy.output.ended
