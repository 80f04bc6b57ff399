"""
The request id of a twisted.web request: C{req-<uuid4>}, made once per request.

The C{request_id}/C{compute_req_id} filters send it in response headers; the
auth filters put it in the request context; faults, EC2 errors and the access
log show it. Whoever asks first makes it, so all of them agree even when the
pipeline has no C{request_id} filter.
"""

from __future__ import annotations

from typing import Any

from novatx.compute.context import generate_request_id

#: The request attribute holding it (carried across the WSGI bridge).
REQUEST_ID_ATTRIBUTE = "_novatx_request_id"


def get_request_id(request: Any) -> str:
    """The request's id, made on first use."""
    request_id = getattr(request, REQUEST_ID_ATTRIBUTE, None)
    if request_id is None:
        request_id = generate_request_id()
        setattr(request, REQUEST_ID_ATTRIBUTE, request_id)
    return request_id
