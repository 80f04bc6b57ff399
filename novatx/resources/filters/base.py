"""
The shape of a native filter: a leaf resource that owns the rest of the walk.

A filter is a leaf for twisted.web, so the walk down the tree stops at it with
the rest of the path still in C{request.postpath}; L{Filter.render_next} then
walks and renders the next part. So a filter acts before the next part's child
lookup (authentication, limits) and around its rendering (errors), and child
lookup and rendering otherwise pass through untouched.
"""

from __future__ import annotations

import re
from typing import Any

from twisted.web.resource import IResource, getChildForRequest
from zope.interface import implementer

from novatx.resources.faults import render_fault
from novatx.resources.requestid import get_request_id
from novatx.resources.runtime import Runtime


#: A major version's segment under a part that serves several (C{/volume/v3}).
_MAJOR_VERSION = re.compile(rb"^v[1-9][0-9]*$")


def is_api_root(request: Any) -> bool:
    """
    Whether C{request} asks for the root of the part a filter serves
    (C{/v2.1} or C{/v2.1/}), or for a major version's root under it
    (C{/volume/v3}, C{/volume/v3/}): where clients discover versions,
    without a token.
    """
    path = request.postpath
    if path[-1:] == [b""]:
        path = path[:-1]
    return not path or (len(path) == 1 and _MAJOR_VERSION.match(path[0]) is not None)


@implementer(IResource)
class Filter:
    """
    A native filter. Subclasses override L{render}, calling L{render_next}.

    @ivar next: the next part of the pipeline.
    @ivar runtime: the API's runtime (config, reactor...).

    The options of the filter's paste section arrive as C{local_conf}; the
    native filters read the config instead and ignore them.
    """

    isLeaf = True

    def __init__(self, next: IResource, runtime: Runtime, **local_conf: str) -> None:
        self.next = next
        self.runtime = runtime

    def getChildWithDefault(self, name: bytes, request: Any) -> IResource:
        """Never called for a leaf; here for C{IResource}."""
        raise NotImplementedError("a filter is a leaf resource")

    def putChild(self, path: bytes, child: IResource) -> None:
        """Children belong to the parts a filter wraps, not to the filter."""
        raise NotImplementedError("a filter has no children of its own")

    def render_next(self, request: Any) -> Any:
        """Walk the rest of the path under the next part and render it."""
        next = self.next
        if next.isLeaf:
            # The walk would stop at once: a pipeline is mostly leaves.
            return next.render(request)
        return getChildForRequest(next, request).render(request)

    def render(self, request: Any) -> Any:
        return self.render_next(request)

    def fail(self, request: Any, status: int, message: str) -> bytes:
        """Answer an error in the API's own format instead of going on."""
        body, content_type = render_fault(
            self.runtime.api_name, status, message, get_request_id(request)
        )
        request.setResponseCode(status)
        request.setHeader(b"Content-Type", content_type)
        return body
