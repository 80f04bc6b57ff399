"""
Pipelines of filters, native or WSGI, in front of a terminal app.

A native filter factory returns a L{NativeFilter}: called with the next part,
it makes an L{IResource} wrapping it. Anything else a C{paste.filter_factory}
returns is taken for a WSGI middleware (a callable taking a WSGI app). Composing
the two goes through L{novatx.resources.wsgi}: a WSGI middleware gets the next
part as a WSGI app (L{as_wsgi}), a native filter gets it as a resource
(L{as_resource}). The composite L{pipeline_factory} does that composition, as
nova's C{pipeline_factory_v21} does, choosing the pipeline by C{[api]
auth_strategy}.
"""

from __future__ import annotations

from typing import Any, Callable

import attrs
from twisted.web.resource import IResource

from novatx.resources.runtime import Runtime, from_global_conf
from novatx.resources.wsgi import NativeWSGIApplication, WSGIApplicationResource, wsgi_resource


def as_resource(app: Any, runtime: Runtime) -> IResource:
    """C{app} as a twisted.web resource: itself, or a WSGI app mounted."""
    if IResource.providedBy(app):
        return app
    if callable(app):
        return wsgi_resource(app, runtime)
    raise TypeError("%r is neither a twisted.web resource nor a WSGI application" % (app,))


def as_wsgi(app: Any, runtime: Runtime) -> Callable:
    """C{app} as a WSGI application: itself, or a native resource bridged."""
    if isinstance(app, WSGIApplicationResource):
        return app.application
    if IResource.providedBy(app):
        return NativeWSGIApplication(app, runtime)
    return app


@attrs.frozen
class NativeFilter:
    """
    What a native C{paste.filter_factory} returns: called with the next part
    (a resource, or a WSGI app that is then mounted), returns the filter.

    @ivar make: C{make(next_resource)} -> the filter resource.
    @ivar runtime: the runtime the filter serves.
    """

    make: Callable[[IResource], IResource]
    runtime: Runtime

    def __call__(self, app: Any) -> IResource:
        return self.make(as_resource(app, self.runtime))


def native_filter_factory(cls: Callable[..., IResource]) -> Callable[..., NativeFilter]:
    """
    A C{paste.filter_factory} for the native filter class C{cls}, which is
    built as C{cls(next_resource, runtime, **local_conf)}.
    """

    def filter_factory(global_conf: dict, **local_conf: str) -> NativeFilter:
        runtime = from_global_conf(global_conf)
        return NativeFilter(lambda app: cls(app, runtime, **local_conf), runtime)

    filter_factory.__doc__ = "Paste filter factory of L{%s.%s}." % (
        cls.__module__,
        cls.__qualname__,
    )
    return filter_factory


def compose(filters: list[Any], app: Any, runtime: Runtime) -> Any:
    """
    Wrap C{app} in C{filters} (outermost first), bridging each boundary between
    a native part and a WSGI one.
    """
    for wrap in reversed(filters):
        if isinstance(wrap, NativeFilter):
            app = wrap(app)
        else:
            app = wrap(as_wsgi(app, runtime))
    return app


class PipelineError(Exception):
    """A pipeline composite names no pipeline for the configured auth strategy."""


def pipeline_factory(loader: Any, global_conf: dict, **local_conf: str) -> Any:
    """
    A paste composite: the pipeline named by C{[api] auth_strategy}
    (C{noauth2 = ...}, C{keystone = ...}), or C{pipeline = ...} when the
    pipeline does not depend on it. The last name is the app, the others
    filters, outermost first.
    """
    runtime = from_global_conf(global_conf)
    strategy = runtime.config.api.auth_strategy
    names = local_conf.get(strategy, local_conf.get("pipeline"))
    if names is None:
        raise PipelineError(
            "no pipeline for auth_strategy %r (this composite has: %s)"
            % (strategy, ", ".join(sorted(local_conf)) or "nothing")
        )
    parts = names.split()
    filters = [loader.get_filter(name, global_conf=global_conf) for name in parts[:-1]]
    app = loader.get_app(parts[-1], global_conf=global_conf)
    return compose(filters, app, runtime)
