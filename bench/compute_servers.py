"""
Benchmark: C{GET /v2.1/servers/detail} with 5 and with 100 servers on novatx,
each against a bare twisted.web resource serving the same bytes, in the same run.

novatx runs as C{twistd -n nova} (compute API only, one worker, noauth2, a
fresh SQLite store, quotas lifted, the installed example plugin blacklisted so
only novatx's own code answers); the servers are made through the API and
listed once they are ACTIVE. For each count a one-leaf twisted.web C{Site}
answers every request with the bytes novatx answered; C{wrk} drives the two in
alternating rounds with the same connections, threads and duration, and the
best round of each counts (a shared machine's other load only ever slows a
round down). The ratio novatx / bare is what the project tracks (goal: >= 0.4
at 5 servers).

    .venv/bin/python bench/compute_servers.py [--duration 3] [--rounds 2] [--connections 10]

About 45 seconds in all; every process it starts is stopped at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request

from _support import BARE_JSON_SERVER, SOURCE_ROOT, TOKEN, TWISTD, Load, free_port, stop, wrk

PATH = "/v2.1/servers/detail"
HEADERS = {"X-Auth-Token": TOKEN, "Accept": "application/json", "Content-Type": "application/json"}

NOVA_CONF = """\
[DEFAULT]
state_path = {state}
enabled_apis = osapi_compute
osapi_compute_listen = 127.0.0.1
osapi_compute_listen_port = {port}
osapi_compute_workers = 1

[osapi_v21]
extensions_blacklist = example-server-colour

[quota]
instances = -1
cores = -1
ram = -1

[simulated]
boot_seconds = 0
"""


def call(method: str, url: str, body: object = None) -> bytes:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers=HEADERS, method=method)
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read()


def wait_for(url: str, timeout: float = 30.0) -> bytes:
    """Poll C{url} until it answers 200; returns the body."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return call("GET", url)
        except OSError:
            if time.monotonic() > deadline:
                raise SystemExit("no answer from %s within %ss" % (url, timeout))
            time.sleep(0.2)


def start(command: list[str], **kwargs: object) -> subprocess.Popen:
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kwargs)


def grow_to(root: str, count: int) -> bytes:
    """Create servers until C{count} exist, all ACTIVE; the detail listing's bytes."""
    listed = json.loads(call("GET", root + "/servers"))["servers"]
    missing = count - len(listed)
    if missing > 0:
        image = json.loads(call("GET", root + "/images"))["images"][0]["id"]
        call("POST", root + "/servers", {"server": {
            "name": "bench", "flavorRef": "1", "imageRef": image, "min_count": missing, "max_count": missing,
        }})
    deadline = time.monotonic() + 60
    while True:
        body = call("GET", root + "/servers/detail")
        servers = json.loads(body)["servers"]
        if len(servers) == count and all(s["status"] == "ACTIVE" for s in servers):
            return body
        if time.monotonic() > deadline:
            raise SystemExit("the servers did not become ACTIVE")
        time.sleep(0.2)


def best(loads: list[Load]) -> Load:
    """The fastest round: a shared machine's other load only ever slows one down."""
    return max(loads, key=lambda load: load.rate)


def measure(directory: str, nova: subprocess.Popen, nova_port: int, count: int,
            options: argparse.Namespace) -> tuple[int, Load, Load]:
    """Bytes, novatx's and the bare server's best rounds for C{count} servers."""
    body = grow_to("http://127.0.0.1:%d/v2.1" % nova_port, count)
    body_file = os.path.join(directory, "body-%d.json" % count)
    with open(body_file, "wb") as f:
        f.write(body)
    bare_port = free_port()
    bare = start([sys.executable, "-c", BARE_JSON_SERVER, str(bare_port), body_file])
    try:
        nova_url = "http://127.0.0.1:%d%s" % (nova_port, PATH)
        bare_url = "http://127.0.0.1:%d%s" % (bare_port, PATH)
        if wait_for(bare_url) != body:
            raise SystemExit("the bare server does not serve novatx's bytes")
        headers = {"X-Auth-Token": TOKEN}
        for url, pid in ((nova_url, nova.pid), (bare_url, bare.pid)):
            wrk(url, 1, options.connections, pid, headers)
        nova_loads, bare_loads = [], []
        for _ in range(options.rounds):
            nova_loads.append(wrk(nova_url, options.duration, options.connections, nova.pid, headers))
            bare_loads.append(wrk(bare_url, options.duration, options.connections, bare.pid, headers))
    finally:
        stop(bare)
    return len(body), best(nova_loads), best(bare_loads)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=3, help="seconds per measurement")
    parser.add_argument("--rounds", type=int, default=2, help="alternating measurements of each server")
    parser.add_argument("--connections", type=int, default=10, help="wrk connections")
    options = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as directory:
        nova_port = free_port()
        config = os.path.join(directory, "nova.conf")
        with open(config, "w") as f:
            f.write(NOVA_CONF.format(state=directory, port=nova_port))
        nova = start([TWISTD, "-n", "--pidfile=", "nova", "--config-file", config],
                     cwd=directory, env=dict(os.environ, PYTHONPATH=SOURCE_ROOT))
        try:
            wait_for("http://127.0.0.1:%d/v2.1/servers" % nova_port)
            for count in (5, 100):
                results.append((count,) + measure(directory, nova, nova_port, count, options))
        finally:
            stop(nova)
    print("GET %s, wrk -t1 -c%d -d%ds, best of %d alternating rounds"
          % (PATH, options.connections, options.duration, options.rounds))
    for count, size, nova_load, bare_load in results:
        print("%3d servers (%7d bytes): novatx %8.1f req/s, bare twisted.web %8.1f req/s, ratio %.3f%s"
              % (count, size, nova_load.rate, bare_load.rate, nova_load.rate / bare_load.rate,
                 " (goal >= 0.4)" if count == 5 else ""))
        print("%27s CPU per request: novatx %.2f ms, bare %.2f ms"
              % ("", nova_load.cpu_ms, bare_load.cpu_ms))

if __name__ == "__main__":
    main()
