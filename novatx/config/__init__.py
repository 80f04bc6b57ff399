"""
novatx's configuration: every option, with nova's names where nova has one.

Each module of this package owns the options of one part and exposes
C{list_opts()} -> C{[(group_name_or_None, [opts])]}. L{make_config} registers them
all on a fresh C{ConfigOpts}, so tests never share global state; the daemon
makes one per process. C{oslo-config-generator} reads L{novatx.config.opts}.
"""

from __future__ import annotations

import importlib
from typing import Sequence

from oslo_config import cfg

#: The modules that hold options, one per part of novatx.
OPTION_MODULES = (
    "novatx.config.service",
    "novatx.config.wsgi",
    "novatx.config.api",
    "novatx.config.extensions",
    "novatx.config.policy",
    "novatx.config.database",
    "novatx.config.compute",
    "novatx.config.compute_api",
    "novatx.config.ec2",
    "novatx.config.metadata",
    "novatx.config.behaviours",
    "novatx.config.metrics",
)


def list_opts() -> list[tuple[str | None, list[cfg.Opt]]]:
    """All options by group, for registration and for C{oslo-config-generator}."""
    merged: dict[str | None, list[cfg.Opt]] = {}
    for name in OPTION_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as e:
            if e.name != name:
                raise
            continue
        for group, opts in module.list_opts():
            merged.setdefault(group, []).extend(opts)
    return list(merged.items())


def register_all(conf: cfg.ConfigOpts) -> cfg.ConfigOpts:
    """Register every option on C{conf} and return it."""
    for group, opts in list_opts():
        conf.register_opts(opts, group=group)
    return conf


def make_config(
    args: Sequence[str] = (),
    default_config_files: Sequence[str] | None = None,
    default_config_dirs: Sequence[str] | None = None,
) -> cfg.ConfigOpts:
    """
    A new, fully registered and parsed C{ConfigOpts}.

    @param args: command-line style arguments, e.g.
        C{["--config-file", "/etc/nova/nova.conf"]}.
    """
    conf = register_all(cfg.ConfigOpts())
    conf(
        list(args),
        project="nova",
        prog="novatx",
        default_config_files=list(default_config_files or []),
        default_config_dirs=list(default_config_dirs or []),
    )
    return conf
