"""
The instances' SQL: reading records, listing with nova's filters and paging,
and the small writes the internal API makes. Every function takes a
connection inside a transaction and runs on a database thread.
"""

from __future__ import annotations

import datetime
from typing import Any, Iterable, Mapping, Sequence

import attrs
import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection

from novatx.compute import convert, states, validation
from novatx.compute.listing import cut, equals, one_of
from novatx.compute.context import RequestContext
from novatx.compute.exceptions import Invalid, InstanceNotFound, InvalidSortKey, MarkerNotFound
from novatx.compute.interfaces import ServerQuery
from novatx.compute.network import ports
from novatx.compute.records import AttachedVolume, Instance, Page
from novatx.db import tables as t

I = t.instances
_EPOCH = datetime.datetime(1970, 1, 1)

#: Sort keys nova allows, by API name, with the value NULLs sort as.
SORT_KEYS: dict[str, tuple[sa.Column, Any]] = {
    "created_at": (I.c.created_at, None),
    "updated_at": (I.c.updated_at, _EPOCH),
    "display_name": (I.c.name, None),
    "uuid": (I.c.uuid, None),
    "vm_state": (I.c.vm_state, None),
    "task_state": (I.c.task_state, ""),
    "power_state": (I.c.power_state, None),
    "launched_at": (I.c.launched_at, _EPOCH),
    "terminated_at": (I.c.terminated_at, _EPOCH),
    "availability_zone": (I.c.availability_zone, ""),
    "hostname": (I.c.hostname, None),
    "key_name": (I.c.key_name, ""),
    "launch_index": (I.c.launch_index, None),
    "reservation_id": (I.c.reservation_id, None),
    "image_ref": (I.c.image_id, ""),
    "instance_type_id": (I.c.flavor_id, None),
    "host": (I.c.host, ""),
    "node": (I.c.node, ""),
    "locked": (I.c.locked, None),
    "project_id": (I.c.project_id, None),
    "user_id": (I.c.user_id, None),
}


def visible(context: RequestContext, read_deleted: bool = False) -> sa.ColumnElement:
    """The rows C{context} may see: its project's, or all for admins."""
    clauses = []
    if not context.is_admin:
        clauses.append(I.c.project_id == context.project_id)
    if not read_deleted:
        clauses.append(I.c.deleted == sa.false())
    return sa.and_(sa.true(), *clauses)


def _by_uuid(admin: bool, read_deleted: bool, for_update: bool) -> sa.Select:
    clauses = [I.c.uuid == sa.bindparam("uuid")]
    if not admin:
        clauses.append(I.c.project_id == sa.bindparam("project_id"))
    if not read_deleted:
        clauses.append(I.c.deleted == sa.false())
    query = sa.select(I).where(*clauses)
    return query.with_for_update() if for_update else query


#: L{get_row}'s statements, built once: by (admin, read_deleted, for_update).
_BY_UUID = {(admin, read_deleted, for_update): _by_uuid(admin, read_deleted, for_update)
            for admin in (True, False) for read_deleted in (True, False)
            for for_update in (True, False)}


def get_row(connection: Connection, context: RequestContext, uuid: str,
            for_update: bool = False, read_deleted: bool = False) -> Mapping[str, Any]:
    """The instance's row, or L{InstanceNotFound} when absent or not visible."""
    if not validation.storable(uuid):
        raise InstanceNotFound(instance_id=uuid)
    query = _BY_UUID[bool(context.is_admin), bool(read_deleted), bool(for_update)]
    row = connection.execute(query, {"uuid": uuid, "project_id": context.project_id}
                             ).mappings().first()
    if row is None:
        raise InstanceNotFound(instance_id=uuid)
    return row


