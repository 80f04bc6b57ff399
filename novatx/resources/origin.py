"""
The scheme and host a request was addressed to, for the links built from it.

Links (the versions document, C{X-Server-Management-Url}) follow the request:
its C{Host} header and whether it came over TLS, which C{http_proxy_to_wsgi}
rewrites from a trusted proxy's headers. Never a configured or bound address,
except the bound one when a client sent no C{Host} at all.
"""

from __future__ import annotations

from typing import Any


def origin(request: Any) -> str:
    """C{scheme://host[:port]} of C{request}, as the client addressed it."""
    scheme = "https" if request.isSecure() else "http"
    host = request.getHeader(b"host")
    if host is None:
        address = request.getHost()
        host = b"%s:%d" % (address.host.encode("ascii"), address.port)
    return "%s://%s" % (scheme, host.decode("latin-1"))
