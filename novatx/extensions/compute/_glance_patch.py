"""
glance v2's image changes: what a create's body and a JSON patch
(C{application/openstack-images-v2.1-json-patch}) mean for the image
registry, split into core fields and properties, with glance's refusals.
"""

from __future__ import annotations

import json
from typing import Any

import attrs

from novatx.compute.exceptions import Invalid, NotAuthorized

#: The media type of glance's image update.
PATCH_MEDIA_TYPE = "application/openstack-images-v2.1-json-patch"

#: Core fields a client sets; the rest of a body are properties.
CORE_FIELDS = frozenset(("name", "visibility", "protected", "min_disk", "min_ram",
                         "disk_format", "container_format"))

#: Fields glance sets itself: a body naming one is refused (403).
READ_ONLY = frozenset(("id", "status", "size", "virtual_size", "checksum", "os_hash_algo",
                       "os_hash_value", "created_at", "updated_at", "self", "file", "schema",
                       "owner", "locations", "direct_url", "os_hidden"))

#: Accepted and not kept: glance's tags are not part of this registry.
IGNORED = frozenset(("tags",))


@attrs.frozen
class ImageChanges:
    """Core field values, properties to set, and properties to drop."""

    core: dict[str, Any] = attrs.field(factory=dict)
    properties: dict[str, str] = attrs.field(factory=dict)
    removed: tuple[str, ...] = ()


def _assign(changes: ImageChanges, key: str, value: Any) -> None:
    if key in READ_ONLY:
        raise NotAuthorized("Attribute '%s' is read-only." % key)
    if key in IGNORED:
        return
    if key in CORE_FIELDS:
        changes.core[key] = value
        return
    if not isinstance(value, str):
        raise Invalid("Property %s must be a string." % key)
    changes.properties[key] = value


def create_changes(body: Any) -> ImageChanges:
    """A create's body as changes (C{id} may not be chosen here)."""
    if not isinstance(body, dict):
        raise Invalid("Body expected in request.")
    changes = ImageChanges()
    for key, value in body.items():
        _assign(changes, key, value)
    return changes


def patch_changes(content: bytes, content_type: str) -> ImageChanges:
    """A JSON patch (glance's subset: add, replace, remove of top-level paths) as changes."""
    if content_type != PATCH_MEDIA_TYPE:
        raise Invalid("Unsupported Content-Type: send %s." % PATCH_MEDIA_TYPE)
    try:
        operations = json.loads(content or b"null")
    except ValueError:
        raise Invalid("Malformed JSON in request body.") from None
    if not isinstance(operations, list):
        raise Invalid("Request body must be a JSON array of operation objects.")
    changes = ImageChanges()
    removed: list[str] = []
    for operation in operations:
        if not isinstance(operation, dict) or not isinstance(operation.get("path"), str):
            raise Invalid("Operations must be JSON objects with a path.")
        op, path = operation.get("op"), operation["path"]
        key = path[1:] if path.startswith("/") else ""
        if not key or "/" in key:
            raise Invalid("Invalid JSON pointer for this resource: '%s'" % path)
        if op in ("add", "replace"):
            if "value" not in operation:
                raise Invalid("Operation '%s' needs a value." % op)
            _assign(changes, key, operation["value"])
        elif op == "remove":
            if key in READ_ONLY or key in CORE_FIELDS:
                raise NotAuthorized("Attribute '%s' is read-only." % key)
            if key not in IGNORED:
                removed.append(key)
        else:
            raise Invalid("Operation objects must contain exactly one of \"add\", "
                          "\"remove\", or \"replace\".")
    return attrs.evolve(changes, removed=tuple(removed))
