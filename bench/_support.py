"""
What the benchmark scripts share: a free port, starting C{twistd nova} and
waiting for its answer, stopping a child, the bare twisted.web server that is
every ratio's baseline, and C{wrk} runs that also take the server's CPU time
per request.

The scripts run as C{python bench/NAME.py}, so this module is importable as
C{_support} from their folder.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from typing import Mapping

TWISTD = os.path.join(os.path.dirname(sys.executable), "twistd")
SOURCE_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
#: noauth2's token: user C{bench} of project C{bench}.
TOKEN = "bench:bench"

#: A one-leaf twisted.web server answering every GET with a file's bytes as
#: JSON: C{python -c BARE_JSON_SERVER PORT BODY_FILE}.
BARE_JSON_SERVER = """
import sys
from twisted.internet import reactor
from twisted.web import resource, server

body = open(sys.argv[2], "rb").read()

class Bare(resource.Resource):
    isLeaf = True

    def render_GET(self, request):
        request.setHeader(b"Content-Type", b"application/json")
        return body

reactor.listenTCP(int(sys.argv[1]), server.Site(Bare()), interface="127.0.0.1")
reactor.run()
"""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_nova(directory: str, settings: str,
               environment: Mapping[str, str] | None = None) -> subprocess.Popen:
    """
    C{twistd -n nova} on a C{nova.conf} written in C{directory} (also its
    C{state_path}): C{[DEFAULT] state_path} and C{enabled_apis =
    osapi_compute}, then C{settings}, which start with a section header.
    """
    config = os.path.join(directory, "nova.conf")
    with open(config, "w") as f:
        f.write("[DEFAULT]\nstate_path = %s\nenabled_apis = osapi_compute\n%s"
                % (directory, settings))
    environment = dict(os.environ if environment is None else environment,
                       PYTHONPATH=SOURCE_ROOT)
    return subprocess.Popen(
        [TWISTD, "-n", "--pidfile=", "nova", "--config-file", config],
        cwd=directory, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


def wait_for(url: str, headers: Mapping[str, str], timeout: float = 30.0) -> bytes:
    """Poll C{url} until it answers 200; returns the body."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            request = urllib.request.Request(url, headers=dict(headers))
            with urllib.request.urlopen(request, timeout=2) as response:
                return response.read()
        except OSError:
            if time.monotonic() > deadline:
                raise SystemExit("no answer from %s within %ss" % (url, timeout))
            time.sleep(0.2)


def stop(process: subprocess.Popen, timeout: float = 15) -> None:
    """SIGTERM a child, and SIGKILL it if it has not exited within C{timeout}."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def process_tree(pid: int) -> list[int]:
    """C{pid} and its descendants (twistd's API workers are its children)."""
    found = [pid]
    for task in os.listdir("/proc/%d/task" % pid):
        with open("/proc/%d/task/%s/children" % (pid, task)) as f:
            for child in f.read().split():
                found.extend(process_tree(int(child)))
    return found


def cpu_seconds(pid: int) -> float:
    """User and system CPU time used so far by C{pid} and its descendants."""
    total = 0
    for member in process_tree(pid):
        with open("/proc/%d/stat" % member) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Load:
    """
    What one C{wrk} run measured: the rate, the error answers, and the
    server's CPU milliseconds per request (None when no process was watched).
    """

    rate: float
    requests: int
    non_2xx: int
    cpu_ms: float | None


def wrk(url: str, duration: int, connections: int, pid: int | None = None,
        headers: Mapping[str, str] | None = None, script: str | None = None,
        allow_errors: bool = False) -> Load:
    """
    Run C{wrk -t1} against C{url} (with C{headers}, or the Lua C{script}),
    and take the CPU time process C{pid} (and its children) spent meanwhile:
    the rate depends on what else the machine runs, the CPU per request much
    less. An error answer ends the benchmark unless C{allow_errors}.
    """
    command = ["wrk", "-t1", "-c%d" % connections, "-d%ds" % duration]
    for name, value in (headers or {}).items():
        command += ["-H", "%s: %s" % (name, value)]
    if script is not None:
        command += ["-s", script]
    before = cpu_seconds(pid) if pid is not None else 0.0
    output = subprocess.run(command + [url], check=True, capture_output=True, text=True).stdout
    spent = cpu_seconds(pid) - before if pid is not None else None
    rate = re.search(r"Requests/sec:\s+([0-9.]+)", output)
    count = re.search(r"(\d+) requests in", output)
    if rate is None or count is None:
        raise SystemExit("wrk printed no rate:\n" + output)
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    non_2xx = int(errors.group(1)) if errors else 0
    if non_2xx and not allow_errors:
        raise SystemExit("%s answered errors under load:\n%s" % (url, output))
    requests = int(count.group(1))
    cpu_ms = None if spent is None else 1000.0 * spent / max(requests, 1)
    return Load(float(rate.group(1)), requests, non_2xx, cpu_ms)
