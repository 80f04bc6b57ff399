"""
Change generations: counters the store raises in the transaction of every
write, so that a worker can learn that nothing changed without re-reading rows.

A generation is kept per kind of rows (L{KINDS}) and project. Nobody raises
one by hand: L{track} watches every insert, update and delete an engine runs,
notes the kinds of the tables whose rows changed, and L{bump} (called by
L{novatx.db.store.Store} just before each transaction commits) raises their
counters in that same transaction. A write is therefore visible exactly when
its generation is: a reader that sees a generation sees every write counted
in it.

A write counts for one project when its transaction named the project of the
rows it changes (L{attribute}), and only for the tables whose rows belong to a
project; every other write counts for the kind's row of no project (C{""}).
A reader of one project's rows therefore checks that project's generation and
the one of no project; a reader of every project's rows checks the sum of the
kind's generations, which every write raises (L{read}).
"""

from __future__ import annotations

import functools
from typing import Any, Iterable

import attrs
from sqlalchemy import event
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.engine import Connection, Engine

from novatx.db import tables as t

#: The kinds of rows a generation is kept for.
KINDS = ("servers", "key_pairs", "quotas", "flavors", "images", "server_groups")

#: A generation to check: a kind and a project; None for every project.
Key = tuple[str, "str | None"]

#: Tables whose rows belong to one project, by the kind they count for.
_PROJECT_TABLES = {
    "instances": "servers", "instance_metadata": "servers", "tags": "servers",
    "instance_faults": "servers", "instance_passwords": "servers",
    "instance_actions": "servers", "instance_action_events": "servers",
    "migrations": "servers", "ec2_client_tokens": "servers",
    "ports": "servers", "port_addresses": "servers", "port_security_groups": "servers",
    "floating_ips": "servers",
    "volumes": "servers", "volume_snapshots": "servers", "volume_attachments": "servers",
    "server_groups": "server_groups", "server_group_members": "server_groups",
    "quotas": "quotas",
}

#: Tables shared by every project, by the kind they count for.
_SHARED_TABLES = {
    "flavors": "flavors", "flavor_extra_specs": "flavors", "flavor_projects": "flavors",
    "images": "images", "image_tags": "images", "image_members": "images",
    "key_pairs": "key_pairs", "quota_classes": "quotas",
}

#: Tables no cached read shows: locks, credentials (whose cache has its own
#: generation), injected behaviours, and the counters themselves.
_UNTRACKED = frozenset({
    "change_generations", "project_locks", "behaviours", "ec2_credentials",
    "ec2_credential_deletions", "alembic_version",
})

#: Kinds whose rows belong to projects (the others are shared).
PROJECT_KINDS = frozenset({"servers", "quotas", "server_groups"})

_TOUCHED = "novatx_generations_touched"
_PROJECTS = "novatx_generations_projects"

G = t.change_generations


def _kind(table: str) -> tuple[str, bool]:
    """The kind C{table} counts for, and whether its rows belong to one project.
    A table nobody mapped (a plugin's, say) counts for servers, of no project:
    checking too much costs a re-read, checking too little a stale answer."""
    if table in _PROJECT_TABLES:
        return _PROJECT_TABLES[table], True
    return _SHARED_TABLES.get(table, "servers"), False


def track(engine: Engine) -> None:
    """Note, on each connection of C{engine}, the tables its statements change."""
    if not event.contains(engine, "after_execute", _executed):
        event.listen(engine, "after_execute", _executed)


def _executed(connection: Connection, statement: Any, multiparams: Any, params: Any,
              options: Any, result: Any) -> None:
    if not getattr(statement, "is_dml", False):
        return
    name = getattr(statement.table, "name", None)
    if name in _UNTRACKED or result.rowcount == 0:
        return
    connection.info.setdefault(_TOUCHED, set()).add(name)


def begin(connection: Connection) -> None:
    """Forget what an earlier transaction of C{connection} changed."""
    connection.info.pop(_TOUCHED, None)
    connection.info.pop(_PROJECTS, None)


