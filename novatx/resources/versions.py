"""
The compute API's root document: which API versions the port serves.

C{GET /} answers nova's versions document: v2.0 (DEPRECATED) and v2.1
(CURRENT, microversions 2.1 to 2.104), each with a C{self} link built from the
request's scheme and C{Host} (so it names what the client used, a proxy
included when C{http_proxy_to_wsgi} applies C{X-Forwarded-*}).
"""

from __future__ import annotations

import json
from typing import Any

from twisted.web import http
from twisted.web.resource import Resource

from novatx.resources.faults import render_fault
from novatx.resources.origin import origin
from novatx.resources.requestid import get_request_id

#: The versions the compute port serves, as nova 34 describes them.
VERSIONS = (
    {
        "id": "v2.0",
        "path": "v2/",
        "status": "DEPRECATED",
        "version": "",
        "min_version": "",
        "updated": "2025-07-04T12:00:00Z",
    },
    {
        "id": "v2.1",
        "path": "v2.1/",
        "status": "CURRENT",
        "version": "2.104",
        "min_version": "2.1",
        "updated": "2013-07-23T11:33:21Z",
    },
)


def base_url(request: Any) -> str:
    """Where the versions document is mounted, as the client addressed it, with a slash."""
    mounted_at = "".join(segment.decode("latin-1") + "/" for segment in request.prepath)
    return "%s/%s" % (origin(request), mounted_at)


def versions_document(request: Any) -> dict:
    """The C{{"versions": [...]}} document for C{request}."""
    root = base_url(request)
    return {
        "versions": [
            {
                "id": version["id"],
                "links": [{"href": root + version["path"], "rel": "self"}],
                "status": version["status"],
                "version": version["version"],
                "min_version": version["min_version"],
                "updated": version["updated"],
            }
            for version in VERSIONS
        ]
    }


class Versions(Resource):
    """The compute port's C{/}: the versions document; nothing below it."""

    isLeaf = True

    def render(self, request: Any) -> bytes:
        if request.postpath not in ([], [b""]):
            return self._fault(request, http.NOT_FOUND, "Not Found")
        if request.method not in (b"GET", b"HEAD"):
            request.setHeader(b"Allow", b"GET, HEAD")
            return self._fault(request, http.NOT_ALLOWED, "Method Not Allowed")
        request.setHeader(b"Content-Type", b"application/json")
        return json.dumps(versions_document(request)).encode("utf-8")

    @staticmethod
    def _fault(request: Any, status: int, message: str) -> bytes:
        body, content_type = render_fault("osapi_compute", status, message, get_request_id(request))
        request.setResponseCode(status)
        request.setHeader(b"Content-Type", content_type)
        return body


def versions_app_factory(global_conf: dict, **local_conf: str) -> Versions:
    """Paste app factory of the versions document (nova's C{oscomputeversionapp})."""
    return Versions()
