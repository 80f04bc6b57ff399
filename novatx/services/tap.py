"""
C{twistd nova}: its command-line options and the service it runs.

The plugin (C{twisted/plugins/nova_plugin.py}) points here, so that
C{twistd --help} imports nothing but the plugin module itself.
"""

from __future__ import annotations

import sys
from typing import Any

from twisted.python import usage

from novatx.config.service import API_PORTS


class Options(usage.Options):
    """
    C{twistd nova [--config-file F]... [--config-dir D]... [--enabled-apis a,b]}
    """

    synopsis = "[--config-file FILE]... [--config-dir DIR]... [--enabled-apis API,...]"
    longdesc = (
        "Serve nova's APIs (%s) from one daemon. Options are read from nova.conf-style "
        "files; see docs/configuration.md." % ", ".join(API_PORTS)
    )
    optParameters = [
        [
            "enabled-apis",
            None,
            None,
            "Comma-separated APIs to serve, overriding [DEFAULT] enabled_apis.",
        ],
    ]

    def __init__(self) -> None:
        super().__init__()
        self["config-file"] = []
        self["config-dir"] = []

    def opt_version(self) -> None:
        """Print novatx's version and Twisted's, then exit."""
        from twisted import version as twisted_version

        from novatx import __version__

        print("novatx %s (Twisted %s)" % (__version__, twisted_version.short()))
        sys.exit(0)

    def opt_config_file(self, path: str) -> None:
        """A nova.conf-style file (repeatable; later files win)."""
        self["config-file"].append(path)

    def opt_config_dir(self, path: str) -> None:
        """A directory of *.conf files, read in name order (repeatable)."""
        self["config-dir"].append(path)

    def config_args(self) -> list[str]:
        """The options as oslo.config command-line arguments."""
        args = []
        for path in self["config-file"]:
            args += ["--config-file", path]
        for path in self["config-dir"]:
            args += ["--config-dir", path]
        return args

    def enabled_apis(self) -> list[str] | None:
        """The C{--enabled-apis} override, or None."""
        value = self["enabled-apis"]
        if value is None:
            return None
        return [name.strip() for name in value.split(",") if name.strip()]


def makeService(options: Options) -> Any:
    """
    Read and check the configuration, bind every API's socket, and return the
    daemon's service tree.

    A configuration that cannot be served ends the start here, before twistd
    writes a pid file or daemonizes, with one line on stderr and exit status 1.
    """
    from novatx.db.engine import BadDatabaseURL
    from novatx.services.daemon import build_daemon
    from novatx.services.errors import StartupError
    from novatx.services.reactor import install_reactor
    from novatx.services.settings import read_settings

    try:
        settings = read_settings(options.config_args(), options.enabled_apis())
        reactor = install_reactor(any(api.tls for api in settings.apis))
        return build_daemon(settings, reactor, handle_signals=True)
    except (StartupError, BadDatabaseURL) as e:
        raise SystemExit("twistd nova: error: %s" % e) from None
