"""
C{behaviours}: the HTTP effects of behaviours, after auth in each pipeline.

For each request it takes one firing of the asking project's oldest
behaviour in scope (API, method, path glob, EC2 action), if any, and acts:
C{http_error} answers the status and message in the API's own format (nova's
fault JSON, EC2's XML error with its code, metadata's plain text); C{latency}
holds the request that many seconds on the behaviours' clock, then lets it
go on; C{drop} closes the connection without an answer. Each firing is
logged with the request id.

With the controlled clock, the filter first catches this worker's clock up
with the store's, so a request sees the time another worker moved it to.

With C{[behaviours] enabled = false} the factory puts nothing in the
pipeline: the next part is used as is, so the feature costs nothing when off.
"""

from __future__ import annotations

from typing import Any

from twisted.internet.defer import Deferred
from twisted.logger import Logger
from twisted.python.failure import Failure
from twisted.web.server import NOT_DONE_YET

from novatx.compute.behaviours import Behaviour, Match
from novatx.resources.faults import (
    INTERNAL_ERROR_MESSAGE, Fault, fault_for_exception, render_fault)
from novatx.resources.filters._askers import ASKERS, Asker
from novatx.resources.filters.base import Filter
from novatx.resources.pipeline import NativeFilter
from novatx.resources.requestid import get_request_id
from novatx.resources.runtime import Runtime, from_global_conf

#: The effects this filter acts on.
EFFECTS = ("http_error", "latency", "drop")


class BehavioursFilter(Filter):
    """Acts on the HTTP behaviours of the asking project."""

    _log = Logger()

    def __init__(self, next: Any, runtime: Runtime, **local_conf: str) -> None:
        super().__init__(next, runtime, **local_conf)
        self._ask = ASKERS[runtime.api_name](runtime)
        self._behaviours = runtime.compute.behaviours

    def render(self, request: Any) -> Any:
        if self._behaviours.controlled:
            d = self._behaviours.clock_now()
            d.addCallback(lambda _: self._ask(request))
        else:
            d = self._ask(request)
        d.addCallback(self._fire, request)
        d.addCallback(self._act, request)
        d.addErrback(self._failed, request)
        return NOT_DONE_YET

    def _fire(self, asker: Asker | None, request: Any) -> "Deferred[Behaviour | None] | None":
        if asker is None:
            return None
        match = Match(project_id=asker.project_id, effects=EFFECTS, api=self.runtime.api_name,
                      method=request.method.decode("ascii", "replace"),
                      path=request.path.decode("latin-1"), ec2_action=asker.ec2_action)
        return self._behaviours.fire(match, get_request_id(request))

    def _act(self, behaviour: Behaviour | None, request: Any) -> None:
        if behaviour is None:
            return self._go_on(request)
        params = behaviour.spec.params
        if behaviour.spec.effect == "latency":
            self._behaviours.clock.callLater(params["seconds"], self._go_on, request)
            return
        if behaviour.spec.effect == "drop":
            request.channel.transport.abortConnection()
            return
        status = params["status"]
        message = params.get("message", "Injected by behaviour %s." % (behaviour.id,))
        body, content_type = render_fault(self.runtime.api_name, status, message,
                                          get_request_id(request), params.get("code"))
        request.setResponseCode(status)
        request.setHeader(b"Content-Type", content_type)
        self._finish(request, body)

    def _go_on(self, request: Any) -> None:
        if request.finished or request._disconnected:
            return
        try:
            result = self.render_next(request)
        except Exception:
            self._failed(Failure(), request)
            return
        if result is not NOT_DONE_YET:
            self._finish(request, result)

    def _failed(self, failure: Failure, request: Any) -> None:
        """
        What C{faultwrap} does for a synchronous part, for this asynchronous
        one: an internal-API error (a store outage: 503) is its fault, any
        other is logged and answered 500, in the API's format.
        """
        fault = fault_for_exception(failure.value)
        if fault is None:
            self._log.failure("{api} {request_id}: the behaviours filter failed", failure,
                              api=self.runtime.api_name, request_id=get_request_id(request))
            fault = Fault(500, INTERNAL_ERROR_MESSAGE)
        if request.finished or request._disconnected or request.startedWriting:
            return
        body, content_type, headers = fault.render(self.runtime.api_name,
                                                   get_request_id(request))
        request.setResponseCode(fault.status)
        request.setHeader(b"Content-Type", content_type)
        for name, value in headers.items():
            request.setHeader(name, value)
        self._finish(request, body)

    @staticmethod
    def _finish(request: Any, body: bytes) -> None:
        if request.finished or request._disconnected:
            return
        request.write(body)
        request.finish()


def filter_factory(global_conf: dict, **local_conf: str) -> NativeFilter:
    """
    The paste factory: the filter when behaviours are enabled; otherwise a
    filter that hands back the next part itself, so nothing is added.
    """
    runtime = from_global_conf(global_conf)
    if not runtime.config.behaviours.enabled:
        return NativeFilter(lambda app: app, runtime)
    return NativeFilter(lambda app: BehavioursFilter(app, runtime, **local_conf), runtime)
