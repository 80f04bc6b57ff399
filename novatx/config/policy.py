"""
Policy options: oslo.policy's own C{[oslo_policy]} group.

oslo.policy defines its options (C{policy_file}, default C{policy.yaml},
searched beside the config files; C{policy_dirs}; C{enforce_new_defaults}...)
and registers them when an enforcer is built; listing them here makes them part
of every config, so an operator's C{nova.conf} and tests' C{set_override} can
name them before any enforcer exists.
"""

from __future__ import annotations

from oslo_config import cfg
from oslo_policy import opts


def list_opts() -> list[tuple[str | None, list[cfg.Opt]]]:
    """oslo.policy's options, under its own group."""
    return opts.list_opts()
