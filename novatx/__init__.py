"""novatx: Nova's API tier on Twisted."""

__version__ = "0.1.0"
