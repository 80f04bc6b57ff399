"""
Serving one matched request: from the klein match to the bytes of the answer.

The steps, in nova's order: pick the route (or action) for the method and
microversion (none: 404), require a caller unless the route is C{auth=False}
(401), read the body (415, 400), validate it against the schema for the version
(400), check the policy rule (403), call the handler, let controller extensions
add to the document, and encode it. Internal-API exceptions become faults here,
through L{novatx.resources.faults.fault_for_exception}; any other exception is
a bug and goes on to the router's front (L{novatx.resources._app}), which logs
it and answers 500 in the API's format.
"""

from __future__ import annotations

import inspect
import json
import sys
from typing import Any

import attrs
from twisted.internet.defer import Deferred, ensureDeferred
from twisted.logger import Logger
from twisted.python.failure import Failure

from novatx.compute.exceptions import Invalid
from novatx.extensions.interfaces import Response
from novatx.resources import validation
from novatx.resources._table import ActionEntry, RouteEntry, RouteGroup, RouteTable
from novatx.resources.faults import Fault, fault_for_exception
from novatx.resources.request import APIRequest
from novatx.resources.runtime import get_request_context

_BODY_METHODS = ("POST", "PUT", "PATCH")

log = Logger()


def _request_id(request: Any) -> str:
    value = request.responseHeaders.getRawHeaders(b"x-openstack-request-id", [b""])[0]
    return value.decode("ascii", "replace")


def write_fault(request: Any, api_name: str, fault: Fault) -> bytes:
    """Set up C{request}'s status and headers for C{fault}; return its body."""
    body, content_type, headers = fault.render(api_name, _request_id(request))
    request.setResponseCode(fault.status)
    request.setHeader(b"Content-Type", content_type)
    for name, value in headers.items():
        request.setHeader(name, value)
    return _sized(request, body)


def _sized(request: Any, body: bytes) -> bytes:
    """
    Declare the body's length: klein writes the body, then finishes; without a
    length twisted.web sends it chunked in two writes, and the client's
    delayed ACK holds the second back (tens of milliseconds per request).
    """
    if request.code not in (204, 304):
        request.setHeader(b"Content-Length", b"%d" % len(body))
    return body


def _select(entries: list[Any], version: Any, spec: Any = lambda e: e.route) -> Any:
    for entry in entries:
        item = spec(entry)
        if version is None or version.matches(item.min_version, item.max_version):
            return entry
    return None


def _args(request: Any) -> dict[str, list[str]]:
    return {
        k.decode("utf-8", "replace"): [v.decode("utf-8", "replace") for v in values]
        for k, values in (request.args or {}).items()
    }


def _content(request: Any) -> bytes:
    if request.content is None:
        return b""
    request.content.seek(0)
    data = request.content.read()
    request.content.seek(0)
    return data


def _read_body(table: RouteTable, request: Any, method: str) -> tuple[bool, Any]:
    """
    Whether a compute request has a body, and its JSON value (other APIs read
    C{raw} themselves): a body of C{null} is there, an empty one is not. As
    in nova, only the methods that carry one are read: the body of a C{GET}
    or C{DELETE} is ignored, whatever it holds, but its C{Content-Type} is
    checked all the same (415).
    """
    if table.api_name != "osapi_compute":
        return False, None
    if method not in _BODY_METHODS:
        content_type = request.getHeader(b"content-type")
        if content_type is not None and validation.media_type(content_type) not in validation.JSON_TYPES:
            raise _FaultError(Fault(415, validation.UnsupportedContentType.message))
        return False, None
    content = _content(request)
    try:
        return bool(content.strip()), validation.read_body(content, request.getHeader(b"content-type"))
    except validation.UnsupportedContentType as e:
        raise _FaultError(Fault(415, e.message)) from None


class _FaultError(Exception):
    """A fault decided by the router itself (not an internal-API exception)."""

    def __init__(self, fault: Fault) -> None:
        super().__init__(fault.message)
        self.fault = fault


