"""
Request bodies: reading them as nova does and checking them against JSON schemas.

Reading: a body is JSON when its C{Content-Type} is JSON, absent, or
C{text/plain} (nova reads those as JSON too); any other type is 415
C{badMediaType} "Unsupported Content-Type"; JSON that does not parse (or nests
too deep to parse) is 400 "Malformed request body".

Checking: a route's schema may be one schema or a sequence of
C{(min_version, max_version, schema)}; the one covering the request's
microversion applies, with properties contributed by controller extensions and
server-create hooks merged in. Errors read as nova's: "Invalid input for
field/attribute X. Value: V. <reason>". On the legacy C{/v2} endpoint nova's
relaxed rule applies: properties a schema does not know are dropped, not refused.
"""

from __future__ import annotations

import copy
import json
from typing import Any, Iterable, Mapping

import jsonschema
from jsonschema import validators

from novatx.compute.exceptions import Invalid
from novatx.extensions.interfaces import APIVersion

#: Media types a body may be sent as; C{text/plain} and none are read as JSON.
JSON_TYPES = ("application/json", "application/vnd.openstack.compute+json", "text/plain", "")

MALFORMED = "Malformed request body"


class UnsupportedContentType(Exception):
    """The body's media type is not one the API reads (415)."""

    message = "Unsupported Content-Type"


class ValidationError(Invalid):
    """A body that does not match its schema (400, nova's wording)."""

    msg_fmt = "%(detail)s"


def media_type(content_type: bytes | None) -> str:
    """The bare media type of a C{Content-Type} value, lower-cased."""
    if not content_type:
        return ""
    return content_type.decode("latin-1").split(";")[0].strip().lower()


def read_body(content: bytes, content_type: bytes | None) -> Any:
    """
    Decode a request body.

    @return: the JSON value, or C{None} for an empty body.
    @raise UnsupportedContentType: the media type is not JSON-like.
    @raise ValidationError: the body is not JSON.
    """
    if media_type(content_type) not in JSON_TYPES:
        raise UnsupportedContentType()
    if not content.strip():
        return None
    try:
        return json.loads(content)
    except (ValueError, RecursionError):
        raise ValidationError(detail=MALFORMED) from None


def schema_for(schema: Any, version: APIVersion | None) -> dict | None:
    """The schema of C{schema} that applies at C{version}, or C{None}."""
    if schema is None or type(schema) is dict or isinstance(schema, Mapping):
        return schema
    for min_version, max_version, candidate in schema:
        if version is None or version.matches(min_version, max_version):
            return candidate
    return None


def merge_properties(schema: dict, properties: Mapping[str, Any]) -> dict:
    """
    A copy of C{schema} with C{properties} added: under the body's wrapper
    object when it has one (the single required top-level property that is an
    object, as C{"server"} in C{{"server": {...}, "os:scheduler_hints": ...}}),
    else at the top.
    """
    if not properties:
        return schema
    merged = copy.deepcopy(schema)
    top = merged.setdefault("properties", {})
    wrappers = [
        value
        for name, value in top.items()
        if name in merged.get("required", ())
        and isinstance(value, dict)
        and value.get("type") == "object"
        and "properties" in value
    ]
    target = wrappers[0] if len(wrappers) == 1 else merged
    target.setdefault("properties", {}).update(properties)
    return merged


def _relaxed_additional_properties(validator: Any, additional: Any, instance: Any, schema: dict) -> Iterable:
    """nova's legacy-v2 rule: unknown properties are removed, not refused."""
    if not validator.is_type(instance, "object") or additional is not False:
        return
    known = set(schema.get("properties", {}))
    patterns = schema.get("patternProperties", {})
    if patterns:
        yield from validators._keywords.additionalProperties(validator, additional, instance, schema)
        return
    for key in [k for k in instance if k not in known]:
        del instance[key]


_Strict = validators.extend(jsonschema.Draft4Validator, {})
_Relaxed = validators.extend(
    jsonschema.Draft4Validator, {"additionalProperties": _relaxed_additional_properties}
)
_FORMATS = jsonschema.FormatChecker()


def _shown(value: Any) -> str:
    """The value as nova's message shows it (Python's C{%s})."""
    try:
        return "%s" % (value,)
    except RecursionError:
        return "<too deeply nested>"


def validate(schema: dict, body: Any, relaxed: bool = False) -> None:
    """
    Check C{body} against C{schema}.

    @param relaxed: legacy v2: drop unknown properties instead of refusing them.
    @raise ValidationError: with nova's message.
    """
    cls = _Relaxed if relaxed else _Strict
    validator = cls(schema, format_checker=_FORMATS)
    try:
        error = jsonschema.exceptions.best_match(validator.iter_errors(body))
    except RecursionError:
        raise ValidationError(detail=MALFORMED) from None
    if error is None:
        return
    if len(error.path) > 0:
        detail = "Invalid input for field/attribute %s. Value: %s. %s" % (
            error.path[-1],
            _shown(error.instance),
            error.message,
        )
    else:
        detail = error.message
    raise ValidationError(detail=detail)
