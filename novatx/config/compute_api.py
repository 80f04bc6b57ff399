"""
Options of the compute API's resources (nova's names where nova has one).

C{[api] max_limit} caps every page of a listing, as in nova: a client asking
for more (or for no limit) gets at most this many items and a C{next} link.
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
]


def list_opts() -> list[tuple[str | None, list[cfg.Opt]]]:
    """The compute API's options by group."""
    return [("api", list(compute_api_opts))]
