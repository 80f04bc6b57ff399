"""
Options of behaviours, the failures tests inject on cue (group C{[behaviours]}).

Off by default: a deployment that does not turn them on serves no
C{/behaviours} route and has no behaviours filter in its pipelines.
"""

from __future__ import annotations

from oslo_config import cfg

GROUP = "behaviours"

behaviours_opts = [
    cfg.BoolOpt(
        "enabled",
        default=False,
        help="Serve the behaviours control API (/behaviours on the compute API, admin "
        "only by default) and act on the behaviours it keeps: failures and delays "
        "injected on cue for tests. Never turn this on in a production cloud.",
    ),
    cfg.StrOpt(
        "clock",
        default="real",
        choices=[("real", "the reactor's time"),
                 ("controlled", "a time kept in the store that only moves when a test "
                  "says so (POST /behaviours/clock)")],
        help="Where the daemon's notion of now comes from when behaviours are enabled: "
        "server timestamps, the simulated drivers' transitions, EC2 signature windows, "
        "IMDSv2 token lifetimes and the caches' expiries. Every worker and host reads "
        "the same controlled time. Ignored when behaviours are not enabled.",
    ),
]


def list_opts() -> list[tuple[str | None, list[cfg.Opt]]]:
    """The options of this module, for L{novatx.config.register_all}."""
    return [(GROUP, behaviours_opts)]
