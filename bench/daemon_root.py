"""
Issue 2's benchmark: C{GET /} of the compute API, novatx vs bare twisted.web.

Runs, in one go (well under a minute):
 1. C{twistd -n nova --enabled-apis osapi_compute} (one process, port 0): the
    time from spawning it to its first 200 on C{/}, first on a fresh
    C{state_path} (the start creates and seeds the store), then again on the
    store it left (an ordinary start, the one the goal is about, as nova's
    figure is: nova never creates its database as it starts);
 2. a bare twisted.web C{Resource} serving the very bytes novatx answered, in a
    process of its own;
 3. C{wrk} against each, one after the other, same settings: requests/s and
    their ratio (goal >= 0.5);
 4. the daemon again with C{osapi_compute_workers = 2}: RSS of each worker
    (goal < 80 MB) after some load.

Usage: C{python bench/daemon_root.py [--duration 4] [--rounds 2] [--connections 10]}
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request

from _support import stop, wrk

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(sys.executable)

BARE_SERVER = r"""
import sys
from twisted.internet import reactor
from twisted.web.resource import Resource
from twisted.web.server import Site

body = open(sys.argv[1], "rb").read()

class Root(Resource):
    isLeaf = True
    def render_GET(self, request):
        request.setHeader(b"content-type", b"application/json")
        return body

port = reactor.listenTCP(0, Site(Root()), interface="127.0.0.1")
print("port", port.getHost().port, flush=True)
reactor.run()
"""


def start_daemon(directory: str, workers: int, run: str) -> tuple[subprocess.Popen, float]:
    """Start the daemon on C{directory}'s store; C{run} names its log file."""
    conf = os.path.join(directory, "nova-%d.conf" % workers)
    with open(conf, "w") as f:
        f.write(
            "[DEFAULT]\nstate_path = %s\nosapi_compute_listen_port = 0\n"
            "osapi_compute_workers = %d\n" % (os.path.join(directory, "state"), workers)
        )
    # novatx's bytecode is cached (in the checkout's __pycache__), as an
    # installed package's is: an environment that forbids writing it
    # (PYTHONDONTWRITEBYTECODE) would have every start compile every module.
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([ROOT, os.environ.get("PYTHONPATH", "")]))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    log = os.path.join(directory, "twistd-%s.log" % run)
    started = time.monotonic()
    process = subprocess.Popen(
        [
            os.path.join(BIN, "twistd"),
            "-n",
            "--pidfile=",
            "--logfile",
            log,
            "nova",
            "--config-file",
            conf,
            "--enabled-apis",
            "osapi_compute",
        ],
        env=env,
        cwd=directory,
    )
    process.log = log
    return process, started


def _lines(process: subprocess.Popen):
    """Follow the daemon's log file (a pipe left unread would stall its logging)."""
    while not os.path.exists(process.log):
        time.sleep(0.01)
    with open(process.log) as f:
        while process.poll() is None:
            line = f.readline()
            if line:
                yield line
            else:
                time.sleep(0.01)


def wait_serving(process: subprocess.Popen, workers: int) -> tuple[int, list[int]]:
    """Read the log until compute serves: its port and its worker pids."""
    pids = []
    for line in _lines(process):
        match = re.search(r"started worker (\d+)", line)
        if match:
            pids.append(int(match.group(1)))
        match = re.search(
            r"\] osapi_compute serving on http://[^:]+:(\d+) \((pid|%d workers)" % workers, line
        )
        if match and (workers == 1 or "workers" in line):
            return int(match.group(1)), pids
    raise SystemExit("the daemon exited before serving")


def first_200(port: int, started: float) -> tuple[float, bytes]:
    while True:
        try:
            with urllib.request.urlopen("http://127.0.0.1:%d/" % port, timeout=5) as response:
                if response.status == 200:
                    return time.monotonic() - started, response.read()
        except OSError:
            time.sleep(0.01)


def measured_rate(port: int, duration: int, connections: int) -> float:
    """Requests per second C{wrk} measured against C{GET /} on C{port}."""
    return wrk("http://127.0.0.1:%d/" % port, duration, connections).rate


def rss_mb(pid: int) -> float:
    with open("/proc/%d/status" % pid) as f:
        kb = int(re.search(r"VmRSS:\s+(\d+) kB", f.read()).group(1))
    return kb / 1024.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--connections", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        daemon, started = start_daemon(directory, 1, "creating")
        try:
            port, _ = wait_serving(daemon, 1)
            creating_to_first_200, _ = first_200(port, started)
        finally:
            stop(daemon, timeout=30)
        daemon, started = start_daemon(directory, 1, "one-process")
        try:
            port, _ = wait_serving(daemon, 1)
            to_first_200, body = first_200(port, started)
            body_file = os.path.join(directory, "body.json")
            with open(body_file, "wb") as f:
                f.write(body)
            bare = subprocess.Popen(
                [sys.executable, "-c", BARE_SERVER, body_file], stdout=subprocess.PIPE, text=True
            )
            try:
                bare_port = int(bare.stdout.readline().split()[1])
                measured_rate(port, 1, args.connections)
                # Alternate, and keep each one's best: the machine's other
                # load then weighs on both alike.
                novatx_rps = bare_rps = 0.0
                for _ in range(args.rounds):
                    novatx_rps = max(novatx_rps, measured_rate(port, args.duration, args.connections))
                    bare_rps = max(bare_rps, measured_rate(bare_port, args.duration, args.connections))
            finally:
                stop(bare, timeout=30)
            single_rss = rss_mb(daemon.pid)
        finally:
            stop(daemon, timeout=30)
        daemon, _ = start_daemon(directory, 2, "workers")
        try:
            port, workers = wait_serving(daemon, 2)
            measured_rate(port, 2, args.connections)
            worker_rss = [rss_mb(pid) for pid in workers]
            parent_rss = rss_mb(daemon.pid)
        finally:
            stop(daemon, timeout=30)
    print(
        "GET / of osapi_compute, wrk -t1 -c%d -d%ds, best of %d alternated runs, %d bytes"
        % (args.connections, args.duration, args.rounds, len(body))
    )
    print("  novatx (one process)     %9.1f req/s" % novatx_rps)
    print("  bare twisted.web Resource %8.1f req/s" % bare_rps)
    print("  ratio                     %8.2f  (goal >= 0.5)" % (novatx_rps / bare_rps))
    print("start to first 200          %8.2f s (goal < 1 s)" % to_first_200)
    print("  first start, creating the store %.2f s" % creating_to_first_200)
    print("RSS one-process daemon      %8.1f MB" % single_rss)
    print(
        "RSS per worker (2 workers)  %s MB (goal < 80 MB); supervising parent %.1f MB"
        % (", ".join("%.1f" % r for r in worker_rss), parent_rss)
    )
    print("load average while measured: %s" % open("/proc/loadavg").read().split()[:3])


if __name__ == "__main__":
    main()
