"""
The C{urlmap} composite: path prefixes to apps, as in nova's C{api-paste.ini}.

C{/v2.1: openstack_compute_api_v21} mounts that app under C{/v2.1}; the app
sees C{/v2.1} as consumed (its C{prepath}, a WSGI app's C{SCRIPT_NAME}). The
longest matching prefix wins (prefixes may have several segments, e.g.
C{/openstack/latest}); C{/} takes whatever no other prefix matches, with
nothing consumed. Without a C{/} entry an unmatched path is a 404 in the API's
own format.
"""

from __future__ import annotations

from typing import Any

from twisted.web import http
from twisted.web.resource import IResource, Resource

from novatx.resources.faults import render_fault
from novatx.resources.pipeline import as_resource
from novatx.resources.runtime import Runtime, from_global_conf


class NotFound(Resource):
    """A 404 in the API's own format (also what C{/metrics} is while metrics are off)."""

    isLeaf = True

    def __init__(self, api_name: str) -> None:
        super().__init__()
        self._api_name = api_name

    def render(self, request: Any) -> bytes:
        body, content_type = render_fault(self._api_name, http.NOT_FOUND, "Not Found")
        request.setResponseCode(http.NOT_FOUND)
        request.setHeader(b"Content-Type", content_type)
        return body


class URLMap(Resource):
    """
    Dispatches on the leading path segments.

    @ivar mounts: C{(segments, resource)} pairs, longest prefix first.
    @ivar root: the resource for C{/} (everything unmatched), or a 404.
    """

    def __init__(self, mounts: dict[str, IResource], api_name: str) -> None:
        super().__init__()
        self.root: IResource = NotFound(api_name)
        pairs = []
        for prefix, resource in mounts.items():
            segments = tuple(s.encode("utf-8") for s in prefix.strip("/").split("/") if s)
            if segments:
                pairs.append((segments, resource))
            else:
                self.root = resource
        self.mounts = sorted(pairs, key=lambda pair: len(pair[0]), reverse=True)

    def getChildWithDefault(self, name: bytes, request: Any) -> IResource:
        path = [name] + list(request.postpath)
        for segments, resource in self.mounts:
            if tuple(path[: len(segments)]) == segments:
                for _ in segments[1:]:
                    request.prepath.append(request.postpath.pop(0))
                return resource
        request.postpath.insert(0, request.prepath.pop())
        return self.root

    def render(self, request: Any) -> Any:
        return self.root.render(request)


def urlmap_factory(loader: Any, global_conf: dict, **local_conf: str) -> IResource:
    """
    The paste composite: each C{/prefix = app_name} key mounts that app.
    """
    runtime: Runtime = from_global_conf(global_conf)
    mounts: dict[str, IResource] = {}
    for key, app_name in local_conf.items():
        if not key.startswith("/"):
            raise ValueError("urlmap: %r is not a path prefix (mapping %r)" % (key, app_name))
        mounts[key] = as_resource(loader.get_app(app_name, global_conf=global_conf), runtime)
    return URLMap(mounts, runtime.api_name)
