"""
Quotas: limits per project (and per user), defaults from C{[quota]}, and usage
counted from the instances themselves.

Counting is made atomic by a lock row per project: a create locks it
(C{SELECT ... FOR UPDATE}; on SQLite the write lock already serialises), counts
what is used, and records its instances before the lock is released, so twenty
parallel creates past a limit never overshoot.
"""

from __future__ import annotations

from typing import Any, Mapping

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from novatx.compute.exceptions import Invalid, QuotaExceeded
from novatx.db import tables as t

Q, I, C = t.quotas, t.instances, t.quota_classes

#: The quota class whose limits are every project's defaults.
DEFAULT_CLASS = "default"

#: nova's quota resources, in nova's order.
RESOURCES = ("instances", "cores", "ram", "metadata_items", "injected_files",
             "injected_file_content_bytes", "injected_file_path_length", "key_pairs",
             "server_groups", "server_group_members",
             # neutron's, counted by the networking part (novatx.compute.network)
             # but fixed_ips, which nova keeps and nothing counts
             "fixed_ips", "floating_ips", "security_groups", "security_group_rules", "ports", "networks")


def defaults(conf: Any) -> dict[str, int]:
    """The configured defaults (C{[quota]}), before any quota class."""
    return {name: getattr(conf.quota, name) for name in RESOURCES}


def class_limits(connection: Connection, conf: Any, class_name: str = DEFAULT_CLASS,
                 ) -> dict[str, int]:
    """A quota class's limits: the configured defaults with the class's own over them."""
    found = defaults(conf)
    for resource, hard_limit in connection.execute(
            sa.select(C.c.resource, C.c.hard_limit).where(C.c.class_name == class_name)):
        if resource in found:
            found[resource] = hard_limit
    return found


def set_class_limits(connection: Connection, class_name: str, new: Mapping[str, int]) -> None:
    for resource in new:
        if resource not in RESOURCES:
            raise Invalid("Unknown quota resource %s." % resource)
    for resource, value in new.items():
        connection.execute(sa.delete(C).where(C.c.class_name == class_name,
                                              C.c.resource == resource))
        connection.execute(sa.insert(C).values(class_name=class_name, resource=resource,
                                               hard_limit=int(value)))


def limits(connection: Connection, conf: Any, project_id: str,
           user_id: str | None = None) -> dict[str, int]:
    """
    The project's limits over the default class's, with a user's own limits
    over them when asked.
    """
    found = class_limits(connection, conf)
    rows = connection.execute(
        sa.select(Q.c.user_id, Q.c.resource, Q.c.hard_limit)
        .where(Q.c.project_id == project_id, Q.c.user_id.in_(["", user_id or ""]))
    ).all()
    for owner, resource, hard_limit in sorted(rows, key=lambda row: row[0] != ""):
        if resource in found:
            found[resource] = hard_limit
    return found


def _user_limits(connection: Connection, project_id: str, user_id: str) -> dict[str, int]:
    return dict(connection.execute(
        sa.select(Q.c.resource, Q.c.hard_limit)
        .where(Q.c.project_id == project_id, Q.c.user_id == user_id)
    ).all())


def usage(connection: Connection, project_id: str, user_id: str | None = None) -> dict[str, int]:
    """Instances, cores and RAM in use by the project (or one of its users)."""
    clauses = [I.c.project_id == project_id, I.c.deleted == sa.false()]
    if user_id is not None:
        clauses.append(I.c.user_id == user_id)
    count, cores, ram = connection.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(I.c.vcpus), 0),
                  sa.func.coalesce(sa.func.sum(I.c.memory_mb), 0)).where(*clauses)
    ).one()
    used = {"instances": int(count), "cores": int(cores), "ram": int(ram)}
    if user_id is not None:
        used["key_pairs"] = connection.execute(
            sa.select(sa.func.count()).select_from(t.key_pairs)
            .where(t.key_pairs.c.user_id == user_id)).scalar()
    used["server_groups"] = connection.execute(
        sa.select(sa.func.count()).select_from(t.server_groups)
        .where(t.server_groups.c.project_id == project_id)).scalar()
    used.update(network_usage(connection, project_id))
    return used


