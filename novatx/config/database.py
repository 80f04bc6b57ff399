"""
Options of the store (L{novatx.db}): where it lives and how it is reached.

C{[database] connection} keeps nova's name; when it is unset the store is a
SQLite file under C{state_path}, so one command starts a working daemon.
"""

from __future__ import annotations

import os

from oslo_config import cfg

_DEFAULT_OPTS = [
    cfg.StrOpt(
        "state_path",
        default=os.path.join(os.getcwd(), "novatx-state"),
        sample_default="$cwd/novatx-state",
        help="Top-level directory for maintaining novatx's state (the default "
        "SQLite store lives here).",
    ),
]

_DATABASE_OPTS = [
    cfg.StrOpt(
        "connection",
        secret=True,
        help="The SQLAlchemy URL of the store: sqlite:///path, "
        "postgresql+psycopg://user:pass@host/db or "
        "mysql+pymysql://user:pass@host/db. Default: a SQLite file "
        "novatx.sqlite under state_path.",
    ),
    cfg.BoolOpt(
        "auto_migrate",
        default=True,
        help="Create or upgrade the schema when the daemon starts, and before "
        "novatx-manage's flavor, image and ec2-credentials commands. When off, "
        "a schema that is not current stops them: run 'novatx-manage db sync'.",
    ),
    cfg.IntOpt(
        "max_pool_size",
        default=10,
        min=1,
        help="Threads that run database work, and connections kept open; "
        "the reactor thread never touches the database.",
    ),
    cfg.FloatOpt(
        "generation_check_delay",
        default=0.2,
        min=0.0,
        max=100.0,
        help="Milliseconds a worker waits, under concurrent reads, before the "
        "next check of the change generations its read cache asks, so that "
        "the requests arriving meanwhile share it (one statement). Only "
        "requests that came while a check was in flight wait; with 0 the "
        "next check begins in the reactor's next pass.",
    ),
    cfg.IntOpt(
        "pool_timeout",
        default=30,
        min=1,
        help="Seconds to wait for a free connection before giving up.",
    ),
    cfg.IntOpt(
        "sqlite_busy_timeout",
        default=10000,
        min=0,
        help="Milliseconds a SQLite writer waits for another's lock.",
    ),
    cfg.IntOpt(
        "connect_timeout",
        default=10,
        min=1,
        help="Seconds to wait when opening a connection to a database server.",
    ),
]


def list_opts() -> list[tuple[str | None, list[cfg.Opt]]]:
    return [(None, _DEFAULT_OPTS), ("database", _DATABASE_OPTS)]
