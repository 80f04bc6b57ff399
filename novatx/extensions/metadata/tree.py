"""
Paths and listings: how a request path finds a value in a tree and how the
value is written out, as nova's metadata service does both.
"""

from __future__ import annotations

import json
import posixpath
from typing import Any
from urllib.parse import unquote_to_bytes


def split_path(raw_path: bytes) -> list[str]:
    """
    The segments of a request path, percent-decoded and normalized: C{.} and
    C{..} are resolved (never above the root), empty segments dropped, so
    C{/a//b/}, C{/a/x/../b} and C{/a/%2e%2e/a/b} all name C{["a", "b"]}.
    """
    text = unquote_to_bytes(raw_path.split(b"?", 1)[0]).decode("utf-8", "replace")
    normalized = posixpath.normpath("/" + text)
    return [segment for segment in normalized.split("/") if segment]


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
