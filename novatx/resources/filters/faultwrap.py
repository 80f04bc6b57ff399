"""
C{faultwrap}: an unexpected error becomes a 500 in the API's own format.

As nova's C{FaultWrapper}: the error is logged with the request id and the
client gets the API's fault document (never a traceback). Errors a handler
reports itself (a Deferred's failure after rendering started) are the
router's to answer; this catches what escapes the walk and the rendering.
"""

from __future__ import annotations

from typing import Any

from twisted.logger import Logger
from twisted.web import http
from twisted.web.error import UnsupportedMethod

from novatx.resources.filters.base import Filter
from novatx.resources.pipeline import native_filter_factory
from novatx.resources.requestid import get_request_id

#: nova's message for a 500 (webob's explanation of HTTPInternalServerError).
INTERNAL_ERROR_MESSAGE = (
    "The server has either erred or is incapable of performing the requested operation."
)


class FaultWrapFilter(Filter):
    """Turns an exception below it into a logged 500 fault."""

    _log = Logger()

    def render(self, request: Any) -> Any:
        try:
            return self.render_next(request)
        except UnsupportedMethod:
            raise
        except Exception:
            self._log.failure(
                "{api} {request_id}: unexpected error serving {method} {path}",
                api=self.runtime.api_name,
                request_id=get_request_id(request),
                method=request.method.decode("latin-1"),
                path=request.path.decode("latin-1"),
            )
            if request.startedWriting:
                raise
            return self.fail(request, http.INTERNAL_SERVER_ERROR, INTERNAL_ERROR_MESSAGE)


filter_factory = native_filter_factory(FaultWrapFilter)
