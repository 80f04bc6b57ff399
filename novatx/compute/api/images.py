"""
The small image registry the compute and EC2 APIs share.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from twisted.internet.defer import Deferred, fail

from novatx.compute import catalog, convert, validation
from novatx.compute.api._base import ComputeAPIBase
from novatx.compute.context import RequestContext
from novatx.compute.exceptions import Conflict, ImageNotFound, Invalid, NotAuthorized
from novatx.compute.records import Image
from novatx.db import tables as t


def _owned_image(connection: Connection, context: RequestContext, image_id: str,
                 verb: str) -> Mapping[str, Any]:
    """The row of an image the caller may C{verb}: its owner's, or any for an admin."""
    row = catalog.image_row(connection, context, image_id)
    if row["deleted"]:
        raise ImageNotFound(image_id=image_id)
    if not context.is_admin and row["owner"] != context.project_id:
        raise NotAuthorized("Not allowed to %s image %s." % (verb, image_id))
    return row


class ImagesAPI(ComputeAPIBase):
    """The image registry. One part of L{novatx.compute.api.ComputeAPI}."""

    def list_images(self, context: RequestContext, filters: Mapping[str, Any] | None = None,
                    limit: int | None = None, marker: str | None = None,
                    sort_key: str = "created_at", sort_dir: str = "desc") -> Deferred:
        return self._read(catalog.list_images, context, dict(filters or {}), limit, marker,
                          sort_key, sort_dir)

    def get_image(self, context: RequestContext, image_id: str) -> Deferred:
        return self._read(lambda c: convert.image(catalog.image_row(c, context, image_id)))

    def get_image_by_ec2_id(self, context: RequestContext, internal_id: int) -> Deferred:
        return self._read(lambda c: convert.image(catalog.image_row_by_id(c, context,
                                                                          int(internal_id))))

    def create_image_record(self, context: RequestContext, name: str, disk_format: str = "qcow2",
                            container_format: str = "bare", visibility: str = "private",
                            properties: Mapping[str, str] | None = None, size: int | None = None,
                            min_disk: int = 0, min_ram: int = 0,
                            status: str = "active") -> Deferred:
        if visibility not in ("public", "private", "shared", "community"):
            return fail(Invalid("Invalid visibility value: %s" % visibility))
        try:
            validation.text(name, "name", 255)
            for field, value, maximum in (("size", size, validation.MAX_BIGINT),
                                          ("min_disk", min_disk, validation.MAX_INT),
                                          ("min_ram", min_ram, validation.MAX_INT)):
                if value is not None:
                    validation.integer(value, field, 0, maximum)
        except Exception:
            return fail()
        if visibility == "public" and not context.is_admin:
            return fail(NotAuthorized("Only admins may publicize images."))
        values = {"name": name, "status": status, "disk_format": disk_format,
                  "container_format": container_format, "size": size, "min_disk": min_disk,
                  "min_ram": min_ram, "visibility": visibility, "owner": context.project_id,
                  "properties": dict(properties or {})}
        return self._write(catalog.create_image, values, self._now())

    def update_image_metadata(self, context: RequestContext, image_id: str,
                              properties: Mapping[str, str], replace: bool = False) -> Deferred:
        def run(connection: Connection) -> Image:
            row = _owned_image(connection, context, image_id, "modify")
            current = {} if replace else dict(row["properties"] or {})
            current.update(properties)
            connection.execute(sa.update(t.images).where(t.images.c.id == row["id"]).values(
                properties=current, updated_at=self._now()))
            return convert.image(catalog.image_row(connection, context, image_id))
        return self._write(run)

    def delete_image(self, context: RequestContext, image_id: str) -> Deferred:
        def run(connection: Connection) -> None:
            row = _owned_image(connection, context, image_id, "delete")
            if row["protected"]:
                raise Conflict("Image %s is protected and cannot be deleted." % image_id)
            connection.execute(sa.update(t.images).where(t.images.c.id == row["id"]).values(
                deleted=True, status="deleted", updated_at=self._now()))
        return self._write(run)

    def list_image_members(self, context: RequestContext, image_id: str) -> Deferred:
        """Fire with the projects a shared image is shared with (its owner or admins ask)."""
        M = t.image_members

        def run(connection: Connection) -> list[str]:
            row = _owned_image(connection, context, image_id, "describe")
            return list(connection.execute(sa.select(M.c.project_id).where(
                M.c.image_id == row["id"]).order_by(M.c.project_id)).scalars())
        return self._read(run)

    def update_image_access(self, context: RequestContext, image_id: str,
                            public: bool | None = None, add: Sequence[str] = (),
                            remove: Sequence[str] = (), reset: bool = False) -> Deferred:
        """
        Change who may launch an image (its owner or admins): C{public} makes
        it public (admins only, glance's C{publicize_image} default) or no
        longer public; C{add} and C{remove} share it with projects or stop;
        C{reset} makes it private to its owner again. A private image shared
        with a project becomes C{shared}; fires with the image.
        """
        try:
            for project in list(add) + list(remove):
                validation.text(project, "project_id", 255)
        except Invalid:
            return fail()
        if public and not context.is_admin:
            return fail(NotAuthorized("Only admins may publicize images."))
        M = t.image_members

        def run(connection: Connection) -> Image:
            row = _owned_image(connection, context, image_id, "modify")
            visibility = row["visibility"]
            if reset:
                connection.execute(sa.delete(M).where(M.c.image_id == row["id"]))
                visibility = "private"
            if remove:
                connection.execute(sa.delete(M).where(M.c.image_id == row["id"],
                                                      M.c.project_id.in_(list(remove))))
            members = set(connection.execute(sa.select(M.c.project_id).where(
                M.c.image_id == row["id"])).scalars())
            fresh = sorted(set(add) - members)
            if fresh:
                connection.execute(sa.insert(M), [
                    {"image_id": row["id"], "project_id": project, "created_at": self._now()}
                    for project in fresh])
            if public is not None:
                visibility = "public" if public else "private"
            if visibility == "private" and (members or fresh):
                visibility = "shared"
            connection.execute(sa.update(t.images).where(t.images.c.id == row["id"]).values(
                visibility=visibility, updated_at=self._now()))
            return convert.image(catalog.image_row(connection, context, image_id))
        return self._write(run)
