"""
The per-process runtime that paste factories and extensions share.

PasteDeploy hands factories only strings, so the loader registers the
L{Runtime} under a key and passes the key in C{global_conf}; factories call
L{from_global_conf}. The runtime provides L{IExtensionContext}, so the router can
hand it to each extension's C{setup}.

The request context (who is asking) travels on the twisted.web request
(L{set_request_context}/L{get_request_context}); the WSGI bridge copies it to and
from C{environ["nova.context"]}.
"""

from __future__ import annotations

import itertools
from typing import Any, Mapping

import attrs
from zope.interface import implementer

from novatx.compute.context import RequestContext
from novatx.extensions.interfaces import IExtensionContext

#: The C{global_conf} key under which the loader passes the runtime's key.
GLOBAL_CONF_KEY = "novatx_runtime"

_runtimes: dict[str, "Runtime"] = {}
_keys = itertools.count(1)


@implementer(IExtensionContext)
@attrs.define(eq=False)
class Runtime:
    """
    What one API's resource tree is built with.

    @ivar api_name: C{osapi_compute}, C{ec2} or C{metadata}.
    @ivar config: the process's C{ConfigOpts}.
    @ivar compute: the internal API (L{IComputeAPI}).
    @ivar reactor: the reactor.
    @ivar draining: set by the service while it drains; C{/healthcheck} answers 503.
    @ivar extensions: filled by the router: the loaded extensions by alias.
    @ivar threadpool: the thread pool WSGI parts of the tree run in (the service
        starts and stops it); C{None}: the reactor's own pool.
    """

    api_name: str
    config: Any
    compute: Any
    reactor: Any
    draining: bool = False
    extensions: dict[str, Any] = attrs.field(factory=dict)
    threadpool: Any = None

    def register(self) -> str:
        """Register for lookup by paste factories; returns the key."""
        key = "rt%d" % next(_keys)
        _runtimes[key] = self
        return key


def from_global_conf(global_conf: Mapping[str, Any]) -> Runtime:
    """The runtime a paste factory is being called for."""
    try:
        return _runtimes[global_conf[GLOBAL_CONF_KEY]]
    except KeyError:
        raise LookupError(
            "paste factory called outside novatx's loader (no %r in global_conf)" % GLOBAL_CONF_KEY
        ) from None


def forget(key: str) -> None:
    """Drop a registered runtime (after a reload replaced its tree)."""
    _runtimes.pop(key, None)


_CONTEXT_ATTRIBUTE = "_novatx_context"


def set_request_context(request: Any, context: RequestContext) -> None:
    """Attach who is asking to a twisted.web request (auth filters do this)."""
    setattr(request, _CONTEXT_ATTRIBUTE, context)


def get_request_context(request: Any) -> RequestContext | None:
    """Who is asking, or None before auth (or on unauthenticated routes)."""
    return getattr(request, _CONTEXT_ATTRIBUTE, None)
