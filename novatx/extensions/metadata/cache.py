"""
Per-instance memory of what the metadata trees need, for C{[api]
metadata_cache_expiration} seconds.

A guest reads dozens of paths at boot (cloud-init walks every EC2 listing), so
the store is asked once per instance, not once per path. Entries expire on the
injected clock, and the internal API's change notifications drop an instance's
entries at once, so metadata set through the compute API is seen without waiting.
"""

from __future__ import annotations

from typing import Any

from twisted.internet.interfaces import IReactorTime

#: Past this many entries, expired ones are swept out on the next store.
_SWEEP_AT = 4096


class MetadataCache:
    """
    Per instance uuid, named values (its data, its rendered trees and
    documents), all expiring together; and instance uuids by asking address.

    @ivar expiration: seconds an entry lives; 0 keeps nothing.
    """

    def __init__(self, clock: IReactorTime, expiration: int) -> None:
        self._clock = clock
        self.expiration = expiration
        self._by_uuid: dict[str, tuple[float, dict[Any, Any]]] = {}
        self._by_address: dict[str, tuple[float, str]] = {}

    def __len__(self) -> int:
        """How many instances have entries (expired ones not yet swept included)."""
        return len(self._by_uuid)

    def uuid_for(self, address: str) -> str | None:
        """The instance last found at C{address}, if still fresh."""
        entry = self._by_address.get(address)
        if entry is None or entry[0] <= self._clock.seconds():
            return None
        return entry[1]

    def remember_address(self, address: str, instance_uuid: str) -> None:
        """Note that C{address} belongs to C{instance_uuid}."""
        if self.expiration:
            self._sweep(self._by_address)
            self._by_address[address] = (self._clock.seconds() + self.expiration, instance_uuid)

    def get(self, instance_uuid: str, name: Any) -> Any:
        """The value stored under C{name} for the instance, or None."""
        entry = self._by_uuid.get(instance_uuid)
        if entry is None or entry[0] <= self._clock.seconds():
            return None
        return entry[1].get(name)

    def put(self, instance_uuid: str, name: Any, value: Any) -> None:
        """Keep C{value} under C{name} until the instance's entry expires or changes."""
        if not self.expiration:
            return
        now = self._clock.seconds()
        entry = self._by_uuid.get(instance_uuid)
        if entry is None or entry[0] <= now:
            self._sweep(self._by_uuid)
            entry = (now + self.expiration, {})
            self._by_uuid[instance_uuid] = entry
        entry[1][name] = value

    def invalidate(self, instance_uuid: str) -> None:
        """Forget the instance (it changed); the internal API's observer."""
        self._by_uuid.pop(instance_uuid, None)
        for address, (_, owner) in list(self._by_address.items()):
            if owner == instance_uuid:
                del self._by_address[address]

    def _sweep(self, entries: dict[str, tuple[float, Any]]) -> None:
        if len(entries) < _SWEEP_AT:
            return
        now = self._clock.seconds()
        for key, (expires, _) in list(entries.items()):
            if expires <= now:
                del entries[key]
