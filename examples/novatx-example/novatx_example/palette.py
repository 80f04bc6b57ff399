"""The colours the plugin knows, and what each is made of."""

from __future__ import annotations

#: Colour name -> RGB hex.
PALETTE: dict[str, str] = {
    "grey": "#808080",
    "red": "#ff0000",
    "green": "#00ff00",
    "blue": "#0000ff",
}

#: What a server is when it was created without a colour.
DEFAULT_COLOUR = "grey"


def complement(name: str) -> str:
    """The complementary RGB of a known colour, as C{#rrggbb}."""
    value = int(PALETTE[name][1:], 16)
    return "#%06x" % (0xFFFFFF - value)
