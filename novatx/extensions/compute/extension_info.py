"""
C{/extensions}: the extensions this compute API loaded, as nova still lists
them (C{openstack extension list --compute}, C{nova list-extensions}).

Nova froze this list when its extensions became core; here it is the live
set, so an operator sees a plugin package's extensions next to the built-in
ones, and their absence when the whitelist or blacklist leaves them out.
"""

from __future__ import annotations

from typing import Any

from novatx.compute.exceptions import NotFound
from novatx.extensions.compute._extension import ComputeResource
from novatx.extensions.compute.policies import extensions as policies
from novatx.extensions.interfaces import Route

#: What nova shows for every extension's C{namespace} and C{updated}.
NAMESPACE = "http://docs.openstack.org/compute/ext/fake_xml"
UPDATED = "2014-12-03T00:00:00Z"

class ExtensionNotFound(NotFound):
    msg_fmt = "Extension %(alias)s could not be found."


def extension_document(extension: Any) -> dict[str, Any]:
    """nova's description of one extension."""
    doc = (type(extension).__doc__ or "").strip().split("\n")[0]
    return {
        "name": extension.name,
        "alias": extension.alias,
        "description": doc or extension.name,
        "namespace": NAMESPACE,
        "updated": UPDATED,
        "links": [],
    }


class ExtensionInfo(ComputeResource):
    """The loaded extensions."""

    name = "Extensions"
    alias = "extensions"
    policy_defaults = policies.RULES

    def setup(self, context: Any) -> None:
        super().setup(context)
        self._loaded: dict[str, Any] = getattr(context, "extensions", {})

    def routes(self) -> list[Route]:
        return [
            Route("/extensions", ("GET",), self.index, "extensions.index", policy=policies.EXTENSIONS),
            Route("/extensions/<alias>", ("GET",), self.show, "extensions.show", policy=policies.EXTENSIONS),
        ]

    def index(self, request: Any) -> dict[str, Any]:
        return {
            "extensions": [extension_document(e) for _, e in sorted(self._loaded.items())]
        }

    def show(self, request: Any, alias: str) -> dict[str, Any]:
        if alias not in self._loaded:
            raise ExtensionNotFound(alias=alias)
        return {"extension": extension_document(self._loaded[alias])}
