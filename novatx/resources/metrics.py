"""
C{GET /metrics} on each API: the daemon's metrics in Prometheus' text format.

Mounted in each API's urlmap as C{/healthcheck} is. It answers only peers in
C{[metrics] allowed_networks} (loopback by default; anyone else gets a 403 in
the API's format); the peer is the TCP peer, not a forwarded-for header a
client could write. The answer holds every worker's counts
(L{novatx.metrics.exposition}), then what is read from the store at scrape
time, in one read transaction on the internal API's thread pool: the
transitions pending (claimed by a driver, not yet finished) by kind and
action, and, with behaviours enabled, the firings of the behaviours there are
by effect. A store that does not answer leaves those out and says so in
C{novatx_store_reachable 0}; the counts are served all the same.

With C{[metrics] enabled = false} the app is a 404 in the API's format, as
if there were no such path.
"""

from __future__ import annotations

import ipaddress
from typing import Any, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from twisted.internet.defer import Deferred
from twisted.internet.threads import deferToThread
from twisted.logger import Logger
from twisted.web import http
from twisted.web.resource import Resource
from twisted.web.server import NOT_DONE_YET

from novatx import metrics
from novatx.db import tables as t
from novatx.resources.faults import render_fault
from novatx.resources.runtime import Runtime, from_global_conf
from novatx.resources.urlmap import NotFound

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

#: The tables whose rows carry transitions, by the kind the gauge names.
_TRANSITION_TABLES = (
    ("instance", t.instances),
    ("volume", t.volumes),
    ("snapshot", t.volume_snapshots),
)


def parse_networks(values: Sequence[str]) -> tuple[Network, ...]:
    """C{[metrics] allowed_networks} as networks; C{ValueError} names a bad one."""
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError:
            raise ValueError("[metrics] allowed_networks: %r is not a network" % (value,)) from None
    return tuple(networks)


def allowed(peer: Any, networks: Sequence[Network]) -> bool:
    """Whether the peer address C{peer} (a twisted address) is in C{networks}."""
    try:
        address = ipaddress.ip_address(getattr(peer, "host", ""))
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return any(address in network for network in networks)


def scrape_store(connection: Connection, behaviours: bool) -> tuple[list[Any], list[Any]]:
    """The transitions pending and the behaviours' firings, in one transaction."""
    pending: list[Any] = []
    for kind, table in _TRANSITION_TABLES:
        query = (sa.select(table.c.pending_action, sa.func.count())
                 .where(table.c.pending_action.is_not(None))
                 .group_by(table.c.pending_action))
        pending.extend((kind, action, count) for action, count in connection.execute(query))
    fired: list[Any] = []
    if behaviours:
        b = t.behaviours
        query = sa.select(b.c.effect, sa.func.sum(b.c.fired)).group_by(b.c.effect)
        fired = [(effect, int(total or 0)) for effect, total in connection.execute(query)]
    return pending, fired


def _families(scraped: tuple[list[Any], list[Any]] | None) -> list[Any]:
    from prometheus_client.core import GaugeMetricFamily

    reachable = GaugeMetricFamily(
        "novatx_store_reachable", "Whether the store answered this scrape's read (1) or not (0).")
    reachable.add_metric([], 0 if scraped is None else 1)
    if scraped is None:
        return [reachable]
    pending, fired = scraped
    transitions = GaugeMetricFamily(
        "novatx_transitions_pending", "Transitions in flight in the store (a driver walks "
        "them), by kind of row and action.", labels=["kind", "action"])
    for kind, action, count in pending:
        transitions.add_metric([kind, action], count)
    firings = GaugeMetricFamily(
        "novatx_behaviours_fired", "Firings of the behaviours the store holds, by effect.",
        labels=["effect"])
    for effect, total in fired:
        firings.add_metric([effect], total)
    return [reachable, transitions, firings]


class MetricsResource(Resource):
    """Answers the exposition to allowed peers."""

    isLeaf = True

    _log = Logger()

    def __init__(self, runtime: Runtime, networks: Sequence[Network]) -> None:
        super().__init__()
        self._runtime = runtime
        self._networks = tuple(networks)
        self._metrics = metrics.enable()
        self._behaviours = bool(runtime.config.behaviours.enabled)

    def render(self, request: Any) -> Any:
        if not allowed(request.getClientAddress(), self._networks):
            body, content_type = render_fault(self._runtime.api_name, http.FORBIDDEN,
                                              "Access to /metrics is not allowed from this address.")
            request.setResponseCode(http.FORBIDDEN)
            request.setHeader(b"Content-Type", content_type)
            return body
        d = self._runtime.compute.store_read(scrape_store, self._behaviours)
        d.addErrback(self._unreachable)
        d.addCallback(self._expose)
        d.addCallback(self._answer, request)
        d.addErrback(self._log.failure, "/metrics: the answer failed")
        return NOT_DONE_YET

    def _unreachable(self, failure: Any) -> None:
        self._log.warn("/metrics: the store did not answer: {error!r}", error=failure.value)
        return None

    def _expose(self, scraped: Any) -> "Deferred[bytes]":
        """
        The exposition, made in a thread: it reads and merges every worker's
        files, which the reactor thread must not wait for.
        """
        return deferToThread(metrics.exposition, self._metrics, _families(scraped))

    def _answer(self, body: bytes, request: Any) -> None:
        if request.finished or request._disconnected:
            return
        from prometheus_client import CONTENT_TYPE_LATEST

        request.setHeader(b"Content-Type", CONTENT_TYPE_LATEST.encode("ascii"))
        request.setHeader(b"Cache-Control", b"no-store")
        request.setHeader(b"Content-Length", b"%d" % len(body))
        request.write(body)
        request.finish()


def metrics_app_factory(global_conf: dict, **local_conf: str) -> Resource:
    """Paste app factory of C{/metrics}: the exposition, or a 404 when metrics are off."""
    runtime = from_global_conf(global_conf)
    conf = runtime.config.metrics
    if not conf.enabled:
        return NotFound(runtime.api_name)
    return MetricsResource(runtime, parse_networks(conf.allowed_networks))
