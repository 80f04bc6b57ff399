"""
A short-lived cache of flavor listings, shared by the flavor resources of one
compute API.

Flavors change rarely and are listed often (every C{openstack server create}
resolves one; dashboards list them on every page), and reading them costs a
database round trip per request. Each process keeps what the internal API
answered for a listing for C{[api] flavor_list_cache_seconds}; any flavor
change made through this process (create, update, delete, extra specs,
access) empties it at once, so a process never shows its own change late.
A change made through another worker or process is seen within that many
seconds; 0 turns the cache off.

Beside each listing it keeps the listing's encoded answers, one per shape (the
view's microversion features, the links' root, the query): a listing asked
again in the same shape is answered with bytes already made, with no document
built and no JSON encoded. They go when the listing goes.
"""

from __future__ import annotations

import weakref
from typing import Any, Hashable

#: One cache per internal API object: every extension of a runtime shares it.
_caches: "weakref.WeakKeyDictionary[Any, FlavorListCache]" = weakref.WeakKeyDictionary()


class FlavorListCache:
    """
    Listing results by query, each kept for C{ttl} seconds of C{clock} time,
    with their encodings.

    @ivar ttl: seconds an entry stays valid; 0 or less disables the cache.
    """

    #: Encodings kept per listing at most: the shapes clients ask in are few,
    #: but the links' host is the client's to choose.
    MAX_ENCODINGS = 16

    def __init__(self, clock: Any, ttl: float) -> None:
        self._clock = clock
        self.ttl = ttl
        self.generation = 0
        self._entries: dict[Hashable, tuple[float, Any, dict[Hashable, bytes]]] = {}

    def get(self, key: Hashable) -> Any:
        """The cached value of C{key}, or None when absent or expired."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        if self._clock.seconds() >= entry[0]:
            del self._entries[key]
            return None
        return entry[1]

    def get_encoded(self, key: Hashable, shape: Hashable) -> bytes | None:
        """
        What L{keep_encoded} kept for C{key}'s cached value in C{shape}, or
        None. Ask L{get} first: this does not check the entry's expiry.
        """
        entry = self._entries.get(key)
        return None if entry is None else entry[2].get(shape)

    def keep_encoded(self, key: Hashable, shape: Hashable, body: bytes) -> None:
        """Keep C{body}, C{key}'s cached value encoded in C{shape}, as long as that value."""
        entry = self._entries.get(key)
        if entry is not None and len(entry[2]) < self.MAX_ENCODINGS:
            entry[2][shape] = body

    def put(self, key: Hashable, value: Any, generation: int) -> None:
        """
        Keep C{value}, read when the cache was at C{generation}: a value read
        before a change that has since emptied the cache is not kept.
        """
        if self.ttl > 0 and generation == self.generation:
            self._entries[key] = (self._clock.seconds() + self.ttl, value, {})

    def clear(self) -> None:
        """Forget everything: a flavor changed."""
        self.generation += 1
        self._entries.clear()


def flavor_cache(compute: Any, config: Any, clock: Any) -> FlavorListCache:
    """The cache shared by the flavor resources serving C{compute}."""
    cache = _caches.get(compute)
    if cache is None:
        cache = _caches[compute] = FlavorListCache(clock, config.api.flavor_list_cache_seconds)
    return cache


def flavors_changed(compute: Any) -> None:
    """Empty the cache of C{compute}'s flavor listings: this process changed a flavor."""
    cache = _caches.get(compute)
    if cache is not None:
        cache.clear()
