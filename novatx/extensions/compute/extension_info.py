"""
C{/extensions}: the extensions this compute API loaded, as nova still lists
them (C{openstack extension list --compute}, C{nova list-extensions}).

Nova froze this list when its extensions became core; here it is the live
set (less an extension whose C{listed} is false: one its options turned off),
so an operator sees a plugin package's extensions next to the built-in ones,
together with every alias of nova's frozen list (L{_nova_extensions}) that no
loaded extension uses, as clients look for those.
"""

from __future__ import annotations

from typing import Any

from novatx.compute.exceptions import NotFound
from novatx.extensions.compute._extension import ComputeResource
from novatx.extensions.compute._nova_extensions import NOVA_EXTENSIONS
from novatx.extensions.compute.policies import extensions as policies
from novatx.extensions.interfaces import Route

#: What nova shows for every extension's C{namespace} and C{updated}.
NAMESPACE = "http://docs.openstack.org/compute/ext/fake_xml"
UPDATED = "2014-12-03T00:00:00Z"

class ExtensionNotFound(NotFound):
    msg_fmt = "Extension %(alias)s could not be found."


def _document(name: str, alias: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "alias": alias,
        "description": description,
        "namespace": NAMESPACE,
        "updated": UPDATED,
        "links": [],
    }


def extension_document(extension: Any) -> dict[str, Any]:
    """nova's description of one extension."""
    doc = (type(extension).__doc__ or "").strip().split("\n")[0]
    return _document(extension.name, extension.alias, doc or extension.name)


class ExtensionInfo(ComputeResource):
    """The loaded extensions."""

    name = "Extensions"
    alias = "extensions"
    policy_defaults = policies.RULES

    def setup(self, context: Any) -> None:
        super().setup(context)
        self._loaded: dict[str, Any] = getattr(context, "extensions", {})
        self._by_alias: dict[str, dict[str, Any]] | None = None

    def _documents(self) -> dict[str, dict[str, Any]]:
        """
        Every listed extension's document by alias, sorted; made on first
        use, when every extension is loaded.
        """
        if self._by_alias is None:
            documents = {alias: _document(name, alias, name) for alias, name in NOVA_EXTENSIONS}
            documents.update((alias, extension_document(e)) for alias, e in self._loaded.items()
                             if getattr(e, "listed", True))
            self._by_alias = {alias: documents[alias] for alias in sorted(documents)}
        return self._by_alias

    def routes(self) -> list[Route]:
        return [
            Route("/extensions", ("GET",), self.index, "extensions.index", policy=policies.EXTENSIONS),
            Route("/extensions/<alias>", ("GET",), self.show, "extensions.show", policy=policies.EXTENSIONS),
        ]

    def index(self, request: Any) -> dict[str, Any]:
        return {"extensions": list(self._documents().values())}

    def show(self, request: Any, alias: str) -> dict[str, Any]:
        documents = self._documents()
        if alias not in documents:
            raise ExtensionNotFound(alias=alias)
        return {"extension": documents[alias]}
