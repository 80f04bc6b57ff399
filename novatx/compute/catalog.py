"""
Flavors and images: the SQL of the catalog the servers are made from.
"""

from __future__ import annotations

import uuid as uuidlib
from typing import Any, Mapping

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from novatx.compute import convert, validation
from novatx.compute.listing import equals, one_of, read_page
from novatx.compute.context import RequestContext
from novatx.compute.exceptions import (
    FlavorExists, FlavorNotFound, ImageNotFound, Invalid, MarkerNotFound, NotAuthorized,
)
from novatx.compute.records import Flavor, Image, Page
from novatx.db import tables as t

F, X, P, IM = t.flavors, t.flavor_extra_specs, t.flavor_projects, t.images

FLAVOR_SORT_KEYS = ("flavorid", "name", "memory_mb", "vcpus", "root_gb", "ephemeral_gb",
                    "swap", "rxtx_factor", "id", "created_at", "is_public", "description")
IMAGE_SORT_KEYS = ("created_at", "updated_at", "name", "status", "size", "id",
                   "disk_format", "container_format", "visibility", "min_disk", "min_ram")


def extra_specs(connection: Connection, flavor_ids: list[int]) -> dict[int, dict[str, str]]:
    found: dict[int, dict[str, str]] = {i: {} for i in flavor_ids}
    if flavor_ids:
        for flavor_id, key, value in connection.execute(
            sa.select(X.c.flavor_id, X.c.key, X.c.value).where(X.c.flavor_id.in_(flavor_ids))
        ):
            found[flavor_id][key] = value
    return found


def _flavor_access(context: RequestContext) -> sa.ColumnElement:
    if context.is_admin:
        return sa.true()
    return sa.or_(F.c.is_public == sa.true(), sa.exists().where(
        P.c.flavor_id == F.c.id, P.c.project_id == context.project_id))


def flavor_row(connection: Connection, context: RequestContext, flavorid: str) -> Mapping:
    if not validation.storable(flavorid):
        raise FlavorNotFound(flavor_id=flavorid)
    row = connection.execute(
        sa.select(F).where(F.c.flavorid == str(flavorid), _flavor_access(context))
    ).mappings().first()
    if row is None:
        raise FlavorNotFound(flavor_id=flavorid)
    return row


def _flavor_with_specs(admin: bool) -> sa.Select:
    """A flavor's row once per extra spec (once with NULLs if it has none), by flavorid."""
    access = sa.true() if admin else sa.or_(F.c.is_public == sa.true(), sa.exists().where(
        P.c.flavor_id == F.c.id, P.c.project_id == sa.bindparam("project_id")))
    return (sa.select(F, X.c.key.label("spec_key"), X.c.value.label("spec_value"))
            .select_from(F.outerjoin(X, X.c.flavor_id == F.c.id))
            .where(F.c.flavorid == sa.bindparam("flavorid"), access))


#: L{get_flavor}'s one statement, built once for admins and once for the rest.
_FLAVOR_WITH_SPECS = {True: _flavor_with_specs(True), False: _flavor_with_specs(False)}


def get_flavor(connection: Connection, context: RequestContext, flavorid: str) -> Flavor:
    """The flavor and its extra specs, read in one query."""
    if not validation.storable(flavorid):
        raise FlavorNotFound(flavor_id=flavorid)
    rows = connection.execute(_FLAVOR_WITH_SPECS[context.is_admin], {
        "flavorid": str(flavorid), "project_id": context.project_id,
    }).mappings().all()
    if not rows:
        raise FlavorNotFound(flavor_id=flavorid)
    specs = {row["spec_key"]: row["spec_value"] for row in rows if row["spec_key"] is not None}
    return convert.flavor(rows[0], specs)


def list_flavors(connection: Connection, context: RequestContext, is_public: bool | None,
                 min_ram: int | None, min_disk: int | None, sort_key: str, sort_dir: str,
                 limit: int | None, marker: str | None) -> Page:
    if sort_key not in FLAVOR_SORT_KEYS or sort_dir not in ("asc", "desc"):
        raise Invalid("Invalid sort key %s or direction %s." % (sort_key, sort_dir))
    clauses = [_flavor_access(context), F.c.disabled == sa.false()]
    if is_public is not None and (context.is_admin or is_public is False):
        clauses.append(F.c.is_public == (sa.true() if is_public else sa.false()))
    for column, least in ((F.c.memory_mb, min_ram), (F.c.root_gb, min_disk)):
        if least is not None:
            clauses.append(column >= least if least <= validation.MAX_INT else sa.false())
    column = F.c[sort_key]
    limit = validation.limit(limit)
    if marker is not None:
        if not validation.storable(marker):
            raise MarkerNotFound(marker=marker)
        mark = connection.execute(
            sa.select(column, F.c.id).where(F.c.flavorid == str(marker), _flavor_access(context))
        ).first()
        if mark is None:
            raise MarkerNotFound(marker=marker)
        if sort_dir == "asc":
            clauses.append(sa.or_(column > mark[0], sa.and_(column == mark[0], F.c.id > mark[1])))
        else:
            clauses.append(sa.or_(column < mark[0], sa.and_(column == mark[0], F.c.id < mark[1])))
    order = [column.asc(), F.c.id.asc()] if sort_dir == "asc" else [column.desc(), F.c.id.desc()]
    rows, has_more = read_page(connection, sa.select(F).where(*clauses).order_by(*order), limit)
    specs = extra_specs(connection, [row["id"] for row in rows])
    return Page(items=tuple(convert.flavor(row, specs[row["id"]]) for row in rows),
                has_more=has_more)


