"""
The image service subset on the compute port, under C{/image}.

The openstack CLI and openstacksdk find images through glance's v2 API: they
discover its versions at C{GET /image}, resolve C{--image NAME} with
C{GET /image/v2/images?name=...} and list with C{id=in:...}. This answers
those requests, in glance's shapes, from the same registry the compute API
uses, so a cloud needs no separate image service for its clients.

The write side is what tempest's and openstacksdk's image flows need to set
up and clean up: create (queued), upload (active; the bytes are counted, not
kept), download (204: glance's answer for an image without data), update by
JSON patch, delete (204); the task listings (always empty:
nothing here runs glance tasks) and the schemas the documents link to.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from novatx.compute.exceptions import Invalid, NotFound
from novatx.compute.records import Image
from novatx.extensions.compute import _listing
from novatx.extensions.compute._extension import ComputeResource, deferred
from novatx.extensions.compute._glance_patch import create_changes, patch_changes
from novatx.extensions.compute._glance_schemas import SCHEMAS
from novatx.extensions.compute.images import format_date
from novatx.extensions.compute.policies import images as policies
from novatx.extensions.interfaces import Response, Route
from novatx.extensions.numbers import NotDigits, parse_digits

#: The glance v2 minor versions listed at discovery, newest (CURRENT) first.
GLANCE_VERSIONS = tuple("v2.%d" % minor for minor in range(16, -1, -1))

#: Image fields whose filters glance applies by equality (besides C{id}, C{name}).
_EQUALITY_FILTERS = ("status", "owner")

VISIBILITIES = frozenset(("public", "private", "shared", "community", "all"))

#: The query parameters glance itself takes; any other filters by an image property.
GLANCE_QUERY = frozenset((
    "limit", "marker", "name", "id", "status", "owner", "visibility", "sort_key", "sort_dir",
    "sort", "member_status", "os_hidden", "tag", "created_at", "updated_at", "size_min",
    "size_max", "disk_format", "container_format", "protected",
))

#: How much of an upload is read at a time while counting its bytes.
_CHUNK = 1 << 16


def versions_document(request: Any) -> dict[str, Any]:
    """glance's version list: each entry's C{self} link ends in C{/image/v2/}."""
    href = "%s/v2/" % request.url().rstrip("/")
    return {
        "versions": [
            {
                "id": version,
                "status": "CURRENT" if index == 0 else "SUPPORTED",
                "links": [{"rel": "self", "href": href}],
            }
            for index, version in enumerate(GLANCE_VERSIONS)
        ]
    }


def glance_image(image: Image) -> dict[str, Any]:
    """An image as glance v2 shows it: its own fields, then its properties, flat."""
    document: dict[str, Any] = dict(image.properties)
    document.update(
        {
            "id": image.id,
            "name": image.name,
            "status": image.status,
            "visibility": image.visibility,
            "protected": image.protected,
            "os_hidden": False,
            "owner": image.owner,
            "size": image.size,
            "virtual_size": None,
            "checksum": None,
            "os_hash_algo": None,
            "os_hash_value": None,
            "min_disk": image.min_disk,
            "min_ram": image.min_ram,
            "disk_format": image.disk_format,
            "container_format": image.container_format,
            "tags": [],
            "created_at": format_date(image.created_at),
            "updated_at": format_date(image.updated_at),
            "self": "/v2/images/%s" % image.id,
            "file": "/v2/images/%s/file" % image.id,
            "schema": "/v2/schemas/image",
        }
    )
    return document


def _in_list(value: str) -> list[str]:
    """glance's C{in:a,b} operator (or one plain value)."""
    if value.startswith("in:"):
        return [v for v in value[3:].split(",") if v]
    return [value]


def _filters(request: Any) -> dict[str, Any]:
    filters: dict[str, Any] = {}
    image_id = _listing.query_value(request, "id")
    if image_id is not None:
        filters["ids"] = _in_list(image_id)
    for key in _EQUALITY_FILTERS:
        value = _listing.query_value(request, key)
        if value is not None:
            filters[key] = value
    visibility = _listing.query_value(request, "visibility")
    if visibility is not None:
        if visibility not in VISIBILITIES:
            raise Invalid("Invalid visibility value: %s" % visibility)
        if visibility != "all":
            filters["visibility"] = visibility
    return filters


