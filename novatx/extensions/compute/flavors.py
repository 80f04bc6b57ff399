"""
C{/flavors}: index, detail and show, with nova's query filters.

Non-admins list the public flavors (and the private ones their project was
given); admins choose with C{is_public} (C{none}: all). The view follows the
microversion: C{description} from 2.55, C{extra_specs} from 2.61, C{swap} as
0 instead of C{""} from 2.75.

Listings are exact: the internal API answers them from its read cache while
no flavor changed anywhere (L{novatx.compute.readcache}), with the same page,
and requests for that page in the same shape share one encoding of it
(L{ReadEncodings}), unless a controller extension extends flavors: it must be
handed the document.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Hashable, Sequence

import attrs

from novatx.compute.exceptions import Invalid
from novatx.compute.records import Flavor, Page
from novatx.extensions.compute import _listing
from novatx.extensions.compute._extension import ComputeResource, deferred, version_tuple
from novatx.extensions.compute._read_encodings import ReadEncodings
from novatx.extensions.interfaces import Route
from novatx.extensions.numbers import NotDigits, parse_digits

V2_55 = (2, 55)
V2_61 = (2, 61)
V2_75 = (2, 75)
#: From 2.102 a flavor no longer shows C{OS-FLV-DISABLED:disabled} and C{rxtx_factor}.
V2_102 = (2, 102)

#: The keys a listing may be sorted by (nova's).
SORT_KEYS = frozenset(
    (
        "created_at", "description", "disabled", "ephemeral_gb", "flavorid", "id",
        "is_public", "memory_mb", "name", "root_gb", "rxtx_factor", "swap",
        "updated_at", "vcpu_weight", "vcpus",
    )
)

#: The query parameters a listing understands; others are refused from 2.75.
QUERY_PARAMETERS = frozenset(
    ("is_public", "minRam", "minDisk", "sort_key", "sort_dir", "limit", "marker")
)


@attrs.frozen
class FlavorView:
    """
    How flavors look in one response: decided once per request, since a
    listing renders many and microversion comparisons are not free.
    """

    links: Callable[[Any], list[dict[str, str]]]
    description: bool
    extra_specs: bool
    integer_swap: bool
    legacy_fields: bool = True

    @classmethod
    def of(cls, request: Any) -> "FlavorView":
        version = version_tuple(request)
        return cls(
            links=_listing.link_maker(request, "flavors"),
            description=version >= V2_55,
            extra_specs=version >= V2_61,
            integer_swap=version >= V2_75,
            legacy_fields=version < V2_102,
        )

    def summary(self, flavor: Flavor) -> dict[str, Any]:
        """A flavor as C{GET /flavors} lists it."""
        document: dict[str, Any] = {
            "id": flavor.flavorid,
            "name": flavor.name,
            "links": self.links(flavor.flavorid),
        }
        if self.description:
            document["description"] = flavor.description
        return document

    def detail(self, flavor: Flavor) -> dict[str, Any]:
        """A flavor as C{GET /flavors/detail} and C{GET /flavors/{id}} show it."""
        document: dict[str, Any] = {
            "id": flavor.flavorid,
            "name": flavor.name,
            "ram": flavor.memory_mb,
            "disk": flavor.root_gb,
            "swap": flavor.swap if (flavor.swap or self.integer_swap) else "",
            "OS-FLV-EXT-DATA:ephemeral": flavor.ephemeral_gb,
            "vcpus": flavor.vcpus,
            "os-flavor-access:is_public": flavor.is_public,
            "links": self.links(flavor.flavorid),
        }
        if self.legacy_fields:
            document["OS-FLV-DISABLED:disabled"] = flavor.disabled
            document["rxtx_factor"] = flavor.rxtx_factor
        if self.description:
            document["description"] = flavor.description
        if self.extra_specs:
            document["extra_specs"] = dict(flavor.extra_specs)
        return document


def flavor_summary(request: Any, flavor: Flavor) -> dict[str, Any]:
    """One flavor as C{GET /flavors} lists it."""
    return FlavorView.of(request).summary(flavor)


def flavor_detail(request: Any, flavor: Flavor) -> dict[str, Any]:
    """One flavor as C{GET /flavors/{id}} shows it (and create and update answer)."""
    return FlavorView.of(request).detail(flavor)


def _is_public_filter(request: Any) -> bool | None:
    """
    Which flavors the caller lists: admins choose with C{is_public} (C{none}
    for all), everyone else sees the public ones and those shared with them.
    """
    if not request.context.is_admin:
        return True
    value = _listing.query_value(request, "is_public")
    if value is None:
        return True
    if value.strip().lower() == "none":
        return None
    try:
        return _listing.parse_bool(value, "is_public")
    except Invalid:
        raise Invalid("Invalid is_public filter [%s]" % value) from None


def _size_filter(request: Any, name: str) -> int | None:
    value = _listing.query_value(request, name)
    if value is None:
        return None
    try:
        return parse_digits(value, signed=True)
    except NotDigits:
        raise Invalid("Invalid %s filter [%s]" % (name, value)) from None


def _shape(request: Any, detail: bool) -> Hashable:
    """What a listing's encoding depends on besides the listing."""
    version = version_tuple(request)
    args = request.args
    return (
        detail,
        version >= V2_55,
        version >= V2_61,
        version >= V2_75,
        version >= V2_102,
        request.root,
        request.project_id,
        tuple((name, tuple(values)) for name, values in sorted(args.items())) if args else (),
    )


