"""
Benchmark: the reads the read cache answers, each against a bare twisted.web
resource serving the same bytes for the same path, in the same run.

novatx runs as in L{compute_servers} (C{twistd -n nova}, compute API only,
noauth2, a fresh SQLite store, quotas lifted), once with one API worker and
once with two; the bare server runs as one process, then as two sharing the
port (C{SO_REUSEPORT}), so that both sides have the same processes. For each
figure C{wrk} drives novatx and bare in alternating rounds with the same
connections and duration; each run's ratio is novatx / bare of that run's
round pair, and every run is printed, with the median, and the CPU time each
side spent per request (which depends much less on what else the machine
runs; bare / novatx is the same ratio in CPU):

  - C{GET /v2.1/servers/detail} with 5 servers, and with 100;
  - C{GET /v2.1/servers/{id}};
  - C{GET /v2.1/limits};
  - C{GET /v2.1/os-keypairs} (one key pair).

    .venv/bin/python bench/read_cache.py [--runs 3] [--duration 3] [--connections 10]
        [--workers 1 2]

About 6 minutes with the defaults; every process it starts is stopped at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

import compute_servers as servers
from _support import Load, free_port, stop, wrk

#: A one-leaf twisted.web server answering each GET with the bytes kept for
#: its path, in N processes sharing the port:
#: C{python -c BARE_PATHS_SERVER PORT BODIES_JSON}; C{BARE_PROCESSES} set to N
#: forks N - 1 more after binding.
BARE_PATHS_SERVER = """
import json, os, socket, sys
from twisted.internet import reactor
from twisted.web import resource, server

bodies = {path.encode(): open(name, "rb").read()
          for path, name in json.load(open(sys.argv[2])).items()}

class Bare(resource.Resource):
    isLeaf = True

    def render_GET(self, request):
        request.setHeader(b"Content-Type", b"application/json")
        return bodies[request.path]

processes = int(os.environ.get("BARE_PROCESSES", "1"))
for _ in range(processes - 1):
    if os.fork() == 0:
        break
listening = socket.socket()
listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
listening.bind(("127.0.0.1", int(sys.argv[1])))
listening.listen(128)
listening.setblocking(False)
reactor.adoptStreamPort(listening.fileno(), socket.AF_INET, server.Site(Bare()))
listening.close()
reactor.run()
"""

#: Each figure: its label and the path under C{/v2.1} (C{{id}}: a server's).
FIGURES = [
    ("servers/detail, 5 servers", "/servers/detail"),
    ("servers/{id}", "/servers/{id}"),
    ("limits", "/limits"),
    ("os-keypairs", "/os-keypairs"),
]
DETAIL_100 = ("servers/detail, 100 servers", "/servers/detail")

#: The issue's goals for each figure.
GOALS = {"servers/detail, 5 servers": 0.25, "servers/detail, 100 servers": 0.15,
         "servers/{id}": 0.3, "limits": 0.3, "os-keypairs": 0.3}


def measure(nova_url: str, nova_pid: int, bare_url: str, bare_pid: int,
            options: argparse.Namespace) -> list[tuple[Load, Load]]:
    """Alternating rounds of novatx and bare, one pair per run."""
    headers = {"X-Auth-Token": servers.TOKEN}
    for url, pid in ((nova_url, nova_pid), (bare_url, bare_pid)):
        wrk(url, 1, options.connections, pid, headers)
    pairs = []
    for _ in range(options.runs):
        nova = wrk(nova_url, options.duration, options.connections, nova_pid, headers)
        bare = wrk(bare_url, options.duration, options.connections, bare_pid, headers)
        pairs.append((nova, bare))
    return pairs


def bodies(root: str, directory: str, figures: list[tuple[str, str]], server: str) -> str:
    """novatx's bytes for each figure's path, in files; the JSON index of them."""
    index = {}
    for number, (_, path) in enumerate(figures):
        path = "/v2.1" + path.replace("{id}", server)
        name = os.path.join(directory, "body-%d" % number)
        with open(name, "wb") as f:
            f.write(servers.call("GET", root + path[len("/v2.1"):]))
        index[path] = name
    index_file = os.path.join(directory, "bodies.json")
    with open(index_file, "w") as f:
        json.dump(index, f)
    return index_file


def run_workers(workers: int, options: argparse.Namespace) -> list[tuple[str, list]]:
    """Every figure with C{workers} novatx workers and as many bare processes."""
    results = []
    with tempfile.TemporaryDirectory() as directory:
        nova_port = free_port()
        config = os.path.join(directory, "nova.conf")
        with open(config, "w") as f:
            f.write(servers.NOVA_CONF.format(state=directory, port=nova_port).replace(
                "osapi_compute_workers = 1", "osapi_compute_workers = %d" % workers))
        nova = servers.start([servers.TWISTD, "-n", "--pidfile=", "nova", "--config-file", config],
                             cwd=directory, env=dict(os.environ, PYTHONPATH=servers.SOURCE_ROOT))
        try:
            root = "http://127.0.0.1:%d/v2.1" % nova_port
            servers.wait_for(root + "/servers")
            servers.call("POST", root + "/os-keypairs", {"keypair": {"name": "bench"}})
            for count, figures in ((5, FIGURES), (100, [DETAIL_100])):
                listed = json.loads(servers.grow_to(root, count))["servers"]
                index = bodies(root, directory, figures, listed[0]["id"])
                bare_port = free_port()
                bare = subprocess.Popen(
                    [sys.executable, "-c", BARE_PATHS_SERVER, str(bare_port), index],
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                    env=dict(os.environ, BARE_PROCESSES=str(workers)))
                try:
                    for label, path in figures:
                        path = "/v2.1" + path.replace("{id}", listed[0]["id"])
                        nova_url = "http://127.0.0.1:%d%s" % (nova_port, path)
                        bare_url = "http://127.0.0.1:%d%s" % (bare_port, path)
                        if servers.wait_for(bare_url) != servers.call("GET", nova_url):
                            raise SystemExit("the bare server does not serve novatx's bytes "
                                             "for %s" % path)
                        results.append((label, measure(nova_url, nova.pid, bare_url, bare.pid,
                                                       options)))
                finally:
                    stop(bare)
        finally:
            stop(nova)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="round pairs per figure")
    parser.add_argument("--duration", type=int, default=3, help="seconds per round")
    parser.add_argument("--connections", type=int, default=10, help="wrk connections")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2],
                        help="novatx workers (and bare processes) of each pass")
    options = parser.parse_args()
    print("wrk -t1 -c%d -d%ds, %d alternating round pairs per figure; ratio = novatx / bare"
          % (options.connections, options.duration, options.runs))
    for workers in options.workers:
        print("\n%d novatx worker(s) against %d bare twisted.web process(es):" % (workers, workers))
        for label, pairs in run_workers(workers, options):
            ratios = [nova.rate / bare.rate for nova, bare in pairs]
            print("  %-28s ratios %s, median %.3f (goal >= %.2f); novatx %s req/s, bare %s req/s"
                  % (label, " ".join("%.3f" % r for r in ratios), statistics.median(ratios),
                     GOALS[label], "/".join("%.0f" % n.rate for n, _ in pairs),
                     "/".join("%.0f" % b.rate for _, b in pairs)))
            print("  %-28s CPU per request: novatx %.2f ms, bare %.2f ms (medians), ratio %.3f"
                  % ("", statistics.median(n.cpu_ms for n, _ in pairs),
                     statistics.median(b.cpu_ms for _, b in pairs),
                     statistics.median(b.cpu_ms / n.cpu_ms for n, b in pairs)))


if __name__ == "__main__":
    main()
