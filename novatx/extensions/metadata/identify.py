"""
Who is asking: the instance behind a metadata request.

Three ways, as nova: the request's source address (the instance's fixed IP);
with C{[api] use_forwarded_for}, the address in C{X-Forwarded-For}; with
C{[neutron] service_metadata_proxy}, the instance neutron's proxy names in
C{X-Instance-ID}, signed with the shared secret.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import ipaddress
from typing import Any

import attrs


class Refused(Exception):
    """
    The request cannot be tied to an instance.

    @ivar status: the HTTP status nova answers with.
    @ivar message: the plain-text explanation.
    """

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@attrs.frozen
class Asker:
    """
    What the request says of its sender.

    @ivar address: the address to look the instance up by (None when proxied).
    @ivar instance_uuid: the instance the proxy named (None otherwise).
    @ivar tenant_id: the project the proxy named (None otherwise).
    @ivar forwarded: whether the request came through a proxy (C{X-Forwarded-For}).
    """

    address: str | None = None
    instance_uuid: str | None = None
    tenant_id: str | None = None
    forwarded: bool = False


@attrs.frozen
class IdentifySettings:
    """
    The options identification reads, taken from the config once (reading
    oslo.config options costs more than the rest of the identification).

    @ivar use_forwarded_for: C{[api] use_forwarded_for}.
    @ivar service_metadata_proxy: C{[neutron] service_metadata_proxy}.
    @ivar shared_secret: C{[neutron] metadata_proxy_shared_secret}.
    """

    use_forwarded_for: bool = False
    service_metadata_proxy: bool = False
    shared_secret: str = ""

    @classmethod
    def from_config(cls, conf: Any) -> "IdentifySettings":
        return cls(
            use_forwarded_for=conf.api.use_forwarded_for,
            service_metadata_proxy=conf.neutron.service_metadata_proxy,
            shared_secret=conf.neutron.metadata_proxy_shared_secret or "",
        )


@functools.lru_cache(maxsize=4096)
def canonical_address(text: str) -> str | None:
    """C{text} as an IP address in canonical form (IPv4-mapped IPv6 as IPv4), or None."""
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return str(address)


def _single_header(request: Any, name: bytes, label: str) -> str | None:
    """
    The one value of a proxy header, or None. Two copies are a 400: which one
    a proxy wrote and which one the client sent cannot be told apart.
    """
    values = request.requestHeaders.getRawHeaders(name)
    if not values:
        return None
    if len(values) > 1:
        raise Refused(400, "Multiple %s headers found within request." % label)
    return values[0].decode("latin-1").strip()


def proxy_signature(secret: str, instance_uuid: str) -> str:
    """The C{X-Instance-ID-Signature} neutron's proxy sends for C{instance_uuid}."""
    return hmac.new(
        secret.encode("utf-8"), instance_uuid.encode("utf-8"), hashlib.sha256
    ).hexdigest()


def _from_proxy(request: Any, secret: str) -> Asker:
    instance_id = _single_header(request, b"x-instance-id", "X-Instance-ID")
    signature = _single_header(request, b"x-instance-id-signature", "X-Instance-ID-Signature")
    tenant_id = _single_header(request, b"x-tenant-id", "X-Tenant-ID")
    if instance_id is None:
        raise Refused(400, "X-Instance-ID header is missing from request.")
    if signature is None:
        raise Refused(400, "X-Instance-ID-Signature header is missing from request.")
    if tenant_id is None:
        raise Refused(400, "X-Tenant-ID header is missing from request.")
    expected = proxy_signature(secret, instance_id).encode("ascii")
    if not hmac.compare_digest(expected, signature.encode("latin-1")):
        raise Refused(403, "Invalid proxy request signature.")
    return Asker(instance_uuid=instance_id, tenant_id=tenant_id, forwarded=True)


def _from_address(request: Any, forwarded: str | None, use_forwarded_for: bool) -> Asker:
    if use_forwarded_for and forwarded is not None:
        # The last address is the one the trusted proxy saw; those before it
        # were sent by the client and prove nothing.
        last = forwarded.split(",")[-1]
        address = canonical_address(last)
        if address is None:
            raise Refused(400, "Invalid X-Forwarded-For header.")
        return Asker(address=address, forwarded=True)
    host = getattr(request.getClientAddress(), "host", None)
    # A socket's IPv4 address is canonical already; only IPv6 (perhaps an
    # IPv4-mapped one) needs parsing.
    address = canonical_address(host) if host and ":" in host else host
    if address is None:
        raise Refused(404, "The resource could not be found.")
    return Asker(address=address, forwarded=forwarded is not None)


def identify(request: Any, settings: IdentifySettings) -> Asker:
    """
    Who sent the twisted.web C{request}; L{Refused} with nova's status when the
    proxy headers are missing or repeated (400) or badly signed (403).
    """
    forwarded = _single_header(request, b"x-forwarded-for", "X-Forwarded-For")
    if settings.service_metadata_proxy:
        return _from_proxy(request, settings.shared_secret)
    return _from_address(request, forwarded, settings.use_forwarded_for)
