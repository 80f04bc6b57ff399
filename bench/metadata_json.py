"""
Benchmark: C{GET /openstack/latest/meta_data.json} from the metadata API.

Single-process servers on 127.0.0.1, driven in turn by C{wrk} with the same
connections and duration:

  - bare: a one-leaf twisted.web C{Site} answering the bytes novatx answered
    for the first instance, the baseline;
  - one instance: novatx's metadata pipeline (C{api-paste.ini}, the store in
    SQLite) in the site the daemon serves it with (L{APISite}: its limits, and
    no access line of twisted.web's beside the pipeline's own), every request
    for one instance, from its cache once warm;
  - 200 instances, cache warm: the requests name 200 instances in turn
    (C{X-Forwarded-For}, with C{[api] use_forwarded_for}), each already cached
    (the cache kept for an hour here, so no entry expires during the run);
  - 200 instances, cache cold: the same with C{[api] metadata_cache_expiration}
    0, so every request reads the store.

The servers are driven in slices, each in turn, C{--rounds} times; the median
slice of each and its ratio against bare are printed (the goal for one
instance: >= 0.5).

    .venv/bin/python bench/metadata_json.py [--duration 2] [--rounds 3] [--connections 10]

A bounded run: 4 x rounds x duration (24 s by default), plus the servers'
start and the 200 servers' creation (15 to 30 s); they are stopped at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

from _support import stop, wrk

PATH = "/openstack/latest/meta_data.json"
INSTANCES = 200


def _config(state: str, cache_expiration: int):
    from novatx.config import make_config

    conf = make_config([])
    conf.set_override("state_path", state)
    conf.set_override("connection", "sqlite:///" + os.path.join(state, "nova.sqlite"), "database")
    conf.set_override("use_forwarded_for", True, "api")
    conf.set_override("metadata_cache_expiration", cache_expiration, "api")
    conf.set_override("fixed_range", "10.0.0.0/23", "network")
    conf.set_override("boot_seconds", 0.0, "simulated")
    for quota in ("instances", "cores", "ram"):
        conf.set_override(quota, -1, "quota")
    return conf


async def _create(api, count: int) -> list[str]:
    """Make C{count} servers with a key pair and metadata; their fixed IPs."""
    from twisted.internet import reactor
    from twisted.internet.task import deferLater

    from novatx.compute.context import RequestContext
    from novatx.compute.interfaces import CreateRequest

    context = RequestContext(user_id="bench", project_id="bench")
    await api.create_key_pair(context, "bench")
    image = (await api.list_images(context)).items[0]
    created = await api.create_servers(
        context,
        CreateRequest(
            name="bench", flavor_id="1", image_id=image.id, min_count=count, max_count=count,
            key_name="bench", metadata={"role": "bench", "tier": "web"},
        ),
    )
    addresses: dict[str, str] = {}
    while len(addresses) < count:
        for server in created:
            if server.uuid not in addresses:
                record = await api.get_server(context, server.uuid)
                if record.fixed_ip:
                    addresses[server.uuid] = record.fixed_ip
        await deferLater(reactor, 0.05, lambda: None)
    return [addresses[server.uuid] for server in created]


def serve_novatx(state: str, cache_expiration: int, create: bool) -> None:
    """Child: serve the metadata API over the store in C{state}."""
    from twisted.internet import defer, reactor

    from novatx.compute.service import ComputeService
    from novatx.resources.loader import load_api
    from novatx.resources.runtime import Runtime
    from novatx.services.channel import APISite
    from novatx.services.settings import URL_LIMITS

    async def start():
        conf = _config(state, cache_expiration)
        service = ComputeService(conf, reactor)
        await service.startService()
        reactor.addSystemEventTrigger("before", "shutdown", service.stopService)
        if create:
            addresses = await _create(service.api, INSTANCES)
            with open(os.path.join(state, "addresses.json"), "w") as f:
                json.dump(addresses, f)
        site = APISite(
            load_api(Runtime("metadata", conf, service.api, reactor)),
            api_name="metadata",
            url_limit=URL_LIMITS["metadata"],
            max_header_line=conf.wsgi.max_header_line,
            keep_alive=conf.wsgi.keep_alive,
            reactor=reactor,
        )
        port = reactor.listenTCP(0, site, interface="127.0.0.1", backlog=1024)
        print(port.getHost().port, flush=True)

    def failed(failure):
        failure.printTraceback()
        reactor.stop()

    reactor.callWhenRunning(lambda: defer.ensureDeferred(start()).addErrback(failed))
    reactor.run()


def serve_bare(body_file: str) -> None:
    """Child: serve the bytes in C{body_file} at every path."""
    from twisted.internet import reactor
    from twisted.web import resource, server

    with open(body_file, "rb") as f:
        body = f.read()

    class Bare(resource.Resource):
        isLeaf = True

        def render_GET(self, request):
            request.setHeader(b"Content-Type", b"application/json")
            return body

    port = reactor.listenTCP(0, server.Site(Bare()), interface="127.0.0.1", backlog=1024)
    print(port.getHost().port, flush=True)
    reactor.run()


def _spawn(args: list[str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, os.path.abspath(__file__)] + args,
                            stdout=subprocess.PIPE, text=True)


def _port(child: subprocess.Popen) -> int:
    """The port a child prints once it serves."""
    line = child.stdout.readline()
    if not line.strip().isdigit():
        child.kill()
        raise SystemExit("server did not start: %r" % line)
    return int(line)


def _rotation_script(directory: str, addresses: list[str]) -> str:
    path = os.path.join(directory, "rotate.lua")
    with open(path, "w") as f:
        f.write("local addresses = {%s}\n" % ", ".join('"%s"' % a for a in addresses))
        f.write("local n = 0\n")
        f.write("request = function()\n")
        f.write("  n = n % #addresses + 1\n")
        f.write('  return wrk.format("GET", "%s", {["X-Forwarded-For"] = addresses[n]})\n' % PATH)
        f.write("end\n")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--duration", type=int, default=2, help="seconds of each slice")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=10)
    options = parser.parse_args()
    state = tempfile.mkdtemp(prefix="novatx-bench-md-")
    children: list[subprocess.Popen] = []
    try:
        started = time.monotonic()
        warm = _spawn(["--serve", state, "3600", "create"])
        children.append(warm)
        warm_port = _port(warm)
        print("200 servers made and served in %.1f s" % (time.monotonic() - started), file=sys.stderr)
        with open(os.path.join(state, "addresses.json")) as f:
            addresses = json.load(f)
        first = {"X-Forwarded-For": addresses[0]}
        request = urllib.request.Request("http://127.0.0.1:%d%s" % (warm_port, PATH), headers=first)
        body = urllib.request.urlopen(request).read()
        body_file = os.path.join(state, "meta_data.json")
        with open(body_file, "wb") as f:
            f.write(body)
        bare = _spawn(["--serve-bare", body_file])
        cold = _spawn(["--serve", state, "0", "reuse"])
        children += [bare, cold]
        bare_port, cold_port = _port(bare), _port(cold)
        rotate = {"script": _rotation_script(state, addresses)}
        runs = [
            ("bare twisted.web", bare_port, {}),
            ("novatx, one instance", warm_port, {"headers": {"X-Forwarded-For": addresses[0]}}),
            ("novatx, %d instances, cache warm" % INSTANCES, warm_port, rotate),
            ("novatx, %d instances, cache cold" % INSTANCES, cold_port, rotate),
        ]
        # Slices of each server in turn, so a load that comes and goes on the
        # machine weighs on all of them alike; the median slice counts.
        rates: dict[str, list[float]] = {name: [] for name, _, _ in runs}
        errors: dict[str, int] = {name: 0 for name, _, _ in runs}
        for _ in range(options.rounds):
            for name, port, extra in runs:
                url = "http://127.0.0.1:%d%s" % (port, PATH)
                load = wrk(url, options.duration, options.connections, allow_errors=True, **extra)
                rates[name].append(load.rate)
                errors[name] += load.non_2xx
    finally:
        for child in children:
            if child.poll() is None:
                stop(child)
    baseline = statistics.median(rates[runs[0][0]])
    print("%-40s %10s %8s %8s" % ("server", "req/s", "ratio", "non-2xx"))
    for name, _, _ in runs:
        rate = statistics.median(rates[name])
        print("%-40s %10.0f %8.2f %8d" % (name, rate, rate / baseline, errors[name]))
    print(
        "(median of %d slices of %d s; %d bytes per answer, %d connections)"
        % (options.rounds, options.duration, len(body), options.connections)
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        serve_novatx(sys.argv[2], int(sys.argv[3]), sys.argv[4] == "create")
    elif sys.argv[1:2] == ["--serve-bare"]:
        serve_bare(sys.argv[2])
    else:
        main()
