"""
The front of an API's router: microversion, project id, then klein.

L{APIResource} is what a paste pipeline ends in. Before klein matches a route it
settles what holds for the whole request: the microversion (compute's v2.1:
negotiated, named back on the response; legacy C{/v2}: none), the URL root
links are built from, and the project id a URL may carry after the version
(C{/v2.1/<project_id>/servers}), which it moves out of the way so the routes
never spell it. What it settled travels on the request as a L{RequestState}.

The klein app holds the routes, but L{APIResource} walks the common case itself
with the app's werkzeug map, as klein's resource would, minus what costs a
request more than its routing: a map bound per request, a Deferred chain
around a handler that answered at once, and matching a path it matched
before (the map never changes, so each path and method it matched is
remembered). Whatever is out of the ordinary (a redirect werkzeug asks
for) goes to klein's own resource.
"""

from __future__ import annotations

from typing import Any

import attrs
from klein import Klein
from klein._resource import route_metadata
from twisted.internet.defer import CancelledError, Deferred
from twisted.logger import Logger
from twisted.python.failure import Failure
from twisted.web.resource import Resource
from twisted.web.server import NOT_DONE_YET
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound

from novatx.extensions.interfaces import APIVersion
from novatx.resources import microversion
from novatx.resources._dispatch import dispatch, write_fault
from novatx.resources._table import RouteGroup, RouteTable
from novatx.resources.faults import INTERNAL_ERROR_MESSAGE, Fault
from novatx.resources.request import origin
from novatx.resources.requestid import get_request_id
from novatx.resources.runtime import get_request_context

_STATE_ATTRIBUTE = "_novatx_router_state"
_ROUTE_ATTRIBUTE = "_novatx_route"

#: Matches remembered per router at most (the memory is cleared when full:
#: paths naming one of many servers come and go).
MAX_MATCHES = 1024


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


def matched_route(request: Any) -> str | None:
    """
    The template of the route C{request} matched (C{/servers/<server_id>}),
    under the part that served it; C{None} if no route matched (metrics
    count by template: raw paths carry ids).
    """
    return getattr(request, _ROUTE_ATTRIBUTE, None)


class APIResource(Resource):
    """
    One API's router as a twisted.web resource (a leaf: klein routes the rest).

    @ivar table: the API's L{RouteTable}.
    @ivar root: which routes it serves: C{"api"}, C{"image"}, C{"volume"} or
        C{"networking"}.
    """

    isLeaf = True

    _log = Logger()

    def __init__(self, table: RouteTable, root: str, klein_app: Klein) -> None:
        super().__init__()
        self.table = table
        self.root = root
        self._resource = klein_app.resource()
        self._adapter = klein_app.url_map.bind("localhost")
        self._groups = {
            group.endpoint: (group, route_metadata(klein_app.endpoints[group.endpoint]).segment_count)
            for group in table.groups[root]
        }
        self._matches: dict[tuple[str, bytes], tuple[Any, dict[str, Any]]] = {}

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
        state = RequestState(version, match_version, legacy, root, project_id)
        setattr(request, _STATE_ATTRIBUTE, state)
        return self._route(request, state)

    def _route(self, request: Any, state: RequestState) -> Any:
        """
        Match and serve C{request} as klein's resource would: the same rule,
        the same C{prepath}/C{postpath} fix-up, the same error handlers.
        """
        try:
            request.getRequestHostname().decode("utf-8")
            path = b"/".join(request.postpath).decode("utf-8")
        except UnicodeDecodeError:
            return write_fault(request, self.table.api_name, Fault(400, NOT_UTF8_MESSAGE))
        key = (path, request.method)
        found = self._matches.get(key)
        if found is None:
            try:
                found = self._adapter.match(
                    "/" + path if not path.startswith("/") else path,
                    method=request.method.decode("utf-8"),
                    return_rule=True,
                )
            except (NotFound, MethodNotAllowed):
                return self._answer(request, self._failed(request, Failure()))
            except HTTPException:
                return self._resource.render(request)
            if len(self._matches) >= MAX_MATCHES:
                self._matches.clear()
            self._matches[key] = found
        rule, kwargs = found
        setattr(request, _ROUTE_ATTRIBUTE, rule.rule)
        group, segments = self._groups[rule.endpoint]
        request.prepath.extend(request.postpath[:segments])
        request.postpath = request.postpath[segments:]
        try:
            result = dispatch(self.table, group, request, state, kwargs)
        except Exception:
            result = self._failed(request, Failure())
        if not isinstance(result, Deferred):
            return self._answer(request, result)
        finished = request.notifyFinish()
        finished.addErrback(lambda _: result.cancel())
        result.addErrback(lambda failure: self._failed(request, failure))
        result.addCallback(lambda body: self._answer(request, body))
        result.addErrback(self._write_failed)
        return NOT_DONE_YET

    def _write_failed(self, failure: Failure) -> None:
        """An answer that could not be written: logged, as klein does."""
        self._log.failure("Unhandled Error writing response", failure)

    def _failed(self, request: Any, failure: Failure) -> Any:
        """
        Klein's handling of an error (its handlers: L{build_app}'s 404 and
        405, a werkzeug HTTP error's own answer), and the answer to a bug:
        logged with the request id, answered 500 in the API's format (a
        handler's Deferred fails after the pipeline's C{faultwrap} has
        returned, so the router answers it itself).
        """
        if request.finished or request._disconnected:
            if not failure.check(CancelledError):
                self._log.failure("Unhandled Error Processing Request.", failure)
            return None
        if failure.check(NotFound):
            return write_fault(request, self.table.api_name, Fault(404, NOT_FOUND_MESSAGE))
        if failure.check(MethodNotAllowed):
            return _not_allowed(request, self.table.api_name, failure.value)
        if failure.check(HTTPException):
            response = failure.value.get_response({})
            request.setResponseCode(failure.value.code)
            for name, value in response.headers:
                request.setHeader(name.encode("utf-8"), value.encode("utf-8"))
            return b"".join(response.iter_encoded())
        self._log.failure(
            "{api} {request_id}: unexpected error serving {method} {path}",
            failure,
            api=self.table.api_name,
            request_id=get_request_id(request),
            method=request.method.decode("latin-1"),
            path=request.path.decode("latin-1"),
        )
        if request.startedWriting:
            return None
        return write_fault(request, self.table.api_name, Fault(500, INTERNAL_ERROR_MESSAGE))

    @staticmethod
    def _answer(request: Any, body: Any) -> Any:
        """Write a settled answer and finish, unless the request already is."""
        if isinstance(body, str):
            body = body.encode("utf-8")
        if isinstance(body, bytes):
            request.write(body)
        if not (request.finished or request._disconnected):
            request.finish()
        return NOT_DONE_YET


NOT_FOUND_MESSAGE = "The resource could not be found."

#: klein's words for a path or Host that is not UTF-8, in the API's format.
NOT_UTF8_MESSAGE = "Non-UTF-8 encoding in URL."


def _not_allowed(request: Any, api_name: str, error: MethodNotAllowed) -> bytes:
    allowed = error.valid_methods or []
    if allowed:
        request.setHeader(b"Allow", ", ".join(allowed).encode("ascii"))
    message = "The method %s is not allowed for this resource." % request.method.decode("latin-1")
    return write_fault(request, api_name, Fault(405, message))


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
            return write_fault(request, table.api_name, Fault(404, NOT_FOUND_MESSAGE))

        @app.handle_errors(MethodNotAllowed)
        def not_allowed(request: Any, failure: Any) -> bytes:
            return _not_allowed(request, table.api_name, failure.value)

    return APIResource(table, root, app)
