"""
Benchmark: C{GET /v2.1/flavors/detail} on novatx against a bare twisted.web
resource serving the same bytes, in the same run.

Both servers run as their own single process on 127.0.0.1: C{twistd -n nova}
(compute API only, one worker, noauth2, a fresh SQLite store) and a one-leaf
twisted.web C{Site} that answers every request with the bytes novatx answered.
C{wrk} drives them in alternating rounds with the same connections, threads and
duration; each round's ratio novatx / bare compares two measurements taken
moments apart (so a shared machine's load drifting weighs on both), and the
median of those ratios is what the project tracks (goal: >= 0.4).

    .venv/bin/python bench/compute_flavors.py [--duration 2] [--rounds 5] [--connections 10]

A bounded run: 2-second warm-ups, then C{2 * rounds} measurements of
C{--duration} seconds, about 25 seconds in all; the servers are stopped at the end.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile

from _support import BARE_JSON_SERVER, TOKEN, free_port, start_nova, stop, wait_for, wrk

PATH = "/v2.1/flavors/detail"


def start_novatx(directory: str, port: int) -> subprocess.Popen:
    return start_nova(directory, "osapi_compute_listen = 127.0.0.1\n"
                      "osapi_compute_listen_port = %d\nosapi_compute_workers = 1\n" % port)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=2, help="seconds per measurement")
    parser.add_argument("--rounds", type=int, default=5, help="alternating measurements of each server")
    parser.add_argument("--connections", type=int, default=10, help="wrk connections")
    options = parser.parse_args()
    headers = {"X-Auth-Token": TOKEN, "Accept": "application/json"}
    with tempfile.TemporaryDirectory() as directory:
        nova_port, bare_port = free_port(), free_port()
        processes = [start_novatx(directory, nova_port)]
        try:
            nova_url = "http://127.0.0.1:%d%s" % (nova_port, PATH)
            body = wait_for(nova_url, headers)
            body_file = os.path.join(directory, "body.json")
            with open(body_file, "wb") as f:
                f.write(body)
            processes.append(
                subprocess.Popen([sys.executable, "-c", BARE_JSON_SERVER, str(bare_port), body_file])
            )
            bare_url = "http://127.0.0.1:%d%s" % (bare_port, PATH)
            if wait_for(bare_url, headers) != body:
                raise SystemExit("the bare server does not serve novatx's bytes")
            nova_pid, bare_pid = processes[0].pid, processes[1].pid
            token = {"X-Auth-Token": TOKEN}
            wrk(nova_url, 2, options.connections, nova_pid, token)
            wrk(bare_url, 2, options.connections, bare_pid, token)
            nova, bare = [], []
            for _ in range(options.rounds):
                nova.append(wrk(nova_url, options.duration, options.connections, nova_pid, token))
                bare.append(wrk(bare_url, options.duration, options.connections, bare_pid, token))
            ratios = sorted(n.rate / b.rate for n, b in zip(nova, bare))
            nova_cpu = sorted(n.cpu_ms for n in nova)[len(nova) // 2]
            bare_cpu = sorted(b.cpu_ms for b in bare)[len(bare) // 2]
        finally:
            for process in processes:
                stop(process)
    print("GET %s (%d bytes), wrk -t1 -c%d -d%ds, %d alternating rounds"
          % (PATH, len(body), options.connections, options.duration, options.rounds))
    print("novatx:           %s req/s" % " ".join("%7.1f" % n.rate for n in nova))
    print("bare twisted.web: %s req/s" % " ".join("%7.1f" % b.rate for b in bare))
    print("ratio:            %.2f (median of the rounds' ratios; goal >= 0.4)" % ratios[len(ratios) // 2])
    print("CPU per request:  novatx %.2f ms, bare %.2f ms (ratio %.2f)"
          % (nova_cpu, bare_cpu, bare_cpu / nova_cpu))


if __name__ == "__main__":
    main()
