"""
The APIs nova removed: 410 Gone for those it dropped outright, and the proxy
APIs that answer 404 from 2.36 as nova's do.

Before 2.36 nova answered the proxies from neutron, cinder and ironic. The
volume proxies are served from block storage (L{novatx.extensions.compute.
volumes}), the networking ones from the simulated network (L{novatx.extensions.
compute.security_groups}, C{floating_ips}, C{networks}); the baremetal one has
nothing behind it, so its listing is empty and its members are not found.
Clients that probe it (old novaclient releases do) get nova's answers, never a
500.
"""

from __future__ import annotations

from typing import Any

from novatx.compute.exceptions import NotFound
from novatx.extensions.compute._extension import ComputeResource
from novatx.extensions.interfaces import Response, Route

#: APIs nova removed, answering 410 at every microversion.
GONE = (
    "os-agents",
    "os-cells",
    "os-certificates",
    "os-cloudpipe",
    "os-fixed-ips",
    "os-floating-ip-dns",
    "os-floating-ips-bulk",
    "os-fping",
    "os-security-group-default-rules",
)

#: Proxy APIs deprecated at 2.36: their collection key, when they list.
PROXIES = {
    "os-baremetal-nodes": "nodes",
}

#: The last microversion that has the proxies.
PROXY_MAX_VERSION = "2.35"

GONE_MESSAGE = "This resource is no longer available.  No forwarding address is given."

_ALL_METHODS = ("GET", "POST", "PUT", "DELETE")


class ProxyItemNotFound(NotFound):
    msg_fmt = "%(what)s %(id)s could not be found."


def gone(request: Any, **path: str) -> Response:
    """nova's answer for a removed API."""
    return Response({"computeFault": {"code": 410, "message": GONE_MESSAGE}}, status=410)


class Removed(ComputeResource):
    """What nova removed or stopped proxying."""

    name = "Removed"
    alias = "removed-apis"

    def routes(self) -> list[Route]:
        routes: list[Route] = []
        for api in GONE:
            routes.append(Route("/" + api, _ALL_METHODS, gone, "%s.gone" % api))
            routes.append(Route("/%s/<path:rest>" % api, _ALL_METHODS, gone, "%s.gone_member" % api))
        for api, key in sorted(PROXIES.items()):
            if key is not None:
                routes.append(Route("/" + api, ("GET",), self._empty(key), "%s.index" % api,
                                    max_version=PROXY_MAX_VERSION))
            routes.append(Route("/%s/<item_id>" % api, ("GET",), self._missing(api),
                                "%s.show" % api, max_version=PROXY_MAX_VERSION))
        return routes

    @staticmethod
    def _empty(key: str) -> Any:
        def index(request: Any) -> dict[str, list]:
            return {key: []}

        return index

    @staticmethod
    def _missing(api: str) -> Any:
        what = api[3:].replace("-", " ").rstrip("s").capitalize()

        def show(request: Any, item_id: str) -> None:
            raise ProxyItemNotFound(what=what, id=item_id)

        return show
