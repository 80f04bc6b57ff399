"""
AWS's C{Filter.N} semantics, shared by the Describe actions.

A filter matches when any of its values matches (values may use C{*} and C{?}
wildcards); an item is kept when every filter matches. Each action declares the
filter names it knows, as a mapping from name to a function giving an item's
values for it; a name it does not know is C{InvalidParameterValue}, as AWS
answers. C{tag:KEY} and C{tag-key} are understood wherever the action gives
the item's tags.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Iterable, Mapping, Sequence

from novatx.extensions.ec2.errors import EC2Error

#: An item's values for a filter name.
Getter = Callable[[Any], Iterable[str]]


def _pattern(value: str) -> re.Pattern[str]:
    parts = []
    for char in value:
        if char == "*":
            parts.append(".*")
        elif char == "?":
            parts.append(".")
        else:
            parts.append(re.escape(char))
    return re.compile("".join(parts) + r"\Z", re.DOTALL)


def unknown_filter(name: str) -> EC2Error:
    return EC2Error("InvalidParameterValue", "The filter '%s' is invalid" % (name,))


def compile_filters(
    requested: Sequence[tuple[str, Sequence[str]]],
    getters: Mapping[str, Getter],
    tags: Callable[[Any], Mapping[str, str]] | None = None,
) -> Callable[[Any], bool]:
    """
    A predicate for C{requested} filters (from L{novatx.extensions.ec2.params.filters}).

    @param getters: the filter names this action knows.
    @param tags: an item's tags, if this action's items have tags.
    @raise EC2Error: C{InvalidParameterValue} for a name that is not known.
    """
    tests = []
    for name, values in requested:
        patterns = [_pattern(value) for value in values]
        if name in getters:
            getter = getters[name]
        elif tags is not None and name.startswith("tag:") and len(name) > 4:
            getter = _tag_value(tags, name[4:])
        elif tags is not None and name == "tag-key":
            getter = _tag_keys(tags)
        elif tags is not None and name == "tag-value":
            getter = _tag_values(tags)
        else:
            raise unknown_filter(name)
        tests.append((getter, patterns))

    def matches(item: Any) -> bool:
        for getter, patterns in tests:
            if not any(p.match(v) for v in getter(item) for p in patterns):
                return False
        return True

    return matches


def _tag_value(tags: Callable[[Any], Mapping[str, str]], key: str) -> Getter:
    def getter(item: Any) -> Iterable[str]:
        value = tags(item).get(key)
        return () if value is None else (value,)

    return getter


def _tag_keys(tags: Callable[[Any], Mapping[str, str]]) -> Getter:
    return lambda item: tags(item).keys()


def _tag_values(tags: Callable[[Any], Mapping[str, str]]) -> Getter:
    return lambda item: tags(item).values()


def one(function: Callable[[Any], Any]) -> Getter:
    """A getter for a single value (C{None}: the item has no value for it)."""

    def getter(item: Any) -> Iterable[str]:
        value = function(item)
        return () if value is None else (str(value),)

    return getter
