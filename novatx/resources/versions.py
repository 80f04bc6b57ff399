"""
The compute API's root document: which API versions the port serves.

C{/} answers nova's versions document: v2.0 (DEPRECATED) and v2.1 (CURRENT,
microversions 2.1 to 2.104), each with a C{self} link built from the request's
scheme and C{Host} (so it names what the client used, a proxy included when
C{http_proxy_to_wsgi} applies C{X-Forwarded-*}). Any other path that reaches
it (one no version serves, e.g. C{/servers}) gets what nova's C{Versions.multi}
answers: 300 Multiple Choices, each version's link to that path.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from twisted.web import http
from twisted.web.resource import Resource

from novatx.resources.origin import origin

#: The versions the compute port serves, as nova 34 describes them.
VERSIONS = (
    {
        "id": "v2.0",
        "path": "v2/",
        "media_type": "application/vnd.openstack.compute+json;version=2",
        "status": "DEPRECATED",
        "version": "",
        "min_version": "",
        "updated": "2025-07-04T12:00:00Z",
    },
    {
        "id": "v2.1",
        "path": "v2.1/",
        "media_type": "application/vnd.openstack.compute+json;version=2.1",
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
    return _versions_at(base_url(request))


def _versions_at(root: str) -> dict:
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


@functools.lru_cache(maxsize=64)
def _versions_body(root: str) -> bytes:
    """
    The encoded document for links under C{root}: clients poll C{/}, and a
    port is reached under few names, so the bytes are kept (a few dozen: the
    C{Host} header is the client's to choose).
    """
    return json.dumps(_versions_at(root)).encode("utf-8")


def choices_document(request: Any) -> dict:
    """The C{{"choices": [...]}} document for a path no version serves."""
    root = base_url(request)
    path = "/".join(segment.decode("latin-1") for segment in request.postpath)
    return {
        "choices": [
            {
                "id": version["id"],
                "status": version["status"],
                "links": [{"href": root + version["path"] + path, "rel": "self"}],
                "media-types": [{"base": "application/json", "type": version["media_type"]}],
            }
            for version in VERSIONS
        ]
    }


class Versions(Resource):
    """The compute port's C{/}: the versions document, or the choices below it."""

    isLeaf = True

    def render(self, request: Any) -> bytes:
        request.setHeader(b"Content-Type", b"application/json")
        if request.postpath in ([], [b""]):
            return _versions_body(base_url(request))
        request.setResponseCode(http.MULTIPLE_CHOICE)
        return json.dumps(choices_document(request)).encode("utf-8")


def versions_app_factory(global_conf: dict, **local_conf: str) -> Versions:
    """Paste app factory of the versions document (nova's C{oscomputeversionapp})."""
    return Versions()
