"""
C{faultwrap}: an error that escapes the parts below is answered in the API's format.

As nova's C{FaultWrapper}: an internal-API exception (a kind
L{novatx.resources.faults.fault_for_exception} knows: Invalid, NotFound...)
that escapes is answered with its fault, as the router would have; anything
else is a bug, logged with the request id and answered 500 with nova's
generic message (never a traceback). Errors a handler reports itself (a
Deferred's failure after rendering started) are the router's to answer; this
catches what escapes the walk and the rendering.
"""

from __future__ import annotations

from typing import Any

from twisted.logger import Logger
from twisted.web import http
from twisted.web.error import UnsupportedMethod

from novatx.resources.faults import INTERNAL_ERROR_MESSAGE, Fault, fault_for_exception
from novatx.resources.filters.base import Filter
from novatx.resources.pipeline import native_filter_factory
from novatx.resources.requestid import get_request_id


class FaultWrapFilter(Filter):
    """Turns an exception below it into a fault: its own, or a logged 500."""

    _log = Logger()

    def render(self, request: Any) -> Any:
        try:
            return self.render_next(request)
        except UnsupportedMethod:
            raise
        except Exception as error:
            fault = fault_for_exception(error)
            if fault is None:
                self._log.failure(
                    "{api} {request_id}: unexpected error serving {method} {path}",
                    api=self.runtime.api_name,
                    request_id=get_request_id(request),
                    method=request.method.decode("latin-1"),
                    path=request.path.decode("latin-1"),
                )
                fault = Fault(http.INTERNAL_SERVER_ERROR, INTERNAL_ERROR_MESSAGE)
            if request.startedWriting:
                raise
            return self._answer(request, fault)

    def _answer(self, request: Any, fault: Fault) -> bytes:
        body, content_type, headers = fault.render(self.runtime.api_name, get_request_id(request))
        request.setResponseCode(fault.status)
        request.setHeader(b"Content-Type", content_type)
        for name, value in headers.items():
            request.setHeader(name, value)
        return body


filter_factory = native_filter_factory(FaultWrapFilter)
