"""
Benchmark: what the paste pipeline costs, native and across the WSGI bridge.

Four single-process servers on 127.0.0.1 answer the same small JSON, each
built by L{novatx.resources.loader.load_api} from its own paste file (except
the first):

  - bare: a one-leaf twisted.web C{Site}, the baseline;
  - native: C{compute_req_id faultwrap request_log sizelimit noauth2 app}, all
    native filters (nova's noauth2 pipeline without cors);
  - cors: the same behind C{cors} (oslo.middleware's WSGI middleware) with
    requests carrying an allowed C{Origin}, so each one crosses the bridge
    (reactor -> pool thread -> reactor and back);
  - wsgi app: the native filters in front of a WSGI terminal app
    (C{WSGIResource}, one thread hop).

C{wrk} drives each in turn with the same connections and duration; the ratios
against bare are printed.

    .venv/bin/python bench/paste_pipeline.py [--duration 5] [--connections 10]

A bounded run: 4 x (2 s warm-up + C{--duration}), about 30 s; the servers are
stopped at the end.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from email.message import Message

from _support import SOURCE_ROOT, free_port, wrk

BODY = b'{"ok": true}'
ORIGIN = "https://dashboard.example.com"
HEADERS = {"X-Auth-Token": "bench:bench", "Origin": ORIGIN}

SERVER = r"""
import sys
from twisted.internet import reactor
from twisted.web import resource, server

BODY = b'{"ok": true}'


class App(resource.Resource):
    isLeaf = True

    def render_GET(self, request):
        request.setHeader(b"Content-Type", b"application/json")
        return BODY


def app_factory(global_conf, **local_conf):
    return App()


def wsgi_app_factory(global_conf, **local_conf):
    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "application/json")])
        return [BODY]
    return app


mode, port = sys.argv[1], int(sys.argv[2])
if mode == "bare":
    tree = App()
else:
    from novatx.config import make_config
    from novatx.resources.loader import load_api
    from novatx.resources.runtime import Runtime

    conf = make_config([])
    conf.set_override("api_paste_config", sys.argv[3], "wsgi")
    conf.set_override("allowed_origin", [sys.argv[4]], "cors")
    tree = load_api(Runtime("osapi_compute", conf, None, reactor))
reactor.listenTCP(port, server.Site(tree), interface="127.0.0.1")
reactor.run()
"""

PASTE = """
[composite:osapi_compute]
use = egg:novatx#pipeline_factory
pipeline = {pipeline}

[app:app]
paste.app_factory = __main__:app_factory

[app:wsgiapp]
paste.app_factory = __main__:wsgi_app_factory

[filter:cors]
use = egg:novatx#cors

[filter:compute_req_id]
use = egg:novatx#compute_req_id

[filter:faultwrap]
use = egg:novatx#faultwrap

[filter:request_log]
use = egg:novatx#request_log

[filter:sizelimit]
use = egg:novatx#sizelimit

[filter:noauth2]
use = egg:novatx#noauth2
"""

NATIVE = "compute_req_id faultwrap request_log sizelimit noauth2"
SERVERS = (
    ("bare", None),
    ("native", NATIVE + " app"),
    ("cors", "cors " + NATIVE + " app"),
    ("wsgi app", NATIVE + " wsgiapp"),
)


def wait_for(url: str, timeout: float = 30.0) -> tuple[Message, bytes]:
    """Poll C{url} until it answers; returns its headers and body."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(
                urllib.request.Request(url, headers=HEADERS), timeout=2
            ) as r:
                return r.headers, r.read()
        except OSError:
            if time.monotonic() > deadline:
                raise SystemExit("no answer from %s within %ss" % (url, timeout))
            time.sleep(0.2)


def measured_rate(url: str, duration: int, connections: int) -> float:
    """Requests per second C{wrk} measured (after a short warm-up)."""
    wrk(url, 2, connections, headers=HEADERS)
    return wrk(url, duration, connections, headers=HEADERS).rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=5, help="seconds per measurement")
    parser.add_argument("--connections", type=int, default=10, help="wrk connections")
    options = parser.parse_args()
    environment = dict(os.environ, PYTHONPATH=SOURCE_ROOT)
    rates: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as directory:
        processes = []
        urls = {}
        try:
            for name, pipeline in SERVERS:
                port = free_port()
                arguments = [sys.executable, "-c", SERVER, name.split()[0], str(port)]
                if pipeline is not None:
                    paste = os.path.join(directory, name.replace(" ", "_") + ".ini")
                    with open(paste, "w") as f:
                        f.write(PASTE.format(pipeline=pipeline))
                    arguments += [paste, ORIGIN]
                processes.append(subprocess.Popen(arguments, env=environment))
                urls[name] = "http://127.0.0.1:%d/" % port
            for name, url in urls.items():
                headers, body = wait_for(url)
                if body != BODY:
                    raise SystemExit("%s does not serve the same bytes" % name)
                if name == "cors" and headers["Access-Control-Allow-Origin"] != ORIGIN:
                    raise SystemExit("the cors server did not run oslo.middleware's CORS")
            for name, url in urls.items():
                rates[name] = measured_rate(url, options.duration, options.connections)
        finally:
            for process in processes:
                process.terminate()
                process.wait(timeout=15)
    print(
        "GET / (%d bytes), wrk -t1 -c%d -d%ds" % (len(BODY), options.connections, options.duration)
    )
    for name, rate in rates.items():
        print("%-10s %10.1f req/s   ratio to bare %5.2f" % (name, rate, rate / rates["bare"]))


if __name__ == "__main__":
    main()
