"""
Which extensions each API loads.

Every resource of every API is an extension found by stevedore; an operator
narrows the set per API with a whitelist (only these, when not empty) and a
blacklist (never these), by alias. Core extensions (listed in code) can be
neither: a core one left out stops the start. nova's names for the compute API
(C{[osapi_v21]}); the same pair in C{[ec2]} and C{[metadata]}.
"""

from __future__ import annotations

from oslo_config import cfg


def _pair(api: str) -> list[cfg.Opt]:
    return [
        cfg.ListOpt(
            "extensions_whitelist",
            default=[],
            help="Aliases of the %s extensions to load; empty: every installed one. "
            "Server-create hooks are named here by their name too." % api,
        ),
        cfg.ListOpt(
            "extensions_blacklist",
            default=[],
            help="Aliases of %s extensions never to load (wins over the whitelist)." % api,
        ),
    ]


project_id_opt = cfg.StrOpt(
    "project_id_regex",
    help="A regular expression a project id in the URL (/v2.1/<project_id>/servers) "
    "must match, besides the caller's own project id; default: hex digits and dashes.",
)

#: The config group of each API's extension options.
GROUP_BY_API = {"osapi_compute": "osapi_v21", "ec2": "ec2", "metadata": "metadata"}


def list_opts() -> list[tuple[str | None, list[cfg.Opt]]]:
    """The extension options of every API."""
    return [
        ("osapi_v21", _pair("compute API") + [project_id_opt]),
        ("ec2", _pair("EC2 API")),
        ("metadata", _pair("metadata API")),
    ]