def _check(table: RouteTable, state: Any, schema: Any, present: bool, body: Any, owner: str, endpoint: str) -> None:
    chosen = validation.schema_for(schema, state.match_version)
    if chosen is not None:
        chosen = validation.merge_properties(
            chosen, table.schema_properties(owner, endpoint, state.match_version)
        )
        validation.validate(chosen, body, relaxed=state.legacy)
    elif present and not isinstance(body, dict):
        raise validation.ValidationError(detail=validation.MALFORMED)


def _api_request(table: RouteTable, request: Any, state: Any, context: Any, body: Any, method: str) -> APIRequest:
    return APIRequest(
        context=context,
        version=state.version,
        body=body,
        args=_args(request),
        method=method,
        path=request.path.decode("utf-8", "replace"),
        headers=request.requestHeaders,
        raw=request,
        root=state.root,
        project_id=state.project_id,
        policy=table.policy.check,
        permits=table.policy.allows,
    )


def _authenticate(request: Any, state: Any, auth: bool) -> Any:
    context = get_request_context(request)
    if auth and context is None:
        raise _FaultError(Fault(401, "Authentication required"))
    if context is not None and state.project_id and state.project_id != context.project_id:
        raise _FaultError(
            Fault(
                400,
                "Malformed request URL: URL's project_id '%s' doesn't match Context's project_id '%s'"
                % (state.project_id, context.project_id),
            )
        )
    return context


def _encode(value: Any, content_type: str) -> tuple[bytes, str | None]:
    if value is None:
        return b"", None
    if isinstance(value, bytes):
        return value, content_type
    if isinstance(value, str):
        return value.encode("utf-8"), content_type
    return json.dumps(value).encode("utf-8"), content_type


@attrs.frozen
class _Called:
    """A handler's result and what answering it needs."""

    apireq: APIRequest
    result: Any
    status: int
    owner: str
    endpoint: str


def _finish(request: Any, result: Any, status: int) -> bytes:
    """Status, headers and encoded body of a handler's (settled) result."""
    headers: dict[str, str] = {}
    content_type = "application/json"
    if isinstance(result, Response):
        status, headers, content_type, result = result.status, result.headers, result.content_type, result.body
    body, content_type_used = _encode(result, content_type)
    request.setResponseCode(status)
    if content_type_used is not None:
        request.setHeader(b"Content-Type", content_type_used.encode("latin-1"))
    for name, value in headers.items():
        request.setHeader(name.encode("latin-1"), str(value).encode("latin-1"))
    return _sized(request, body)


async def _settle(table: RouteTable, request: Any, called: _Called) -> bytes:
    """Wait for the handler, let controller extensions extend, then answer."""
    result = called.result
    if inspect.isawaitable(result):
        result = await result
    document = result.body if isinstance(result, Response) else result
    if isinstance(document, dict):
        for ext in table.controllers.get(called.owner, ()):
            extended = ext.extend_response(called.apireq, called.endpoint, document)
            if inspect.isawaitable(extended):
                await extended
    return _finish(request, result, called.status)


def _call_route(table: RouteTable, request: Any, state: Any, entry: RouteEntry, kwargs: dict, method: str) -> _Called:
    route = entry.route
    context = _authenticate(request, state, route.auth)
    present, body = (False, None) if route.raw_body else _read_body(table, request, method)
    _check(table, state, route.schema, present, body, entry.owner, route.endpoint)
    if route.policy is not None:
        table.policy.check(route.policy, context)
    apireq = _api_request(table, request, state, context, body, method)
    return _Called(apireq, route.handler(apireq, **kwargs), route.status, entry.owner, route.endpoint)


