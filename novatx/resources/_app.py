"""
The front of an API's router: microversion, project id, then klein.

L{APIResource} is what a paste pipeline ends in. Before klein matches a route it
settles what holds for the whole request: the microversion (compute's v2.1:
negotiated, named back on the response; legacy C{/v2}: none), the URL root
links are built from, and the project id a URL may carry after the version
(C{/v2.1/<project_id>/servers}), which it moves out of the way so the routes
never spell it. What it settled travels on the request as a L{RequestState}.
"""

from __future__ import annotations

from typing import Any

import attrs
from klein import Klein
from twisted.web.resource import Resource
from werkzeug.exceptions import MethodNotAllowed, NotFound

from novatx.extensions.interfaces import APIVersion
from novatx.resources import microversion
from novatx.resources._dispatch import dispatch, write_fault
from novatx.resources._table import RouteGroup, RouteTable
from novatx.resources.faults import Fault
from novatx.resources.request import origin
from novatx.resources.runtime import get_request_context

_STATE_ATTRIBUTE = "_novatx_router_state"


@attrs.frozen
class RequestState:
    """
    What the front settled about a request.

    @ivar version: the version handlers see (C{2.0} on legacy C{/v2}; C{None}
        outside compute's versioned root).
    @ivar match_version: the version routes, actions and schemas are chosen by
        (legacy C{/v2} serves the 2.1 feature set).
    @ivar legacy: served at C{/v2}: unknown body properties are dropped.
    @ivar root: C{scheme://host/<mount>}, the base of links.
    @ivar project_id: the project id the URL carried, or None.
    """

    version: APIVersion | None
    match_version: APIVersion | None
    legacy: bool
    root: str
    project_id: str | None


def request_state(request: Any) -> RequestState:
    """The state L{APIResource} attached to C{request}."""
    return getattr(request, _STATE_ATTRIBUTE)


class APIResource(Resource):
    """
    One API's router as a twisted.web resource (a leaf: klein routes the rest).

    @ivar table: the API's L{RouteTable}.
    @ivar root: which routes it serves: C{"api"} or C{"image"}.
    """

    isLeaf = True

    def __init__(self, table: RouteTable, root: str, klein_app: Klein) -> None:
        super().__init__()
        self.table = table
        self.root = root
        self._resource = klein_app.resource()

    def _versions(self, request: Any) -> tuple[APIVersion | None, APIVersion | None, bool]:
        if self.table.api_name != "osapi_compute" or self.root != "api":
            return None, None, False
        if request.prepath[-1:] == [b"v2"]:
            return microversion.LEGACY_VERSION, microversion.MIN_VERSION, True
        version = microversion.negotiate(request.requestHeaders)
        microversion.set_response_headers(request, version)
        return version, version, False

    def _take_project_id(self, request: Any) -> str | None:
        if self.table.api_name != "osapi_compute" or self.root != "api" or not request.postpath:
            return None
        try:
            segment = request.postpath[0].decode("utf-8")
        except UnicodeDecodeError:
            return None
        if not segment or segment in self.table.top_segments["api"]:
            return None
        context = get_request_context(request)
        own = context is not None and segment == context.project_id
        if not own and not self.table.project_id_regex.fullmatch(segment):
            return None
        request.prepath.append(request.postpath.pop(0))
        return segment

    def render(self, request: Any) -> Any:
        try:
            version, match_version, legacy = self._versions(request)
        except microversion.InvalidVersionString as e:
            return write_fault(request, self.table.api_name, Fault(400, str(e)))
        except microversion.VersionNotSupported as e:
            return write_fault(request, self.table.api_name, Fault(406, str(e)))
        mount = "/".join(s.decode("utf-8", "replace") for s in request.prepath)
        root = origin(request, self.table.trust_proxy_headers) + ("/" + mount if mount else "")
        project_id = self._take_project_id(request)
        setattr(request, _STATE_ATTRIBUTE, RequestState(version, match_version, legacy, root, project_id))
        return self._resource.render(request)


def _view(table: RouteTable, group: RouteGroup) -> Any:
    def view(request: Any, **kwargs: Any) -> Any:
        return dispatch(table, group, request, request_state(request), kwargs)

    return view


def build_app(table: RouteTable, root: str) -> APIResource:
    """
    The router of C{table}'s C{root} routes (built once per table and root; every
    mount of it shares the klein app).
    """
    app = table.apps.get(root)
    if app is None:
        app = table.apps[root] = Klein()
        # No redirects to a canonical path: an API answers the path it is asked.
        app.url_map.merge_slashes = False
        for group in table.groups[root]:
            app.route(group.path, methods=group.methods, endpoint=group.endpoint, strict_slashes=False)(
                _view(table, group)
            )

        @app.handle_errors(NotFound)
        def not_found(request: Any, failure: Any) -> bytes:
            return write_fault(request, table.api_name, Fault(404, "The resource could not be found."))

        @app.handle_errors(MethodNotAllowed)
        def not_allowed(request: Any, failure: Any) -> bytes:
            allowed = failure.value.valid_methods or []
            if allowed:
                request.setHeader(b"Allow", ", ".join(allowed).encode("ascii"))
            message = "The method %s is not allowed for this resource." % request.method.decode("latin-1")
            return write_fault(request, table.api_name, Fault(405, message))

    return APIResource(table, root, app)
