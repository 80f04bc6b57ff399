"""
C{request_log}: one access log line per request.

As nova's C{RequestLog}: the API, the worker's pid, the request id, the client
address, method, path, status, bytes sent and time taken, logged when the
answer is finished (or the client went away). C{[api] use_forwarded_for}
makes the client address the one in C{X-Forwarded-For}.
"""

from __future__ import annotations

import os
from typing import Any

from twisted.logger import Logger

from novatx.resources.filters.base import Filter
from novatx.resources.pipeline import native_filter_factory
from novatx.resources.requestid import get_request_id

ACCESS_LOG_FORMAT = (
    '{api} pid={pid} {request_id} {client} "{method} {path}" '
    "status: {status} len: {length} time: {ms:.1f}ms"
)


def client_address(request: Any, use_forwarded_for: bool) -> str:
    """Who sent C{request}: its peer, or C{X-Forwarded-For} if trusted."""
    if use_forwarded_for:
        forwarded = request.getHeader(b"x-forwarded-for")
        if forwarded:
            return forwarded.decode("latin-1").split(",")[0].strip()
    peer = request.getClientAddress()
    return getattr(peer, "host", None) or str(peer)


class RequestLogFilter(Filter):
    """Logs an access line when each request's answer is done."""

    log = Logger()

    def render(self, request: Any) -> Any:
        clock = self.runtime.reactor
        started = clock.seconds()

        def done(result: Any, status: Any = None) -> None:
            self.log.info(
                ACCESS_LOG_FORMAT,
                api=self.runtime.api_name,
                pid=os.getpid(),
                request_id=get_request_id(request),
                client=client_address(request, self.runtime.config.api.use_forwarded_for),
                method=request.method.decode("latin-1"),
                path=request.uri.decode("latin-1"),
                status=status if status is not None else request.code,
                length=request.sentLength,
                ms=(clock.seconds() - started) * 1000.0,
                novatx_access=True,
            )

        request.notifyFinish().addCallbacks(done, done, errbackKeywords={"status": "aborted"})
        return self.render_next(request)


filter_factory = native_filter_factory(RequestLogFilter)
