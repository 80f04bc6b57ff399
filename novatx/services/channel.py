"""
The HTTP channel and site of one API: its limits, its timeouts, and draining.

Twisted's L{HTTPChannel} drops a connection whose request line or header line is
longer than C{MAX_LENGTH}, and answers a bare 400 to too many headers: the
client sees no reason. nova (under eventlet) answered 414 to a URL longer than
the API's C{max_url_len} and 431 to oversized headers, so clients and operators
could tell what happened. L{LimitedHTTPChannel} does the same, with the body in
the API's own error format (L{novatx.resources.faults.render_fault}), then
closes that connection; the server keeps serving. A C{Content-Length} over the
API's body limit gets its 413 the same way as soon as the headers are read,
never a C{100 Continue}: the client does not upload what will be refused, and
a length with no body behind it holds nothing open.

A request target that is not printable ASCII (raw UTF-8 or any other byte
that should have been percent-encoded), and anything else twisted.web would
answer with a bare 400, gets a 400 in the API's format too.

A request line may name its target in absolute form (C{GET http://host/path
HTTP/1.1}), as a client speaking through a proxy does; HTTP/1.1 servers must
accept it, and use its authority in place of the C{Host} header. Twisted would
take the whole URL for the path, so the channel turns it into the origin form
first.

L{APISite} keeps the set of open channels so that a stopping service can
I{drain}: close idle keep-alive connections at once, close busy ones as soon as
their response is written (a request whose headers were read is answered), and
abort whatever is left when the grace period ends.
"""

from __future__ import annotations

import re
import uuid
from typing import Any
from urllib.parse import urlsplit

from twisted.internet.defer import Deferred, succeed
from twisted.logger import Logger
from twisted.web.http import RESPONSES, HTTPChannel
from twisted.web.resource import IResource
from twisted.web.server import Site

from novatx.resources.faults import render_fault
from novatx.resources.filters.sizelimit import TOO_LARGE_MESSAGE

#: How long an answered, over-limit connection may keep sending before it is cut.
LINGER_SECONDS = 2.0

#: How long a draining connection with no request in flight may still send
#: one. A connection accepted just before the port closed has not sent its
#: request yet; closing it at once would leave its client without an answer.
DRAIN_IDLE_GRACE = 1.0

#: What a request target must be made of (RFC 9112: anything else is
#: percent-encoded).
_PRINTABLE_ASCII = re.compile(rb"[\x21-\x7e]+")

NOT_ASCII_MESSAGE = (
    "The request target must be printable ASCII; percent-encode any other byte."
)
BAD_REQUEST_MESSAGE = "The request could not be parsed as HTTP/1.1."

#: Reason phrases Twisted's table lacks.
_REASONS = {431: b"Request Header Fields Too Large"}

#: Most header lines in one request (as Python's C{http.client}, which nova's
#: eventlet server used).
MAX_HEADERS = 100


def origin_form(target: bytes) -> tuple[bytes, bytes | None]:
    """
    C{target} in origin form (path and query), and the authority it named if
    it was in absolute form (C{http://host:port/path?query}), else None.
    """
    if not target[:1].isalpha() or b"://" not in target:
        return target, None
    try:
        parts = urlsplit(target)
    except ValueError:
        return target, None
    if parts.scheme.lower() not in (b"http", b"https") or not parts.netloc:
        return target, None
    path = parts.path or b"/"
    return (path + b"?" + parts.query if parts.query else path), parts.netloc


