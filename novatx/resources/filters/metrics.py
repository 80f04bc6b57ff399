"""
C{metrics}: counts each request for C{GET /metrics}, right after C{request_log}.

When the answer is done (or the client went away: status C{aborted}) it
counts the request by API, route, method and status, and observes its
latency (L{novatx.metrics.Metrics.request}). The route is the template of the
route the router matched under the part's mount (C{/v2.1/servers/<server_id>}),
never the raw path, whose ids would make a series per server; a request no
route matched (a 404) or served by a part without routes (the versions
document) counts under the mount alone (C{/v2.1}, C{/}).

With C{[metrics] enabled = false} (the default) the factory puts nothing in
the pipeline: the next part is used as is, so metrics cost nothing when off.
"""

from __future__ import annotations

from typing import Any

from twisted.python.failure import Failure

from novatx import metrics
from novatx.resources._app import matched_route
from novatx.resources.filters.base import Filter
from novatx.resources.pipeline import NativeFilter
from novatx.resources.runtime import Runtime, from_global_conf


class MetricsFilter(Filter):
    """Counts each request when its answer is done."""

    def __init__(self, next: Any, runtime: Runtime, **local_conf: str) -> None:
        super().__init__(next, runtime, **local_conf)
        self._metrics = metrics.enable()
        self._clock = runtime.reactor.seconds

    def render(self, request: Any) -> Any:
        mount = "/" + b"/".join(request.prepath).decode("utf-8", "replace")
        request.notifyFinish().addBoth(self._done, request, mount.rstrip("/"), self._clock())
        return self.render_next(request)

    def _done(self, result: Any, request: Any, mount: str, started: float) -> None:
        route = matched_route(request)
        self._metrics.request(
            self.runtime.api_name,
            mount + route if route is not None else mount or "/",
            request.method.decode("latin-1"),
            "aborted" if isinstance(result, Failure) else str(request.code),
            self._clock() - started,
        )


def filter_factory(global_conf: dict, **local_conf: str) -> NativeFilter:
    """
    The paste factory: the filter when metrics are enabled; otherwise a
    filter that hands back the next part itself, so nothing is added.
    """
    runtime = from_global_conf(global_conf)
    if not runtime.config.metrics.enabled:
        return NativeFilter(lambda app: app, runtime)
    return NativeFilter(lambda app: MetricsFilter(app, runtime, **local_conf), runtime)