#: Everything that hangs off a page of instances but faults, in one statement:
#: C{(kind, instance id, key, value)} rows, kind C{m} for metadata, C{t} for
#: tags, C{g} for server groups (key: the group's uuid), C{v} for attached
#: volumes (key: the volume's uuid, value: C{"1"} when it goes with the server).
#: Built once, so that only the id list is bound per call and the compiled form
#: is reused.
_IDS = sa.bindparam("ids", expanding=True)
_G, _GM, _M = t.server_groups, t.server_group_members, t.instance_metadata
_VA = t.volume_attachments
_NO_VALUE = sa.cast(sa.null(), sa.String(255))
_SIDE_TABLES = sa.union_all(
    sa.select(sa.literal("m"), _M.c.instance_id, _M.c.key, _M.c.value)
    .where(_M.c.instance_id.in_(_IDS)),
    sa.select(sa.literal("t"), t.tags.c.instance_id, t.tags.c.tag, _NO_VALUE)
    .where(t.tags.c.instance_id.in_(_IDS)),
    sa.select(sa.literal("g"), I.c.id, _G.c.uuid, _NO_VALUE)
    .select_from(_GM.join(_G, _G.c.id == _GM.c.group_id).join(I, I.c.uuid == _GM.c.instance_uuid))
    .where(I.c.id.in_(_IDS)),
    sa.select(sa.literal("v"), I.c.id, _VA.c.volume_uuid,
              sa.case((_VA.c.delete_on_termination, "1"), else_="0"))
    .select_from(_VA.join(I, I.c.uuid == _VA.c.instance_uuid))
    .where(I.c.id.in_(_IDS)),
)
_FAULTS = (sa.select(t.instance_faults).where(t.instance_faults.c.instance_id.in_(_IDS))
           .order_by(t.instance_faults.c.id))


def records(connection: Connection, rows: Sequence[Mapping[str, Any]],
            extra_defaults: Mapping[str, Any]) -> list[Instance]:
    """Records for C{rows}: what hangs off them is read in one query per page."""
    if not rows:
        return []
    ids = [row["id"] for row in rows]
    metadata: dict[int, dict[str, str]] = {i: {} for i in ids}
    tags: dict[int, list[str]] = {i: [] for i in ids}
    groups: dict[int, list[str]] = {i: [] for i in ids}
    volumes: dict[int, list[AttachedVolume]] = {i: [] for i in ids}
    faults: dict[int, Mapping[str, Any]] = {}
    errors = [row["id"] for row in rows if row["vm_state"] == states.ERROR]
    for chunk in _chunks(errors):
        for fault in connection.execute(_FAULTS, {"ids": chunk}).mappings():
            faults[fault["instance_id"]] = fault
    for chunk in _chunks(ids):
        for kind, instance_id, key, value in connection.execute(_SIDE_TABLES, {"ids": chunk}):
            if kind == "m":
                metadata[instance_id][key] = value
            elif kind == "t":
                tags[instance_id].append(key)
            elif kind == "g":
                groups[instance_id].append(key)
            else:
                volumes[instance_id].append(AttachedVolume(key, value == "1"))
    addresses: dict[str, tuple] = {}
    security_groups: dict[str, tuple[tuple[str, int], ...]] = {}
    live = [row["uuid"] for row in rows if not row["deleted"]]
    for chunk in _chunks(live):
        found, names = ports.server_networking(connection, chunk)
        addresses.update(found)
        security_groups.update(names)
    return [
        convert.instance(row, metadata[row["id"]], tags[row["id"]], faults.get(row["id"]),
                         groups[row["id"]], extra_defaults, volumes[row["id"]],
                         addresses.get(row["uuid"], ()),
                         security_groups.get(row["uuid"], ()))
        for row in rows
    ]


def record(connection: Connection, row: Mapping[str, Any],
           extra_defaults: Mapping[str, Any]) -> Instance:
    return records(connection, [row], extra_defaults)[0]


def reload(connection: Connection, instance_id: int,
           extra_defaults: Mapping[str, Any]) -> Instance:
    row = connection.execute(sa.select(I).where(I.c.id == instance_id)).mappings().one()
    return record(connection, row, extra_defaults)


def _chunks(items: Sequence[Any], size: int = 500) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _status_clause(status: str) -> sa.ColumnElement:
    clauses = []
    for vm_state, only, excluding in states.states_from_status(status):
        if only is not None:
            clauses.append(sa.and_(I.c.vm_state == vm_state, I.c.task_state.in_(only)))
        elif excluding:
            clauses.append(sa.and_(
                I.c.vm_state == vm_state,
                sa.or_(I.c.task_state.is_(None), I.c.task_state.not_in(excluding)),
            ))
        else:
            clauses.append(I.c.vm_state == vm_state)
    return sa.or_(sa.false(), *clauses)


def _tag_exists(tag: str) -> sa.ColumnElement:
    return sa.exists().where(t.tags.c.instance_id == I.c.id, equals(t.tags.c.tag, tag))


def _matches(column: sa.Column, value: str, field: str) -> sa.ColumnElement:
    """nova's regular expression filter; one no row can match is false."""
    validation.pattern(value, field)
    return column.regexp_match(value) if validation.storable(value) else sa.false()


