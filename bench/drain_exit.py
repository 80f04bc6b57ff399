"""
Issue 17's figure: how long after SIGTERM the daemon is gone when requests
never finish, against the goal of C{graceful_shutdown_timeout} + 2 s.

Each round starts C{twistd -n nova} with the compute API in two workers and the
EC2 API in the daemon process (the test apps of C{novatx.services.test.apps}),
holds one request that never ends on each, sends SIGTERM, and times the exit.

Usage: C{python bench/drain_exit.py [--rounds 3] [--grace 2]}
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import subprocess
import tempfile
import time

from _support import SOURCE_ROOT, TWISTD

SERVING = re.compile(r"\[novatx\.services\.api\.APIService#info\] (\w+) serving on \S+:(\d+) ")


def write_files(directory: str, grace: int) -> str:
    paste = os.path.join(directory, "api-paste.ini")
    with open(paste, "w") as f:
        for api in ("osapi_compute", "ec2", "metadata"):
            f.write("[app:%s]\nuse = call:novatx.services.test.apps:hello_factory\n\n" % api)
    conf = os.path.join(directory, "nova.conf")
    with open(conf, "w") as f:
        f.write(
            "[DEFAULT]\nstate_path = %s\nenabled_apis = osapi_compute,ec2\n"
            "osapi_compute_listen_port = 0\nec2_listen_port = 0\n"
            "osapi_compute_workers = 2\nec2_workers = 1\ngraceful_shutdown_timeout = %d\n"
            "[wsgi]\napi_paste_config = %s\n" % (os.path.join(directory, "state"), grace, paste)
        )
    return conf


def one_round(grace: int) -> float:
    with tempfile.TemporaryDirectory() as directory:
        conf = write_files(directory, grace)
        log = open(os.path.join(directory, "log"), "w+")
        daemon = subprocess.Popen(
            [TWISTD, "-n", "--pidfile=", "nova", "--config-file", conf],
            stdout=log, stderr=subprocess.STDOUT, cwd=directory,
            env=dict(os.environ, PYTHONPATH=SOURCE_ROOT),
        )
        ports: dict[str, int] = {}
        while len(ports) < 2:
            log.seek(0)
            ports = {m.group(1): int(m.group(2)) for m in SERVING.finditer(log.read())}
            time.sleep(0.1)
        held = []
        for port in ports.values():
            sock = socket.create_connection(("127.0.0.1", port))
            sock.sendall(b"GET /slow?seconds=600 HTTP/1.1\r\nHost: x\r\n\r\n")
            held.append(sock)
        time.sleep(1.0)
        started = time.monotonic()
        daemon.send_signal(signal.SIGTERM)
        daemon.wait()
        elapsed = time.monotonic() - started
        for sock in held:
            sock.close()
        return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--grace", type=int, default=2)
    options = parser.parse_args()
    times = [one_round(options.grace) for _ in range(options.rounds)]
    print(
        "SIGTERM to exit with requests that never end, graceful_shutdown_timeout = %d s: %s "
        "(goal <= %d s)"
        % (options.grace, ", ".join("%.2f s" % t for t in times), options.grace + 2)
    )


if __name__ == "__main__":
    main()
