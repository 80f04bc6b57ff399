"""
C{sizelimit}: a body over C{[oslo_middleware] max_request_body_size} is a 413.

As oslo.middleware's C{RequestBodySizeLimiter}, with the answer in the API's
own format. A C{Content-Length} over the limit is refused from the header
alone; a chunked body by the size received. The next part never sees such a
body.
"""

from __future__ import annotations

import os
from typing import Any

from twisted.web import http

from novatx.resources.filters.base import Filter
from novatx.resources.pipeline import native_filter_factory

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


class SizeLimitFilter(Filter):
    """Refuses bodies over the configured limit with a 413."""

    def render(self, request: Any) -> Any:
        limit = self.runtime.config.oslo_middleware.max_request_body_size
        if body_size(request) > limit:
            return self.fail(request, http.REQUEST_ENTITY_TOO_LARGE, TOO_LARGE_MESSAGE)
        return self.render_next(request)


filter_factory = native_filter_factory(SizeLimitFilter)
