"""
Error bodies in each API's own format.

Compute answers nova's JSON faults (C{{"itemNotFound": {"code": 404, "message":
...}}}), EC2 its XML C{<Response><Errors>...}, metadata plain text. Everything that
writes an error (the router, the filters, C{faultwrap}, the channel's limits) goes
through L{render_fault}, so the format is decided in one place.
"""

from __future__ import annotations

import json
from xml.sax.saxutils import escape

import attrs

from novatx.compute import exceptions

#: nova's message for a 500 (webob's explanation of HTTPInternalServerError):
#: what a client sees of a bug, whichever part caught it.
INTERNAL_ERROR_MESSAGE = (
    "The server has either erred or is incapable of performing the requested operation."
)

#: nova's fault names by status; anything else is C{computeFault}.
COMPUTE_FAULT_NAMES = {
    400: "badRequest",
    401: "unauthorized",
    403: "forbidden",
    404: "itemNotFound",
    405: "badMethod",
    409: "conflictingRequest",
    413: "overLimit",
    415: "badMediaType",
    429: "overLimit",
    501: "notImplemented",
    503: "serviceUnavailable",
}

#: EC2 error codes for failures that are not an action's own (AWS's names).
EC2_CODES_BY_STATUS = {
    400: "InvalidRequest",
    401: "AuthFailure",
    403: "UnauthorizedOperation",
    404: "InvalidAction",
    405: "InvalidRequest",
    413: "RequestEntityTooLarge",
    414: "RequestURITooLong",
    431: "RequestHeaderFieldsTooLarge",
    500: "InternalError",
    503: "Unavailable",
}


def compute_fault(status: int, message: str, retry_after: int | None = None) -> dict:
    """The JSON document of a compute fault."""
    name = COMPUTE_FAULT_NAMES.get(status, "computeFault")
    fault: dict = {"code": status, "message": message}
    if retry_after is not None and status in (413, 429):
        fault["retryAfter"] = str(retry_after)
    return {name: fault}


def ec2_error(code: str, message: str, request_id: str) -> bytes:
    """The XML document of an EC2 error."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        "<Response><Errors><Error><Code>%s</Code><Message>%s</Message></Error></Errors>"
        "<RequestID>%s</RequestID></Response>"
        % (escape(code), escape(message), escape(request_id))
    ).encode("utf-8")


def render_fault(
    api_name: str, status: int, message: str, request_id: str = "", code: str | None = None
) -> tuple[bytes, bytes]:
    """
    The body and C{Content-Type} of an error of C{api_name}.

    @param code: EC2 only: the error code (default from the status).
    """
    if api_name == "osapi_compute":
        body = json.dumps(compute_fault(status, message)).encode("utf-8")
        return body, b"application/json"
    if api_name == "ec2":
        code = code or EC2_CODES_BY_STATUS.get(status, "InternalError")
        return ec2_error(code, message, request_id), b"text/xml"
    return (message + "\n").encode("utf-8"), b"text/plain; charset=UTF-8"


@attrs.frozen
class Fault:
    """
    An error answer decided, not yet written: its status, its message for the
    user, and (for 413/429) how many seconds to wait before retrying.
    """

    status: int
    message: str
    retry_after: int | None = None

    def render(self, api_name: str, request_id: str = "") -> tuple[bytes, bytes, dict[bytes, bytes]]:
        """The body, C{Content-Type} and extra headers of this fault for C{api_name}."""
        headers: dict[bytes, bytes] = {}
        if api_name == "osapi_compute":
            body = json.dumps(compute_fault(self.status, self.message, self.retry_after)).encode("utf-8")
            content_type = b"application/json"
        else:
            body, content_type = render_fault(api_name, self.status, self.message, request_id)
        if self.retry_after is not None and self.status in (413, 429):
            headers[b"Retry-After"] = str(self.retry_after).encode("ascii")
        return body, content_type, headers


#: The internal API's kinds of failure and the status each is answered with:
#: the one place where the compute API decides them. Order matters: the first
#: kind an exception is an instance of wins.
STATUS_BY_KIND: tuple[tuple[type[exceptions.NovatxException], int], ...] = (
    (exceptions.Invalid, 400),
    (exceptions.NotAuthorized, 403),
    (exceptions.NotFound, 404),
    (exceptions.Conflict, 409),
    (exceptions.OverLimit, 403),
    (exceptions.NotSupported, 501),
    (exceptions.ServiceUnavailable, 503),
)


def fault_for_exception(error: BaseException) -> Fault | None:
    """
    The fault an internal-API exception is answered with, or C{None} for an
    exception that is not one of the internal API's kinds (a bug: it goes on to
    C{faultwrap}, which answers 500).

    Quota errors are 403 C{forbidden}, as nova answers them; an L{OverLimit}
    raised with a C{retry_after} keyword (a rate, not a quota) is 413
    C{overLimit} with C{retryAfter} and a C{Retry-After} header.
    """
    for kind, status in STATUS_BY_KIND:
        if isinstance(error, kind):
            message = str(error)
            if kind is exceptions.OverLimit and error.kwargs.get("retry_after") is not None:
                return Fault(413, message, int(error.kwargs["retry_after"]))
            return Fault(status, message)
    return None
