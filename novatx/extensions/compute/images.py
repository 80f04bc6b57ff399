"""
C{/images}: the compute API's image proxy, deprecated at 2.36.

Nova answered these from glance; here they read the same image registry the
image service subset (L{novatx.extensions.compute.image_service}) shows. From
2.36 on every route answers 404, as nova's do.
"""

from __future__ import annotations

import datetime
from typing import Any

from novatx.compute.exceptions import Invalid, NotFound
from novatx.compute.records import Image
from novatx.extensions.compute import _listing
from novatx.extensions.compute._extension import ComputeResource, deferred
from novatx.extensions.compute.policies import images as policies
from novatx.extensions.compute.schemas import images as schemas
from novatx.extensions.interfaces import Response, Route

#: The last microversion that has the proxy.
MAX_VERSION = "2.35"

STATUSES = {
    "active": "ACTIVE",
    "queued": "SAVING",
    "saving": "SAVING",
    "deleted": "DELETED",
    "pending_delete": "DELETED",
    "killed": "ERROR",
}
PROGRESS = {"queued": 25, "saving": 50, "active": 100}


class ImageMetadataNotFound(NotFound):
    msg_fmt = "Invalid metadata key"


def format_date(value: datetime.datetime | None) -> str | None:
    """nova's image timestamps: C{2011-01-01T01:02:03Z}."""
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value is not None else None


def image_links(request: Any, image_id: str) -> list[dict[str, str]]:
    """C{self}, C{bookmark}, and the C{alternate} link into the image service."""
    links = _listing.resource_links(request, "images", image_id)
    links.append(
        {
            "rel": "alternate",
            "type": "application/vnd.openstack.image",
            "href": "%s/image/images/%s" % (_listing.origin(request), image_id),
        }
    )
    return links


def image_summary(request: Any, image: Image) -> dict[str, Any]:
    return {"id": image.id, "name": image.name, "links": image_links(request, image.id)}


def image_detail(request: Any, image: Image) -> dict[str, Any]:
    document: dict[str, Any] = {
        "id": image.id,
        "name": image.name,
        "minRam": image.min_ram or 0,
        "minDisk": image.min_disk or 0,
        "metadata": dict(image.properties),
        "created": format_date(image.created_at),
        "updated": format_date(image.updated_at),
        "status": STATUSES.get(image.status, "UNKNOWN"),
        "progress": PROGRESS.get(image.status, 0),
        "OS-EXT-IMG-SIZE:size": image.size,
        "links": image_links(request, image.id),
    }
    server = image.properties.get("instance_uuid")
    if server is not None:
        document["server"] = {
            "id": server,
            "links": _listing.resource_links(request, "servers", server),
        }
    disk_config = image.properties.get("auto_disk_config")
    if disk_config is not None:
        enabled = disk_config.strip().lower() in ("1", "t", "true", "on", "y", "yes")
        document["OS-DCF:diskConfig"] = "AUTO" if enabled else "MANUAL"
    return document