def _call_action(table: RouteTable, request: Any, state: Any, entry: RouteEntry, kwargs: dict) -> _Called:
    context = _authenticate(request, state, True)
    _, body = _read_body(table, request, "POST")
    if not isinstance(body, dict) or len(body) != 1:
        raise validation.ValidationError(detail=validation.MALFORMED)
    (name,) = body
    by_name = table.actions[entry.collection]
    if name not in by_name:
        raise Invalid("There is no such action: %s" % (name,))
    chosen: ActionEntry | None = _select(by_name[name], state.match_version, lambda e: e.action)
    if chosen is None:
        raise _FaultError(Fault(404, "The resource could not be found."))
    action = chosen.action
    _check(table, state, action.schema, True, body, chosen.owner, "%s.action.%s" % (entry.collection, name))
    if action.policy is not None:
        table.policy.check(action.policy, context)
    apireq = _api_request(table, request, state, context, body, "POST")
    try:
        result = action.handler(apireq, kwargs["resource_id"], body[name])
    except (KeyError, TypeError):
        fault = _body_mistake(Failure(), action.handler, name, chosen.owner)
        if fault is None:
            raise
        raise fault from None
    if inspect.isawaitable(result):
        result = ensureDeferred(result).addErrback(
            _async_body_mistake, action.handler, name, chosen.owner)
    return _Called(apireq, result, action.status, chosen.owner, "%s.action" % entry.collection)


def _body_mistake(failure: Failure, handler: Any, name: str, owner: str) -> _FaultError | None:
    """
    A C{KeyError} or C{TypeError} an action handler raised in its own module
    is taken as the body it was given not having the shape it reads (a key
    missing, a string where it indexes an object): the schema let the body
    through, so the client hears 400, and the plugin's author reads the
    traceback in the log. Raised deeper (the internal API, a library), it is
    a bug like any other: the failure's own exception, for a 500.
    """
    module = sys.modules.get(getattr(handler, "__module__", ""), None)
    source = getattr(module, "__file__", None)
    if not failure.frames or source is None or failure.frames[-1][1] != source:
        return None
    log.warn("Action {action} of {owner} could not read its body (400):\n{traceback}",
             action=name, owner=owner, traceback=failure.getTraceback())
    value = failure.value
    if isinstance(value, KeyError):
        detail = "%s is required" % (value.args[0] if value.args else "a key",)
    else:
        detail = str(value)
    return _FaultError(Fault(400, "Invalid input for action %s: %s." % (name, detail)))


def _async_body_mistake(failure: Failure, handler: Any, name: str, owner: str) -> Any:
    fault = _body_mistake(failure, handler, name, owner) if failure.check(KeyError, TypeError) else None
    if fault is None:
        return failure
    raise fault


def _fail(failure: Failure, request: Any, api_name: str) -> Any:
    if failure.check(_FaultError):
        return write_fault(request, api_name, failure.value.fault)
    fault = fault_for_exception(failure.value)
    if fault is None:
        return failure
    return write_fault(request, api_name, fault)


def dispatch(table: RouteTable, group: RouteGroup, request: Any, state: Any, kwargs: dict) -> Any:
    """
    Serve C{request}, matched to C{group} with path arguments C{kwargs}.

    A handler that answers at once is answered at once; one that returns a
    Deferred or a coroutine (or a resource with controller extensions, which
    may wait) goes through a Deferred.

    @return: the response body (status and headers set), or a Deferred of it.
    """
    method = request.method.decode("ascii", "replace")
    look_for = "GET" if method == "HEAD" else method
    entry = _select(group.entries_for(look_for), state.match_version)
    if entry is None:
        return write_fault(request, table.api_name, Fault(404, "The resource could not be found."))
    renamed = {name: kwargs[spelled] for name, spelled in zip(entry.params, group.params)}
    try:
        if entry.collection is not None:
            called = _call_action(table, request, state, entry, renamed)
        else:
            called = _call_route(table, request, state, entry, renamed, method)
        if not table.controllers.get(called.owner):
            # Nothing extends the answer: settle it without a coroutine.
            if isinstance(called.result, Deferred):
                status = called.status
                return called.result.addCallback(
                    lambda result: _finish(request, result, status)).addErrback(
                    _fail, request, table.api_name)
            if not inspect.isawaitable(called.result):
                return _finish(request, called.result, called.status)
    except Exception:
        answer = _fail(Failure(), request, table.api_name)
        if isinstance(answer, Failure):
            answer.raiseException()
        return answer
    return Deferred.fromCoroutine(_settle(table, request, called)).addErrback(_fail, request, table.api_name)
