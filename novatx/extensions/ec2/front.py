"""
The EC2 front: the one route (C{GET /} and C{POST /}) every EC2 request takes.

It reads the parameters, authenticates the signature (the route is served with
C{auth=False}: EC2 carries its own credentials), then dispatches on C{Action}
to the L{IEC2Action} extension that serves it, found among the API's loaded
extensions. Every failure, its own or an action's, is answered here as EC2's
XML error with AWS's status, so the client never sees another API's format.
"""

from __future__ import annotations

import re
from typing import Any

from twisted.internet.defer import maybeDeferred
from twisted.logger import Logger
from twisted.python.failure import Failure
from zope.interface import implementer

from novatx.compute.context import RequestContext, generate_request_id
from novatx.extensions.ec2 import errors, params as P
from novatx.extensions.ec2.auth import Authenticator
from novatx.extensions.ec2.base import EC2Request
from novatx.extensions.ec2.errors import EC2Error
from novatx.extensions.ec2.render import render_response, xml_safe
from novatx.extensions.ec2.signature import SignedRequest
from novatx.extensions.interfaces import IEC2Action, IResourceExtension, Response, Route
from novatx.resources.faults import ec2_error

#: The API version this endpoint speaks; older dated versions are accepted too.
API_VERSION = "2016-11-15"
_VERSION_FORM = re.compile(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
#: The first EC2 API version.
_OLDEST_VERSION = "2006-06-26"
CONTENT_TYPE = "text/xml;charset=UTF-8"

log = Logger()


def signed_request(raw: Any) -> SignedRequest:
    """
    What the signature covers, read from a twisted.web request.

    @raise EC2Error: C{InvalidQueryParameter} when the parameters cannot be read.
    """
    query = raw.uri.partition(b"?")[2]
    raw.content.seek(0)
    body = raw.content.read()
    headers = {
        name.decode("latin-1").lower(): [value.decode("latin-1") for value in values]
        for name, values in raw.requestHeaders.getAllRawHeaders()
    }
    pairs = P.parse_pairs(query)
    method = raw.method.decode("ascii")
    if method == "POST":
        content_type = headers.get("content-type")
        pairs += P.body_pairs(content_type[0] if content_type else None, body)
    return SignedRequest(
        method=method,
        host=headers.get("host", [""])[0],
        path=raw.path,
        query=query,
        headers=headers,
        body=body,
        params=pairs,
    )


def _check_version(params: dict[str, str]) -> None:
    version = params.get("Version")
    if not version:
        raise errors.missing_parameter("Version")
    if not _VERSION_FORM.match(version) or not _OLDEST_VERSION <= version <= API_VERSION:
        raise errors.invalid_value(
            "Version", version, "This endpoint serves versions up to %s." % (API_VERSION,)
        )


@implementer(IResourceExtension)
class EC2Front:
    """
    The EC2 Query API's entry: parameters, signature, dispatch, errors.

    @ivar authenticator: made at C{setup} from C{[ec2]} options.
    """

    name = "EC2 Query API"
    alias = "ec2-front"
    version = 1
    api = "ec2"

    def __init__(self) -> None:
        self.authenticator: Authenticator | None = None
        self._runtime: Any = None
        self._actions: dict[str, Any] | None = None

    def setup(self, context: Any) -> None:
        self._runtime = context
        self.authenticator = Authenticator.from_config(
            context.config, context.compute, context.reactor
        )

    def routes(self) -> list[Route]:
        return [Route("/", ("GET", "POST"), self.dispatch, "ec2-front.dispatch", auth=False)]

    def actions(self) -> dict:
        return {}

    def _action(self, name: str) -> Any:
        if self._actions is None:
            self._actions = {
                extension.action: extension
                for extension in self._runtime.extensions.values()
                if IEC2Action.providedBy(extension)
            }
        action = self._actions.get(name)
        if action is None:
            raise EC2Error(
                "InvalidAction", "The action %s is not valid for this web service." % (name,)
            )
        return action

    def dispatch(self, request: Any) -> Any:
        """The route's handler: fires with the XML L{Response}, success or not."""
        raw = request.raw
        request_id = _request_id(raw)
        try:
            signed = signed_request(raw)
        except EC2Error as e:
            return _error_response(e, request_id)
        assert self.authenticator is not None
        d = self.authenticator.authenticate(signed, request_id)
        d.addCallback(self._serve, request, signed)
        d.addErrback(self._failed, request_id)
        return d

    def _serve(self, context: RequestContext, request: Any, signed: SignedRequest) -> Any:
        def serve() -> Any:
            params = P.to_dict(signed.params)
            name = params.get("Action")
            if not name:
                raise EC2Error("MissingAction", "The request must contain the parameter Action")
            _check_version(params)
            action = self._action(name)
            if P.boolean(params, "DryRun"):
                raise dry_run()
            ec2_request = EC2Request(
                context=context,
                args={key: [value] for key, value in params.items()},
                method=signed.method,
                path="/",
                headers=request.raw.requestHeaders,
                raw=request.raw,
                policy=request.policy,
                permits=request.permits,
            )
            return maybeDeferred(action, ec2_request, params).addCallback(
                lambda children: Response(
                    body=render_response(name, context.request_id, children),
                    content_type=CONTENT_TYPE,
                )
            )

        return maybeDeferred(serve).addErrback(self._failed, context.request_id)

    def _failed(self, failure: Failure, request_id: str) -> Response:
        error = errors.from_exception(failure.value)
        if error.code == "InternalError":
            log.failure("EC2 request failed", failure)
        return _error_response(error, request_id)


def dry_run() -> EC2Error:
    """
    AWS's answer to C{DryRun=true} from a caller allowed the action: a 412
    error, the action not done. Here every signer of a known action is allowed
    it (the store decides per resource), so that is the answer to all of them.
    """
    return EC2Error("DryRunOperation", "Request would have succeeded, but DryRun flag is set.", 412)


def _request_id(raw: Any) -> str:
    """The id the C{request_id} filter gave this request, or a new one."""
    given = raw.responseHeaders.getRawHeaders(b"x-openstack-request-id")
    return given[0].decode("ascii", "replace") if given else generate_request_id()


def _error_response(error: EC2Error, request_id: str) -> Response:
    return Response(
        body=ec2_error(error.code, xml_safe(error.message), xml_safe(request_id)),
        status=error.status,
        content_type=CONTENT_TYPE,
    )
