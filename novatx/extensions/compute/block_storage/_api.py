"""
The routes and handlers of the Block Storage subset.

Every v3 path is served with and without the project id after C{/v3}
(cinder made it optional at 3.67, and clients configured without one leave
it out); a project id that is not the caller's is cinder's 400. Each handler
runs at the negotiated microversion (L{_microversion}) and names it on the
answer.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Coroutine
from urllib.parse import urlencode

from twisted.internet.defer import Deferred, ensureDeferred

from novatx.compute.exceptions import Invalid, NotFound, OverLimit
from novatx.extensions.compute import _listing
from novatx.extensions.compute._extension import ComputeResource
from novatx.extensions.compute.block_storage import _microversion, _views, policies, schemas
from novatx.extensions.interfaces import APIVersion, Response, Route

#: When the v3 API's current microversion was last changed (its version documents say so).
UPDATED = "2023-09-01T00:00:00Z"

MALFORMED_URL = "Malformed request url"


def _fault(status: int, name: str, message: str) -> Response:
    return Response({name: {"code": status, "message": message}}, status=status)


def versioned(handler: Callable[..., Coroutine[Any, Any, Any]]) -> Callable[..., Deferred]:
    """
    Serve C{handler(self, request, version, **path)} at the negotiated
    version, for the caller's own project only.
    """
    @functools.wraps(handler)
    def wrapper(self: Any, request: Any, project_id: str | None = None,
                **path: Any) -> Any:
        try:
            version = _microversion.negotiate(request.headers)
        except Invalid as e:
            return _fault(400, "badRequest", str(e))
        except _microversion.VersionNotAcceptable as e:
            return _fault(406, "computeFault", str(e))
        _microversion.name_version(request.raw, version)
        if project_id is not None and project_id != request.context.project_id:
            return _fault(400, "badRequest", MALFORMED_URL)
        return ensureDeferred(handler(self, request, version, **path))

    return wrapper


def _over_limit_is_413(error: OverLimit) -> OverLimit:
    """cinder answers a quota it would exceed with 413 C{overLimit}, C{retryAfter} 0."""
    return OverLimit(str(error), retry_after=0)


def _name(body: dict[str, Any], key: str) -> Any:
    """C{name}/C{description}, or their v1 spellings C{display_*}."""
    return body.get(key, body.get("display_" + key))


_TRUE = frozenset(("1", "t", "true", "on", "y", "yes"))
_FALSE = frozenset(("0", "f", "false", "off", "n", "no"))


def _strict_bool(value: Any) -> bool:
    """A boolean as cinder's strict reading takes it: a bool or its usual spellings."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower() if isinstance(value, (str, int)) else None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(value)


def versions_document(request: Any) -> dict[str, Any]:
    return {"versions": [{
        "id": "v3.0",
        "status": "CURRENT",
        "version": str(_microversion.MAX_VERSION),
        "min_version": str(_microversion.MIN_VERSION),
        "updated": UPDATED,
        "links": [{"rel": "self", "href": request.url("v3") + "/"},
                  {"rel": "describedby", "type": "text/html",
                   "href": "https://docs.openstack.org/"}],
        "media-types": [{"base": "application/json",
                         "type": "application/vnd.openstack.volume+json;version=3"}],
    }]}


