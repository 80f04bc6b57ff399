"""
IMDSv2 session tokens, as AWS's instance metadata service issues them.

A token names the instance it was issued to and when it expires, signed with
HMAC-SHA256: nothing is stored, so any worker (or host) holding the same key
accepts a token another one issued. The key is C{[metadata] token_secret}, or
else one made once per host and kept under C{state_path}, which every worker
of the host reads (L{host_key}).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re

#: AWS's bounds for C{X-aws-ec2-metadata-token-ttl-seconds}.
MIN_TTL = 1
MAX_TTL = 21600

_DIGITS = re.compile(r"\A[0-9]{1,6}\Z")


class InvalidTTL(ValueError):
    """The requested lifetime is missing, not a number, or out of bounds."""


def parse_ttl(value: bytes | None) -> int:
    """The lifetime a token PUT asks for; L{InvalidTTL} unless 1..21600."""
    if value is None:
        raise InvalidTTL("missing")
    text = value.decode("latin-1").strip()
    if not _DIGITS.match(text):
        raise InvalidTTL(text)
    ttl = int(text)
    if not MIN_TTL <= ttl <= MAX_TTL:
        raise InvalidTTL(text)
    return ttl


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def host_key(path: str) -> bytes:
    """
    The key kept in the file C{path}, made (random, readable by its owner
    only) by whichever worker comes first: it writes a file of its own and
    links it into place, so a worker never reads a half-written key.

    @raise OSError: the file can be neither read nor made.
    """
    try:
        with open(path, "rb") as f:
            return binascii.unhexlify(f.read().strip())
    except FileNotFoundError:
        pass
    draft = "%s.%d" % (path, os.getpid())
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as f:
        f.write(binascii.hexlify(os.urandom(32)))
    try:
        os.link(draft, path)
    except FileExistsError:
        pass
    finally:
        os.unlink(draft)
    with open(path, "rb") as f:
        return binascii.unhexlify(f.read().strip())


class TokenSigner:
    """
    Issues and checks tokens.

    @param key: the signing key.
    """

    def __init__(self, key: bytes) -> None:
        self._key = key

    def _mac(self, payload: bytes) -> bytes:
        return hmac.new(self._key, payload, hashlib.sha256).digest()

    def issue(self, instance_uuid: str, now: float, ttl: int) -> str:
        """A token for C{instance_uuid} valid for C{ttl} seconds from C{now}."""
        payload = ("%s:%d" % (instance_uuid, int(now) + ttl)).encode("ascii")
        return _b64(payload) + "." + _b64(self._mac(payload))

    def valid(self, token: bytes, instance_uuid: str, now: float) -> bool:
        """Whether C{token} was issued here for C{instance_uuid} and is unexpired."""
        try:
            payload_text, mac_text = token.decode("ascii").strip().split(".")
            payload = _unb64(payload_text)
            mac = _unb64(mac_text)
        except (UnicodeDecodeError, ValueError):
            return False
        if not hmac.compare_digest(mac, self._mac(payload)):
            return False
        owner, _, expires = payload.decode("ascii").rpartition(":")
        return owner == instance_uuid and now < int(expires)
