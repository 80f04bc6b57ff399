"""
C{cors}: oslo.middleware's own CORS middleware, a WSGI filter in the pipeline.

It reads C{[cors]} from the process's config (C{allowed_origin},
C{allow_methods}...). oslo.middleware's middleware does nothing at all to a
request without an C{Origin} header, so only requests with one take the WSGI
bridge (see L{novatx.resources.wsgi} for its cost); the rest go straight to
the next part, without a thread hop.
"""

from __future__ import annotations

from typing import Any

from oslo_middleware.cors import CORS

from novatx.resources.filters.base import Filter
from novatx.resources.pipeline import as_wsgi, native_filter_factory
from novatx.resources.runtime import Runtime
from novatx.resources.wsgi import wsgi_resource


class CORSFilter(Filter):
    """
    Sends requests with an C{Origin} through oslo.middleware's C{CORS}.

    @ivar cors: the C{CORS} middleware around the next part, mounted as a resource.
    """

    def __init__(self, next: Any, runtime: Runtime, **local_conf: str) -> None:
        super().__init__(next, runtime, **local_conf)
        self.cors = wsgi_resource(CORS(as_wsgi(next, runtime), runtime.config), runtime)

    def render(self, request: Any) -> Any:
        if request.getHeader(b"origin") is None:
            return self.render_next(request)
        return self.cors.render(request)


filter_factory = native_filter_factory(CORSFilter)