def _regex_refused(error: sa_exc.DBAPIError) -> bool:
    """
    Whether the database refused a regular expression that Python compiled
    (their dialects differ): PostgreSQL's SQLSTATE 2201B, MySQL's error
    1139, an exception in SQLite's C{REGEXP} function (Python's C{re}).
    """
    orig = error.orig
    code = getattr(orig, "sqlstate", None) or (orig.args[0] if getattr(orig, "args", None)
                                                else None)
    return code in ("2201B", 1139) or "user-defined function raised exception" in str(orig)


def filters(context: RequestContext, query: ServerQuery) -> list[sa.ColumnElement]:
    """The WHERE clauses of C{query} for C{context}."""
    clauses: list[sa.ColumnElement] = []
    if not context.is_admin or not query.all_tenants:
        clauses.append(I.c.project_id == context.project_id)
    elif query.project_id:
        clauses.append(equals(I.c.project_id, query.project_id))
    if query.changes_since is not None:
        since = convert.to_store(query.changes_since)
        clauses.append(sa.func.coalesce(I.c.updated_at, I.c.created_at) >= since)
    if query.changes_before is not None:
        before = convert.to_store(query.changes_before)
        clauses.append(sa.func.coalesce(I.c.updated_at, I.c.created_at) <= before)
    if query.deleted is not None:
        clauses.append(I.c.deleted == (sa.true() if query.deleted else sa.false()))
    elif query.changes_since is None and query.changes_before is None:
        clauses.append(I.c.deleted == sa.false())
    if query.name:
        clauses.append(_matches(I.c.name, query.name, "name"))
    if query.ip:
        clauses.append(_matches(I.c.fixed_ip, query.ip, "ip"))
    if query.status:
        clauses.append(_status_clause(query.status))
    if query.vm_state:
        clauses.append(equals(I.c.vm_state, query.vm_state))
    if query.flavor_id is not None:
        clauses.append(equals(I.c.flavor["flavorid"].as_string(), str(query.flavor_id)))
    if query.image_id:
        clauses.append(equals(I.c.image_id, query.image_id))
    if query.reservation_id:
        clauses.append(equals(I.c.reservation_id, query.reservation_id))
    if query.uuids:
        clauses.append(one_of(I.c.uuid, query.uuids))
    if query.ec2_ids:
        clauses.append(I.c.id.in_([i for i in query.ec2_ids if validation.internal_id(i)]))
    if query.key_name:
        clauses.append(equals(I.c.key_name, query.key_name))
    if query.availability_zone:
        clauses.append(equals(I.c.availability_zone, query.availability_zone))
    if query.host is not None:
        clauses.append(equals(I.c.host, query.host))
    if query.node is not None:
        clauses.append(equals(I.c.node, query.node))
    if query.user_id:
        clauses.append(equals(I.c.user_id, query.user_id))
    for tag in query.tags:
        clauses.append(_tag_exists(tag))
    if query.tags_any:
        clauses.append(sa.or_(*[_tag_exists(tag) for tag in query.tags_any]))
    if query.not_tags:
        clauses.append(sa.not_(sa.and_(*[_tag_exists(tag) for tag in query.not_tags])))
    for tag in query.not_tags_any:
        clauses.append(sa.not_(_tag_exists(tag)))
    return clauses


def _sort_columns(query: ServerQuery) -> list[tuple[sa.ColumnElement, str]]:
    dirs = list(query.sort_dirs) or ["desc"]
    columns = []
    for index, key in enumerate(query.sort_keys or ("created_at",)):
        if key not in SORT_KEYS:
            raise InvalidSortKey(sort_key=key)
        column, null_as = SORT_KEYS[key]
        direction = dirs[index] if index < len(dirs) else dirs[-1]
        if direction not in ("asc", "desc"):
            raise InvalidSortKey(message="Unknown sort direction, must be 'desc' or 'asc'")
        expression = column if null_as is None else sa.func.coalesce(column, null_as)
        columns.append((expression, direction))
    columns.append((I.c.id, columns[0][1] if columns else "desc"))
    return columns


#: A listing with no filter, no marker and nova's default order.
_PLAIN_QUERY = ServerQuery()


def _plain_page(scoped: bool, limited: bool) -> sa.Select:
    """The statement of a plain listing, built once: what most listings are."""
    clauses = [I.c.deleted == sa.false()]
    if scoped:
        clauses.append(I.c.project_id == sa.bindparam("project_id"))
    statement = sa.select(I).where(*clauses).order_by(I.c.created_at.desc(), I.c.id.desc())
    return statement.limit(sa.bindparam("limit")) if limited else statement


