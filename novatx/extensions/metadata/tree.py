"""
Paths and listings: how a request path finds a value in a tree and how the
value is written out, as nova's metadata service does both.
"""

from __future__ import annotations

import json
import posixpath
from typing import Any
from urllib.parse import unquote_to_bytes


#: By raw path: its segments (guests ask the same few paths over and over).
_SEGMENTS: dict[bytes, tuple[str, ...]] = {}

#: Paths remembered at most (the memory is cleared when full).
_MAX_SEGMENTS = 1024


def split_path(raw_path: bytes) -> list[str]:
    """
    The segments of a request path, percent-decoded and normalized: C{.} and
    C{..} are resolved (never above the root), empty segments dropped, so
    C{/a//b/}, C{/a/x/../b} and C{/a/%2e%2e/a/b} all name C{["a", "b"]}.
    """
    segments = _SEGMENTS.get(raw_path)
    if segments is None:
        text = unquote_to_bytes(raw_path.split(b"?", 1)[0]).decode("utf-8", "replace")
        normalized = posixpath.normpath("/" + text)
        segments = tuple(segment for segment in normalized.split("/") if segment)
        if len(_SEGMENTS) >= _MAX_SEGMENTS:
            _SEGMENTS.clear()
        _SEGMENTS[raw_path] = segments
    return list(segments)


def find(tree: Any, segments: list[str]) -> Any:
    """The value at C{segments} under C{tree}; C{KeyError} when there is none."""
    for segment in segments:
        if not isinstance(tree, dict) or segment not in tree or segment == "_name":
            raise KeyError("/".join(segments))
        tree = tree[segment]
    return tree


def render(value: Any) -> bytes:
    """
    A value as the response body: a dict lists its keys (C{key/} for a subtree,
    its C{_name} when it has one), a list one item a line, bytes as they are.
    """
    if isinstance(value, dict):
        lines = []
        for key in sorted(value):
            if key == "_name":
                continue
            child = value[key]
            if isinstance(child, dict):
                lines.append(str(child.get("_name", key + "/")))
            else:
                lines.append(key)
        return "\n".join(lines).encode("utf-8")
    if isinstance(value, (list, tuple)):
        return "\n".join(str(item) for item in value).encode("utf-8")
    if isinstance(value, bytes):
        return value
    return str(value).encode("utf-8")


def json_bytes(document: Any) -> bytes:
    """A JSON document as the body of a C{.json} path."""
    return json.dumps(document).encode("utf-8")
