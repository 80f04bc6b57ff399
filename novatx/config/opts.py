"""The entry point C{oslo-config-generator} reads (namespace C{novatx})."""

from novatx.config import list_opts

__all__ = ["list_opts"]