class LimitedHTTPChannel(HTTPChannel):
    """
    An L{HTTPChannel} that answers over-limit requests instead of dropping them.

    The limits come from the L{APISite} that built the channel: C{url_limit}
    (414), C{max_header_line} and L{MAX_HEADERS} (431).
    """

    _log = Logger()
    _first_line = True
    _header_lines = 0
    _refused = False
    _draining = False
    _served = False
    _linger = None
    _idle_close = None
    _header_deadline = None
    _between_requests = False
    _authority: bytes | None = None

    def connectionMade(self) -> None:
        site = self.site
        # Lines a little over the limits must still reach lineReceived, where
        # they are answered; only absurd ones are cut by LineReceiver.
        self.MAX_LENGTH = max(site.url_limit, site.max_header_line) + 1024
        self.totalHeadersSize = site.url_limit + site.max_header_line * 4
        self.maxHeaders = MAX_HEADERS + 1
        super().connectionMade()
        site.channel_opened(self)
        self._start_header_deadline()

    def _start_header_deadline(self) -> None:
        if self.site.header_timeout:
            self._header_deadline = self.callLater(
                self.site.header_timeout, self._headers_too_slow
            )

    def _headers_too_slow(self) -> None:
        self._header_deadline = None
        self._refuse(
            408,
            "The request headers were not received within %d seconds."
            % self.site.header_timeout,
            ec2_code="RequestTimeout",
        )

    def dataReceived(self, data: bytes) -> None:
        if self._between_requests and data:
            self._between_requests = False
            self._start_header_deadline()
        super().dataReceived(data)

    def connectionLost(self, reason: Any) -> None:
        for call in (self._linger, self._idle_close, self._header_deadline):
            if call is not None and call.active():
                call.cancel()
        super().connectionLost(reason)
        self.site.channel_closed(self)

    def lineReceived(self, line: bytes) -> None:
        if self._refused:
            return
        if self._first_line:
            if line:
                self._first_line = False
                self._header_lines = 0
                target = line.split(b" ")
                self._authority = None
                if len(target) == 3:
                    if len(target[1]) > self.site.url_limit:
                        return self._refuse(
                            414, "The request URI is longer than %d bytes." % self.site.url_limit
                        )
                    if not _PRINTABLE_ASCII.fullmatch(target[1]):
                        return self._refuse(400, NOT_ASCII_MESSAGE)
                    target[1], self._authority = origin_form(target[1])
                    if self._authority is not None:
                        line = b" ".join(target)
        elif line == b"":
            self._first_line = True
        elif len(line) > self.site.max_header_line:
            return self._refuse(
                431, "A request header line is longer than %d bytes." % self.site.max_header_line
            )
        elif self._receivedHeaderSize + len(line) > self.totalHeadersSize:
            return self._refuse(431, "The request headers are too large.")
        elif line[:1] not in (b" ", b"\t"):
            self._header_lines += 1
            if self._header_lines > MAX_HEADERS:
                return self._refuse(431, "The request has more than %d headers." % MAX_HEADERS)
        super().lineReceived(line)

    def allHeadersReceived(self) -> None:
        if self._header_deadline is not None and self._header_deadline.active():
            self._header_deadline.cancel()
        self._header_deadline = None
        limit = self.site.max_body_size
        if limit is not None and self.length is not None and self.length > limit:
            # Before twisted.web would answer "100 Continue": the client must
            # not be invited to send a body it will be refused.
            return self._refuse(413, TOO_LARGE_MESSAGE)
        if self._authority is not None:
            self.requests[-1].requestHeaders.setRawHeaders(b"host", [self._authority])
        super().allHeadersReceived()

    def _respondToBadRequestAndDisconnect(self) -> None:
        """
        Where twisted.web would write a bare C{400 Bad Request} (a request
        line, header or chunk it cannot parse), answer in the API's format.
        """
        self._refuse(400, BAD_REQUEST_MESSAGE)

    def lineLengthExceeded(self, line: bytes) -> None:
        if self._first_line:
            self._refuse(414, "The request URI is longer than %d bytes." % self.site.url_limit)
        else:
            self._refuse(
                431, "A request header line is longer than %d bytes." % self.site.max_header_line
            )

    def checkPersistence(self, request: Any, version: bytes) -> bool:
        if self._draining or not self.site.keep_alive:
            request.responseHeaders.setRawHeaders(b"Connection", [b"close"])
            return False
        return super().checkPersistence(request, version)

    def _refuse(self, status: int, message: str, ec2_code: str | None = None) -> None:
        """
        Answer C{status} in the API's format and close once the client stops.

        The rest of the request is read and discarded: closing a socket with
        unread data makes the kernel reset it, and the client could lose the
        answer.
        """
        self._refused = True
        if self._header_deadline is not None and self._header_deadline.active():
            self._header_deadline.cancel()
        self.setRawMode()
        self.rawDataReceived = lambda data: None
        body, content_type = render_fault(
            self.site.api_name, status, message, "req-%s" % uuid.uuid4(), ec2_code
        )
        self._log.info(
            "{api}: answered {status} to {peer}: {message}",
            api=self.site.api_name,
            status=status,
            peer=str(self.transport.getPeer()),
            message=message,
        )
        self.transport.write(
            b"HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n"
            b"Connection: close\r\n\r\n%s"
            % (status, _REASONS.get(status) or RESPONSES[status], content_type, len(body), body)
        )
        self.setTimeout(None)
        self._linger = self.callLater(LINGER_SECONDS, self.transport.loseConnection)

    def drain(self) -> None:
        """
        Close this connection once it is idle: after the response in flight
        (a request whose headers or part of them were read is answered); at
        once if it is kept alive between two requests; or, if it never sent a
        whole request line, when none comes within L{DRAIN_IDLE_GRACE} (one
        that does is answered with C{Connection: close}).
        """
        self._draining = True
        if not self.requests and self._served and not self._buffer:
            self.transport.loseConnection()
            return
        if not self.requests:
            self._idle_close = self.callLater(DRAIN_IDLE_GRACE, self._close_if_idle)
            return
        self.persistent = False
        for request in self.requests:
            if not request.startedWriting:
                request.responseHeaders.setRawHeaders(b"Connection", [b"close"])

    def _close_if_idle(self) -> None:
        if not self.requests:
            self.transport.loseConnection()

    def requestDone(self, request: Any) -> None:
        self._served = True
        self._between_requests = True
        if self._draining:
            self.persistent = False
        super().requestDone(request)


