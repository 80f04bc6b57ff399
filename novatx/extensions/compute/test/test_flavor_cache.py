"""The flavor listing cache: expiry on injected time, and no stale refill after a change."""

from __future__ import annotations

from twisted.internet.task import Clock
from twisted.trial import unittest

from novatx.compute.context import get_admin_context
from novatx.config import make_config
from novatx.extensions.compute._flavor_cache import FlavorListCache, flavor_cache, flavors_changed
from novatx.extensions.compute.test._http import ComputeAPITestCase, async_test


class FlavorListCacheTests(unittest.TestCase):
    def test_entries_expire_after_ttl(self) -> None:
        clock = Clock()
        cache = FlavorListCache(clock, 2.0)
        cache.put("k", ("a",), cache.generation)
        clock.advance(1.9)
        self.assertEqual(cache.get("k"), ("a",))
        clock.advance(0.1)
        self.assertIsNone(cache.get("k"))

    def test_a_read_from_before_a_change_is_not_kept(self) -> None:
        cache = FlavorListCache(Clock(), 2.0)
        started = cache.generation
        cache.clear()
        cache.put("k", ("stale",), started)
        self.assertIsNone(cache.get("k"))

    def test_zero_ttl_keeps_nothing(self) -> None:
        cache = FlavorListCache(Clock(), 0)
        cache.put("k", ("a",), cache.generation)
        self.assertIsNone(cache.get("k"))

    def test_one_cache_per_compute_api(self) -> None:
        conf = make_config([])
        compute, other = Clock(), Clock()
        clock = Clock()
        cache = flavor_cache(compute, conf, clock)
        self.assertIs(flavor_cache(compute, conf, clock), cache)
        self.assertIsNot(flavor_cache(other, conf, clock), cache)
        cache.put("k", ("a",), cache.generation)
        flavors_changed(compute)
        self.assertIsNone(cache.get("k"))


class CachedListingTests(ComputeAPITestCase):
    @async_test
    async def test_changes_through_the_api_show_at_once(self) -> None:
        await self.start()
        self.assertEqual(len((await self.get("/v2.1/flavors")).body["flavors"]), 5)
        body = {"flavor": {"name": "new", "ram": 64, "vcpus": 1, "disk": 0, "id": "n1"}}
        self.assertEqual((await self.post("/v2.1/flavors", body, user="admin")).code, 200)
        self.assertEqual(len((await self.get("/v2.1/flavors")).body["flavors"]), 6)
        await self.delete("/v2.1/flavors/n1", user="admin")
        self.assertEqual(len((await self.get("/v2.1/flavors")).body["flavors"]), 5)

    @async_test
    async def test_disabled_cache_reads_every_time(self) -> None:
        conf = make_config([])
        conf.set_override("flavor_list_cache_seconds", 0, "api")
        await self.start(conf)
        self.assertEqual(len((await self.get("/v2.1/flavors")).body["flavors"]), 5)
        await self.compute.create_flavor(get_admin_context(), "direct", 64, 1, 0, flavorid="d1")
        self.assertEqual(len((await self.get("/v2.1/flavors")).body["flavors"]), 6)
