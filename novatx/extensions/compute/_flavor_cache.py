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
"""

from __future__ import annotations

import weakref
from typing import Any, Hashable

#: One cache per internal API object: every extension of a runtime shares it.
_caches: "weakref.WeakKeyDictionary[Any, FlavorListCache]" = weakref.WeakKeyDictionary()


class FlavorListCache:
    """
    Listing results by query, each kept for C{ttl} seconds of C{clock} time.

    @ivar ttl: seconds an entry stays valid; 0 or less disables the cache.
    """

    def __init__(self, clock: Any, ttl: float) -> None:
        self._clock = clock
        self.ttl = ttl
        self.generation = 0
        self._entries: dict[Hashable, tuple[float, Any]] = {}

    def get(self, key: Hashable) -> Any:
        """The cached value of C{key}, or None when absent or expired."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        expires, value = entry
        if self._clock.seconds() >= expires:
            del self._entries[key]
            return None
        return value

    def put(self, key: Hashable, value: Any, generation: int) -> None:
        """
        Keep C{value}, read when the cache was at C{generation}: a value read
        before a change that has since emptied the cache is not kept.
        """
        if self.ttl > 0 and generation == self.generation:
            self._entries[key] = (self._clock.seconds() + self.ttl, value)

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