class Flavors(ComputeResource):
    """Listing and showing flavors."""

    name = "Flavors"
    alias = "flavors"

    def __init__(self) -> None:
        super().__init__()
        self._encodings = ReadEncodings()

    def routes(self) -> list[Route]:
        return [
            Route("/flavors", ("GET",), self.index, "flavors.index"),
            Route("/flavors/detail", ("GET",), self.detail, "flavors.detail"),
            Route("/flavors/<flavor_id>", ("GET",), self.show, "flavors.show"),
        ]

    def _query(self, request: Any) -> tuple[int, dict[str, Any]]:
        """The page size and the internal API's query of a listing request."""
        if not request.args:
            # What the parameters below come to when none is given.
            limit = self.max_limit
            return limit, {
                "is_public": True,
                "min_ram": None,
                "min_disk": None,
                "sort_key": "flavorid",
                "sort_dir": "asc",
                "limit": limit,
                "marker": None,
            }
        if version_tuple(request) >= V2_75:
            unknown = sorted(set(request.args) - QUERY_PARAMETERS)
            if unknown:
                raise Invalid(
                    "Invalid input for query parameters %s. Additional properties are not "
                    "allowed (%s was unexpected)" % (unknown[0], ", ".join(repr(u) for u in unknown))
                )
        limit, marker = _listing.page_size(request, self.max_limit)
        sort_key = _listing.query_value(request, "sort_key") or "flavorid"
        if sort_key not in SORT_KEYS:
            raise Invalid("Invalid sort key")
        sort_dir = _listing.query_value(request, "sort_dir") or "asc"
        if sort_dir not in ("asc", "desc"):
            raise Invalid("Invalid sort direction")
        return limit, {
            "is_public": _is_public_filter(request),
            "min_ram": _size_filter(request, "minRam"),
            "min_disk": _size_filter(request, "minDisk"),
            "sort_key": sort_key,
            "sort_dir": sort_dir,
            "limit": limit,
            "marker": marker,
        }

    def _serve_listing(self, request: Any, detail: bool, collection: str) -> Any:
        """A listing: its encoded bytes when this page was asked in this shape before."""
        limit, query = self._query(request)

        def render(page: Page) -> dict[str, Any] | bytes:
            if self.is_extended():
                return self._listing(request, page.items, limit, detail, collection)
            shape = _shape(request, detail)
            body = self._encodings.get(page, shape)
            if body is None:
                body = json.dumps(self._listing(request, page.items, limit, detail, collection)
                                  ).encode("utf-8")
                self._encodings.keep(page, shape, body)
            return body

        return self.compute.list_flavors(request.context, **query).addCallback(render)

    def _listing(self, request: Any, flavors: Sequence[Flavor], limit: int, detail: bool, collection: str) -> dict:
        view = FlavorView.of(request)
        render = view.detail if detail else view.summary
        document: dict[str, Any] = {"flavors": [render(f) for f in flavors]}
        next_page = _listing.next_links(request, flavors, collection, lambda f: f.flavorid, limit)
        if next_page:
            document["flavors_links"] = next_page
        return document

    def index(self, request: Any) -> Any:
        return self._serve_listing(request, False, "flavors")

    def detail(self, request: Any) -> Any:
        return self._serve_listing(request, True, "flavors/detail")

    @deferred
    async def show(self, request: Any, flavor_id: str) -> dict[str, Any]:
        flavor = await self.compute.get_flavor(request.context, flavor_id)
        return {"flavor": flavor_detail(request, flavor)}
