"""
Query parameters and links shared by the listings: paging, booleans, links.

Nova reads C{limit} and C{marker} the same way for every collection and adds a
C{<collection>_links} "next" link when a page is full; these helpers keep that in
one place so every listing pages alike.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Iterable, Sequence
from urllib.parse import quote, urlencode

from novatx.compute.exceptions import Invalid
from novatx.extensions.numbers import MAX_DIGITS, NotDigits, is_digits, parse_digits

#: A path segment that percent-encoding leaves as it is.
_UNRESERVED = re.compile(r"[A-Za-z0-9._~-]*\Z")

_TRUE = frozenset(("1", "t", "true", "on", "y", "yes"))
_FALSE = frozenset(("0", "f", "false", "off", "n", "no"))


def query_value(request: Any, name: str) -> str | None:
    """The last value of query parameter C{name}, or None when absent."""
    values = request.args.get(name)
    if not values:
        return None
    return values[-1]


def invalid_query(name: str, value: str, reason: str) -> Invalid:
    """The 400 nova answers for a query parameter its schema refuses."""
    return Invalid(
        "Invalid input for query parameters %s. Value: %s. %s" % (name, value, reason)
    )


def parse_int(request: Any, name: str, minimum: int = 0) -> int | None:
    """An integer query parameter no smaller than C{minimum}, or None."""
    value = query_value(request, name)
    if value is None:
        return None
    try:
        number = parse_digits(value, signed=True)
    except NotDigits:
        raise invalid_query(name, value, "'%s' is not of type 'integer'" % value) from None
    if number < minimum:
        raise invalid_query(name, value, "%d is less than the minimum of %d" % (number, minimum))
    return number


def capped_limit(name: str, text: str, cap: int) -> int:
    """
    A C{limit} as a number no larger than C{cap}: any run of ASCII digits
    (one longer than a number needs is simply more than C{cap}); anything
    else, even what a loose schema pattern lets through, is a 400.
    """
    if is_digits(text) and len(text) > MAX_DIGITS:
        return cap
    try:
        return min(cap, parse_digits(text))
    except NotDigits:
        raise invalid_query(name, text, "'%s' does not match '^[0-9]*$'" % text) from None


def parse_bool(text: str, name: str) -> bool:
    """A strict boolean in the spellings oslo's C{bool_from_string} accepts."""
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise invalid_query(name, text, "'%s' is not a valid boolean" % text)


def page_size(request: Any, max_limit: int) -> tuple[int, str | None]:
    """
    The C{limit} and C{marker} of a listing request.

    C{limit} is capped at C{max_limit} and defaults to it, as nova does; a
    negative or non-integer C{limit} is refused with 400.
    """
    limit = parse_int(request, "limit", minimum=0)
    if limit is None or limit > max_limit:
        limit = max_limit
    return limit, query_value(request, "marker")


def next_links(
    request: Any,
    items: Sequence[Any],
    collection: str,
    identify: Callable[[Any], str],
    limit: int,
) -> list[dict[str, str]]:
    """
    Nova's C{<collection>_links}: a C{next} link when the page is full.

    The link keeps the request's other query parameters and sets C{marker} to
    the last item's id, so a client following it asks the same question again.
    """
    if not items or len(items) < limit:
        return []
    query = [
        (key, value)
        for key, values in sorted(request.args.items())
        if key != "marker"
        for value in values
    ]
    query.append(("marker", identify(items[-1])))
    href = request.project_url(*collection.split("/")) + "?" + urlencode(query)
    return [{"rel": "next", "href": href}]


def resource_links(request: Any, collection: str, identifier: Any) -> list[dict[str, str]]:
    """The C{self} and C{bookmark} links of one resource."""
    return link_maker(request, collection)(identifier)


def link_maker(request: Any, collection: str) -> Callable[[Any], list[dict[str, str]]]:
    """
    L{resource_links} for many members of one collection: the bases are built
    once per request, not once per member (listings build hundreds).
    """
    own = request.project_url(collection) + "/"
    bookmark = request.bookmark(collection) + "/"

    def links(identifier: Any) -> list[dict[str, str]]:
        segment = str(identifier)
        if not _UNRESERVED.match(segment):
            segment = quote(segment, safe="")
        return [{"rel": "self", "href": own + segment}, {"rel": "bookmark", "href": bookmark + segment}]

    return links


def bool_flag(values: Iterable[str]) -> bool:
    """Nova's loose reading of flags such as C{detailed=1}: any true spelling."""
    return any(v.strip().lower() in _TRUE for v in values)


def origin(request: Any) -> str:
    """C{scheme://host[:port]} as the client reached this server."""
    scheme, separator, rest = request.url().partition("://")
    return scheme + separator + rest.split("/", 1)[0]
