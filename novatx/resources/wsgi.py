"""
The bridge between twisted.web resources and WSGI, both ways.

A paste factory may return a WSGI application, and a WSGI middleware
(keystonemiddleware's C{authtoken}, oslo.middleware's C{cors}, an operator's
own) may wrap a native part of the tree. Two adapters make that work:

  - L{wsgi_resource} mounts a WSGI callable in the tree: a
    L{twisted.web.wsgi.WSGIResource} running it in the runtime's thread pool.
    The environ also carries the twisted.web request (C{novatx.request}), the
    request context (C{nova.context}) and the request id
    (C{openstack.request_id}), so that a native part below can pick them up.
  - L{NativeWSGIApplication} is the other way: a WSGI callable that renders a
    native resource. Called in a pool thread, it hands the environ to the
    reactor thread, renders the resource there on a L{BridgedRequest} that
    buffers the response, and waits for it (C{blockingCallFromThread}).

Every error a WSGI part answers by itself is held to the API's own error
format (L{in_api_format}): keystonemiddleware's C{text/html} 401 for a bogus
token and 503 when keystone cannot be reached become nova's fault JSON on the
compute API and EC2's XML on EC2, as every other error there is.

The cost, paid only by requests that cross a WSGI part: two thread hops per
crossing (reactor -> pool thread -> reactor and back), a pool thread held for
the whole time the native part below takes (so a slow handler under a WSGI
filter occupies a thread as it would in nova), the request body read again
from C{wsgi.input}, and the native part's response buffered in memory before
the WSGI side sees it (no streaming). A pipeline made only of native parts
never touches the thread pool.
"""

from __future__ import annotations

import io
from typing import Any, Callable, Iterable
from urllib.parse import parse_qs, quote

from twisted.internet.defer import Deferred
from twisted.internet.error import ConnectionDone, ConnectionLost
from twisted.internet.threads import blockingCallFromThread
from twisted.logger import Logger
from twisted.python.components import Componentized
from twisted.python.failure import Failure
from twisted.web import http, server
from twisted.web.http_headers import Headers
from twisted.web.resource import IResource, Resource, getChildForRequest
from twisted.web.wsgi import WSGIResource

from novatx.compute.context import RequestContext
from novatx.resources.faults import INTERNAL_ERROR_MESSAGE, render_fault
from novatx.resources.requestid import get_request_id
from novatx.resources.runtime import Runtime, get_request_context, set_request_context

#: The environ key under which the outer twisted.web request travels.
ENVIRON_REQUEST = "novatx.request"
#: The environ key of the request context (nova's name).
ENVIRON_CONTEXT = "nova.context"
#: The environ key of the request id (oslo.middleware's name).
ENVIRON_REQUEST_ID = "openstack.request_id"

#: Request attributes with this prefix are novatx's per-request state (request
#: id, context...): they are carried from the outer request to a bridged one.
STATE_PREFIX = "_novatx"

_log = Logger()

WSGIApplication = Callable[[dict, Callable], Iterable[bytes]]

#: The response header by which an answer rendered by a native part below a
#: WSGI middleware is known (it is in the API's format already); never sent.
NATIVE_ANSWER_HEADER = "X-Novatx-Native-Answer"

_NATIVE_ANSWER_LOWER = NATIVE_ANSWER_HEADER.lower()

#: What the API says for an error a WSGI middleware answered in its own words.
_MIDDLEWARE_MESSAGES = {
    401: "Authentication required",
    503: "The service is unavailable for now (an authentication service did not "
    "answer); try again later.",
}


def thread_pool(runtime: Runtime) -> Any:
    """The pool WSGI parts of C{runtime}'s tree run in."""
    if runtime.threadpool is not None:
        return runtime.threadpool
    return runtime.reactor.getThreadPool()


class WSGIApplicationResource(Resource):
    """
    A WSGI application as a leaf of the tree; see L{wsgi_resource}.

    A L{WSGIResource} is made per request (it only holds three references) so
    that the application is called with this request's state in its environ.
    """

    isLeaf = True

    def __init__(self, application: WSGIApplication, runtime: Runtime) -> None:
        super().__init__()
        self.application = application
        self._runtime = runtime

    def render(self, request: server.Request) -> Any:
        application = self.application
        state = {ENVIRON_REQUEST: request, ENVIRON_REQUEST_ID: get_request_id(request)}
        context = get_request_context(request)
        if context is not None:
            state[ENVIRON_CONTEXT] = context

        def with_request_state(environ: dict, start_response: Callable) -> Iterable[bytes]:
            environ.update(state)
            return application(environ, start_response)

        answering = in_api_format(
            with_request_state, self._runtime.api_name, get_request_id(request))

        return WSGIResource(
            self._runtime.reactor, thread_pool(self._runtime), answering
        ).render(request)