class Images(ComputeResource):
    """The image proxy (2.1 to 2.35)."""

    name = "Images"
    alias = "images"
    policy_defaults = policies.RULES

    def routes(self) -> list[Route]:
        def route(path: str, method: str, handler: Any, endpoint: str, **kw: Any) -> Route:
            return Route(path, (method,), handler, "images." + endpoint,
                         policy=policies.IMAGES, max_version=MAX_VERSION, **kw)

        meta = "/images/<image_id>/metadata"
        return [
            route("/images", "GET", self.index, "index"),
            route("/images/detail", "GET", self.detail, "detail"),
            route("/images/<image_id>", "GET", self.show, "show"),
            route("/images/<image_id>", "DELETE", self.delete, "delete", status=204),
            route("/images/", "DELETE", self.blank_id, "delete_blank"),
            route(meta, "GET", self.metadata_index, "metadata_index"),
            route(meta, "POST", self.metadata_create, "metadata_create", schema=schemas.metadata),
            route(meta, "PUT", self.metadata_replace, "metadata_replace", schema=schemas.metadata),
            route(meta + "/<key>", "GET", self.metadata_show, "metadata_show"),
            route(meta + "/<key>", "PUT", self.metadata_update, "metadata_update",
                  schema=schemas.meta_item),
            route(meta + "/<key>", "DELETE", self.metadata_delete, "metadata_delete", status=204),
        ]

    async def _list(self, request: Any) -> tuple[list[Image], int]:
        limit, marker = _listing.page_size(request, self.max_limit)
        filters: dict[str, Any] = {}
        name = _listing.query_value(request, "name")
        if name is not None:
            filters["name"] = name
        status = _listing.query_value(request, "status")
        if status is not None:
            filters["status"] = status.lower()
        page = await self.compute.list_images(
            request.context, filters=filters, limit=limit, marker=marker
        )
        images = list(page.items)
        min_ram = _listing.parse_int(request, "minRam")
        min_disk = _listing.parse_int(request, "minDisk")
        server = _listing.query_value(request, "server")
        if server is not None:
            # A server's link (self or bookmark) filters as its id does, as in nova.
            server = server.rsplit("/", 1)[-1]
        kind = _listing.query_value(request, "type")
        images = [
            image
            for image in images
            if (min_ram is None or image.min_ram >= min_ram)
            and (min_disk is None or image.min_disk >= min_disk)
            and (server is None or image.properties.get("instance_uuid") == server)
            and (kind is None or image.properties.get("image_type", "image") == kind)
        ]
        return images, limit

    def _listing(self, request: Any, images: list[Image], limit: int, view: Any, collection: str) -> dict:
        document: dict[str, Any] = {"images": [view(request, i) for i in images]}
        links = _listing.next_links(request, images, collection, lambda i: i.id, limit)
        if links:
            document["images_links"] = links
        return document

    @deferred
    async def index(self, request: Any) -> dict[str, Any]:
        images, limit = await self._list(request)
        return self._listing(request, images, limit, image_summary, "images")

    @deferred
    async def detail(self, request: Any) -> dict[str, Any]:
        images, limit = await self._list(request)
        return self._listing(request, images, limit, image_detail, "images/detail")

    @deferred
    async def show(self, request: Any, image_id: str) -> dict[str, Any]:
        image = await self.compute.get_image(request.context, image_id)
        return {"image": image_detail(request, image)}

    @deferred
    async def delete(self, request: Any, image_id: str) -> Response:
        await self.compute.delete_image(request.context, image_id)
        return Response(status=204)

    @deferred
    async def metadata_index(self, request: Any, image_id: str) -> dict[str, Any]:
        image = await self.compute.get_image(request.context, image_id)
        return {"metadata": dict(image.properties)}

    @deferred
    async def metadata_create(self, request: Any, image_id: str) -> dict[str, Any]:
        await self.compute.get_image(request.context, image_id)
        image = await self.compute.update_image_metadata(
            request.context, image_id, request.body["metadata"]
        )
        return {"metadata": dict(image.properties)}

    @deferred
    async def metadata_replace(self, request: Any, image_id: str) -> dict[str, Any]:
        await self.compute.get_image(request.context, image_id)
        image = await self.compute.update_image_metadata(
            request.context, image_id, request.body["metadata"], replace=True
        )
        return {"metadata": dict(image.properties)}

    @deferred
    async def metadata_show(self, request: Any, image_id: str, key: str) -> dict[str, Any]:
        image = await self.compute.get_image(request.context, image_id)
        if key not in image.properties:
            raise ImageMetadataNotFound()
        return {"meta": {key: image.properties[key]}}

    @deferred
    async def metadata_update(self, request: Any, image_id: str, key: str) -> dict[str, Any]:
        item = request.body["meta"]
        if key not in item:
            raise Invalid("Request body and URI mismatch")
        await self.compute.get_image(request.context, image_id)
        await self.compute.update_image_metadata(request.context, image_id, item)
        return {"meta": item}

    @deferred
    async def metadata_delete(self, request: Any, image_id: str, key: str) -> Response:
        image = await self.compute.get_image(request.context, image_id)
        if key not in image.properties:
            raise ImageMetadataNotFound()
        remaining = {k: v for k, v in image.properties.items() if k != key}
        await self.compute.update_image_metadata(request.context, image_id, remaining, replace=True)
        return Response(status=204)
