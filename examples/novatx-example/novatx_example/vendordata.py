"""
A vendordata provider: each instance finds its colour in C{vendor_data2.json}.

The metadata API asks every provider named in C{[api] vendordata_providers}, in
that order, for a dict about the instance, and merges the dicts into one
C{vendor_data2.json} (C{StaticJSON}'s goes under C{"static"}; a key a provider
before has given is dropped, with a warning). This one gives
C{{"example": {"colour": ..., "rgb": ...}}}: the key is the plugin's name, so it
meets no other provider's.
"""

from __future__ import annotations

from typing import Any

from twisted.internet.defer import Deferred, succeed
from zope.interface import implementer

from novatx.extensions.interfaces import IAPIExtension, IVendorDataProvider
from novatx_example.palette import DEFAULT_COLOUR, PALETTE
from novatx_example.server_colour import FIELD


@implementer(IVendorDataProvider, IAPIExtension)
class ExampleColour:
    """The instance's colour, read from the record the metadata API loaded."""

    name = "ExampleColour"
    alias = name
    version = 1
    api = "metadata"

    def setup(self, context: Any) -> None:
        """Nothing to prepare: the instance record already carries the field."""

    def get(self, instance: Any, context: Any) -> Deferred:
        """Fires with this provider's part of C{vendor_data2.json}; never fails."""
        colour = instance.extra.get(FIELD.name) or DEFAULT_COLOUR
        return succeed({"example": {"colour": colour, "rgb": PALETTE.get(colour, "")}})
