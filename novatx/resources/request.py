"""
The request as a handler sees it: L{APIRequest}, the L{IAPIRequest} the router
builds after auth, version negotiation and validation.

Links are built from the request itself (its scheme and C{Host}, or
C{X-Forwarded-Proto}/C{X-Forwarded-Host}/C{Forwarded} when
C{[oslo_middleware] enable_proxy_headers_parsing} is on), never from a
configured or bound address: a server reached through a proxy, a tunnel or a
different name links back the way it was reached.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import attrs
from zope.interface import implementer

from novatx.compute.exceptions import NotAuthorized
from novatx.extensions.interfaces import APIVersion, IAPIRequest


def _header(request: Any, name: bytes) -> str | None:
    value = request.getHeader(name)
    return value.decode("latin-1").strip() if value is not None else None


def _forwarded_pairs(value: str) -> dict[str, str]:
    """The first element of an RFC 7239 C{Forwarded} header, as a dict."""
    first = value.split(",")[0]
    pairs = {}
    for item in first.split(";"):
        key, sep, val = item.partition("=")
        if sep:
            pairs[key.strip().lower()] = val.strip().strip('"')
    return pairs


#: By TLS or not and the C{Host} header's bytes: the origin (clients name the
#: server the same way request after request).
_ORIGINS: dict[tuple[bool, bytes], str] = {}

#: Origins remembered at most (the memory is cleared when full).
_MAX_ORIGINS = 256


def origin(request: Any, trust_proxy_headers: bool) -> str:
    """
    C{scheme://host[:port]} as the client addressed this server.

    @param trust_proxy_headers: read C{Forwarded}/C{X-Forwarded-*} first.
    """
    if trust_proxy_headers:
        return _origin(request, True)
    host = request.getHeader(b"host")
    if host is None or not host.strip():
        # The bound address stands in: it depends on the port, not the request.
        return _origin(request, False)
    key = (request.isSecure(), host)
    found = _ORIGINS.get(key)
    if found is None:
        found = _origin(request, False)
        if len(_ORIGINS) >= _MAX_ORIGINS:
            _ORIGINS.clear()
        _ORIGINS[key] = found
    return found


def _origin(request: Any, trust_proxy_headers: bool) -> str:
    scheme = "https" if request.isSecure() else "http"
    host = _header(request, b"host")
    if trust_proxy_headers:
        forwarded = _header(request, b"forwarded")
        if forwarded:
            pairs = _forwarded_pairs(forwarded)
            scheme = pairs.get("proto", scheme)
            host = pairs.get("host", host)
        proto = _header(request, b"x-forwarded-proto")
        if proto:
            scheme = proto.split(",")[0].strip()
        fhost = _header(request, b"x-forwarded-host")
        if fhost:
            host = fhost.split(",")[0].strip()
    if not host:
        address = request.getHost()
        port = getattr(address, "port", 0)
        default = 443 if scheme == "https" else 80
        host = address.host if port in (0, default) else "%s:%d" % (address.host, port)
    return "%s://%s" % (scheme, host)


def _join(base: str, segments: tuple[Any, ...]) -> str:
    parts = [quote(str(s), safe="") for s in segments]
    return "/".join([base.rstrip("/")] + parts) if parts else base.rstrip("/")


def policy_allows(request: Any, rule: str, target: dict[str, Any] | None) -> bool:
    """
    L{IAPIRequest.allows} for a request with a C{policy} callable that raises
    and, when it has one, a C{permits} callable that answers (cheaper where
    denials are common).
    """
    if request.permits is not None:
        return bool(request.permits(rule, request.context, target))
    try:
        request.authorize(rule, target)
    except NotAuthorized:
        return False
    return True


@implementer(IAPIRequest)
@attrs.define(eq=False)
class APIRequest:
    """
    One request, ready for a handler.

    @ivar root: C{scheme://host} plus the path the API is mounted at, without
        the project id (C{http://h:8774/v2.1}).
    @ivar project_id: the project id the URL carried after the root, or None.
    @ivar policy: a callable C{(rule, context, target)} raising
        C{NotAuthorized} on denial; see L{authorize}.
    @ivar permits: a callable C{(rule, context, target)} answering whether
        the policy allows it (see L{allows}); None: L{allows} asks L{policy}.
    """

    context: Any
    version: APIVersion | None
    body: Any
    args: dict[str, list[str]]
    method: str
    path: str
    headers: Any
    raw: Any
    root: str
    project_id: str | None = None
    policy: Any = None
    permits: Any = None

    def url(self, *segments: Any) -> str:
        """C{root/segments...}: e.g. C{url("servers", uuid)}."""
        return _join(self.root, segments)

    def project_url(self, *segments: Any) -> str:
        """C{url} with the project id after the version when the request had one."""
        if self.project_id:
            return _join(self.root, (self.project_id,) + segments)
        return self.url(*segments)

    def bookmark(self, *segments: Any) -> str:
        """
        nova's C{bookmark} link: the root without its version segment, then the
        project id when the request had one (as nova's view builders do), then
        C{segments}.
        """
        scheme, sep, rest = self.root.partition("://")
        host, slash, path = rest.partition("/")
        parts = [p for p in path.split("/") if p]
        if parts and _is_version_segment(parts[-1]):
            parts.pop()
        base = "%s%s%s" % (scheme, sep, "/".join([host] + parts))
        if self.project_id:
            segments = (self.project_id,) + segments
        return _join(base, segments)

    def authorize(self, rule: str, target: dict[str, Any] | None = None) -> None:
        """
        Check oslo.policy rule C{rule} for this request's caller on C{target}
        (default: the caller's own project and user), for handlers whose
        target is only known once the resource is loaded.

        @raise novatx.compute.exceptions.NotAuthorized: the policy denies it.
        """
        self.policy(rule, self.context, target)

    def allows(self, rule: str, target: dict[str, Any] | None = None) -> bool:
        """
        Whether oslo.policy rule C{rule} allows this request's caller on
        C{target}, for what an answer shows or hides, where a denial is no
        error (extended attributes, host status).
        """
        return policy_allows(self, rule, target)


def _is_version_segment(segment: str) -> bool:
    head, _, tail = segment.partition(".")
    return head[:1] == "v" and head[1:].isdigit() and (not tail or tail.isdigit())
