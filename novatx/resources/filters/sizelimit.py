"""
C{sizelimit}: a body over C{[oslo_middleware] max_request_body_size} is a 413.

As oslo.middleware's C{RequestBodySizeLimiter}, with the answer in the API's
own format. A C{Content-Length} over the limit is refused from the header
alone; a chunked body by the size received. The next part never sees such a
body. In the daemon, the channel (L{novatx.services.channel}) already answers
such a C{Content-Length} as soon as the headers are read, before any body is
sent; this filter is what refuses it where no such channel runs, and what
refuses a chunked body.

twisted.web receives the whole body before any resource runs. A C{Site} whose
C{requestFactory} is L{bounded_request_factory} keeps no more of a body than
the limit allows: past it the bytes are drained from the connection and
dropped (so the connection stays usable for the 413 and the next request),
never stored in memory or in a temporary file.
"""

from __future__ import annotations

import io
import os
from typing import Any

from twisted.web import http
from twisted.web.server import Request

from novatx.resources.filters.base import Filter
from novatx.resources.pipeline import native_filter_factory
from novatx.resources.runtime import Runtime

#: oslo.middleware's message.
TOO_LARGE_MESSAGE = "Request is too large."


def body_size(request: Any) -> int:
    """How many body bytes C{request} declares, or holds when it declares none."""
    length = request.getHeader(b"content-length")
    if length is not None:
        try:
            return int(length)
        except ValueError:
            pass
    content = request.content
    if content is None:
        return 0
    position = content.tell()
    size = content.seek(0, os.SEEK_END)
    content.seek(position)
    return size


class BoundedBodyRequest(Request):
    """
    A request that stores at most C{max_body_size + 1} bytes of its body
    (enough for L{SizeLimitFilter} to see it is too large), and leaves the
    body to the API: twisted.web would parse a form body into C{args}, and
    answer a broken multipart one with a bare 400 before any API sees it,
    where each API reads its own body (EC2 its form, compute its JSON, which
    must be a 415 when sent as a form).

    @ivar max_body_size: the limit; None: unbounded.
    @ivar body_too_large: set once more than the limit was received or declared.
    """

    max_body_size: int | None = None
    body_too_large = False
    _received = 0

    def __init__(self, channel: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(channel, *args, parsePOSTFormSubmission=False, **kwargs)

    def gotLength(self, length: int | None) -> None:
        if self.max_body_size is not None and (length is None or length > self.max_body_size):
            self.body_too_large = length is not None
            self.content = io.BytesIO()
            return
        super().gotLength(length)

    def handleContentChunk(self, data: bytes) -> None:
        if self.max_body_size is None:
            super().handleContentChunk(data)
            return
        room = self.max_body_size + 1 - self._received
        self._received += len(data)
        if self._received > self.max_body_size:
            self.body_too_large = True
        if room > 0:
            self.content.write(data[:room])


def bounded_request_factory(max_body_size: int) -> type[BoundedBodyRequest]:
    """A C{Site.requestFactory} keeping at most C{max_body_size + 1} body bytes."""
    return type("BoundedBodyRequest", (BoundedBodyRequest,), {"max_body_size": max_body_size})


class SizeLimitFilter(Filter):
    """
    Refuses bodies over the configured limit with a 413.

    @ivar limit: C{max_request_body_size}, read when the tree is built (a
        reload builds a new tree).
    """

    def __init__(self, next: Any, runtime: Runtime, **local_conf: str) -> None:
        super().__init__(next, runtime, **local_conf)
        self.limit = runtime.config.oslo_middleware.max_request_body_size

    def render(self, request: Any) -> Any:
        if getattr(request, "body_too_large", False) or body_size(request) > self.limit:
            return self.fail(request, http.REQUEST_ENTITY_TOO_LARGE, TOO_LARGE_MESSAGE)
        return self.render_next(request)


filter_factory = native_filter_factory(SizeLimitFilter)