def create_flavor(connection: Connection, values: dict[str, Any], now: Any) -> Flavor:
    if values.get("flavorid") is None:
        values["flavorid"] = str(uuidlib.uuid4())
    values["flavorid"] = str(values["flavorid"])
    for key in ("flavorid", "name"):
        exists = connection.execute(
            sa.select(F.c.id).where(F.c[key] == values[key])).first()
        if exists:
            raise FlavorExists(key="ID" if key == "flavorid" else "name", value=values[key])
    values["created_at"] = now
    flavor_id = connection.execute(sa.insert(F).values(**values)).inserted_primary_key[0]
    row = connection.execute(sa.select(F).where(F.c.id == flavor_id)).mappings().one()
    return convert.flavor(row, {})


def admin_only(context: RequestContext) -> None:
    if not context.is_admin:
        raise NotAuthorized("Policy doesn't allow this operation to be performed.")


# -- images ---------------------------------------------------------------------


def _image_visible(context: RequestContext) -> sa.ColumnElement:
    """Public and community images, the project's own, and shared ones it is a member of."""
    if context.is_admin:
        return sa.true()
    M = t.image_members
    return sa.or_(IM.c.visibility.in_(["public", "community"]), IM.c.owner == context.project_id,
                  sa.and_(IM.c.visibility == "shared", sa.exists().where(
                      M.c.image_id == IM.c.id, M.c.project_id == context.project_id)))


def image_row(connection: Connection, context: RequestContext, image_id: str) -> Mapping:
    """An image the caller may see; a deleted one only by its owner (or admins)."""
    if not validation.storable(image_id):
        raise ImageNotFound(image_id=image_id)
    row = connection.execute(
        sa.select(IM).where(IM.c.uuid == str(image_id), _image_visible(context))
    ).mappings().first()
    if row is None or (row["deleted"] and not context.is_admin
                       and row["owner"] != context.project_id):
        raise ImageNotFound(image_id=image_id)
    return row


def image_row_by_id(connection: Connection, context: RequestContext, internal_id: int) -> Mapping:
    if not validation.internal_id(internal_id):
        raise ImageNotFound(image_id="ami-%08x" % internal_id)
    row = connection.execute(
        sa.select(IM).where(IM.c.id == internal_id, _image_visible(context),
                            IM.c.deleted == sa.false())
    ).mappings().first()
    if row is None:
        raise ImageNotFound(image_id="ami-%08x" % internal_id)
    return row


def list_images(connection: Connection, context: RequestContext, filters: Mapping[str, Any],
                limit: int | None, marker: str | None, sort_key: str, sort_dir: str) -> Page:
    if sort_key not in IMAGE_SORT_KEYS or sort_dir not in ("asc", "desc"):
        raise Invalid("Invalid sort key %s or direction %s." % (sort_key, sort_dir))
    clauses = [_image_visible(context), IM.c.deleted == sa.false()]
    for key in ("name", "status", "visibility", "owner", "disk_format", "container_format"):
        if filters.get(key) is not None:
            clauses.append(equals(IM.c[key], filters[key]))
    if filters.get("ids"):
        clauses.append(one_of(IM.c.uuid, filters["ids"]))
    if filters.get("internal_ids"):
        clauses.append(IM.c.id.in_([i for i in filters["internal_ids"]
                                    if validation.internal_id(i)]))
    column = IM.c[sort_key]
    limit = validation.limit(limit)
    if marker is not None:
        if not validation.storable(marker):
            raise MarkerNotFound(marker=marker)
        mark = connection.execute(
            sa.select(column, IM.c.id).where(IM.c.uuid == marker, _image_visible(context))
        ).first()
        if mark is None:
            raise MarkerNotFound(marker=marker)
        if sort_dir == "asc":
            clauses.append(sa.or_(column > mark[0], sa.and_(column == mark[0], IM.c.id > mark[1])))
        else:
            clauses.append(sa.or_(column < mark[0], sa.and_(column == mark[0], IM.c.id < mark[1])))
    order = ([column.asc(), IM.c.id.asc()] if sort_dir == "asc"
             else [column.desc(), IM.c.id.desc()])
    rows, has_more = read_page(connection, sa.select(IM).where(*clauses).order_by(*order), limit)
    return Page(items=tuple(convert.image(row) for row in rows), has_more=has_more)


def create_image(connection: Connection, values: dict[str, Any], now: Any) -> Image:
    values = dict(values, uuid=str(uuidlib.uuid4()), deleted=False, created_at=now,
                  updated_at=now, protected=False)
    image_id = connection.execute(sa.insert(IM).values(**values)).inserted_primary_key[0]
    return convert.image(connection.execute(
        sa.select(IM).where(IM.c.id == image_id)).mappings().one())
