"""
EC2 tags on instances: C{Name} is the server's name, every other tag a metadata
item. The limits are AWS's (keys up to 128 characters, values up to 256, no
C{aws:} prefix, 50 tags an instance) and the store's where it is stricter (a
name is 1 to 255 printable characters without surrounding spaces, a metadata
value at most 255 characters), all checked before anything is written, so a
refused tag leaves every instance as it was.
"""

from __future__ import annotations

from typing import Iterable, Mapping

from novatx.compute import validation
from novatx.compute.exceptions import Invalid
from novatx.compute.records import Instance
from novatx.extensions.ec2 import errors, params as P
from novatx.extensions.ec2.render import has_non_xml
from novatx.extensions.ec2.views import NAME_TAG, instance_tags

MAX_KEY = 128
MAX_VALUE = 256
MAX_TAGS = 50


def check_tag(key: str, value: str | None) -> None:
    """Refuse a tag AWS or the store would refuse, with C{InvalidParameterValue}."""
    if not key or len(key) > MAX_KEY:
        raise errors.invalid_value("Tag.Key", key, "Tag keys have 1 to 128 characters.")
    if key.lower().startswith("aws:"):
        raise errors.invalid_value("Tag.Key", key, "Tag keys may not start with 'aws:'.")
    if value is not None and len(value) > MAX_VALUE:
        raise errors.invalid_value("Tag.Value", value, "Tag values have at most 256 characters.")
    if has_non_xml(key) or has_non_xml(value or ""):
        raise errors.invalid_value("Tag", key, "Tags may not hold control characters.")
    try:
        if key == NAME_TAG:
            if value:
                validation.name(value)
        else:
            validation.metadata({key: value or ""}, -1)
    except Invalid as e:
        raise errors.invalid_value("Tag.Value" if key == NAME_TAG else "Tag", key, str(e)) from None


def check_tag_count(instance: Instance, keys: Iterable[str]) -> None:
    """Refuse tags that would give C{instance} more than AWS's 50."""
    if len(set(instance_tags(instance)) | set(keys)) > MAX_TAGS:
        raise errors.EC2Error(
            "TagLimitExceeded",
            "The instance '%s' would have more than %d tags." % (instance.ec2_id, MAX_TAGS),
        )


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
    if len(dict(tags)) > MAX_TAGS:
        raise errors.EC2Error("TagLimitExceeded", "An instance has at most %d tags." % (MAX_TAGS,))
    return tags


def split_tags(tags: list[tuple[str, str]]) -> tuple[str | None, dict[str, str]]:
    """
    The server name (C{Name}'s value, or None when it has none or an empty
    one: a server's name is never empty) and the metadata items.
    """
    name = None
    metadata = {}
    for key, value in tags:
        if key == NAME_TAG:
            name = value or None
        else:
            metadata[key] = value
    return name, metadata
