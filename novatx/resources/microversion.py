"""
Compute API microversion negotiation, as nova does it.

A client asks for a version with C{OpenStack-API-Version: compute X.Y} (the
standard header, which may name other services too: C{volume 3.0} is somebody
else's and ignored) or with the legacy C{X-OpenStack-Nova-API-Version: X.Y};
the standard header wins. No header means the minimum, C{2.1}; C{latest} means
the maximum. Every v2.1 response names the version it was served at, in both
headers, with a C{Vary} on both, so caches keep versions apart.

The legacy C{/v2} endpoint has no microversions: it serves the 2.1 feature set
(its requests report version C{2.0}) and its responses carry none of these
headers.
"""

from __future__ import annotations

import re
from typing import Any

from novatx.extensions.interfaces import APIVersion

#: The lowest and highest microversions served.
MIN_VERSION = APIVersion(2, 1)
MAX_VERSION = APIVersion(2, 104)

#: The version the legacy C{/v2} endpoint reports to handlers.
LEGACY_VERSION = APIVersion(2, 0)

SERVICE_TYPE = "compute"
STANDARD_HEADER = b"OpenStack-API-Version"
LEGACY_HEADER = b"X-OpenStack-Nova-API-Version"
VARY_VALUE = b"OpenStack-API-Version, X-OpenStack-Nova-API-Version"

_VERSION_RE = re.compile(r"([1-9][0-9]*)\.([1-9][0-9]*|0)\Z")

#: Digits a version number may have and still be compared: any longer is out
#: of range, and Python refuses to convert more than 4300 digits to an int.
_MAX_DIGITS = 9


class InvalidVersionString(ValueError):
    """The client's version is not C{MajorNum.MinorNum} (nova answers 400)."""

    def __init__(self, text: str) -> None:
        self.text = text
        super().__init__(
            "API Version String %s is of invalid format. Must be of format "
            "MajorNum.MinorNum." % (text,)
        )


class VersionNotSupported(ValueError):
    """The client's version is outside C{MIN_VERSION..MAX_VERSION} (nova answers 406)."""

    def __init__(self, version: APIVersion | str) -> None:
        self.version = version
        super().__init__(
            "Version %s is not supported by the API. Minimum is %s and maximum is %s."
            % (version, MIN_VERSION, MAX_VERSION)
        )


def parse_version(text: str) -> APIVersion:
    """
    Parse C{X.Y} or C{latest} and check it against the supported range.

    @raise InvalidVersionString: C{text} is not of the form C{X.Y}.
    @raise VersionNotSupported: it is, but outside the supported range.
    """
    if text.strip().lower() == "latest":
        return MAX_VERSION
    match = _VERSION_RE.match(text.strip())
    if match is None:
        raise InvalidVersionString(text)
    major, minor = match.groups()
    if len(major) > _MAX_DIGITS or len(minor) > _MAX_DIGITS:
        raise VersionNotSupported("%s.%s" % (major, minor))
    version = APIVersion(int(major), int(minor))
    if not MIN_VERSION <= version <= MAX_VERSION:
        raise VersionNotSupported(version)
    return version


def _header_values(headers: Any, name: bytes) -> list[str]:
    return [v.decode("latin-1") for v in (headers.getRawHeaders(name) or [])]


def requested_version_string(headers: Any) -> str | None:
    """
    The version text the client asked for, or C{None} when it asked for none.

    @param headers: the request's twisted C{Headers}.
    @raise InvalidVersionString: an C{OpenStack-API-Version} entry without a
        version (C{"compute"}, C{"2"}): nova cannot tell what was meant either.
    """
    entries = [
        entry.strip()
        for value in _header_values(headers, STANDARD_HEADER)
        for entry in value.split(",")
        if entry.strip()
    ]
    for entry in entries:
        parts = entry.split(None, 1)
        if len(parts) != 2:
            raise InvalidVersionString(entry)
        if parts[0].lower() == SERVICE_TYPE:
            return parts[1].strip()
    legacy = [v.strip() for v in _header_values(headers, LEGACY_HEADER) if v.strip()]
    if legacy:
        return legacy[-1]
    return None


#: By the raw values of the two version headers: the version negotiated (a
#: client asks in the same words request after request).
_NEGOTIATED: dict[tuple[Any, Any], APIVersion] = {}

#: Negotiations remembered at most (the memory is cleared when full).
_MAX_NEGOTIATED = 256


def negotiate(headers: Any) -> APIVersion:
    """
    The version a request is served at.

    @raise InvalidVersionString: see L{parse_version}.
    @raise VersionNotSupported: see L{parse_version}.
    """
    standard = headers.getRawHeaders(STANDARD_HEADER)
    legacy = headers.getRawHeaders(LEGACY_HEADER)
    if standard is None and legacy is None:
        return MIN_VERSION
    key = (tuple(standard or ()), tuple(legacy or ()))
    version = _NEGOTIATED.get(key)
    if version is None:
        text = requested_version_string(headers)
        version = MIN_VERSION if text is None else parse_version(text)
        if len(_NEGOTIATED) >= _MAX_NEGOTIATED:
            _NEGOTIATED.clear()
        _NEGOTIATED[key] = version
    return version


#: By version: the values of the two version headers (every response names its
#: version, and there are only so many versions).
_HEADER_VALUES: dict[APIVersion, tuple[bytes, bytes]] = {}


def set_response_headers(request: Any, version: APIVersion) -> None:
    """Name the served version on a v2.1 response, as nova does on every one."""
    values = _HEADER_VALUES.get(version)
    if values is None:
        text = str(version).encode("ascii")
        values = _HEADER_VALUES[version] = (b"%s %s" % (SERVICE_TYPE.encode("ascii"), text), text)
    request.setHeader(STANDARD_HEADER, values[0])
    request.setHeader(LEGACY_HEADER, values[1])
    request.setHeader(b"Vary", VARY_VALUE)