#: L{_plain_page}'s statements: by (scoped to a project, limited).
_PLAIN_PAGES = {(scoped, limited): _plain_page(scoped, limited)
                for scoped in (True, False) for limited in (True, False)}


def _plain_rows(connection: Connection, context: RequestContext,
                query: ServerQuery) -> list[Mapping[str, Any]] | None:
    """The rows of C{query} from a prebuilt statement, or C{None} if it is not plain."""
    if attrs.evolve(query, limit=None, all_tenants=False) != _PLAIN_QUERY:
        return None
    scoped = not (context.is_admin and query.all_tenants)
    limited = query.limit is not None
    statement = _PLAIN_PAGES[scoped, limited]
    return list(connection.execute(statement, {
        "project_id": context.project_id, "limit": (query.limit or 0) + 1,
    }).mappings())


def list_page(connection: Connection, context: RequestContext, query: ServerQuery,
              extra_defaults: Mapping[str, Any]) -> Page:
    """
    One page of C{query}: keyset paging after the marker, nova's order. A
    page limit of zero has nothing after it to link to, like nova's.
    """
    limit = validation.limit(query.limit)
    if limit != query.limit:
        query = attrs.evolve(query, limit=limit)
    rows = _plain_rows(connection, context, query)
    if rows is None:
        rows = _filtered_rows(connection, context, query)
    rows, has_more = cut(rows, query.limit)
    return Page(items=tuple(records(connection, rows, extra_defaults)), has_more=has_more)


def _filtered_rows(connection: Connection, context: RequestContext,
                   query: ServerQuery) -> list[Mapping[str, Any]]:
    clauses = filters(context, query)
    sort = _sort_columns(query)
    if query.marker:
        if not validation.storable(query.marker):
            raise MarkerNotFound(marker=query.marker)
        marker_query = sa.select(*[expression for expression, _ in sort]).where(
            I.c.uuid == query.marker, visible(context, read_deleted=True)
        )
        marker = connection.execute(marker_query).first()
        if marker is None:
            raise MarkerNotFound(marker=query.marker)
        after = []
        for index, (expression, direction) in enumerate(sort):
            equal = [sort[j][0] == marker[j] for j in range(index)]
            beyond = expression > marker[index] if direction == "asc" else expression < marker[index]
            after.append(sa.and_(*equal, beyond))
        clauses.append(sa.or_(*after))
    statement = sa.select(I).where(*clauses).order_by(
        *[expression.asc() if direction == "asc" else expression.desc()
          for expression, direction in sort]
    )
    if query.limit is not None:
        statement = statement.limit(query.limit + 1)
    if not (query.name or query.ip):
        return list(connection.execute(statement).mappings())
    try:
        return list(connection.execute(statement).mappings())
    except sa_exc.DBAPIError as e:
        if not _regex_refused(e):
            raise
        raise Invalid("Invalid regular expression for %s: %s."
                      % ("name" if query.name else "ip", str(e.orig).splitlines()[0])) from e


def touch(connection: Connection, instance_id: int, now: Any, **changes: Any) -> None:
    """Update columns of one instance and its C{updated_at}."""
    changes["updated_at"] = now
    connection.execute(sa.update(I).where(I.c.id == instance_id).values(**changes))


def set_metadata(connection: Connection, instance_id: int, items: Mapping[str, str],
                 replace: bool) -> None:
    M = t.instance_metadata
    if replace:
        connection.execute(sa.delete(M).where(M.c.instance_id == instance_id))
    elif items:
        connection.execute(sa.delete(M).where(M.c.instance_id == instance_id,
                                              M.c.key.in_(list(items))))
    if items:
        connection.execute(sa.insert(M), [
            {"instance_id": instance_id, "key": key, "value": value}
            for key, value in items.items()
        ])


def metadata_of(connection: Connection, instance_id: int) -> dict[str, str]:
    M = t.instance_metadata
    return dict(connection.execute(
        sa.select(M.c.key, M.c.value).where(M.c.instance_id == instance_id)).all())


def tags_of(connection: Connection, instance_id: int) -> list[str]:
    return sorted(connection.execute(
        sa.select(t.tags.c.tag).where(t.tags.c.instance_id == instance_id)).scalars())


def add_fault(connection: Connection, instance_id: int, code: int, message: str,
              details: str, now: Any) -> None:
    connection.execute(sa.insert(t.instance_faults).values(
        instance_id=instance_id, code=code, message=message[:255], details=details,
        created_at=now))