#: Each networking quota's count: the project's rows of its table.
_NETWORK_COUNTED = {
    "floating_ips": t.floating_ips, "security_groups": t.security_groups,
    "security_group_rules": t.security_group_rules, "ports": t.ports, "networks": t.networks,
}


def network_usage(connection: Connection, project_id: str,
                  resource: str | None = None) -> dict[str, int]:
    """The networking quotas' usage by the project (or of one C{resource})."""
    names = [resource] if resource is not None else list(_NETWORK_COUNTED)
    return {name: int(connection.execute(
        sa.select(sa.func.count()).select_from(_NETWORK_COUNTED[name])
        .where(_NETWORK_COUNTED[name].c.project_id == project_id)).scalar())
        for name in names}


def lock_project(connection: Connection, project_id: str) -> None:
    """Hold the project's lock row until the transaction ends."""
    P = t.project_locks
    row = connection.execute(
        sa.select(P.c.project_id).where(P.c.project_id == project_id).with_for_update()
    ).first()
    if row is None:
        try:
            with connection.begin_nested():
                connection.execute(sa.insert(P).values(project_id=project_id))
        except IntegrityError:
            pass
        connection.execute(
            sa.select(P.c.project_id).where(P.c.project_id == project_id).with_for_update())


def _headroom(limit: int, used: int, per_instance: int) -> int | None:
    if limit < 0 or per_instance <= 0:
        return None
    return max(0, (limit - used) // per_instance)


def instances_allowed(connection: Connection, conf: Any, project_id: str, user_id: str,
                      vcpus: int, memory_mb: int, min_count: int, max_count: int) -> int:
    """
    How many of C{max_count} instances fit (at least C{min_count}, or
    L{QuotaExceeded} in nova's words). Call with the project locked.
    """
    wanted = {"instances": 1, "cores": vcpus, "ram": memory_mb}
    checks = [(limits(connection, conf, project_id), usage(connection, project_id))]
    user_own = _user_limits(connection, project_id, user_id)
    if user_own:
        checks.append((user_own, usage(connection, project_id, user_id)))
    allowed = max_count
    overs: dict[str, tuple[int, int]] = {}
    for limit_set, used in checks:
        for resource, per_instance in wanted.items():
            if resource not in limit_set:
                continue
            room = _headroom(limit_set[resource], used[resource], per_instance)
            if room is None:
                continue
            allowed = min(allowed, room)
            if room < min_count:
                overs[resource] = (used[resource], limit_set[resource])
    if overs:
        names = sorted(overs)
        raise QuotaExceeded(
            overs=", ".join(names),
            req=", ".join(str(wanted[name] * min_count) for name in names),
            used=", ".join(str(overs[name][0]) for name in names),
            allowed=", ".join(str(overs[name][1]) for name in names),
        )
    return allowed


def set_limits(connection: Connection, conf: Any, project_id: str, new: Mapping[str, int],
               user_id: str | None, force: bool) -> None:
    """Set limits; one below what is in use is L{Invalid} unless C{force}."""
    for resource in new:
        if resource not in RESOURCES:
            raise Invalid("Unknown quota resource %s." % resource)
    if not force:
        used = usage(connection, project_id, user_id)
        for resource, value in new.items():
            if value >= 0 and used.get(resource, 0) > value:
                raise Invalid(
                    "Quota limit %s for %s must be greater than or equal to "
                    "already used and reserved %s." % (value, resource, used[resource]))
    owner = user_id or ""
    for resource, value in new.items():
        connection.execute(sa.delete(Q).where(
            Q.c.project_id == project_id, Q.c.user_id == owner, Q.c.resource == resource))
        connection.execute(sa.insert(Q).values(
            project_id=project_id, user_id=owner, resource=resource, hard_limit=int(value)))


def delete_limits(connection: Connection, project_id: str, user_id: str | None) -> None:
    clauses = [Q.c.project_id == project_id]
    if user_id is not None:
        clauses.append(Q.c.user_id == user_id)
    connection.execute(sa.delete(Q).where(*clauses))
