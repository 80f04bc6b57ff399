"""
Options of C{GET /metrics}, the Prometheus exposition on each API's port
(group C{[metrics]}).

Off by default: a deployment that does not turn it on serves no C{/metrics}
(a 404) and has no metrics filter in its pipelines.
"""

from __future__ import annotations

from oslo_config import cfg

GROUP = "metrics"

metrics_opts = [
    cfg.BoolOpt(
        "enabled",
        default=False,
        help="Serve GET /metrics on each API's port, in Prometheus' text format: requests "
        "by API, route, method and status, their latency, store round trips, read cache "
        "hits, transitions pending and behaviours fired, summed over the daemon's "
        "workers.",
    ),
    cfg.ListOpt(
        "allowed_networks",
        default=["127.0.0.0/8", "::1/128"],
        help="The networks (CIDR) whose hosts may read /metrics; any other peer is answered "
        "403. The peer is the TCP peer, never an X-Forwarded-For header.",
    ),
]


def list_opts() -> list[tuple[str | None, list[cfg.Opt]]]:
    """The options of this module, for L{novatx.config.register_all}."""
    return [(GROUP, metrics_opts)]
