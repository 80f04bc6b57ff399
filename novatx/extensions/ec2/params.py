"""
Reading an EC2 Query request's parameters, and AWS's rules for lists.

The Query protocol sends flat C{Name=value} pairs in the query string (C{GET})
or a form-encoded body (C{POST}). Lists and structures are spelled with 1-based
indexes: C{InstanceId.1}, C{Filter.2.Name}, C{Filter.2.Value.1},
C{TagSpecification.1.Tag.3.Key}. Actions receive the flat dict and unfold the
lists they take with L{member_list} and L{structure_list}, so an index that is
not a positive integer, or one given twice, is refused the same way everywhere.
"""

from __future__ import annotations

import re
from typing import Iterable, Mapping
from urllib.parse import unquote_to_bytes

from novatx.extensions.ec2.errors import EC2Error, invalid_value, missing_parameter

FORM_TYPE = "application/x-www-form-urlencoded"


def _malformed(reason: str) -> EC2Error:
    return EC2Error("InvalidQueryParameter", "The query string is malformed: %s" % (reason,))


def parse_pairs(encoded: bytes) -> list[tuple[str, str]]:
    """
    Decode C{a=b&c=d} form encoding into ordered pairs.

    C{+} is a space and C{%XX} a byte, as in HTML forms; the decoded bytes must
    be UTF-8. A pair without C{=} has an empty value; empty pairs are skipped.

    @raise EC2Error: C{InvalidQueryParameter} for bytes that are not UTF-8.
    """
    pairs = []
    for chunk in encoded.split(b"&"):
        if not chunk:
            continue
        key, _, value = chunk.partition(b"=")
        try:
            pairs.append(
                (
                    unquote_to_bytes(key.replace(b"+", b" ")).decode("utf-8"),
                    unquote_to_bytes(value.replace(b"+", b" ")).decode("utf-8"),
                )
            )
        except UnicodeDecodeError:
            raise _malformed("parameters must be UTF-8 text") from None
    return pairs


def body_pairs(content_type: str | None, body: bytes) -> list[tuple[str, str]]:
    """
    The parameters of a C{POST} body.

    @param content_type: the request's C{Content-Type}; an empty body may have
        any, a non-empty one must be form-encoded (or carry none, as C{curl -d}).
    @raise EC2Error: C{InvalidQueryParameter} for another media type.
    """
    if not body:
        return []
    if content_type is not None:
        media_type = content_type.split(";", 1)[0].strip().lower()
        if media_type != FORM_TYPE:
            raise _malformed("a request body must be %s, not %s" % (FORM_TYPE, media_type))
    return parse_pairs(body)


def to_dict(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """
    The parameters as a dict. AWS gives each parameter once; a repeated name is
    ambiguous, so it is refused rather than silently resolved.

    @raise EC2Error: C{InvalidParameterValue} naming the repeated parameter.
    """
    params: dict[str, str] = {}
    for key, value in pairs:
        if key in params:
            raise EC2Error(
                "InvalidParameterValue", "The parameter %s is given more than once." % (key,)
            )
        params[key] = value
    return params


#: An integer as AWS writes one: ASCII digits, maybe a minus sign (Python's
#: C{int} would also take C{" 1_0 "} and other scripts' digits).
_INTEGER = re.compile(r"\A-?[0-9]+\Z")


def _index(prefix: str, text: str) -> int:
    if not _INTEGER.match(text) or text.startswith(("0", "-")):
        raise EC2Error(
            "InvalidParameterValue",
            "The parameter %s.%s has an index that is not a positive integer." % (prefix, text),
        )
    return int(text)


def member_list(params: Mapping[str, str], prefix: str) -> list[str]:
    """
    The values of C{prefix.1}, C{prefix.2}, ... in index order (gaps allowed,
    as AWS allows them).
    """
    found = {}
    head = prefix + "."
    for key, value in params.items():
        if key.startswith(head):
            rest = key[len(head):]
            if "." in rest:
                continue
            found[_index(prefix, rest)] = value
    return [found[i] for i in sorted(found)]


def structure_list(params: Mapping[str, str], prefix: str) -> list[dict[str, str]]:
    """
    The structures C{prefix.N.*} in index order, each as a dict of its own
    members: C{Filter.1.Name=x&Filter.1.Value.1=y} gives
    C{[{"Name": "x", "Value.1": "y"}]}.
    """
    found: dict[int, dict[str, str]] = {}
    head = prefix + "."
    for key, value in params.items():
        if key.startswith(head):
            index, dot, member = key[len(head):].partition(".")
            if not dot or not member:
                raise EC2Error(
                    "InvalidParameterValue", "The parameter %s is incomplete." % (key,)
                )
            found.setdefault(_index(prefix, index), {})[member] = value
    return [found[i] for i in sorted(found)]


def required(params: Mapping[str, str], name: str) -> str:
    """The value of C{name}; C{MissingParameter} when absent or empty."""
    value = params.get(name)
    if not value:
        raise missing_parameter(name)
    return value


def integer(
    params: Mapping[str, str],
    name: str,
    default: int | None = None,
    minimum: int | None = None,
    maximum: int | None = None,
) -> int | None:
    """
    The integer value of C{name} (C{default} when absent), within the bounds.

    @raise EC2Error: C{InvalidParameterValue} naming the parameter and value.
    """
    text = params.get(name)
    if text is None:
        return default
    if not _INTEGER.match(text):
        raise invalid_value(name, text, "It must be an integer.")
    value = int(text)
    if minimum is not None and value < minimum:
        raise invalid_value(name, text, "It must be at least %d." % (minimum,))
    if maximum is not None and value > maximum:
        raise invalid_value(name, text, "It must be at most %d." % (maximum,))
    return value


def boolean(params: Mapping[str, str], name: str, default: bool = False) -> bool:
    """C{true}/C{false} (any case) as AWS spells booleans."""
    text = params.get(name)
    if text is None:
        return default
    lowered = text.lower()
    if lowered not in ("true", "false"):
        raise invalid_value(name, text, "It must be true or false.")
    return lowered == "true"


def filters(params: Mapping[str, str]) -> list[tuple[str, list[str]]]:
    """
    C{Filter.N.Name} with its C{Filter.N.Value.M}, as C{(name, values)} pairs.

    @raise EC2Error: C{MissingParameter} for a filter without a name or values.
    """
    result = []
    for index, member in enumerate(structure_list(params, "Filter"), 1):
        name = member.get("Name")
        if not name:
            raise missing_parameter("Filter.%d.Name" % (index,))
        values = member_list(member, "Value")
        if not values:
            raise missing_parameter("Filter.%d.Value.1" % (index,))
        result.append((name, values))
    return result


def tags(params: Mapping[str, str], prefix: str = "Tag") -> list[tuple[str, str | None]]:
    """
    C{Tag.N.Key}/C{Tag.N.Value} pairs (the value may be absent: DeleteTags
    then deletes the key whatever its value).
    """
    result = []
    for index, member in enumerate(structure_list(params, prefix), 1):
        key = member.get("Key")
        if key is None:
            raise missing_parameter("%s.%d.Key" % (prefix, index))
        result.append((key, member.get("Value")))
    return result
