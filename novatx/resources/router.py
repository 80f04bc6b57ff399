"""
The terminal apps of the paste pipelines: klein routers assembled from extensions.

C{api-paste.ini} names one factory per API; each finds its L{Runtime} from
C{global_conf}, loads the API's extensions once per runtime (the compute API is
mounted at C{/v2.1}, at C{/v2} and, for its C{root="image"}, C{root="volume"}
and C{root="networking"} routes, at C{/image}, C{/volume} and C{/networking}:
one load serves them all), calls C{setup(runtime)} on each, and
builds the routing table (L{novatx.resources._table}). The app each returns is
an L{APIResource}: it negotiates the microversion, takes the project id off
the URL, and hands the request to klein, whose routes call
L{novatx.resources._dispatch}.
"""

from __future__ import annotations

import weakref
from typing import Any

from novatx.resources._app import APIResource, build_app
from novatx.resources._table import RouteTable, build_table
from novatx.resources.runtime import Runtime, from_global_conf

__all__ = [
    "APIResource",
    "ec2_app_factory",
    "image_app_factory",
    "metadata_app_factory",
    "networking_app_factory",
    "osapi_compute_app_factory",
    "table_for",
    "volume_app_factory",
]

_tables: "weakref.WeakKeyDictionary[Runtime, RouteTable]" = weakref.WeakKeyDictionary()


def table_for(runtime: Runtime, **overrides: Any) -> RouteTable:
    """
    The routing table of C{runtime}'s API, loaded and set up on first use.

    @param overrides: passed to L{build_table} on that first use (tests give
        stevedore test managers here).
    """
    table = _tables.get(runtime)
    if table is None:
        table = _tables[runtime] = build_table(runtime, **overrides)
    return table


def _factory(api_name: str, root: str) -> Any:
    def factory(global_conf: dict, **local_conf: str) -> APIResource:
        runtime = from_global_conf(global_conf)
        if runtime.api_name != api_name:
            raise LookupError(
                "%s app configured in the %r API's pipeline" % (api_name, runtime.api_name)
            )
        return build_app(table_for(runtime), root)

    factory.__name__ = "%s_app_factory" % (api_name if root == "api" else root)
    factory.__doc__ = "The C{%s} routes of the %s API, for PasteDeploy." % (root, api_name)
    return factory


osapi_compute_app_factory = _factory("osapi_compute", "api")
image_app_factory = _factory("osapi_compute", "image")
volume_app_factory = _factory("osapi_compute", "volume")
networking_app_factory = _factory("osapi_compute", "networking")
ec2_app_factory = _factory("ec2", "api")
metadata_app_factory = _factory("metadata", "api")
