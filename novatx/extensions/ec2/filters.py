"""
AWS's C{Filter.N} semantics, shared by the Describe actions.

A filter matches when any of its values matches (values may use C{*} and C{?}
wildcards, and C{\\} to take the next character literally, as AWS reads them);
an item is kept when every filter matches. Matching takes at most the value's
length times the item's steps: a value of many wildcards (the query string may
hold 16 KB of them) cannot make the reactor backtrack for minutes.

Each action declares the filter names it knows, as a mapping from name to a
function giving an item's values for it; a name it does not know is
C{InvalidParameterValue}, as AWS answers. C{tag:KEY} and C{tag-key} are understood wherever the action gives
the item's tags.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Iterable, Mapping, Sequence

from novatx.extensions.ec2.errors import EC2Error

#: An item's values for a filter name.
Getter = Callable[[Any], Iterable[str]]


class Wildcard:
    """
    One filter value: the literal runs between its C{*}s, each a pattern that
    has no repetition (C{?} is any one character), so no match ever backtracks
    over more than one run.
    """

    def __init__(self, value: str) -> None:
        runs: list[list[str]] = [[]]
        chars = iter(value)
        for char in chars:
            if char == "\\":
                runs[-1].append(re.escape(next(chars, "\\")))
            elif char == "*":
                runs.append([])
            elif char == "?":
                runs[-1].append(".")
            else:
                runs[-1].append(re.escape(char))
        self._lengths = [len(run) for run in runs]
        self._runs = [re.compile("".join(run), re.DOTALL) for run in runs]

    def match(self, text: str) -> bool:
        """
        Whether C{text} is matched: the first run at the start, the last at the
        end, each middle one at its leftmost place after the one before (the
        leftmost place leaves the most room for the rest, so it never needs
        undoing).
        """
        first, last = self._runs[0], self._runs[-1]
        if len(self._runs) == 1:
            return first.fullmatch(text) is not None
        end = len(text) - self._lengths[-1]
        if end < self._lengths[0] or not first.match(text) or not last.fullmatch(text, end):
            return False
        position = self._lengths[0]
        for run in self._runs[1:-1]:
            found = run.search(text, position, end)
            if found is None:
                return False
            position = found.end()
        return True


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
        patterns = [Wildcard(value) for value in values]
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