def _drained(chunks: Iterable[bytes]) -> list[bytes]:
    """Every chunk of a WSGI answer, its C{close} called as WSGI asks."""
    try:
        return list(chunks)
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()


def in_api_format(application: WSGIApplication, api_name: str, request_id: str) -> WSGIApplication:
    """
    C{application}, except that an error (4xx, 5xx) it answers by itself is
    answered as the API's fault with the same status and headers
    (C{WWW-Authenticate} kept). Errors made by native parts below (marked by
    L{NativeWSGIApplication} with L{NATIVE_ANSWER_HEADER}) are in the API's
    format already and pass as they are.
    """

    def answer(environ: dict, start_response: Callable) -> Iterable[bytes]:
        held: list[tuple[str, list[tuple[str, str]]]] = []
        started = []

        def start(status: str, headers: list, exc_info: Any = None) -> Callable:
            started.append(status)
            native = any(name.lower() == _NATIVE_ANSWER_LOWER for name, _ in headers)
            headers = [(name, value) for name, value in headers
                       if name.lower() != _NATIVE_ANSWER_LOWER]
            if int(status[:3]) >= 400 and not native:
                held[:] = [(status, headers)]
                return lambda data: None
            return start_response(status, headers, exc_info)

        chunks = application(environ, start)
        if not started:
            # An application that starts its answer only when iterated: the
            # status is known once its body is.
            chunks = _drained(chunks)
        if not held:
            return chunks
        _drained(chunks)
        status, headers = held[0]
        code = int(status[:3])
        message = _MIDDLEWARE_MESSAGES.get(code, status[4:].strip() or "Error")
        body, content_type = render_fault(api_name, code, message, request_id)
        kept = [(name, value) for name, value in headers
                if name.lower() not in ("content-type", "content-length")]
        start_response(status, kept + [("Content-Type", content_type.decode("ascii")),
                                       ("Content-Length", str(len(body)))])
        return [body]

    return answer


def wsgi_resource(application: WSGIApplication, runtime: Runtime) -> IResource:
    """Mount the WSGI callable C{application} as a leaf resource."""
    return WSGIApplicationResource(application, runtime)


def _segments(path: str) -> list[bytes]:
    """C{/a/b} -> C{[b"a", b"b"]}, the inverse of how WSGIResource joins them."""
    if not path:
        return []
    return path[1:].encode("latin-1").split(b"/")


