"""
Serve one API in the test's own process, over real HTTP on 127.0.0.1.

Typical use, in a C{twisted.trial.unittest.TestCase}::

    from novatx.test.helpers import noauth_headers, serve_api

    async def test_lists_servers(self):
        served = await serve_api(self, "osapi_compute")
        response = await served.client.get(
            served.url + "/v2.1/servers", headers=noauth_headers("alice", "p1")
        )
        self.assertEqual(response.code, 200)

(trial runs C{async def} tests as they are.)

L{serve_api} builds a fresh config (SQLite under C{testcase.mktemp()}, small
pools; pass C{conf} to start from your own, e.g. with C{set_override}s made
first), starts a L{novatx.compute.service.ComputeService} over it, builds the
API's tree with L{novatx.resources.loader.load_api} from the paste file in the
config (the packaged one by default) and listens on a port the OS picks. It
registers cleanups that close the client's connections, stop listening, close
the server's connections and stop the compute service, so trial finds a clean
reactor.

L{serve_resource} does the serving part alone, for any resource.

Use C{served.client} (a C{treq} client with its own connection pool) for
requests: C{treq.get} and friends keep connections in a global pool that
outlives the test and leaves the reactor dirty.
"""

from __future__ import annotations

import importlib
import os
from typing import Any

import attrs
import treq
from twisted.internet import defer, reactor as global_reactor
from twisted.web.client import Agent, HTTPConnectionPool
from twisted.web.server import Site

from novatx.config import make_config
from novatx.resources.filters.sizelimit import bounded_request_factory
from novatx.resources.loader import load_api
from novatx.resources.runtime import Runtime
from novatx.services.trees import api_reactor


@attrs.define
class ServedAPI:
    """
    One API served for a test.

    @ivar url: C{http://127.0.0.1:<port>} (no trailing slash).
    @ivar runtime: the API's L{Runtime} (config in C{runtime.config}; set
        C{runtime.draining} to see C{/healthcheck} answer 503).
    @ivar compute: the started C{ComputeService}; its C{.api} is the internal API.
    @ivar client: a C{treq.client.HTTPClient} whose connections are closed at cleanup.
    @ivar port: the listening port (C{IListeningPort}).
    """

    url: str
    runtime: Runtime
    compute: Any
    client: Any
    port: Any


class _TrackingSite(Site):
    """A C{Site} that can close the connections it accepted."""

    def __init__(self, resource: Any, reactor: Any) -> None:
        super().__init__(resource, reactor=reactor)
        self._open: dict[Any, defer.Deferred] = {}
        self._transports: dict[Any, Any] = {}

    def buildProtocol(self, addr: Any) -> Any:
        protocol = super().buildProtocol(addr)
        closed: defer.Deferred = defer.Deferred()
        make, lost = protocol.makeConnection, protocol.connectionLost

        def make_connection(transport: Any) -> None:
            self._open[protocol] = closed
            self._transports[protocol] = transport
            make(transport)

        def connection_lost(reason: Any) -> None:
            self._open.pop(protocol, None)
            self._transports.pop(protocol, None)
            try:
                lost(reason)
            finally:
                closed.callback(None)

        protocol.makeConnection = make_connection
        protocol.connectionLost = connection_lost
        return protocol

    def close_connections(self) -> defer.Deferred:
        waiting = list(self._open.values())
        for transport in list(self._transports.values()):
            transport.loseConnection()
        return defer.DeferredList(waiting)


def make_test_config(testcase: Any, conf: Any = None) -> Any:
    """
    A config for a test: C{conf} or a fresh one, with the store in SQLite under
    C{testcase.mktemp()} and small pools.
    """
    if conf is None:
        conf = make_config([])
    state = testcase.mktemp()
    os.makedirs(state)
    conf.set_override("state_path", state)
    conf.set_override("connection", "sqlite:///" + os.path.join(state, "nova.sqlite"), "database")
    conf.set_override("max_pool_size", 2, "database")
    return conf


@attrs.define
class Listening:
    """
    A resource served on 127.0.0.1 for a test (see L{serve_resource}).

    @ivar url: C{http://127.0.0.1:<port>}.
    @ivar client: a C{treq} client whose connections are closed at cleanup.
    @ivar port: the listening port.
    """

    url: str
    client: Any
    port: Any


def serve_resource(testcase: Any, resource: Any, reactor: Any = None) -> Listening:
    """
    Serve C{resource} with a plain C{Site} on 127.0.0.1:0 until C{testcase}
    ends (cleanups close the client's and the server's connections and stop
    listening).
    """
    reactor = reactor or global_reactor
    site = _TrackingSite(resource, reactor)
    port = reactor.listenTCP(0, site, interface="127.0.0.1")
    testcase.addCleanup(site.close_connections)
    testcase.addCleanup(port.stopListening)
    pool = HTTPConnectionPool(reactor, persistent=True)
    testcase.addCleanup(pool.closeCachedConnections)
    client = treq.client.HTTPClient(Agent(reactor, pool=pool))
    return Listening("http://127.0.0.1:%d" % port.getHost().port, client, port)


async def _serve(testcase: Any, api_name: str, conf: Any, reactor: Any,
                 clock: Any = None) -> ServedAPI:
    conf = make_test_config(testcase, conf)
    service_module = importlib.import_module("novatx.compute.service")
    compute = service_module.ComputeService(conf, reactor, clock)
    await defer.maybeDeferred(compute.startService)
    testcase.addCleanup(compute.stopService)

    runtime = Runtime(api_name, conf, compute.api, api_reactor(compute.api, reactor))
    listening = serve_resource(testcase, load_api(runtime), reactor)
    listening.port.factory.requestFactory = bounded_request_factory(
        conf.oslo_middleware.max_request_body_size
    )
    return ServedAPI(
        url=listening.url,
        runtime=runtime,
        compute=compute,
        client=listening.client,
        port=listening.port,
    )


def serve_api(
    testcase: Any, api_name: str, conf: Any = None, reactor: Any = None, clock: Any = None
) -> defer.Deferred[ServedAPI]:
    """
    Serve C{api_name} (C{osapi_compute}, C{ec2}, C{metadata}) on 127.0.0.1:0.

    @param testcase: the trial C{TestCase}; cleanups are registered on it.
    @param conf: a config to start from (default: C{make_config([])}); the
        store and pool options are overridden on it.
    @param clock: the C{IReactorTime} of the internal API (default: the reactor).
    @return: a Deferred firing with a L{ServedAPI}.
    """
    return defer.ensureDeferred(_serve(testcase, api_name, conf, reactor or global_reactor,
                                       clock))


def noauth_headers(
    user: str = "demo", project: str | None = None, version: str | None = None
) -> dict[str, str]:
    """
    Headers of a JSON request as C{user} in C{project} (default: the user's
    name) under C{noauth2}; C{user="admin"} is an administrator. C{version}
    (e.g. C{"2.79"} or C{"latest"}) adds C{OpenStack-API-Version: compute <version>}.
    """
    headers = {
        "X-Auth-Token": "%s:%s" % (user, project or user),
        "Accept": "application/json",
        "Content-Type": "application/json",
    }
    if version is not None:
        headers["OpenStack-API-Version"] = "compute %s" % (version,)
    return headers