def attribute(connection: Connection, project_id: str) -> None:
    """
    Say that the project-owned rows this transaction changes are
    C{project_id}'s, so that its writes count for that project only. Only a
    caller that knows it (the server whose row it holds) says so; two
    projects in one transaction count for no project.
    """
    connection.info.setdefault(_PROJECTS, set()).add(project_id)


def bump(connection: Connection) -> None:
    """Raise the generations of what this transaction changed, in it."""
    touched = connection.info.pop(_TOUCHED, None)
    projects = connection.info.pop(_PROJECTS, None) or set()
    if not touched:
        return
    project = next(iter(projects)) if len(projects) == 1 else ""
    keys = set()
    for table in touched:
        kind, owned = _kind(table)
        keys.add((kind, project if owned else ""))
    rows = [{"kind": kind, "project_id": owner, "generation": 1} for kind, owner in sorted(keys)]
    connection.execute(_upsert(connection.dialect.name, rows))


def _upsert(dialect: str, rows: list[dict]) -> Any:
    """Insert C{rows}, or raise the generation of those already there (in key order, so
    that two transactions never wait for each other's counters)."""
    raised = {"generation": G.c.generation + 1}
    if dialect in ("mysql", "mariadb"):
        statement = mysql.insert(G).values(rows)
        return statement.on_duplicate_key_update(raised)
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(G).values(rows).on_conflict_do_update(
        index_elements=[G.c.kind, G.c.project_id], set_=raised)


def needs(kinds: Iterable[str], project_id: str | None) -> frozenset[Key]:
    """
    The generations a read of C{kinds} must check: for one project's rows,
    the project's and no project's; for every project's (C{project_id} None),
    and for shared kinds, the sum of the kind's.
    """
    keys: set[Key] = set()
    for kind in kinds:
        if project_id is None or kind not in PROJECT_KINDS:
            keys.add((kind, None))
        else:
            keys.update(((kind, project_id), (kind, "")))
    return frozenset(keys)


@attrs.frozen
class Check:
    """
    The statement that reads the generations of L{keys} (as the driver takes
    it, so that running it skips SQLAlchemy's compiler), and how its rows
    become them: one project's rows as they are, each total (a key of project
    None) as the sum of its kind's rows, and 0 for a counter never raised.
    """

    keys: frozenset[Key]
    sql: str
    params: tuple[str, ...]
    totals: frozenset[str]

    def generations(self, rows: Iterable[tuple[str, str, int]]) -> dict[Key, int]:
        """The generation of each of L{keys}, from the statement's rows."""
        found: dict[Key, int] = {}
        for kind, project, generation in rows:
            found[(kind, project)] = generation
            if kind in self.totals:
                found[(kind, None)] = found.get((kind, None), 0) + generation
        return {key: int(found.get(key, 0)) for key in self.keys}


@functools.lru_cache(maxsize=1024)
def check(keys: frozenset[Key], paramstyle: str) -> Check:
    """
    The L{Check} of C{keys} for a driver of C{paramstyle}. A worker's checks
    ask for the same few sets over and over, so each is made once.
    """
    kinds = sorted({kind for kind, project in keys if project is not None})
    projects = sorted({project for kind, project in keys if project is not None})
    totals = sorted({kind for kind, project in keys if project is None})
    mark = "?" if paramstyle == "qmark" else "%s"

    def among(values: list[str]) -> str:
        return "(%s)" % ", ".join([mark] * len(values))

    clauses, params = [], []
    if kinds:
        clauses.append("(kind IN %s AND project_id IN %s)" % (among(kinds), among(projects)))
        params += kinds + projects
    if totals:
        clauses.append("kind IN %s" % among(totals))
        params += totals
    sql = ("SELECT kind, project_id, generation FROM change_generations WHERE "
           + " OR ".join(clauses)) if clauses else ""
    return Check(keys, sql, tuple(params), frozenset(totals))


def read(connection: Connection, keys: Iterable[Key]) -> dict[Key, int]:
    """The generations of C{keys} in one statement on C{connection} (L{check})."""
    found = check(frozenset(keys), connection.dialect.paramstyle)
    if not found.sql:
        return {}
    return found.generations(connection.exec_driver_sql(found.sql, found.params).fetchall())
