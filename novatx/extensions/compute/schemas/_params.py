"""
Parameter types the compute resources' schemas share (nova's C{parameter_types}).

Patterns stand in for nova's custom formats, so any JSON-schema validator
checks them without a format checker.
"""

from __future__ import annotations

from typing import Any

from novatx.compute.exceptions import Invalid
from novatx.extensions.numbers import MAX_DIGITS, NotDigits, parse_digits

#: A name: 1..255 printable characters, no whitespace at either end.
NAME_PATTERN = r"^[^\s\x00-\x1f\x7f]([^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f])?$"

#: Printable text, possibly empty.
PRINTABLE_PATTERN = r"^[^\x00-\x1f\x7f]*$"

#: The largest value a 32-bit database column holds.
MAX_INT = 0x7FFFFFFF

name: dict[str, Any] = {
    "type": "string",
    "minLength": 1,
    "maxLength": 255,
    "pattern": NAME_PATTERN,
}

description: dict[str, Any] = {
    "type": ["string", "null"],
    "minLength": 0,
    "maxLength": 65535,
    "pattern": PRINTABLE_PATTERN,
}

#: The spellings of a boolean nova accepts in a body.
TRUE_STRINGS = ("True", "TRUE", "true", "1", "ON", "On", "on", "YES", "Yes", "yes", "y", "t")
FALSE_STRINGS = ("False", "FALSE", "false", "0", "OFF", "Off", "off", "NO", "No", "no", "n", "f")

boolean: dict[str, Any] = {
    "type": ["boolean", "string"],
    "enum": [True, False, *TRUE_STRINGS, *FALSE_STRINGS],
}

#: An integer, or a string of digits, at least 1 (flavor sizes).
positive_integer: dict[str, Any] = {
    "type": ["integer", "string"],
    "pattern": "^[0-9]*$",
    "minLength": 1,
    "minimum": 1,
    "maximum": MAX_INT,
}

#: The same, at least 0.
non_negative_integer: dict[str, Any] = {
    "type": ["integer", "string"],
    "pattern": "^[0-9]*$",
    "minLength": 1,
    "minimum": 0,
    "maximum": MAX_INT,
}

#: A project or user id.
project_id: dict[str, Any] = {
    "type": "string",
    "minLength": 1,
    "maxLength": 255,
    "pattern": r"^[a-zA-Z0-9-_]*$",
}


def to_bool(value: Any) -> bool:
    """A value the L{boolean} schema accepted, as a bool."""
    if isinstance(value, bool):
        return value
    return value in TRUE_STRINGS


def to_int(value: Any, field: str) -> int:
    """
    A value an integer-or-digits schema accepted, as an int. The schemas'
    patterns let a trailing newline and any number of digits through; those
    are nova's 400, never a number or a 500.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    try:
        return parse_digits(value, signed=True) if isinstance(value, str) else int(value)
    except (NotDigits, TypeError, ValueError, OverflowError):
        raise Invalid("Invalid input for field/attribute %s. Value: %s. It must be an integer "
                      "of at most %d ASCII digits." % (field, str(value)[:MAX_DIGITS], MAX_DIGITS)
                      ) from None
