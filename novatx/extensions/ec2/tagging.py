"""
EC2 tags on instances: C{Name} is the server's name, every other tag a metadata
item. The limits are AWS's (keys up to 128 characters, values up to 256, no
C{aws:} prefix).
"""

from __future__ import annotations

from typing import Mapping

from novatx.extensions.ec2 import errors, params as P
from novatx.extensions.ec2.views import NAME_TAG

MAX_KEY = 128
MAX_VALUE = 256


def check_tag(key: str, value: str | None) -> None:
    """Refuse a tag AWS would refuse, with C{InvalidParameterValue}."""
    if not key or len(key) > MAX_KEY:
        raise errors.invalid_value("Tag.Key", key, "Tag keys have 1 to 128 characters.")
    if key.lower().startswith("aws:"):
        raise errors.invalid_value("Tag.Key", key, "Tag keys may not start with 'aws:'.")
    if value is not None and len(value) > MAX_VALUE:
        raise errors.invalid_value("Tag.Value", value, "Tag values have at most 256 characters.")


def tag_specifications(params: Mapping[str, str], resource_type: str) -> list[tuple[str, str]]:
    """
    The tags C{TagSpecification.N} asks for on resources of C{resource_type};
    a specification for a type this action does not create is refused.
    """
    tags = []
    for index, spec in enumerate(P.structure_list(params, "TagSpecification"), 1):
        kind = spec.get("ResourceType")
        if not kind:
            raise errors.missing_parameter("TagSpecification.%d.ResourceType" % (index,))
        if kind != resource_type:
            raise errors.invalid_value(
                "TagSpecification.%d.ResourceType" % (index,), kind,
                "This action tags resources of type %s." % (resource_type,),
            )
        for key, value in P.tags(spec):
            check_tag(key, value)
            tags.append((key, value or ""))
    return tags


def split_tags(tags: list[tuple[str, str]]) -> tuple[str | None, dict[str, str]]:
    """The server name (C{Name}'s value, or None) and the metadata items."""
    name = None
    metadata = {}
    for key, value in tags:
        if key == NAME_TAG:
            name = value
        else:
            metadata[key] = value
    return name, metadata
