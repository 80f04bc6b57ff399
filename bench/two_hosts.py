"""
Benchmark: a write through one host, then the very next read through the
other, over one PostgreSQL; counts the stale answers (the goal is none).

Two C{twistd -n nova} daemons (compute API only, one worker each, noauth2)
run each in a network namespace of its own, reached over a veth pair
(10.251.X.1/30 outside, 10.251.X.2/30 inside), listening on the namespace's
address only, on one fresh PostgreSQL database reached through its Unix
socket. One server is made; then each pair sets the server's metadata item
C{n} to the pair's number through one host (C{PUT
/v2.1/servers/ID/metadata/n}) and reads the server through the other (C{GET
/v2.1/servers/ID}); the hosts swap roles every pair. A read that does not show
the value just written is stale. Each host is talked to over one persistent
connection, one request at a time.

    .venv/bin/python bench/two_hosts.py [--pairs 10000] [--one-host]

C{--one-host} reads through the host that was just written through instead,
for comparison: what crossing hosts costs is the difference.

Needs root (namespaces), C{ip} and PostgreSQL's Unix socket; about 2 ms to
10 ms a pair, by the machine. Every process, namespace, veth pair and the
database it makes are removed at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import statistics
import subprocess
import tempfile
import time
import uuid
from typing import Any, Iterator

import sqlalchemy as sa

from _support import SOURCE_ROOT, TWISTD, cpu_seconds, stop

from novatx.test.hosts import connect_namespace

HEADERS = {"X-Auth-Token": "bench:bench", "Accept": "application/json",
           "Content-Type": "application/json"}
PORT = 8774

NOVA_CONF = """\
[DEFAULT]
state_path = {state}
enabled_apis = osapi_compute
osapi_compute_listen = {address}
osapi_compute_listen_port = {port}
osapi_compute_workers = 1

[database]
connection = {database}

[osapi_v21]
extensions_blacklist = example-server-colour

[simulated]
host = {name}
boot_seconds = 0
"""


def ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True)


@contextlib.contextmanager
def namespace(subnet: int) -> Iterator[tuple[str, str]]:
    """A namespace reached over a veth pair; yields its name and inside address."""
    tag = uuid.uuid4().hex[:8]
    name, outer, inner = "novatx-" + tag, "nvx%so" % tag, "nvx%si" % tag
    outside, inside = "10.251.%d.1" % subnet, "10.251.%d.2" % subnet
    ip("netns", "add", name)
    try:
        connect_namespace(name, outer, inner, outside, inside)
        yield name, inside
    finally:
        subprocess.run(["ip", "link", "delete", outer], capture_output=True)
        ip("netns", "delete", name)


def free_subnets(count: int) -> list[int]:
    """C{count} X's with no 10.251.X.0/30 address on this machine."""
    shown = subprocess.run(["ip", "-o", "-4", "addr", "show"], check=True,
                           capture_output=True, text=True).stdout
    taken = {int(w.split(".")[2]) for w in shown.split() if w.startswith("10.251.")}
    return [x for x in range(256) if x not in taken][:count]


@contextlib.contextmanager
def database(server: str) -> Iterator[str]:
    """A fresh database on C{server}'s PostgreSQL, dropped at the end; yields its URL."""
    name = "novatx_bench_" + uuid.uuid4().hex[:12]
    engine = sa.create_engine(server, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        connection.execute(sa.text("CREATE DATABASE " + name))
    try:
        yield sa.engine.make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as connection:
            connection.execute(sa.text("DROP DATABASE IF EXISTS %s WITH (FORCE)" % name))
        engine.dispose()


@contextlib.contextmanager
def host(name: str, netns: str, address: str, url: str, directory: str) -> Iterator[int]:
    """A daemon in C{netns}; yields its pid (C{ip netns exec} execs it)."""
    state = os.path.join(directory, name)
    os.makedirs(state)
    config = os.path.join(state, "nova.conf")
    with open(config, "w") as f:
        f.write(NOVA_CONF.format(state=state, address=address, port=PORT, database=url,
                                 name=name))
    with open(os.path.join(state, "nova.log"), "wb") as log:
        daemon = subprocess.Popen(
            ["ip", "netns", "exec", netns, TWISTD, "-n", "--pidfile=", "nova",
             "--config-file", config],
            cwd=state, stdout=log, stderr=subprocess.STDOUT,
            env=dict(os.environ, PYTHONPATH=SOURCE_ROOT))
    try:
        yield daemon.pid
    finally:
        stop(daemon)


class Connection:
    """One persistent HTTP connection to a host."""

    def __init__(self, address: str) -> None:
        self._http = http.client.HTTPConnection(address, PORT, timeout=30)

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body)
        self._http.request(method, path, data, HEADERS)
        response = self._http.getresponse()
        content = response.read()
        return response.status, json.loads(content) if content else None

    def close(self) -> None:
        self._http.close()


