"""
C{GET /v2.1} and C{GET /v2.1/}: the version document, served without a token.

(The root document, C{GET /}, is the pipeline's: L{novatx.resources.versions}.
Extensions never import upward, so the two describe the versions each; a test
checks that they agree.)

Clients (keystoneauth's discovery, the openstack CLI) read C{version} and
C{min_version} here to negotiate the microversion. Under the legacy C{/v2}
root nova describes v2.0 instead, so the same route answers with that entry.
"""

from __future__ import annotations

from typing import Any

from novatx.extensions.compute._extension import ComputeResource
from novatx.extensions.interfaces import APIVersion, Route

#: The newest and oldest microversions the compute API serves.
MAX_VERSION = "2.104"
MIN_VERSION = "2.1"

#: Where nova's C{describedby} links point.
DOCS_URL = "http://docs.openstack.org/"

#: nova 34's description of its two roots, without the C{self} link.
VERSIONS: dict[str, dict[str, Any]] = {
    "v2.0": {
        "id": "v2.0",
        "status": "DEPRECATED",
        "version": "",
        "min_version": "",
        "updated": "2025-07-04T12:00:00Z",
        "media-types": [
            {"base": "application/json", "type": "application/vnd.openstack.compute+json;version=2"}
        ],
    },
    "v2.1": {
        "id": "v2.1",
        "status": "CURRENT",
        "version": MAX_VERSION,
        "min_version": MIN_VERSION,
        "updated": "2013-07-23T11:33:21Z",
        "media-types": [
            {"base": "application/json", "type": "application/vnd.openstack.compute+json;version=2.1"}
        ],
    },
}


#: The version the router gives requests through the legacy C{/v2} root.
LEGACY_VERSION = APIVersion(2, 0)


def is_legacy_v2(request: Any) -> bool:
    """Whether the request came through the C{/v2} root rather than C{/v2.1}."""
    return request.version == LEGACY_VERSION


def version_document(request: Any) -> dict[str, Any]:
    """The C{{"version": ...}} document of the root the request came through."""
    entry = dict(VERSIONS["v2.0" if is_legacy_v2(request) else "v2.1"])
    root = request.url()
    if not root.endswith("/"):
        root += "/"
    entry["links"] = [
        {"rel": "self", "href": root},
        {"rel": "describedby", "type": "text/html", "href": DOCS_URL},
    ]
    return {"version": entry}


class Versions(ComputeResource):
    """The version document of the versioned root."""

    name = "Versions"
    alias = "versions"

    def routes(self) -> list[Route]:
        return [
            Route("/", ("GET",), self.show, "versions.show", auth=False),
        ]

    def show(self, request: Any) -> dict[str, Any]:
        return version_document(request)
