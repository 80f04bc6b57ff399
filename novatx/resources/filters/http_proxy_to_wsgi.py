"""
C{http_proxy_to_wsgi}: behind a TLS-terminating proxy, links follow the client.

As oslo.middleware's C{HTTPProxyToWSGI}, when C{[oslo_middleware]
enable_proxy_headers_parsing} is on: the scheme and host of the request become
the ones the proxy says the client used (C{Forwarded: proto=...;host=...}, or
C{X-Forwarded-Proto} and C{X-Forwarded-Host}), so C{request.isSecure()}, the
C{Host} header and every link built from them name the proxy. Off (the
default), the headers are ignored: a client could otherwise forge its links.
"""

from __future__ import annotations

from typing import Any

from novatx.resources.filters.base import Filter
from novatx.resources.pipeline import native_filter_factory


def _forwarded(header: bytes) -> dict[str, str]:
    """The first element of an RFC 7239 C{Forwarded} header, as a dict."""
    first = header.decode("latin-1").split(",")[0]
    pairs = {}
    for part in first.split(";"):
        name, sep, value = part.strip().partition("=")
        if sep:
            pairs[name.strip().lower()] = value.strip().strip('"')
    return pairs


def _split_host(host: str, default_port: int) -> tuple[str, int]:
    """C{"h:p"} or C{"[v6]:p"} -> C{(host, port)}."""
    name, sep, port = host.rpartition(":")
    if sep and port.isdigit() and (not name.startswith("[") or name.endswith("]")):
        return name, int(port)
    return host, default_port


class HTTPProxyToWSGIFilter(Filter):
    """Applies the proxy's C{Forwarded}/C{X-Forwarded-*} headers to the request."""

    def render(self, request: Any) -> Any:
        if self.runtime.config.oslo_middleware.enable_proxy_headers_parsing:
            self._apply(request)
        return self.render_next(request)

    @staticmethod
    def _apply(request: Any) -> None:
        forwarded = request.getHeader(b"forwarded")
        fields = _forwarded(forwarded) if forwarded else {}
        proto = fields.get("proto") or (request.getHeader(b"x-forwarded-proto") or b"").decode(
            "latin-1"
        )
        host = fields.get("host") or (request.getHeader(b"x-forwarded-host") or b"").decode(
            "latin-1"
        )
        if not proto and not host:
            return
        secure = proto.lower() == "https" if proto else request.isSecure()
        if not host:
            host = (request.getHeader(b"host") or b"").decode("latin-1")
            if not host:
                host = request.getHost().host
        name, port = _split_host(host.split(",")[0].strip(), 443 if secure else 80)
        request.setHost(name.encode("latin-1"), port, secure)


filter_factory = native_filter_factory(HTTPProxyToWSGIFilter)