class ConnectionLimit:
    """
    How many client connections one process holds open, all its APIs
    together (C{[wsgi] max_connections}), and the refusals past it.

    A connection past the limit is closed as soon as it is accepted: the
    process would otherwise run out of file descriptors, and fail in places
    (the store, its log) that matter more than one more client. Refusals are
    logged at most once a minute, so a flood does not flood the log too.
    """

    _log = Logger()

    #: Seconds between two log lines about refused connections.
    LOG_INTERVAL = 60.0

    def __init__(self, limit: int, reactor: Any) -> None:
        self.limit = limit
        self.open = 0
        self.refused = 0
        self._reactor = reactor
        self._logged_at: float | None = None

    def admit(self, api_name: str) -> bool:
        """Whether one more connection may be served; logs a refusal."""
        if self.open < self.limit:
            return True
        self.refused += 1
        now = self._reactor.seconds()
        if self._logged_at is None or now - self._logged_at >= self.LOG_INTERVAL:
            self._logged_at = now
            self._log.warn(
                "{api}: max_connections ({limit}) reached: refusing new connections "
                "({refused} refused so far)",
                api=api_name,
                limit=self.limit,
                refused=self.refused,
            )
        return False


class APISite(Site):
    """
    The L{Site} of one API: its limits, and the channels it has open.

    @ivar api_name: the API's name, for error bodies and logs.
    @ivar url_limit: longest request target accepted (414 beyond).
    @ivar max_header_line: longest header line accepted (431 beyond).
    @ivar keep_alive: whether connections persist between requests.
    @ivar header_timeout: seconds to send a request's headers (408 past it;
        0: no deadline).
    @ivar max_body_size: largest C{Content-Length} accepted (413 beyond,
        answered from the headers alone), or None.
    """

    max_body_size: int | None = None

    protocol = LimitedHTTPChannel
    noisy = False

    def __init__(
        self,
        resource: IResource,
        api_name: str,
        url_limit: int,
        max_header_line: int,
        keep_alive: bool = True,
        timeout: float | None = None,
        reactor: Any = None,
        header_timeout: float = 0,
        connections: ConnectionLimit | None = None,
    ) -> None:
        """
        @param connections: the limit shared by every site of this process;
            None: no limit.
        """
        super().__init__(resource, timeout=timeout, reactor=reactor)
        self.api_name = api_name
        self.url_limit = url_limit
        self.max_header_line = max_header_line
        self.keep_alive = keep_alive
        self.header_timeout = header_timeout
        self.connections = connections
        self._channels: set[LimitedHTTPChannel] = set()
        self._drained: list[Deferred[None]] = []

    def log(self, request: Any) -> None:
        """
        Write no access line here: the pipeline's access-log filter does, with
        the request id that only it knows.
        """

    def buildProtocol(self, addr: Any) -> Any:
        """A channel, or None (the connection is closed) past C{max_connections}."""
        if self.connections is not None and not self.connections.admit(self.api_name):
            return None
        return super().buildProtocol(addr)

    def channel_opened(self, channel: LimitedHTTPChannel) -> None:
        """Track a new connection (called by the channel)."""
        self._channels.add(channel)
        if self.connections is not None:
            self.connections.open += 1

    def channel_closed(self, channel: LimitedHTTPChannel) -> None:
        """Forget a closed connection; fire L{drain}'s Deferreds when none is left."""
        if channel in self._channels and self.connections is not None:
            self.connections.open -= 1
        self._channels.discard(channel)
        if not self._channels:
            drained, self._drained = self._drained, []
            for d in drained:
                d.callback(None)

    def open_connections(self) -> int:
        """How many client connections are open."""
        return len(self._channels)

    def drain(self) -> Deferred[None]:
        """
        Close every connection once its request in flight is answered.

        @return: fires when no connection is left open.
        """
        if not self._channels:
            return succeed(None)
        d: Deferred[None] = Deferred()
        self._drained.append(d)
        for channel in list(self._channels):
            channel.drain()
        return d

    def abort(self) -> None:
        """Cut every connection still open (the grace period is over)."""
        for channel in list(self._channels):
            channel.transport.abortConnection()
