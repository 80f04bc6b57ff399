"""
Installing the reactor without Twisted's own TLS support, where nothing uses it.

Installing Twisted's reactor imports its TLS support (pyOpenSSL, and with it
cryptography and service_identity) whether anything serves TLS or not: some
13 MB and 60 ms. novatx serves an API of C{enabled_ssl_apis} by wrapping its
factory in a C{TLSMemoryBIOFactory} (L{novatx.services.api.APIService}), and
its HTTPS clients wrap theirs the same way; none of them uses the reactor's
own TLS (C{listenSSL}, C{startTLS}). So a process none of whose APIs serves
TLS installs the reactor with pyOpenSSL hidden; the reactor then goes without,
as it would where pyOpenSSL is not installed. pyOpenSSL is importable again
once the reactor is installed, for whatever needs it later.

That spares the supervising daemon (every API in workers) all of it. A
process serving an API imports pyOpenSSL later all the same: klein imports
C{twisted.internet.endpoints}, which imports it.
"""

from __future__ import annotations

import sys
from typing import Any

#: The package whose absence makes the reactor leave its TLS support out.
_TLS_PACKAGE = "OpenSSL"


def install_reactor(serves_tls: bool) -> Any:
    """
    Install the default reactor, with its TLS support only if C{serves_tls}.

    A reactor already installed (C{twistd --reactor}), or pyOpenSSL already
    imported, is left as it is.

    @return: the reactor.
    """
    hide = not serves_tls and not {"twisted.internet.reactor", _TLS_PACKAGE} & set(sys.modules)
    if hide:
        # A None entry makes "import OpenSSL" raise ImportError, which the
        # reactor's modules take as "no TLS here".
        sys.modules[_TLS_PACKAGE] = None  # type: ignore[assignment]
    try:
        from twisted.internet import reactor
    finally:
        if hide:
            del sys.modules[_TLS_PACKAGE]
    return reactor