def wait_answering(connection: Connection, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if connection.call("GET", "/v2.1/flavors")[0] == 200:
                return
        except OSError:
            connection.close()
        if time.monotonic() > deadline:
            raise SystemExit("a host did not answer within %ss" % timeout)
        time.sleep(0.2)


def run(hosts: list[Connection], pairs: int,
        one_host: bool) -> tuple[int, list[float], list[float]]:
    """
    The stale reads, and every pair's seconds and its read's; C{one_host}:
    read through the host that was written through.
    """
    code, body = hosts[0].call("POST", "/v2.1/servers", {"server": {
        "name": "bench", "flavorRef": "1",
        "imageRef": hosts[0].call("GET", "/v2.1/images")[1]["images"][0]["id"]}})
    if code != 202:
        raise SystemExit("the server was not made: %s %s" % (code, body))
    server = "/v2.1/servers/" + body["server"]["id"]
    stale, seconds, reads = 0, [], []
    for n in range(pairs):
        writer = hosts[n % 2]
        reader = writer if one_host else hosts[1 - n % 2]
        value = str(n)
        started = time.perf_counter()
        code, body = writer.call("PUT", server + "/metadata/n", {"meta": {"n": value}})
        if code != 200:
            raise SystemExit("write %d answered %s: %s" % (n, code, body))
        written = time.perf_counter()
        code, body = reader.call("GET", server)
        ended = time.perf_counter()
        seconds.append(ended - started)
        reads.append(ended - written)
        if code != 200:
            raise SystemExit("read %d answered %s: %s" % (n, code, body))
        if body["server"]["metadata"].get("n") != value:
            stale += 1
    return stale, seconds, reads


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=10000, help="write-then-read pairs")
    parser.add_argument("--server", default="postgresql+psycopg://postgres@/postgres"
                        "?host=/var/run/postgresql",
                        help="a PostgreSQL URL (through the Unix socket) to make the database on")
    parser.add_argument("--one-host", action="store_true",
                        help="read through the host written through (the comparison)")
    options = parser.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("network namespaces need root")
    with contextlib.ExitStack() as stack:
        directory = stack.enter_context(tempfile.TemporaryDirectory())
        url = stack.enter_context(database(options.server))
        connections, pids = [], []
        for name, subnet in zip(("host-a", "host-b"), free_subnets(2)):
            netns, address = stack.enter_context(namespace(subnet))
            pids.append(stack.enter_context(host(name, netns, address, url, directory)))
            connection = Connection(address)
            stack.callback(connection.close)
            wait_answering(connection)
            connections.append(connection)
        cpu = [cpu_seconds(pid) for pid in pids]
        started = time.monotonic()
        stale, seconds, reads = run(connections, options.pairs, options.one_host)
        elapsed = time.monotonic() - started
        cpu = [cpu_seconds(pid) - before for pid, before in zip(pids, cpu)]
    ms = sorted(1000 * s for s in seconds)
    read_ms = sorted(1000 * s for s in reads)
    print("%d pairs (PUT server metadata through one host, GET the server through %s,"
          " alternating) in %.1f s: %d stale"
          % (len(ms), "the same one" if options.one_host else "the other", elapsed, stale))
    print("per pair: mean %.2f ms, median %.2f ms, p99 %.2f ms, max %.2f ms; %.0f pairs/s"
          % (statistics.fmean(ms), statistics.median(ms), ms[int(0.99 * (len(ms) - 1))],
             ms[-1], len(ms) / elapsed))
    print("the read alone: mean %.2f ms, median %.2f ms, p99 %.2f ms"
          % (statistics.fmean(read_ms), statistics.median(read_ms),
             read_ms[int(0.99 * (len(read_ms) - 1))]))
    print("the daemons' CPU per pair: host A %.2f ms, host B %.2f ms (each answers half the"
          " writes and half the reads)" % tuple(1000 * c / max(len(ms), 1) for c in cpu))
    if stale:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
