"""The one exception a start (or a reload) fails with, and how it reads."""

from __future__ import annotations

import re

from oslo_config import cfg


class StartupError(Exception):
    """
    The configuration cannot be served; the message says why in one line.

    The plugin prints it and exits non-zero without a traceback; a reload
    logs it and keeps the running configuration.
    """


_LOCATION = re.compile(r" from LocationInfo\(.*?detail='([^']*)'\)")


def config_message(error: cfg.Error) -> str:
    """
    oslo.config's message with the file it read the value from, in place of
    its C{LocationInfo(...)} repr.
    """
    return _LOCATION.sub(r" in \1", str(error))
