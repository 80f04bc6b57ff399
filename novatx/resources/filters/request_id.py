"""
C{request_id} and C{compute_req_id}: every answer names its request.

As oslo.middleware's C{RequestId} and nova's C{ComputeReqIdMiddleware}: the
request's C{req-<uuid4>} goes out in C{x-openstack-request-id}, and on the
compute API in C{x-compute-request-id} too. The header is set before the next
part runs, so it is on every answer, errors included.
"""

from __future__ import annotations

from typing import Any

from novatx.resources.filters.base import Filter
from novatx.resources.pipeline import native_filter_factory
from novatx.resources.requestid import get_request_id

OPENSTACK_HEADER = b"x-openstack-request-id"
COMPUTE_HEADER = b"x-compute-request-id"


class RequestIdFilter(Filter):
    """Sends the request id in C{x-openstack-request-id}."""

    headers: tuple[bytes, ...] = (OPENSTACK_HEADER,)

    def render(self, request: Any) -> Any:
        request_id = get_request_id(request).encode("ascii")
        for name in self.headers:
            request.setHeader(name, request_id)
        return self.render_next(request)


class ComputeRequestIdFilter(RequestIdFilter):
    """Sends the request id in C{x-compute-request-id} as well."""

    headers = (OPENSTACK_HEADER, COMPUTE_HEADER)


filter_factory = native_filter_factory(RequestIdFilter)
compute_filter_factory = native_filter_factory(ComputeRequestIdFilter)
