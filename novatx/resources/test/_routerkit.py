"""
Serving a router built from test extensions, over real HTTP on 127.0.0.1.

The pipeline in front of the router is the least an auth filter does: a
resource that builds the caller's L{RequestContext} from C{X-Test-User},
C{X-Test-Project} and C{X-Test-Roles} (no C{X-Test-User}: no context), so the
router's own behaviour is tested without the paste loader.
"""

from __future__ import annotations

import importlib
from typing import Any, Sequence

import attrs
from stevedore.extension import Extension, ExtensionManager
from treq.client import HTTPClient
from twisted.internet import reactor
from twisted.web.client import Agent, HTTPConnectionPool
from twisted.web.resource import Resource
from twisted.web.server import Site
from zope.interface import implementer

from novatx.compute.context import RequestContext
from novatx.config import make_config
from novatx.extensions.interfaces import IResourceExtension, Route
from novatx.extensions.loading import CORE_MODULES
from novatx.resources import runtime as runtime_module
from novatx.resources.router import (
    ec2_app_factory,
    image_app_factory,
    metadata_app_factory,
    osapi_compute_app_factory,
    table_for,
)
from novatx.resources.runtime import Runtime

FACTORIES = {
    "osapi_compute": osapi_compute_app_factory,
    "ec2": ec2_app_factory,
    "metadata": metadata_app_factory,
}


def manager(*objects: Any) -> ExtensionManager:
    """A stevedore test manager of extension objects, named by alias (or name)."""
    return ExtensionManager.make_test_instance(
        [Extension(getattr(o, "alias", None) or o.name, None, type(o), o) for o in objects]
    )


class _TestAuth(Resource):
    """Sets the caller from X-Test-* headers, then serves C{app}."""

    isLeaf = True

    def __init__(self, app: Resource) -> None:
        super().__init__()
        self.app = app

    def render(self, request: Any) -> Any:
        user = request.getHeader(b"x-test-user")
        if user is not None:
            project = request.getHeader(b"x-test-project") or user
            roles = tuple((request.getHeader(b"x-test-roles") or b"member").decode().split(","))
            runtime_module.set_request_context(
                request,
                RequestContext(user.decode(), project.decode(), is_admin="admin" in roles, roles=roles),
            )
        return self.app.render(request)


@attrs.define
class Served:
    """
    @ivar client: a treq C{HTTPClient} whose connections close when the test ends.
    """

    url: str
    runtime: Runtime
    client: HTTPClient


def client(testcase: Any) -> HTTPClient:
    """A treq client with its own connection pool, closed at the test's end."""
    pool = HTTPConnectionPool(reactor)
    testcase.addCleanup(pool.closeCachedConnections)
    return HTTPClient(Agent(reactor, pool=pool))


def without_core(testcase: Any) -> None:
    """Let test extensions stand alone: no API requires core extensions until the test ends."""
    for module in CORE_MODULES.values():
        testcase.patch(importlib.import_module(module), "CORE_ALIASES", ())


def build_runtime(api_name: str, conf: Any = None, compute: Any = None) -> tuple[Runtime, str]:
    """A registered runtime; its key is forgotten by the caller's cleanup."""
    runtime = Runtime(api_name, conf if conf is not None else make_config([]), compute, reactor)
    return runtime, runtime.register()


def serve(
    testcase: Any,
    extensions: Sequence[Any],
    api_name: str = "osapi_compute",
    conf: Any = None,
    hooks: Sequence[Any] = (),
    compute: Any = None,
) -> Served:
    """
    Serve C{extensions} as C{api_name} at C{/v2.1}, C{/v2} and C{/image}
    (compute) or at C{/} (the others), listening on 127.0.0.1:0 until the
    test ends.
    """
    without_core(testcase)
    runtime, key = build_runtime(api_name, conf, compute)
    testcase.addCleanup(runtime_module.forget, key)
    table_for(runtime, manager=manager(*extensions), hook_manager=manager(*hooks))
    global_conf = {runtime_module.GLOBAL_CONF_KEY: key}
    if api_name == "osapi_compute":
        root = Resource()
        api = osapi_compute_app_factory(global_conf)
        root.putChild(b"v2.1", _TestAuth(api))
        root.putChild(b"v2", _TestAuth(api))
        root.putChild(b"image", _TestAuth(image_app_factory(global_conf)))
    else:
        root = _TestAuth(FACTORIES[api_name](global_conf))
    port = reactor.listenTCP(0, Site(root), interface="127.0.0.1")
    testcase.addCleanup(port.stopListening)
    return Served("http://127.0.0.1:%d" % port.getHost().port, runtime, client(testcase))


def user_headers(user: str = "alice", project: str | None = None, roles: str = "member", **extra: str) -> dict:
    """The headers of a caller for L{serve}'s test auth."""
    headers = {"X-Test-User": user, "X-Test-Roles": roles}
    if project is not None:
        headers["X-Test-Project"] = project
    headers.update(extra)
    return headers


@implementer(IResourceExtension)
class Resourceful:
    """A resource extension made of given routes and actions."""

    version = 1

    def __init__(self, alias: str, routes: Sequence[Route] = (), actions: dict | None = None,
                 api: str = "osapi_compute") -> None:
        self.name = alias.title()
        self.alias = alias
        self.api = api
        self._routes = list(routes)
        self._actions = dict(actions or {})
        self.context: Any = None

    def setup(self, context: Any) -> None:
        self.context = context

    def routes(self) -> list:
        return self._routes

    def actions(self) -> dict:
        return self._actions
