"""
cinder's microversions: C{OpenStack-API-Version: volume 3.X}.

A request without the header is served at 3.0; C{latest} is the newest
served. Every answer of the v3 API names its version back, with a C{Vary}
on the header, as cinder's do. The version is read from the request's own
headers, so the compute API's negotiation (which ignores a C{volume} entry)
is untouched.
"""

from __future__ import annotations

import re
from typing import Any

from novatx.compute.exceptions import Invalid
from novatx.extensions.interfaces import APIVersion

MIN_VERSION = APIVersion(3, 0)
MAX_VERSION = APIVersion(3, 70)

SERVICE_TYPE = "volume"
HEADER = b"OpenStack-API-Version"

_VERSION_RE = re.compile(r"^([1-9]\d{0,8})\.(0|[1-9]\d{0,8})$")


class VersionNotAcceptable(Exception):
    """A version outside the served range (cinder answers 406)."""

    def __init__(self, text: str) -> None:
        super().__init__("Version %s is not supported by the API. Minimum is %s and maximum is %s."
                         % (text, MIN_VERSION, MAX_VERSION))


def requested(headers: Any) -> str | None:
    """The version text asked for under C{volume}, or None."""
    for value in headers.getRawHeaders(HEADER) or []:
        for entry in value.decode("latin-1").split(","):
            parts = entry.strip().split(None, 1)
            if len(parts) == 2 and parts[0].lower() == SERVICE_TYPE:
                return parts[1].strip()
    return None


def negotiate(headers: Any) -> APIVersion:
    """
    The version to serve.

    @raise Invalid: the text is not C{X.Y} (cinder's 400).
    @raise VersionNotAcceptable: it is, outside 3.0..3.70 (cinder's 406).
    """
    text = requested(headers)
    if text is None:
        return MIN_VERSION
    if text.lower() == "latest":
        return MAX_VERSION
    match = _VERSION_RE.match(text)
    if match is None:
        raise Invalid("API Version String %s is of invalid format. Must be of format "
                      "MajorNum.MinorNum." % text)
    version = APIVersion(int(match.group(1)), int(match.group(2)))
    if not MIN_VERSION <= version <= MAX_VERSION:
        raise VersionNotAcceptable(text)
    return version


def name_version(raw: Any, version: APIVersion) -> None:
    """Say on the answer which version served it."""
    raw.setHeader(HEADER, b"volume %s" % str(version).encode("ascii"))
    raw.setHeader(b"Vary", HEADER)
