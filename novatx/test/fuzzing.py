"""
Generated hostile requests for the fuzz tests: a seeded C{random.Random}
picks a method, a path from an API's own routes with a segment or two
replaced, query parameters and headers from a pool of values known to upset
parsers (other scripts' digits, 5,000 digits, NULs, bad percent-escapes,
JSON of the wrong type), and a body that is a valid one mutated or garbage.

The same seed gives the same requests, so a failure names the request that
caused it and repeats on every run.
"""

from __future__ import annotations

import json
import random
from typing import Any, Iterator, Sequence
from urllib.parse import quote

import attrs

#: Values that have broken parsers before, as text.
NASTY_TEXT: Sequence[str] = (
    "",
    " ",
    "0",
    "-1",
    "1",
    "+1",
    "1_000",
    "1e3",
    "0x10",
    "9" * 30,
    "9" * 5000,
    "\u00b2",
    "\u0663",
    "\uff11",
    "1\n",
    "null",
    "true",
    "none",
    "latest",
    "2.1",
    "2.9999",
    "\x00",
    "\ufffd",
    "\u202e",
    "../../etc/passwd",
    "%",
    "%zz",
    "%C0%AF",
    "a" * 300,
    "<script>",
    "' OR 1=1 --",
    "i-00000001",
    "ami-00000001",
    "r-00000001",
    "3d5a4a0e-0000-4000-8000-000000000000",
    "*",
    "2026-13-45T99:99:99Z",
    "1970-01-01T00:00:00Z",
)

#: JSON values of every type, some of them outlandish.
NASTY_JSON: Sequence[Any] = (
    None,
    True,
    False,
    0,
    -1,
    2**63,
    -(2**63) - 1,
    1.5,
    float("1e308"),
    "",
    "x" * 70000,
    [],
    [None],
    {},
    {"": None},
    "\u0663",
    "9" * 5000,
    [[[[[]]]]],
)

GARBAGE_BODIES: Sequence[bytes] = (
    b"",
    b"{",
    b"[]",
    b"null",
    b'{"a":',
    b"\xff\xfe\x00",
    b"Action=DescribeRegions&\xff=1",
    b"%" * 100,
    b'{"server": ' * 50,
    b"=" * 1000,
)


@attrs.frozen
class FuzzRequest:
    """One generated request: what to send, and a short label for failures."""

    method: bytes
    path: str
    headers: dict[bytes, list[bytes]]
    body: bytes | None

    def label(self) -> str:
        return "%s %s %r" % (self.method.decode(), self.path[:200],
                             (self.body or b"")[:120])


def _text(rng: random.Random) -> str:
    return rng.choice(NASTY_TEXT)


def mutate(rng: random.Random, document: Any, depth: int = 0) -> Any:
    """C{document} with some values replaced, keys dropped or added."""
    if isinstance(document, dict):
        result = {}
        for key, value in document.items():
            roll = rng.random()
            if roll < 0.1:
                continue
            if roll < 0.35:
                result[key] = rng.choice(NASTY_JSON + tuple(NASTY_TEXT))
            else:
                result[key] = mutate(rng, value, depth + 1)
        if rng.random() < 0.2:
            result[_text(rng)] = rng.choice(NASTY_JSON)
        return result
    if isinstance(document, list):
        return [mutate(rng, item, depth + 1) for item in document]
    if rng.random() < 0.3:
        return rng.choice(NASTY_JSON + tuple(NASTY_TEXT))
    return document


def segment(rng: random.Random) -> str:
    """
    A path segment: a nasty value percent-encoded, or sent as it is when a
    client may send it so (printable ASCII: C{%zz}, C{..}, C{*}...).
    """
    text = _text(rng)
    if rng.random() < 0.3 and text and all("!" <= c <= "~" for c in text):
        return text
    return quote(text, safe="")


def query(rng: random.Random, names: Sequence[str]) -> str:
    """A query string of 0..4 parameters, names from C{names} or nasty."""
    pairs = []
    for _ in range(rng.randrange(5)):
        name = rng.choice(names) if rng.random() < 0.8 else _text(rng)
        value = _text(rng)
        pairs.append("%s=%s" % (quote(name, safe=""), quote(value, safe="")))
    if rng.random() < 0.05:
        pairs.append("%zz=%")
    return "&".join(pairs)


def fill(rng: random.Random, template: str, ids: dict[str, str]) -> str:
    """C{template}'s C{{name}} holes filled with a real id or a nasty segment."""
    parts = []
    for piece in template.split("/"):
        if piece.startswith("{") and piece.endswith("}"):
            real = ids.get(piece[1:-1])
            parts.append(real if real is not None and rng.random() < 0.6 else segment(rng))
        else:
            parts.append(piece)
    return "/".join(parts)


def requests(
    seed: int,
    count: int,
    routes: Sequence[tuple[str, str, Any]],
    query_names: Sequence[str],
    ids: dict[str, str],
    headers: dict[bytes, list[bytes]],
    header_pool: Sequence[tuple[bytes, Sequence[str]]] = (),
) -> Iterator[FuzzRequest]:
    """
    C{count} requests from C{routes} (C{(method, path template, valid body)}).

    @param headers: sent with every request (the credentials).
    @param header_pool: C{(name, values)} of headers added now and then.
    """
    rng = random.Random(seed)
    methods = ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS")
    for _ in range(count):
        method, template, body = rng.choice(routes)
        if rng.random() < 0.1:
            method = rng.choice(methods)
        path = fill(rng, template, ids)
        if rng.random() < 0.5:
            path += "?" + query(rng, query_names)
        sent = dict(headers)
        for name, values in header_pool:
            if rng.random() < 0.15:
                sent[name] = [rng.choice(list(values) + list(NASTY_TEXT)).encode(
                    "utf-8", "replace")]
        data: bytes | None = None
        if method in ("POST", "PUT", "PATCH"):
            roll = rng.random()
            if body is None or roll < 0.15:
                data = rng.choice(GARBAGE_BODIES)
            elif roll < 0.3:
                data = json.dumps(body).encode()
            else:
                data = json.dumps(mutate(rng, body)).encode()
        yield FuzzRequest(method.encode(), path, sent, data)
