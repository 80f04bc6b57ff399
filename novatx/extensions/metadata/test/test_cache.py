"""The per-instance cache: expiry on the injected clock, invalidation."""

from __future__ import annotations

from twisted.internet.task import Clock
from twisted.trial.unittest import TestCase

from novatx.extensions.metadata.cache import MetadataCache


class MetadataCacheTests(TestCase):
    def setUp(self) -> None:
        self.clock = Clock()
        self.cache = MetadataCache(self.clock, 15)

    def test_values_live_until_expiry(self) -> None:
        self.cache.put("u1", "data", 1)
        self.cache.remember_address("10.0.0.5", "u1")
        self.clock.advance(14.9)
        self.assertEqual((self.cache.get("u1", "data"), self.cache.uuid_for("10.0.0.5")), (1, "u1"))
        self.clock.advance(0.1)
        self.assertEqual((self.cache.get("u1", "data"), self.cache.uuid_for("10.0.0.5")), (None, None))

    def test_values_of_an_instance_expire_together(self) -> None:
        self.cache.put("u1", "data", 1)
        self.clock.advance(10)
        self.cache.put("u1", ("ec2", "latest"), 2)
        self.clock.advance(5)
        self.assertIsNone(self.cache.get("u1", ("ec2", "latest")))

    def test_invalidate_drops_the_instance_and_its_addresses(self) -> None:
        self.cache.put("u1", "data", 1)
        self.cache.put("u2", "data", 2)
        self.cache.remember_address("10.0.0.5", "u1")
        self.cache.invalidate("u1")
        self.assertIsNone(self.cache.get("u1", "data"))
        self.assertIsNone(self.cache.uuid_for("10.0.0.5"))
        self.assertEqual(self.cache.get("u2", "data"), 2)

    def test_zero_expiration_keeps_nothing(self) -> None:
        cache = MetadataCache(self.clock, 0)
        cache.put("u1", "data", 1)
        cache.remember_address("10.0.0.5", "u1")
        self.assertEqual((cache.get("u1", "data"), cache.uuid_for("10.0.0.5")), (None, None))

    def test_expired_entries_are_swept_when_many(self) -> None:
        for n in range(5000):
            self.cache.put("u%d" % n, "data", n)
        self.clock.advance(15)
        self.cache.put("fresh", "data", 0)
        self.assertEqual(len(self.cache), 1)
