"""
What the benchmark scripts share: a free port, stopping a child, and the bare
twisted.web server that is every ratio's baseline.

The scripts run as C{python bench/NAME.py}, so this module is importable as
C{_support} from their folder.
"""

from __future__ import annotations

import socket
import subprocess

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


def stop(process: subprocess.Popen, timeout: float = 15) -> None:
    """SIGTERM a child, and SIGKILL it if it has not exited within C{timeout}."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
