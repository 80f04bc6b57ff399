"""
Benchmark: instructions per request, novatx against bare twisted.web, for the
read cache's figures (L{read_cache}): a count the machine's other load does
not move, where requests per second on a shared machine drift by a third
between runs.

novatx runs as in L{read_cache} (C{twistd -n nova}, compute API only, one
worker, noauth2, a fresh SQLite store: its servers are made by a native run
first), the bare server as there, one process serving novatx's bytes for each
path; both under valgrind's callgrind with its counting off. For each figure
one keep-alive connection sends 200 requests to warm up, then callgrind counts
every thread's instructions over C{--requests} more (the store's threads
included), on each server in turn.
The ratio bare / novatx is what the wall-clock benchmarks estimate, less what
the kernel does for both (the same sockets) and the cache misses.

    .venv/bin/python bench/instructions.py [--requests 1000]

Needs Debian's valgrind. About 5 minutes; every process it starts is stopped
at the end.
"""

from __future__ import annotations

import argparse
import glob
import http.client
import json
import os
import subprocess
import sys
import tempfile
import urllib.parse

import compute_servers as servers
import read_cache
from _support import free_port, stop

WARM_UP = 200


def under_callgrind(command: list[str], directory: str, name: str,
                    environment: dict[str, str]) -> subprocess.Popen:
    """C{command} under callgrind, counting nothing until told."""
    return subprocess.Popen(
        ["valgrind", "--tool=callgrind", "--instr-atstart=no",
         "--callgrind-out-file=" + os.path.join(directory, name + ".%p"), *command],
        cwd=directory, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def send(url: str, count: int) -> None:
    """C{count} GETs of C{url} on one keep-alive connection, each answered 200."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    try:
        for _ in range(count):
            connection.request("GET", parts.path, headers={"X-Auth-Token": servers.TOKEN})
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                raise SystemExit("%s answered %d" % (url, response.status))
    finally:
        connection.close()


def control(pid: int, *arguments: str) -> None:
    subprocess.run(["callgrind_control", *arguments, str(pid)], check=True,
                   capture_output=True)


def counted(process: subprocess.Popen, url: str, requests: int, directory: str,
            name: str) -> float:
    """Instructions per request of C{requests} GETs of C{url}, after a warm-up."""
    send(url, WARM_UP)
    control(process.pid, "--zero")
    control(process.pid, "--instr=on")
    send(url, requests)
    control(process.pid, "--instr=off")
    control(process.pid, "--dump")
    dumps = glob.glob(os.path.join(directory, "%s.%d.*" % (name, process.pid)))
    newest = max(dumps, key=lambda path: int(path.rsplit(".", 1)[1]))
    with open(newest, errors="replace") as f:
        totals = [int(line.split()[1]) for line in f
                  if line.startswith(("totals:", "summary:"))]
    return max(totals) / requests


def nova_command(config: str) -> list[str]:
    return [sys.executable, servers.TWISTD, "-n", "--pidfile=", "nova", "--config-file", config]


def prepare(directory: str, config: str, root: str, count: int) -> str:
    """
    Grow the store to C{count} servers (and one key pair) with novatx run
    natively, which is much quicker than under callgrind; a server's id.
    """
    nova = servers.start(nova_command(config), cwd=directory, env=_environment())
    try:
        servers.wait_for(root + "/servers")
        if not json.loads(servers.call("GET", root + "/os-keypairs"))["keypairs"]:
            servers.call("POST", root + "/os-keypairs", {"keypair": {"name": "bench"}})
        return json.loads(servers.grow_to(root, count))["servers"][0]["id"]
    finally:
        stop(nova)


def _environment() -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=servers.SOURCE_ROOT)


def run(options: argparse.Namespace) -> list[tuple[str, float, float]]:
    results = []
    with tempfile.TemporaryDirectory() as directory:
        nova_port = free_port()
        root = "http://127.0.0.1:%d/v2.1" % nova_port
        config = os.path.join(directory, "nova.conf")
        with open(config, "w") as f:
            f.write(servers.NOVA_CONF.format(state=directory, port=nova_port))
        for count, figures in ((5, read_cache.FIGURES), (100, [read_cache.DETAIL_100])):
            server = prepare(directory, config, root, count)
            nova = under_callgrind(nova_command(config), directory, "nova", _environment())
            bare = None
            try:
                servers.wait_for(root + "/servers", timeout=300)
                index = read_cache.bodies(root, directory, figures, server)
                bare_port = free_port()
                bare = under_callgrind(
                    [sys.executable, "-c", read_cache.BARE_PATHS_SERVER, str(bare_port), index],
                    directory, "bare", dict(os.environ, BARE_PROCESSES="1"))
                for label, path in figures:
                    path = "/v2.1" + path.replace("{id}", server)
                    nova_url = "http://127.0.0.1:%d%s" % (nova_port, path)
                    bare_url = "http://127.0.0.1:%d%s" % (bare_port, path)
                    if servers.wait_for(bare_url, timeout=300) != servers.call("GET", nova_url):
                        raise SystemExit("the bare server does not serve novatx's bytes "
                                         "for %s" % path)
                    results.append((
                        label,
                        counted(nova, nova_url, options.requests, directory, "nova"),
                        counted(bare, bare_url, options.requests, directory, "bare")))
            finally:
                for process in (bare, nova):
                    if process is not None:
                        stop(process, timeout=60)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=1000, help="counted requests per figure")
    options = parser.parse_args()
    results = run(options)
    print("instructions per request (callgrind, every thread), %d requests on one "
          "keep-alive connection" % options.requests)
    for label, nova, bare in results:
        print("%-28s novatx %9.0f  bare %9.0f  ratio %.3f (goal >= %s)"
              % (label, nova, bare, bare / nova, read_cache.GOALS[label]))


if __name__ == "__main__":
    main()
