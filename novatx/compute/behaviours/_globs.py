"""
Glob patterns of behaviours' scopes (C{db-*}, C{/v2.1/*/servers/detail}).

C{fnmatch} reads any text as a pattern, an unclosed C{[} as a plain
character; a test that writes one meant a class and would see nothing match.
So a pattern is checked when the behaviour is made, and refused with the
reason.
"""

from __future__ import annotations

import fnmatch


def glob_error(pattern: str) -> str | None:
    """Why C{pattern} is no glob, or C{None} when it is one."""
    if not pattern:
        return "an empty pattern matches nothing"
    if any(ord(c) < 32 or ord(c) == 127 for c in pattern):
        return "pattern %r holds a control character" % (pattern,)
    i = 0
    while i < len(pattern):
        if pattern[i] == "]":
            return "pattern %r closes a [...] class it never opened" % (pattern,)
        if pattern[i] == "[":
            end = i + 1
            if end < len(pattern) and pattern[end] in "!^":
                end += 1
            if end < len(pattern) and pattern[end] == "]":
                end += 1
            end = pattern.find("]", end)
            if end < 0:
                return "pattern %r opens a [...] class it never closes" % (pattern,)
            i = end
        i += 1
    return None


def matches(pattern: str | None, value: str | None) -> bool:
    """Whether C{value} is in scope of C{pattern} (no pattern: everything is)."""
    if pattern is None:
        return True
    return value is not None and fnmatch.fnmatchcase(value, pattern)
