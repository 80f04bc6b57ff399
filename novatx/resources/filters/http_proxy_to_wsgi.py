"""
C{http_proxy_to_wsgi}: behind a TLS-terminating proxy, links follow the client.

As oslo.middleware's C{HTTPProxyToWSGI}, when C{[oslo_middleware]
enable_proxy_headers_parsing} is on: the request takes the scheme, host and
client address the proxy reports, from the first element of C{Forwarded}
(C{proto=...;host=...;for=...}) or, without that header, from
C{X-Forwarded-Proto}, C{X-Forwarded-Host} and C{X-Forwarded-For};
C{X-Forwarded-Prefix} (a proxy serving the API under a path) goes in front of
the request's C{prepath}. So C{request.isSecure()}, the C{Host} header,
C{request.getClientAddress()} and every link built from them name what the
client used. Off (the default), the headers are ignored: a client could
otherwise forge its links and its address, and the filter leaves itself out
of the pipeline.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from twisted.internet.address import IPv4Address, IPv6Address

from novatx.extensions.numbers import is_digits
from novatx.resources.filters.base import Filter
from novatx.resources.pipeline import NativeFilter, as_resource, native_filter_factory
from novatx.resources.runtime import Runtime, from_global_conf


def _forwarded(header: bytes) -> dict[str, str]:
    """The first element of an RFC 7239 C{Forwarded} header, as a dict."""
    first = header.decode("latin-1").split(",")[0]
    pairs = {}
    for part in first.split(";"):
        name, sep, value = part.strip().partition("=")
        if sep:
            pairs[name.strip().lower()] = value.strip().strip('"')
    return pairs


def _is_port(text: str) -> bool:
    """Whether C{text} is a TCP port in ASCII digits (a header is read as latin-1,
    where C{str.isdigit()} also takes C{"\u00b2"}, which C{int()} refuses)."""
    return is_digits(text) and len(text) <= 5 and int(text) <= 65535


def _split_host(host: str, default_port: int) -> tuple[str, int]:
    """C{"h:p"} or C{"[v6]:p"} -> C{(host, port)}."""
    name, sep, port = host.rpartition(":")
    if sep and _is_port(port) and (not name.startswith("[") or name.endswith("]")):
        return name, int(port)
    return host, default_port


def _client_address(value: str) -> IPv4Address | IPv6Address:
    """
    A C{for} value (C{1.2.3.4}, C{1.2.3.4:5}, C{[v6]:5}, C{v6}) as an address.

    @raise ValueError: it is not an IP address (e.g. RFC 7239's C{unknown}).
    """
    value = value.split(",")[0].strip()
    if value.startswith("["):
        host, _, rest = value[1:].partition("]")
        port = rest[1:]
    elif value.count(":") > 1:
        host, port = value, ""
    else:
        host, _, port = value.partition(":")
    ip = ipaddress.ip_address(host)
    address_type = IPv6Address if ip.version == 6 else IPv4Address
    return address_type("TCP", str(ip), int(port) if _is_port(port) else 0)


def _header(request: Any, name: bytes) -> str:
    return (request.getHeader(name) or b"").decode("latin-1")


class HTTPProxyToWSGIFilter(Filter):
    """
    Applies the proxy's C{Forwarded}/C{X-Forwarded-*} headers to the request.

    @ivar enabled: C{enable_proxy_headers_parsing}, read when the tree is built
        (a reload builds a new tree).
    """

    def __init__(self, next: Any, runtime: Runtime, **local_conf: str) -> None:
        super().__init__(next, runtime, **local_conf)
        self.enabled = runtime.config.oslo_middleware.enable_proxy_headers_parsing

    def render(self, request: Any) -> Any:
        if self.enabled:
            self._apply(request)
        return self.render_next(request)

    @staticmethod
    def _apply(request: Any) -> None:
        forwarded = request.getHeader(b"forwarded")
        if forwarded:
            fields = _forwarded(forwarded)
            proto, host, client = fields.get("proto"), fields.get("host"), fields.get("for")
        else:
            proto = _header(request, b"x-forwarded-proto")
            host = _header(request, b"x-forwarded-host")
            client = _header(request, b"x-forwarded-for")
        if proto or host:
            secure = proto.lower() == "https" if proto else request.isSecure()
            host = host or _header(request, b"host") or request.getHost().host
            name, port = _split_host(host.split(",")[0].strip(), 443 if secure else 80)
            request.setHost(name.encode("latin-1"), port, secure)
        if client:
            try:
                request.client = _client_address(client)
            except ValueError:
                pass
        prefix = _header(request, b"x-forwarded-prefix").strip("/")
        if prefix:
            request.prepath[:0] = prefix.encode("latin-1").split(b"/")


_filter_factory = native_filter_factory(HTTPProxyToWSGIFilter)


def filter_factory(global_conf: dict, **local_conf: str) -> NativeFilter:
    """
    Paste filter factory of L{HTTPProxyToWSGIFilter}; with proxy headers
    parsing off, of nothing: the next part itself.
    """
    runtime = from_global_conf(global_conf)
    if runtime.config.oslo_middleware.enable_proxy_headers_parsing:
        return _filter_factory(global_conf, **local_conf)
    return NativeFilter(lambda app: as_resource(app, runtime), runtime)
