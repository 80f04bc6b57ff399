"""
Benchmark: what C{[metrics] enabled = true} costs a request.

Two C{twistd -n nova} daemons (compute API only, C{--workers} workers, noauth2,
a fresh SQLite store each) run side by side, one with metrics off and one with them on;
C{wrk} drives them in alternating rounds with the same connections and
duration, on C{GET /v2.1/flavors/detail} (answered from memory: the request's
own cost shows). Each round's ratio on / off compares two measurements taken
moments apart; the median of the ratios, and the CPU time per request of each,
are printed. At the end the daemon with metrics scrapes its own C{/metrics}, and
its count of the path is printed beside the answers wrk read.

    .venv/bin/python bench/metrics_overhead.py [--duration 2] [--rounds 5] [--connections 10]
        [--workers 1]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import tempfile

from _support import TOKEN, free_port, start_nova, stop, wait_for, wrk

PATH = "/v2.1/flavors/detail"
COUNTED = re.compile(
    r'^novatx_http_requests_total\{api="osapi_compute",method="GET",'
    r'route="/v2.1/flavors/detail",status="200"\} ([0-9.e+]+)$', re.M)


def start(directory: str, port: int, metrics: bool, workers: int) -> subprocess.Popen:
    os.makedirs(directory)
    environment = {k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
    return start_nova(directory, "osapi_compute_listen = 127.0.0.1\n"
                      "osapi_compute_listen_port = %d\nosapi_compute_workers = %d\n"
                      "[metrics]\nenabled = %s\n"
                      % (port, workers, "true" if metrics else "false"), environment)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=2, help="seconds per measurement")
    parser.add_argument("--rounds", type=int, default=5, help="alternating measurements of each")
    parser.add_argument("--connections", type=int, default=10, help="wrk connections")
    parser.add_argument("--workers", type=int, default=1, help="osapi_compute_workers")
    options = parser.parse_args()
    headers = {"X-Auth-Token": TOKEN, "Accept": "application/json"}
    with tempfile.TemporaryDirectory() as directory:
        off_port, on_port = free_port(), free_port()
        processes = [start(os.path.join(directory, "off"), off_port, False, options.workers),
                     start(os.path.join(directory, "on"), on_port, True, options.workers)]
        try:
            off_url = "http://127.0.0.1:%d%s" % (off_port, PATH)
            on_url = "http://127.0.0.1:%d%s" % (on_port, PATH)
            wait_for(off_url, headers, timeout=120.0)
            wait_for(on_url, headers, timeout=120.0)
            off_pid, on_pid = processes[0].pid, processes[1].pid
            token = {"X-Auth-Token": TOKEN}
            sent = 1
            wrk(off_url, 2, options.connections, off_pid, token)
            sent += wrk(on_url, 2, options.connections, on_pid, token).requests
            off, on = [], []
            for _ in range(options.rounds):
                off.append(wrk(off_url, options.duration, options.connections, off_pid, token))
                on.append(wrk(on_url, options.duration, options.connections, on_pid, token))
                sent += on[-1].requests
            exposition = wait_for("http://127.0.0.1:%d/metrics" % on_port, {}).decode()
        finally:
            for process in processes:
                stop(process)
    counted = COUNTED.search(exposition)
    ratios = sorted(n.rate / f.rate for n, f in zip(on, off))
    off_cpu = sorted(f.cpu_ms for f in off)[len(off) // 2]
    on_cpu = sorted(n.cpu_ms for n in on)[len(on) // 2]
    print("GET %s, %d worker(s), wrk -t1 -c%d -d%ds, %d alternating rounds"
          % (PATH, options.workers, options.connections, options.duration, options.rounds))
    print("metrics off: %s req/s" % " ".join("%7.1f" % f.rate for f in off))
    print("metrics on:  %s req/s" % " ".join("%7.1f" % n.rate for n in on))
    print("ratio on/off: %.3f (median of the rounds' ratios)" % ratios[len(ratios) // 2])
    print("CPU per request: off %.3f ms, on %.3f ms" % (off_cpu, on_cpu))
    print("answers the client read from the daemon with metrics: %d; its /metrics counted %s "
          "(no fewer: wrk drops the answers in flight when it stops)"
          % (sent, counted.group(1) if counted else "nothing"))


if __name__ == "__main__":
    main()
