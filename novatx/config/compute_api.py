"""
Options of the compute API's resources (nova's names where nova has one).

C{[api] max_limit} caps every page of a listing, as in nova: a client asking
for more (or for no limit) gets at most this many items and a C{next} link.
C{[api] flavor_list_cache_seconds} bounds how stale a flavor listing may be
(see L{novatx.extensions.compute._flavor_cache}).
"""

from __future__ import annotations

from oslo_config import cfg

compute_api_opts = [
    cfg.IntOpt(
        "max_limit",
        default=1000,
        min=0,
        help="The most items a single listing returns; a larger 'limit' is cut to this.",
    ),
    cfg.FloatOpt(
        "flavor_list_cache_seconds",
        default=2.0,
        min=0,
        help="How long a process reuses a flavor listing it read. Changes made through "
        "the same process are seen at once; changes made through another worker or "
        "process within this many seconds. 0 disables the cache.",
    ),
]


def list_opts() -> list[tuple[str | None, list[cfg.Opt]]]:
    """The compute API's options by group."""
    return [("api", list(compute_api_opts))]