class BlockStorage(ComputeResource):
    """cinder v3's volumes, snapshots, types, limits and zones, under C{/volume}."""

    name = "BlockStorage"
    alias = "block-storage"
    policy_defaults = policies.RULES

    def routes(self) -> list[Route]:
        p = policies
        routes = [
            Route("/", ("GET",), self.versions, "block-storage.versions", auth=False,
                  root="volume"),
            Route("/v3/", ("GET",), self.version, "block-storage.version", auth=False,
                  root="volume"),
        ]
        table = [
            ("/volumes", "GET", self.index, "index", p.GET_ALL, 200, None),
            ("/volumes/detail", "GET", self.detail, "detail", p.GET_ALL, 200, None),
            ("/volumes", "POST", self.create, "create", p.CREATE, 202, schemas.create),
            ("/volumes/<volume_id>", "GET", self.show, "show", p.GET, 200, None),
            ("/volumes/<volume_id>", "PUT", self.update, "update", p.UPDATE, 200,
             schemas.update),
            ("/volumes/<volume_id>", "DELETE", self.delete, "delete", p.DELETE, 202, None),
            ("/volumes/<volume_id>/action", "POST", self.action, "action", None, 202,
             schemas.action),
            ("/volumes/<volume_id>/metadata", "GET", self.metadata, "metadata",
             p.METADATA_GET, 200, None),
            ("/volumes/<volume_id>/metadata", "POST", self.merge_metadata, "merge_metadata",
             p.METADATA_UPDATE, 200, schemas.metadata_set),
            ("/volumes/<volume_id>/metadata", "PUT", self.replace_metadata,
             "replace_metadata", p.METADATA_UPDATE, 200, schemas.metadata_set),
            ("/volumes/<volume_id>/metadata/<key>", "GET", self.metadata_item,
             "metadata_item", p.METADATA_GET, 200, None),
            ("/volumes/<volume_id>/metadata/<key>", "PUT", self.set_metadata_item,
             "set_metadata_item", p.METADATA_UPDATE, 200, schemas.metadata_item),
            ("/volumes/<volume_id>/metadata/<key>", "DELETE", self.delete_metadata_item,
             "delete_metadata_item", p.METADATA_DELETE, 200, None),
            ("/snapshots", "GET", self.snapshots, "snapshots", p.SNAPSHOT_GET_ALL, 200, None),
            ("/snapshots/detail", "GET", self.snapshots_detail, "snapshots_detail",
             p.SNAPSHOT_GET_ALL, 200, None),
            ("/snapshots", "POST", self.create_snapshot, "create_snapshot",
             p.SNAPSHOT_CREATE, 202, schemas.snapshot_create),
            ("/snapshots/<snapshot_id>", "GET", self.show_snapshot, "show_snapshot",
             p.SNAPSHOT_GET, 200, None),
            ("/snapshots/<snapshot_id>", "PUT", self.update_snapshot, "update_snapshot",
             p.SNAPSHOT_UPDATE, 200, schemas.snapshot_update),
            ("/snapshots/<snapshot_id>", "DELETE", self.delete_snapshot, "delete_snapshot",
             p.SNAPSHOT_DELETE, 202, None),
            ("/types", "GET", self.types, "types", p.TYPE_GET_ALL, 200, None),
            ("/types/default", "GET", self.default_type, "default_type", p.TYPE_GET, 200,
             None),
            ("/types/<type_id>", "GET", self.show_type, "show_type", p.TYPE_GET, 200, None),
            ("/limits", "GET", self.limits, "limits", p.LIMITS, 200, None),
            ("/os-availability-zone", "GET", self.zones, "zones", p.ZONES, 200, None),
        ]
        for path, method, handler, name, policy, status, schema in table:
            common = {"policy": policy, "status": status, "schema": schema, "root": "volume"}
            routes.append(Route("/v3" + path, (method,), handler, "block-storage." + name,
                                **common))
            routes.append(Route("/v3/<project_id>" + path, (method,), handler,
                                "block-storage.%s_in_project" % name, **common))
        return routes

    @property
    def _volumes(self) -> Any:
        return self.compute.volumes

    def versions(self, request: Any) -> Response:
        """cinder answers its root with 300 Multiple Choices."""
        return Response(versions_document(request), status=300)

    def version(self, request: Any) -> dict[str, Any]:
        return versions_document(request)

    # -- volumes -----------------------------------------------------------------------

    async def _page(self, request: Any, all_tenants_key: str = "all_tenants") -> Any:
        limit, marker = _listing.page_size(request, self.max_limit)
        all_tenants = _listing.query_value(request, all_tenants_key)
        return await self._volumes.list_volumes(
            request.context,
            all_tenants=bool(all_tenants) and _listing.parse_bool(all_tenants, all_tenants_key),
            name=_listing.query_value(request, "name"),
            status=_listing.query_value(request, "status"), limit=limit, marker=marker)

    def _next(self, request: Any, page: Any, path: str, key: str) -> dict[str, Any]:
        if not (page.has_more and page.items):
            return {}
        query = [(k, v) for k, values in sorted(request.args.items()) if k != "marker"
                 for v in values] + [("marker", page.items[-1].id)]
        href = request.url("v3", request.context.project_id, path) + "?" + urlencode(query)
        return {key: [{"href": href, "rel": "next"}]}

    @versioned
    async def index(self, request: Any, version: APIVersion) -> dict[str, Any]:
        page = await self._page(request)
        document = {"volumes": [_views.volume_summary(request, v) for v in page.items]}
        document.update(self._next(request, page, "volumes", "volumes_links"))
        return document

    @versioned
    async def detail(self, request: Any, version: APIVersion) -> dict[str, Any]:
        page = await self._page(request)
        type_id = self._volumes.default_type.id
        document = {"volumes": [_views.volume_detail(request, v, version, type_id)
                                for v in page.items]}
        document.update(self._next(request, page, "volumes/detail", "volumes_links"))
        return document

    def _volume(self, request: Any, volume: Any, version: APIVersion,
                admin_attributes: bool = True) -> dict[str, Any]:
        return {"volume": _views.volume_detail(request, volume, version,
                                               self._volumes.default_type.id,
                                               admin_attributes)}

    @versioned
    async def show(self, request: Any, version: APIVersion, volume_id: str) -> dict[str, Any]:
        return self._volume(request, await self._volumes.get_volume(request.context, volume_id),
                            version)

    @versioned
    async def create(self, request: Any, version: APIVersion) -> dict[str, Any]:
        body = request.body["volume"]
        if body.get("source_volid"):
            raise Invalid("Invalid input received: creating a volume from another volume "
                          "is not supported here.")
        size = body.get("size")
        try:
            volume = await self._volumes.create_volume(
                request.context, int(size) if size is not None else None,
                name=_name(body, "name"), description=_name(body, "description"),
                availability_zone=body.get("availability_zone"),
                volume_type=body.get("volume_type"), metadata=body.get("metadata"),
                snapshot_id=body.get("snapshot_id"),
                image_id=body.get("imageRef") or body.get("image_id"))
        except OverLimit as e:
            raise _over_limit_is_413(e) from e
        return self._volume(request, volume, version, admin_attributes=False)

    @versioned
    async def update(self, request: Any, version: APIVersion, volume_id: str) -> dict[str, Any]:
        body = request.body["volume"]
        changes = {key: _name(body, key) for key in ("name", "description")
                   if key in body or "display_" + key in body}
        if body.get("metadata") is not None:
            await self._volumes.set_volume_metadata(request.context, volume_id,
                                                    body["metadata"], replace=True)
        volume = await self._volumes.update_volume(request.context, volume_id, **changes)
        return self._volume(request, volume, version, admin_attributes=False)

    @versioned
    async def delete(self, request: Any, version: APIVersion, volume_id: str) -> None:
        await self._volumes.delete_volume(request.context, volume_id)

    @versioned
    async def action(self, request: Any, version: APIVersion, volume_id: str) -> Any:
        ((name, body),) = request.body.items()
        if name == "os-set_bootable":
            return await self._set_bootable(request, volume_id, body)
        if name != "os-extend":
            raise Invalid("There is no such action: %s" % name)
        request.authorize(policies.EXTEND)
        if not isinstance(body, dict) or set(body) != {"new_size"}:
            raise Invalid("Invalid input for field/attribute os-extend. new_size is required.")
        new_size = body["new_size"]
        if isinstance(new_size, bool) or not str(new_size).isdigit():
            raise Invalid("Invalid input for field/attribute new_size. Value: %s. "
                          "'%s' does not match '^[0-9]+$'" % (new_size, new_size))
        try:
            await self._volumes.extend_volume(request.context, volume_id, int(new_size))
        except OverLimit as e:
            raise _over_limit_is_413(e) from e

    async def _set_bootable(self, request: Any, volume_id: str, body: Any) -> Response:
        """C{os-set_bootable}: cinder answers 200 with no body, not the action's 202."""
        request.authorize(policies.UPDATE)
        value = body.get("bootable") if isinstance(body, dict) else None
        try:
            bootable = _strict_bool(value)
        except ValueError:
            raise Invalid("Invalid input for field/attribute bootable. Value: %s. %r is not "
                          "a valid boolean." % (value, value)) from None
        await self._volumes.set_volume_bootable(request.context, volume_id, bootable)
        return Response(status=200)

    @versioned
    async def metadata(self, request: Any, version: APIVersion, volume_id: str) -> dict:
        volume = await self._volumes.get_volume(request.context, volume_id)
        return {"metadata": dict(volume.metadata)}

    @versioned
    async def merge_metadata(self, request: Any, version: APIVersion, volume_id: str) -> dict:
        found = await self._volumes.set_volume_metadata(request.context, volume_id,
                                                        request.body["metadata"])
        return {"metadata": found}

    @versioned
    async def replace_metadata(self, request: Any, version: APIVersion,
                               volume_id: str) -> dict:
        found = await self._volumes.set_volume_metadata(request.context, volume_id,
                                                        request.body["metadata"], replace=True)
        return {"metadata": found}

    @versioned
    async def metadata_item(self, request: Any, version: APIVersion, volume_id: str,
                            key: str) -> dict:
        volume = await self._volumes.get_volume(request.context, volume_id)
        if key not in volume.metadata:
            raise NotFound("Metadata item was not found")
        return {"meta": {key: volume.metadata[key]}}

    @versioned
    async def set_metadata_item(self, request: Any, version: APIVersion, volume_id: str,
                                key: str) -> dict:
        item = request.body["meta"]
        if key not in item:
            raise Invalid("Request body and URI mismatch")
        await self._volumes.set_volume_metadata(request.context, volume_id, item)
        return {"meta": item}

    @versioned
    async def delete_metadata_item(self, request: Any, version: APIVersion, volume_id: str,
                                   key: str) -> None:
        await self._volumes.delete_volume_metadata(request.context, volume_id, key)

    # -- snapshots ---------------------------------------------------------------------

    async def _snapshot_page(self, request: Any) -> Any:
        limit, marker = _listing.page_size(request, self.max_limit)
        all_tenants = _listing.query_value(request, "all_tenants")
        return await self._volumes.list_snapshots(
            request.context,
            all_tenants=bool(all_tenants) and _listing.parse_bool(all_tenants, "all_tenants"),
            volume_id=_listing.query_value(request, "volume_id"), limit=limit, marker=marker)

    @versioned
    async def snapshots(self, request: Any, version: APIVersion) -> dict[str, Any]:
        page = await self._snapshot_page(request)
        document = {"snapshots": [_views.snapshot_detail(s, version) for s in page.items]}
        document.update(self._next(request, page, "snapshots", "snapshots_links"))
        return document

    @versioned
    async def snapshots_detail(self, request: Any, version: APIVersion) -> dict[str, Any]:
        page = await self._snapshot_page(request)
        document = {"snapshots": [_views.snapshot_detail(s, version) for s in page.items]}
        document.update(self._next(request, page, "snapshots/detail", "snapshots_links"))
        return document

    @versioned
    async def create_snapshot(self, request: Any, version: APIVersion) -> dict[str, Any]:
        body = request.body["snapshot"]
        try:
            snapshot = await self._volumes.create_snapshot(
                request.context, body["volume_id"], name=_name(body, "name"),
                description=_name(body, "description"), metadata=body.get("metadata"))
        except OverLimit as e:
            raise _over_limit_is_413(e) from e
        return {"snapshot": _views.snapshot_detail(snapshot, version)}

    @versioned
    async def show_snapshot(self, request: Any, version: APIVersion,
                            snapshot_id: str) -> dict[str, Any]:
        snapshot = await self._volumes.get_snapshot(request.context, snapshot_id)
        return {"snapshot": _views.snapshot_detail(snapshot, version)}

    @versioned
    async def update_snapshot(self, request: Any, version: APIVersion,
                              snapshot_id: str) -> dict[str, Any]:
        body = request.body["snapshot"]
        changes = {key: _name(body, key) for key in ("name", "description")
                   if key in body or "display_" + key in body}
        snapshot = await self._volumes.update_snapshot(request.context, snapshot_id, **changes)
        return {"snapshot": _views.snapshot_detail(snapshot, version)}

    @versioned
    async def delete_snapshot(self, request: Any, version: APIVersion,
                              snapshot_id: str) -> None:
        await self._volumes.delete_snapshot(request.context, snapshot_id)

    # -- types, limits, zones --------------------------------------------------------------

    @versioned
    async def types(self, request: Any, version: APIVersion) -> dict[str, Any]:
        kinds = await self._volumes.list_volume_types(request.context)
        return {"volume_types": [_views.volume_type(kind) for kind in kinds]}

    @versioned
    async def default_type(self, request: Any, version: APIVersion) -> dict[str, Any]:
        if version < APIVersion(3, 62):
            raise NotFound("The resource could not be found.")
        return {"volume_type": _views.volume_type(self._volumes.default_type)}

    @versioned
    async def show_type(self, request: Any, version: APIVersion, type_id: str) -> dict:
        kind = await self._volumes.get_volume_type(request.context, type_id)
        return {"volume_type": _views.volume_type(kind)}

    @versioned
    async def limits(self, request: Any, version: APIVersion) -> dict[str, Any]:
        return _views.limits(await self._volumes.get_quota(request.context))

    @versioned
    async def zones(self, request: Any, version: APIVersion) -> dict[str, Any]:
        zones = await self._volumes.zones(request.context)
        return {"availabilityZoneInfo": [{"zoneName": name, "zoneState": {"available": up}}
                                         for name, up in zones]}