def _glance_limit(request: Any, max_limit: int) -> int:
    value = _listing.query_value(request, "limit")
    if value is None:
        return max_limit
    try:
        limit = parse_digits(value, signed=True)
    except NotDigits:
        raise Invalid("limit param must be an integer") from None
    if limit < 0:
        raise Invalid("limit param must be positive")
    return min(limit, max_limit)


class ImageService(ComputeResource):
    """glance v2's read side, under C{/image}."""

    name = "ImageService"
    alias = "image-service"
    policy_defaults = policies.IMAGE_SERVICE_RULES

    def routes(self) -> list[Route]:
        return [
            Route("/", ("GET",), self.versions, "image-service.versions", auth=False, root="image"),
            Route("/versions", ("GET",), self.version_list, "image-service.version_list",
                  auth=False, root="image"),
            Route("/v2/images", ("GET",), self.index, "image-service.index",
                  policy=policies.IMAGE_SERVICE, root="image"),
            Route("/v2/images/<image_id>", ("GET",), self.show, "image-service.show",
                  policy=policies.IMAGE_SERVICE, root="image"),
            Route("/v2/images", ("POST",), self.create, "image-service.create",
                  policy=policies.IMAGE_SERVICE, root="image", status=201),
            Route("/v2/images/<image_id>", ("PATCH",), self.update, "image-service.update",
                  policy=policies.IMAGE_SERVICE, root="image", raw_body=True),
            Route("/v2/images/<image_id>/file", ("PUT",), self.upload, "image-service.upload",
                  policy=policies.IMAGE_SERVICE, root="image", raw_body=True, status=204),
            Route("/v2/images/<image_id>/file", ("GET",), self.download, "image-service.download",
                  policy=policies.IMAGE_SERVICE, root="image", status=204),
            Route("/v2/images/<image_id>", ("DELETE",), self.delete, "image-service.delete",
                  policy=policies.IMAGE_SERVICE, root="image", status=204),
            Route("/v2/images/<image_id>/tasks", ("GET",), self.image_tasks,
                  "image-service.image_tasks", policy=policies.IMAGE_SERVICE, root="image"),
            Route("/v2/tasks", ("GET",), self.tasks, "image-service.tasks",
                  policy=policies.IMAGE_SERVICE, root="image"),
            Route("/v2/schemas/<name>", ("GET",), self.schema, "image-service.schema",
                  policy=policies.IMAGE_SERVICE, root="image"),
        ]

    def versions(self, request: Any) -> Response:
        """glance answers its root with 300 Multiple Choices."""
        return Response(versions_document(request), status=300)

    def version_list(self, request: Any) -> dict[str, Any]:
        return versions_document(request)

    @deferred
    async def index(self, request: Any) -> dict[str, Any]:
        limit = _glance_limit(request, self.max_limit)
        marker = _listing.query_value(request, "marker")
        names = None
        name = _listing.query_value(request, "name")
        filters = _filters(request)
        if name is not None:
            names = _in_list(name)
            if len(names) == 1:
                filters["name"] = names[0]
        sort_key = _listing.query_value(request, "sort_key") or "created_at"
        sort_dir = _listing.query_value(request, "sort_dir") or "desc"
        sort = _listing.query_value(request, "sort")
        if sort:
            key, _, direction = sort.split(",")[0].partition(":")
            sort_key, sort_dir = key, direction or "desc"
        if sort_dir not in ("asc", "desc"):
            raise Invalid("Invalid sort direction: %s" % sort_dir)
        wanted = {key: values[-1] for key, values in request.args.items()
                  if key not in GLANCE_QUERY and values}
        page = await self.compute.list_images(
            request.context, filters=filters, limit=self.max_limit if wanted else limit,
            marker=marker, sort_key=sort_key, sort_dir=sort_dir,
        )
        images = [i for i in page.items if (names is None or i.name in names)
                  and all(i.properties.get(key) == value for key, value in wanted.items())]
        has_more, last = page.has_more, page.items[-1] if page.items else None
        if wanted:
            has_more = len(images) > limit
            images = images[:limit]
            last = images[-1] if images else None
        query = [(k, v) for k, values in sorted(request.args.items()) if k != "marker" for v in values]
        document: dict[str, Any] = {
            "images": [glance_image(i) for i in images],
            "schema": "/v2/schemas/images",
            "first": "/v2/images" + ("?" + urlencode(query) if query else ""),
        }
        if has_more and last is not None:
            query.append(("marker", last.id))
            document["next"] = "/v2/images?" + urlencode(query)
        return document

    @deferred
    async def show(self, request: Any, image_id: str) -> dict[str, Any]:
        image = await self.compute.get_image(request.context, image_id)
        return glance_image(image)

    @deferred
    async def create(self, request: Any) -> dict[str, Any]:
        """C{POST /v2/images}: a queued image with no data yet (201)."""
        changes = create_changes(request.body)
        core = changes.core
        for field in ("min_disk", "min_ram"):
            if field in core and not isinstance(core[field], int):
                raise Invalid("Invalid value for %s: %r" % (field, core[field]))
        image = await self.compute.create_image_record(
            request.context, core.get("name"),
            disk_format=core.get("disk_format"), container_format=core.get("container_format"),
            visibility=core.get("visibility", "shared"), properties=changes.properties,
            min_disk=core.get("min_disk", 0), min_ram=core.get("min_ram", 0), status="queued",
        )
        if core.get("protected"):
            image = await self.compute.update_image(request.context, image.id,
                                                    core={"protected": True})
        return glance_image(image)

    @deferred
    async def update(self, request: Any, image_id: str) -> dict[str, Any]:
        """C{PATCH /v2/images/{id}} with glance's JSON patch media type."""
        content_type = (request.headers.getRawHeaders("content-type") or [""])[0]
        changes = patch_changes(_read(request.raw), content_type.split(";")[0].strip().lower())
        image = await self.compute.update_image(
            request.context, image_id, core=changes.core, properties=changes.properties,
            removed=changes.removed,
        )
        return glance_image(image)

    @deferred
    async def upload(self, request: Any, image_id: str) -> None:
        """C{PUT /v2/images/{id}/file}: the image becomes active with the upload's size."""
        await self.compute.upload_image_data(request.context, image_id, _size(request.raw))

    @deferred
    async def download(self, request: Any, image_id: str) -> Response:
        """
        C{GET /v2/images/{id}/file}: 204, glance's answer for an image without
        data, since no upload's bytes are kept; typed as glance types image
        data (a client streaming it reads the header).
        """
        await self.compute.get_image(request.context, image_id)
        return Response(b"", status=204, content_type="application/octet-stream")

    @deferred
    async def delete(self, request: Any, image_id: str) -> None:
        """C{DELETE /v2/images/{id}}: 204, then 404 for everyone."""
        await self.compute.delete_image(request.context, image_id)

    @deferred
    async def image_tasks(self, request: Any, image_id: str) -> dict[str, Any]:
        """The tasks that touched an image: none run here."""
        await self.compute.get_image(request.context, image_id)
        return {"tasks": []}

    def tasks(self, request: Any) -> dict[str, Any]:
        """The caller's glance tasks: none run here."""
        return {"tasks": [], "first": "/v2/tasks", "schema": "/v2/schemas/tasks"}

    def schema(self, request: Any, name: str) -> dict[str, Any]:
        """C{/v2/schemas/image}, C{images}, C{member}, C{members}."""
        if name not in SCHEMAS:
            raise NotFound("The resource could not be found.")
        return SCHEMAS[name]


def _read(raw: Any) -> bytes:
    """The body of a request whose route leaves it unread."""
    if raw.content is None:
        return b""
    raw.content.seek(0)
    return raw.content.read()


def _size(raw: Any) -> int:
    """How many bytes an upload holds, read a chunk at a time (nothing is kept)."""
    if raw.content is None:
        return 0
    raw.content.seek(0)
    size = 0
    while True:
        chunk = raw.content.read(_CHUNK)
        if not chunk:
            return size
        size += len(chunk)
