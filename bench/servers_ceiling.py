"""
How far C{GET /v2.1/servers/detail} (5 servers) could go, against a bare
twisted.web resource serving the same bytes, each in the same run.

Issue 5 asks for 0.4 of bare. This measures three versions of the internal
API's C{list_servers} in C{twistd -n nova}, set up as in
L{compute_servers} (one worker, SQLite, noauth2):

  - C{tree}: the code as it is (one coalesced store read per batch of
    waiting requests);
  - C{hop}: the last page read for the same caller and query, handed out
    after one round trip through the database thread pool per batch, the
    least an exact "has anything changed?" check would cost;
  - C{memory}: the same page handed out at once, with no store access.

The last two are not correct (they never see a change once the page is
kept); they are patched in through a C{sitecustomize} module on the daemon's
C{PYTHONPATH}, for this measurement only, and only once all five servers are
ACTIVE.

    .venv/bin/python bench/servers_ceiling.py [tree hop memory]

About 70 seconds; every process it starts is stopped at the end.
"""

from __future__ import annotations

import os
import sys
import tempfile

import compute_servers as servers
from _support import BARE_JSON_SERVER, Load, free_port, stop, wrk

COUNT = 5

#: The patch, imported by the daemon at start when C{CEILING_MODE} is set.
SITECUSTOMIZE = '''
import os

if os.environ.get("CEILING_MODE"):
    from twisted.internet.defer import succeed
    from twisted.internet.threads import deferToThreadPool

    from novatx.compute.api import servers as api

    mode, count = os.environ["CEILING_MODE"], int(os.environ["CEILING_COUNT"])
    original = api.ServersAPI.list_servers

    def list_servers(self, context, query):
        key = (context.project_id, context.user_id, context.is_admin, context.roles, query)
        kept = self.__dict__.setdefault("_ceiling_pages", {})
        if key in kept:
            page = kept[key]
            if mode == "memory":
                return succeed(page)
            store = self._store
            return self._listings.read(key, lambda: deferToThreadPool(
                store._reactor, store._pool, lambda: None).addCallback(lambda _: page))

        def keep(page):
            if len(page.items) == count and all(i.status == "ACTIVE" for i in page.items):
                kept[key] = page
            return page
        return original(self, context, query).addCallback(keep)

    api.ServersAPI.list_servers = list_servers
'''


def best(url: str, pid: int, headers: dict) -> Load:
    wrk(url, 1, 10, pid, headers)
    return max((wrk(url, 3, 10, pid, headers) for _ in range(2)), key=lambda load: load.rate)


def measure(mode: str) -> tuple[Load, Load]:
    """novatx's and bare's best rounds with C{list_servers} as C{mode} has it."""
    with tempfile.TemporaryDirectory() as directory:
        with open(os.path.join(directory, "sitecustomize.py"), "w") as f:
            f.write(SITECUSTOMIZE)
        port = free_port()
        config = os.path.join(directory, "nova.conf")
        with open(config, "w") as f:
            f.write(servers.NOVA_CONF.format(state=directory, port=port))
        env = dict(os.environ, PYTHONPATH=servers.SOURCE_ROOT + os.pathsep + directory,
                   CEILING_COUNT=str(COUNT))
        if mode != "tree":
            env["CEILING_MODE"] = mode
        nova = servers.start([servers.TWISTD, "-n", "--pidfile=", "nova", "--config-file", config],
                             cwd=directory, env=env)
        try:
            servers.wait_for("http://127.0.0.1:%d/v2.1/servers" % port)
            body_file = os.path.join(directory, "body.json")
            with open(body_file, "wb") as f:
                f.write(servers.grow_to("http://127.0.0.1:%d/v2.1" % port, COUNT))
            bare_port = free_port()
            bare = servers.start([sys.executable, "-c", BARE_JSON_SERVER, str(bare_port), body_file])
            try:
                bare_url = "http://127.0.0.1:%d%s" % (bare_port, servers.PATH)
                servers.wait_for(bare_url)
                headers = {"X-Auth-Token": servers.TOKEN}
                return (best("http://127.0.0.1:%d%s" % (port, servers.PATH), nova.pid, headers),
                        best(bare_url, bare.pid, headers))
            finally:
                stop(bare)
        finally:
            stop(nova)


def main() -> None:
    modes = sys.argv[1:] or ["tree", "hop", "memory"]
    print("GET %s, %d servers, wrk -t1 -c10 -d3s, best of 2 rounds each" % (servers.PATH, COUNT))
    for mode in modes:
        nova, bare = measure(mode)
        print("  %-7s novatx %7.1f req/s (%.2f ms CPU)  bare %8.1f req/s  ratio %.3f"
              % (mode, nova.rate, nova.cpu_ms, bare.rate, nova.rate / bare.rate), flush=True)


if __name__ == "__main__":
    main()
