"""
C{cors}: oslo.middleware's own CORS middleware, a WSGI filter in the pipeline.

It reads C{[cors]} from the process's config (C{allowed_origin},
C{allow_methods}...). oslo.middleware's middleware does nothing at all to a
request without an C{Origin} header, so only requests with one take the WSGI
bridge (see L{novatx.resources.wsgi} for its cost); the rest go straight to
the next part, without a thread hop.

The middleware is made for the first request with an C{Origin}: until then
oslo.middleware, which imports all of its middlewares with it (some 4 MB and
40 ms), is not imported in a process whose clients never send one.
"""

from __future__ import annotations

from typing import Any

from novatx.resources.filters.base import Filter
from novatx.resources.pipeline import as_wsgi, native_filter_factory
from novatx.resources.runtime import Runtime
from novatx.resources.wsgi import wsgi_resource


class CORSFilter(Filter):
    """
    Sends requests with an C{Origin} through oslo.middleware's C{CORS}.

    @ivar cors: the C{CORS} middleware around the next part, mounted as a
        resource, once a request with an C{Origin} came (None before).
    """

    def __init__(self, next: Any, runtime: Runtime, **local_conf: str) -> None:
        super().__init__(next, runtime, **local_conf)
        self.cors: Any = None

    def render(self, request: Any) -> Any:
        if request.getHeader(b"origin") is None:
            return self.render_next(request)
        if self.cors is None:
            from oslo_middleware.cors import CORS

            middleware = CORS(as_wsgi(self.next, self.runtime), self.runtime.config)
            self.cors = wsgi_resource(middleware, self.runtime)
        return self.cors.render(request)


filter_factory = native_filter_factory(CORSFilter)
