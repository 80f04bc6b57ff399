"""The one exception a start (or a reload) fails with."""


class StartupError(Exception):
    """
    The configuration cannot be served; the message says why in one line.

    The plugin prints it and exits non-zero without a traceback; a reload
    logs it and keeps the running configuration.
    """
