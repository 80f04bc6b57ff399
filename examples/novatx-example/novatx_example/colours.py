"""
A resource of its own: the palette, at C{/example-colours}.

A resource extension lists its routes; the router mounts them under
C{/v2.1} (and C{/v2}), checks each route's policy rule before the handler
runs, and encodes what the handler returns as JSON.
"""

from __future__ import annotations

from typing import Any

from oslo_policy.policy import DocumentedRuleDefault
from zope.interface import implementer

from novatx.compute.exceptions import NotFound
from novatx.extensions.interfaces import IAPIRequest, IPolicyDefaultsProvider, IResourceExtension, Route
from novatx_example.palette import PALETTE

POLICY_INDEX = "example:colours:index"
POLICY_SHOW = "example:colours:show"


class ColourNotFound(NotFound):
    """An unknown colour: the router answers 404 itemNotFound with this message."""

    msg_fmt = "Colour %(name)s could not be found."


@implementer(IResourceExtension, IPolicyDefaultsProvider)
class Colours:
    """The palette as a read-only collection."""

    name = "Example colours"
    alias = "example-colours"
    version = 1
    api = "osapi_compute"

    def setup(self, context: Any) -> None:
        """Nothing to keep: the palette is static."""

    def routes(self) -> list[Route]:
        return [
            Route("/example-colours", ("GET",), self.index, "example-colours.index", policy=POLICY_INDEX),
            Route(
                "/example-colours/<colour>",
                ("GET",),
                self.show,
                "example-colours.show",
                policy=POLICY_SHOW,
            ),
        ]

    def actions(self) -> dict:
        return {}

    def policies(self) -> list[DocumentedRuleDefault]:
        return [
            DocumentedRuleDefault(
                POLICY_INDEX, "rule:project_reader_or_admin", "List the example colours",
                [{"method": "GET", "path": "/example-colours"}],
            ),
            DocumentedRuleDefault(
                POLICY_SHOW, "rule:project_reader_or_admin", "Show one example colour",
                [{"method": "GET", "path": "/example-colours/{colour}"}],
            ),
        ]

    def _view(self, request: IAPIRequest, name: str) -> dict:
        return {
            "name": name,
            "rgb": PALETTE[name],
            "links": [{"rel": "self", "href": request.project_url("example-colours", name)}],
        }

    def index(self, request: IAPIRequest) -> dict:
        return {"colours": [self._view(request, name) for name in sorted(PALETTE)]}

    def show(self, request: IAPIRequest, colour: str) -> dict:
        if colour not in PALETTE:
            raise ColourNotFound(name=colour)
        return {"colour": self._view(request, colour)}
