"""
C{request_log}: one access log line per request.

As nova's C{RequestLog}: the API, the worker's pid, the request id, the client
address, method, path, status, bytes sent and time taken, logged when the
answer is finished (or the client went away). C{[api] use_forwarded_for}
makes the client address the one in C{X-Forwarded-For}.
"""

from __future__ import annotations

import os
import time
from typing import Any

from twisted.logger import Logger, LogLevel

from novatx.resources.filters.base import Filter
from novatx.resources.pipeline import native_filter_factory
from novatx.resources.requestid import get_request_id
from novatx.resources.runtime import Runtime

#: The access line, formatted here with C{%}: a log observer then only has to
#: copy C{{access_line}}, which halves what a line costs a file observer.
ACCESS_LINE = '%s pid=%d %s %s "%s %s" status: %s len: %d time: %.1fms'

#: The fields of the line, also in each event by these names.
FIELDS = ("api", "pid", "request_id", "client", "method", "path", "status", "length", "ms")

#: The access log: events carry C{access_line}, the L{FIELDS} and
#: C{novatx_access=True}.
access_log = Logger(namespace="novatx.access")


def _emit(event: dict[str, Any]) -> None:
    """
    Log an access event as C{access_log.info("{access_line}", ...)} would,
    without what L{Logger.emit} does per call that an access line never needs
    (checking the level against every level, merging keyword arguments).
    """
    event.update(
        novatx_access=True,
        log_logger=access_log,
        log_level=LogLevel.info,
        log_namespace=access_log.namespace,
        log_source=access_log.source,
        log_format="{access_line}",
        log_time=time.time(),
    )
    access_log.observer(event)


def client_address(request: Any, use_forwarded_for: bool) -> str:
    """Who sent C{request}: its peer, or C{X-Forwarded-For} if trusted."""
    if use_forwarded_for:
        forwarded = request.getHeader(b"x-forwarded-for")
        if forwarded:
            return forwarded.decode("latin-1").split(",")[0].strip()
    peer = request.getClientAddress()
    return getattr(peer, "host", None) or str(peer)


class RequestLogFilter(Filter):
    """
    Logs an access line when each request's answer is done.

    @ivar use_forwarded_for: C{[api] use_forwarded_for}, read when the tree is
        built (a reload builds a new tree).
    """

    def __init__(self, next: Any, runtime: Runtime, **local_conf: str) -> None:
        super().__init__(next, runtime, **local_conf)
        self.use_forwarded_for = runtime.config.api.use_forwarded_for

    def render(self, request: Any) -> Any:
        clock = self.runtime.reactor
        started = clock.seconds()

        def done(result: Any, status: Any = None) -> None:
            fields = (
                self.runtime.api_name,
                os.getpid(),
                get_request_id(request),
                client_address(request, self.use_forwarded_for),
                request.method.decode("latin-1"),
                request.uri.decode("latin-1"),
                status if status is not None else request.code,
                request.sentLength,
                (clock.seconds() - started) * 1000.0,
            )
            event = dict(zip(FIELDS, fields))
            event["access_line"] = ACCESS_LINE % fields
            _emit(event)

        request.notifyFinish().addCallbacks(done, done, errbackKeywords={"status": "aborted"})
        return self.render_next(request)


filter_factory = native_filter_factory(RequestLogFilter)
