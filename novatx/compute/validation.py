"""
The checks that belong to the internal API, whichever face called it: names,
metadata, user data, counts, extension fields. Messages are nova's.
"""

from __future__ import annotations

import base64
import binascii
import re
import unicodedata
from typing import Any, Mapping

from novatx.compute.exceptions import Invalid, MetadataLimitExceeded
from novatx.compute.fields import FIELD_TYPES, ExtraField

MAX_USER_DATA_BYTES = 65535
#: A safety limit on one create when quotas are unlimited.
MAX_COUNT = 1000
#: A page limit at or past this is no limit: every backend can bind it plus one.
MAX_LIMIT = 2 ** 62
#: The largest value of an integer column on every backend (nova's C{db.MAX_INT}):
#: flavor sizes, quota limits, the ids behind EC2's C{i-} and C{ami-}.
MAX_INT = 0x7FFFFFFF
#: The largest C{BIGINT} (an image's size).
MAX_BIGINT = 2 ** 63 - 1


def storable(value: Any) -> bool:
    """
    Whether C{value} could be in a text column: PostgreSQL refuses a NUL
    character outright (an error, not a miss), so a lookup by a value with
    one finds nothing without asking the database.
    """
    return not isinstance(value, str) or "\x00" not in value


def text(value: Any, field: str, max_length: int) -> Any:
    """An optional string that fits its column and that every backend can store."""
    if value is not None and (not isinstance(value, str) or len(value) > max_length
                              or not storable(value)):
        raise Invalid("Invalid input for field/attribute %s." % field)
    return value


def integer(value: Any, field: str, minimum: int, maximum: int = MAX_INT) -> int:
    """An integer within what nova's schema (and the column) allows."""
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        raise Invalid("Invalid input for field/attribute %s. Value: %s." % (field, value))
    return value


def internal_id(value: Any) -> bool:
    """Whether C{value} could be an integer id of the store's (behind an EC2 id)."""
    return not isinstance(value, bool) and isinstance(value, int) and 0 < value <= MAX_INT


def limit(value: Any) -> int | None:
    """A page limit: none, or a count of zero or more (a huge one is none)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise Invalid("limit must be >= 0")
    return None if value >= MAX_LIMIT else value


def pattern(value: str, field: str) -> str:
    """A regular expression filter, refused here when Python cannot compile it."""
    try:
        re.compile(value)
    except re.error as e:
        raise Invalid("Invalid regular expression for %s: %s." % (field, e)) from e
    return value


def name(value: Any, field: str = "name") -> str:
    """A server name: 1..255 printable characters, no surrounding whitespace."""
    if not isinstance(value, str):
        raise Invalid("Invalid input for field/attribute %s." % field)
    if len(value) > 255:
        raise Invalid("Invalid input for field/attribute %s. Value: %s. "
                      "'%s' is too long" % (field, value, value))
    if not value or value != value.strip() or any(
        unicodedata.category(char).startswith("C") for char in value
    ):
        raise Invalid("An invalid '%s' value was provided. The name must be: "
                      "printable characters. Can not start or end with whitespace." % field)
    return value


def hostname(value: str) -> str:
    """nova's C{sanitize_hostname}: lowercase, [a-z0-9-], 63 characters."""
    text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[ _.]", "-", text.lower())
    text = re.sub(r"[^\w-]+", "", text)
    text = text.strip(".-")[:63].strip(".-")
    return text or "server"


def metadata(items: Any, limit: int) -> dict[str, str]:
    """Metadata items: at most C{limit}, keys 1..255, values up to 255."""
    if not isinstance(items, Mapping):
        raise Invalid("Metadata must be a dictionary of strings.")
    if 0 <= limit < len(items):
        raise MetadataLimitExceeded(allowed=limit)
    checked = {}
    for key, value in items.items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise Invalid("Metadata property key and value must be strings.")
        if not key:
            raise Invalid("Metadata property key blank.")
        if not storable(key) or not storable(value):
            raise Invalid("Metadata property key and value must not contain NUL characters.")
        if len(key) > 255:
            raise Invalid("Metadata property key greater than 255 characters.")
        if len(value) > 255:
            raise Invalid("Metadata property value greater than 255 characters.")
        checked[key] = value
    return checked


def user_data(value: str | None) -> str | None:
    """Base64 text whose decoded form is at most 65535 bytes."""
    if value is None:
        return None
    try:
        decoded = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError, TypeError) as e:
        raise Invalid("User data needs to be valid base 64.") from e
    if len(decoded) > MAX_USER_DATA_BYTES:
        raise Invalid("User data too large. User data must be no larger than %d "
                      "bytes once base64 decoded. Your data is %d bytes"
                      % (MAX_USER_DATA_BYTES, len(decoded)))
    return value


def counts(min_count: Any, max_count: Any) -> tuple[int, int]:
    for field, value in (("min_count", min_count), ("max_count", max_count)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise Invalid("Invalid input for field/attribute %s. Value: %s. "
                          "%s is less than the minimum of 1" % (field, value, value))
    if min_count > max_count:
        raise Invalid("min_count must be <= max_count")
    return min_count, max_count


def tag(value: Any) -> str:
    if (not isinstance(value, str) or not value or len(value) > 60 or "/" in value
            or "," in value or not storable(value)):
        raise Invalid("Invalid tag: '%s'. Tags must be 1..60 characters, "
                      "without '/' or ','." % (value,))
    return value


def extra_fields(declared: Mapping[str, ExtraField], values: Mapping[str, Any]) -> dict:
    """Extension field values, typed as declared; unknown names are L{Invalid}."""
    checked = {}
    for key, value in values.items():
        field = declared.get(key)
        if field is None:
            raise Invalid("Unknown extension field %s." % key)
        wanted = FIELD_TYPES[field.type]
        if value is not None and wanted is not object and (
            not isinstance(value, wanted) or (wanted is int and isinstance(value, bool))
        ):
            raise Invalid("Extension field %s must be of type %s." % (key, field.type))
        checked[key] = value
    return checked