class BridgedRequest(server.Request):
    """
    A twisted.web request rebuilt from a WSGI environ, whose response is
    collected instead of written to a connection.

    It has no channel: client and host addresses, the site and novatx's
    per-request state come from the outer request when there is one.
    L{done} fires with C{(code, message, headers, body)} when the resource
    finishes.

    @ivar api_name: the API it is served by, for the format of its errors.
    """

    def __init__(self, environ: dict, body: bytes, api_name: str) -> None:
        """
        @param environ: the WSGI environ, as the middleware above left it.
        @param body: the request body, read from C{wsgi.input} already.
        @param api_name: the API serving it.
        """
        Componentized.__init__(self)
        self.api_name = api_name
        self.notifications: list[Deferred[None]] = []
        self.channel = None
        self.transport = None
        self.queued = False
        self._parsePOSTFormSubmission = False
        self.received_cookies = {}
        self.cookies = []
        self.responseHeaders = Headers()
        self.requestHeaders = Headers()
        self.done: Deferred[tuple[int, bytes, Headers, bytes]] = Deferred()
        self._body: list[bytes] = []

        outer = environ.get(ENVIRON_REQUEST)
        if outer is not None:
            self.client = outer.getClientAddress()
            self.host = outer.getHost()
            self.site = outer.site
            for name, value in vars(outer).items():
                if name.startswith(STATE_PREFIX):
                    setattr(self, name, value)
        else:
            self.client = None
            self.host = None
        context = environ.get(ENVIRON_CONTEXT)
        if isinstance(context, RequestContext):
            set_request_context(self, context)
        self._forceSSL = environ.get("wsgi.url_scheme") == "https"

        for key, value in environ.items():
            if key.startswith("HTTP_") and isinstance(value, str):
                name = key[5:].replace("_", "-").encode("latin-1")
                self.requestHeaders.addRawHeader(name, value.encode("latin-1"))
        for key, name in (("CONTENT_TYPE", b"Content-Type"), ("CONTENT_LENGTH", b"Content-Length")):
            if environ.get(key):
                self.requestHeaders.setRawHeaders(name, [environ[key].encode("latin-1")])

        self.method = environ["REQUEST_METHOD"].encode("latin-1")
        self.clientproto = environ.get("SERVER_PROTOCOL", "HTTP/1.1").encode("latin-1")
        script_name = environ.get("SCRIPT_NAME", "")
        path_info = environ.get("PATH_INFO", "")
        self.path = quote(script_name + path_info, safe="/;:@&=+$,").encode("latin-1") or b"/"
        query = environ.get("QUERY_STRING", "")
        self.uri = self.path + (b"?" + query.encode("latin-1") if query else b"")
        self.args = {
            k.encode("latin-1"): [v.encode("latin-1") for v in vs]
            for k, vs in parse_qs(query, keep_blank_values=True, encoding="latin-1").items()
        }
        self.prepath = _segments(script_name)
        self.postpath = _segments(path_info)
        self.content = io.BytesIO(body)
        if outer is not None:
            outer.notifyFinish().addErrback(self.abort)

    def abort(self, reason: Failure) -> None:
        """
        The client of the outer request went away: tell whoever waits on this
        one (a handler's C{notifyFinish}, the pool thread on L{done}).
        """
        if self.finished or self._disconnected:
            return
        self._disconnected = True
        notifications, self.notifications = self.notifications, []
        for waiter in notifications:
            waiter.errback(reason)
        self.done.errback(reason)

    def write(self, data: bytes) -> None:
        """Collect C{data}; nothing of a C{HEAD} response's body is kept."""
        if self._disconnected:
            return
        if self.finished:
            raise RuntimeError("Request.write called on a request after Request.finish was called.")
        self.startedWriting = 1
        self.sentLength += len(data)
        if self.method != b"HEAD" and self.code not in http.NO_BODY_CODES:
            self._body.append(data)

    def finish(self) -> None:
        """Hand the collected response to L{done} and notify finish waiters."""
        if self.finished or self._disconnected:
            return
        self.finished = 1
        self.startedWriting = 1
        notifications, self.notifications = self.notifications, []
        for waiter in notifications:
            waiter.callback(None)
        self.done.callback(
            (self.code, self.code_message, self.responseHeaders, b"".join(self._body))
        )

    def processingFailed(self, reason: Failure) -> None:
        """An error while rendering: log it, answer a 500 in the API's format."""
        _log.failure("Unhandled error under a WSGI middleware", reason)
        body, content_type = render_fault(
            self.api_name,
            http.INTERNAL_SERVER_ERROR,
            INTERNAL_ERROR_MESSAGE,
            get_request_id(self),
        )
        self.setResponseCode(http.INTERNAL_SERVER_ERROR)
        self.responseHeaders.setRawHeaders(b"Content-Type", [content_type])
        self.write(body)
        self.finish()


def _read_body(environ: dict) -> bytes:
    """The request body, read in the pool thread (the stream may be a file)."""
    stream = environ.get("wsgi.input")
    if stream is None:
        return b""
    length = environ.get("CONTENT_LENGTH")
    if length:
        return stream.read(int(length))
    return stream.read()


class NativeWSGIApplication:
    """
    A native resource as a WSGI application, for a WSGI middleware to wrap.

    @ivar resource: the native part rendered for each call.
    """

    def __init__(self, resource: IResource, runtime: Runtime) -> None:
        self.resource = resource
        self._runtime = runtime

    def _render(self, environ: dict, body: bytes) -> Deferred:
        request = BridgedRequest(environ, body, self._runtime.api_name)
        try:
            request.render(getChildForRequest(self.resource, request))
        except BaseException:
            request.processingFailed(Failure())
        return request.done

    def __call__(self, environ: dict, start_response: Callable) -> list[bytes]:
        try:
            code, message, headers, body = blockingCallFromThread(
                self._runtime.reactor, self._render, environ, _read_body(environ)
            )
        except (ConnectionDone, ConnectionLost):
            start_response("503 Service Unavailable", [])
            return []
        if environ["REQUEST_METHOD"] != "HEAD" and code not in http.NO_BODY_CODES:
            headers.setRawHeaders(b"Content-Length", [b"%d" % len(body)])
        start_response(
            "%d %s" % (code, message.decode("latin-1")),
            [
                (name.decode("latin-1"), value.decode("latin-1"))
                for name, values in headers.getAllRawHeaders()
                for value in values
            ] + [(NATIVE_ANSWER_HEADER, "1")],
        )
        return [body]
