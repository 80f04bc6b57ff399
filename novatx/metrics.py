"""
What the daemon counts for C{GET /metrics}, summed over its worker processes.

With C{[metrics] enabled = true} the daemon makes a fresh directory under
C{state_path} when it starts (or at the reload that turns metrics on) and names
it in C{PROMETHEUS_MULTIPROC_DIR} before it starts any worker (L{prepare});
workers inherit the variable, so every process of the daemon writes its
counts into that directory, one file per process, and the C{/metrics} answer
of whichever worker is asked merges them all
(C{prometheus_client.multiprocess.MultiProcessCollector}). The counts of a
worker that exited stay in its file, so totals never go back when workers are
replaced. The daemon removes the directory when it exits.

prometheus_client chooses where its values live (memory, or a file of that
directory) when it is first imported, so this module imports it only once a
metric is needed: L{enable}, called when a tree with metrics is built, after
L{prepare}. With metrics off nothing imports it, and the hooks below
(L{store_round_trip}, L{read_cache}) cost one global lookup.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from typing import TYPE_CHECKING, Any, Iterable

if TYPE_CHECKING:
    from prometheus_client.metrics_core import Metric

#: The variable naming the directory prometheus_client's processes share.
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

#: Latency buckets, in seconds: the API answers most reads in a millisecond.
LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0,
                   2.5, 5.0, 10.0)

#: The methods counted by name; any other is counted as C{OTHER} (a client
#: chooses the method: an unbounded label would let it grow the exposition).
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def prepare(conf: Any) -> str | None:
    """
    In the daemon, before it starts workers: with metrics on and no directory
    named yet, make one and name it in C{PROMETHEUS_MULTIPROC_DIR} for this
    process and the workers it starts; removed when this process exits.

    @return: the directory, or C{None} when metrics are off.
    """
    if not conf.metrics.enabled:
        return None
    directory = os.environ.get(MULTIPROC_ENV)
    if directory:
        return directory
    os.makedirs(conf.state_path, exist_ok=True)
    directory = tempfile.mkdtemp(prefix="metrics-", dir=conf.state_path)
    os.environ[MULTIPROC_ENV] = directory
    atexit.register(_remove, directory, os.getpid())
    return directory


def _remove(directory: str, owner: int) -> None:
    """At exit of the process that made C{directory} (never a worker's)."""
    if os.getpid() == owner:
        shutil.rmtree(directory, ignore_errors=True)


class Metrics:
    """
    The metric objects of one process, and quick access to their children
    (label lookups are remembered: the label values are bounded).

    @ivar registry: the registry they are in: exposed as is when no
        multiprocess directory is set (a test serving an API in its own
        process), otherwise the directory's files are.
    """

    def __init__(self) -> None:
        from prometheus_client import CollectorRegistry, Counter, Histogram

        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "novatx_http_requests", "Requests answered, by API, route template, method and status.",
            ["api", "route", "method", "status"], registry=self.registry)
        self.latency = Histogram(
            "novatx_http_request_duration_seconds",
            "Time from a request's arrival at the pipeline to its last byte, by API, route "
            "template and method.",
            ["api", "route", "method"], buckets=LATENCY_BUCKETS, registry=self.registry)
        self.store_round_trips = Counter(
            "novatx_store_round_trips", "Transactions run on the store's thread pool, by kind "
            "(read or write).", ["kind"], registry=self.registry)
        self.read_cache = Counter(
            "novatx_read_cache_lookups", "Reads answered from a worker's read cache (hit) or "
            "from the store (miss), by kind of read.", ["kind", "result"], registry=self.registry)
        self._requests: dict[tuple[str, str, str, str], Any] = {}
        self._latency: dict[tuple[str, str, str], Any] = {}
        self._round_trips: dict[str, Any] = {}
        self._cache: dict[tuple[str, bool], Any] = {}

    def request(self, api: str, route: str, method: str, status: str, seconds: float) -> None:
        """Count one answered request and its latency."""
        if method not in METHODS:
            method = "OTHER"
        key = (api, route, method, status)
        counter = self._requests.get(key)
        if counter is None:
            counter = self._requests[key] = self.requests.labels(*key)
        counter.inc()
        timing = self._latency.get(key[:3])
        if timing is None:
            timing = self._latency[key[:3]] = self.latency.labels(api, route, method)
        timing.observe(seconds)

    def store_round_trip(self, kind: str) -> None:
        counter = self._round_trips.get(kind)
        if counter is None:
            counter = self._round_trips[kind] = self.store_round_trips.labels(kind)
        counter.inc()

    def read_cache_lookup(self, kind: str, hit: bool) -> None:
        counter = self._cache.get((kind, hit))
        if counter is None:
            counter = self._cache[kind, hit] = self.read_cache.labels(kind, "hit" if hit else "miss")
        counter.inc()


_current: Metrics | None = None


def enable() -> Metrics:
    """This process's L{Metrics}, made on first use (after L{prepare} in a daemon)."""
    global _current
    if _current is None:
        _current = Metrics()
    return _current


def current() -> Metrics | None:
    """This process's L{Metrics}, or C{None} while metrics are off."""
    return _current


def store_round_trip(kind: str) -> None:
    """The store's hook: one transaction of C{kind} (C{read}, C{write}) handed to its pool."""
    metrics = _current
    if metrics is not None:
        metrics.store_round_trip(kind)


def read_cache(kind: str, hit: bool) -> None:
    """
    A read cache's hook: one read of C{kind} (C{servers}, C{key_pairs}...)
    answered from memory (C{hit}) or re-read from the store.
    """
    metrics = _current
    if metrics is not None:
        metrics.read_cache_lookup(kind, hit)


class _Families:
    """A collector of metric families already gathered (read at scrape time)."""

    def __init__(self, families: Iterable["Metric"]) -> None:
        self._families = list(families)

    def collect(self) -> Iterable["Metric"]:
        return self._families


def exposition(metrics: Metrics, scraped: Iterable["Metric"] = ()) -> bytes:
    """
    The text exposition: every process's counts (merged from the multiprocess
    directory when there is one, else this process's own), then C{scraped},
    the families read at scrape time.
    """
    from prometheus_client import CollectorRegistry, generate_latest
    from prometheus_client.multiprocess import MultiProcessCollector

    registry = CollectorRegistry(auto_describe=False)
    directory = os.environ.get(MULTIPROC_ENV)
    if directory:
        MultiProcessCollector(registry, path=directory)
    else:
        registry.register(_Families(metrics.registry.collect()))
    registry.register(_Families(scraped))
    return generate_latest(registry)
