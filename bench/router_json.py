"""
Benchmark: a klein route of the extension router, returning a small JSON,
through the full noauth2 pipeline, against a bare twisted.web resource serving
the same bytes.

Three single-process servers on 127.0.0.1, each in its own process:

  - bare: a one-leaf twisted.web C{Site} answering C{{"ok": true}}, the baseline;
  - router: the compute API's router alone (L{novatx.resources.router}), mounted
    at C{/v2.1}: microversion negotiation, klein routing, dispatch, JSON
    encoding, for a route with C{auth=False};
  - pipeline: the packaged C{api-paste.ini}'s C{osapi_compute} composite with
    C{[api] auth_strategy = noauth2} (cors, http_proxy_to_wsgi, compute_req_id,
    faultwrap, request_log, sizelimit, noauth2, then the router), a route
    checked against a policy rule, called with a noauth2 token.

The router serves one test extension (the route under test) and no core
extensions, so only the framework is measured, not the store. C{wrk} drives
each server in turn with the same connections and duration; the ratio of each
to bare is printed (the issue's goal: pipeline/bare >= 0.5).

    .venv/bin/python bench/router_json.py [--duration 5] [--connections 10]

A bounded run: 3 x (2 s warm-up + C{--duration}), about 25 s; the servers are
stopped at the end.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
import urllib.request

from _support import SOURCE_ROOT, free_port, wrk

BODY = b'{"ok": true}'
HEADERS = {"X-Auth-Token": "bench:bench"}

SERVER = r"""
import sys
from twisted.internet import reactor
from twisted.web import resource, server

BODY = b'{"ok": true}'


class Bare(resource.Resource):
    isLeaf = True

    def render_GET(self, request):
        request.setHeader(b"Content-Type", b"application/json")
        return BODY


def router_tree(mode):
    from oslo_policy.policy import RuleDefault
    from stevedore.extension import Extension, ExtensionManager
    from zope.interface import implementer

    from novatx.config import make_config
    from novatx.extensions import compute
    from novatx.extensions.interfaces import IPolicyDefaultsProvider, IResourceExtension, Route
    from novatx.resources import router, runtime as runtime_module
    from novatx.resources.loader import load_api

    compute.CORE_ALIASES = ()

    @implementer(IResourceExtension, IPolicyDefaultsProvider)
    class Bench:
        name = alias = "bench"
        version = 1
        api = "osapi_compute"

        def setup(self, context):
            pass

        def routes(self):
            ok = lambda request: {"ok": True}
            return [
                Route("/open", ("GET",), ok, "bench.open", auth=False),
                Route("/bench", ("GET",), ok, "bench.get", policy="bench:get"),
            ]

        def actions(self):
            return {}

        def policies(self):
            return [RuleDefault("bench:get", "rule:project_reader_or_admin")]

    conf = make_config([])
    conf.set_override("auth_strategy", "noauth2", "api")
    rt = runtime_module.Runtime("osapi_compute", conf, None, reactor)
    empty = ExtensionManager.make_test_instance([])
    router.table_for(
        rt,
        manager=ExtensionManager.make_test_instance([Extension("bench", None, Bench, Bench())]),
        hook_manager=empty,
    )
    if mode == "pipeline":
        return load_api(rt)
    key = rt.register()
    root = resource.Resource()
    root.putChild(b"v2.1", router.osapi_compute_app_factory({runtime_module.GLOBAL_CONF_KEY: key}))
    return root


mode, port = sys.argv[1], int(sys.argv[2])
tree = Bare() if mode == "bare" else router_tree(mode)
reactor.listenTCP(port, server.Site(tree), interface="127.0.0.1")
reactor.run()
"""

SERVERS = (("bare", "/"), ("router", "/v2.1/open"), ("pipeline", "/v2.1/bench"))


def wait_for(url: str, timeout: float = 30.0) -> bytes:
    """Poll C{url} until it answers; returns its body."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers=HEADERS), timeout=2) as r:
                return r.read()
        except OSError:
            if time.monotonic() > deadline:
                raise SystemExit("no answer from %s within %ss" % (url, timeout))
            time.sleep(0.2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=3, help="seconds per measurement")
    parser.add_argument("--rounds", type=int, default=3, help="measurements of each server, interleaved")
    parser.add_argument("--connections", type=int, default=10, help="wrk connections")
    options = parser.parse_args()
    environment = dict(os.environ, PYTHONPATH=SOURCE_ROOT)
    rates: dict[str, list[float]] = {name: [] for name, _ in SERVERS}
    costs: dict[str, list[float]] = {name: [] for name, _ in SERVERS}
    processes = {}
    urls = {}
    try:
        for name, path in SERVERS:
            port = free_port()
            processes[name] = subprocess.Popen([sys.executable, "-c", SERVER, name, str(port)], env=environment)
            urls[name] = "http://127.0.0.1:%d%s" % (port, path)
        for name, url in urls.items():
            if wait_for(url) != BODY:
                raise SystemExit("%s does not serve the same bytes" % name)
            wrk(url, 1, options.connections, processes[name].pid, HEADERS)
        for _ in range(options.rounds):
            for name, url in urls.items():
                load = wrk(url, options.duration, options.connections, processes[name].pid, HEADERS)
                rates[name].append(load.rate)
                costs[name].append(load.cpu_ms * 1000)
    finally:
        for process in processes.values():
            process.terminate()
            process.wait(timeout=15)
    print(
        "small JSON (%d bytes), wrk -t1 -c%d -d%ds, %d interleaved rounds (medians)"
        % (len(BODY), options.connections, options.duration, options.rounds)
    )
    for name in rates:
        ratios = [rate / bare for rate, bare in zip(rates[name], rates["bare"])]
        cost_ratios = [bare / cost for cost, bare in zip(costs[name], costs["bare"])]
        print(
            "  %-9s %7.0f req/s  ratio to bare %.2f   %5.0f us CPU/request  CPU ratio to bare %.2f"
            % (
                name,
                statistics.median(rates[name]),
                statistics.median(ratios),
                statistics.median(costs[name]),
                statistics.median(cost_ratios),
            )
        )


if __name__ == "__main__":
    main()
