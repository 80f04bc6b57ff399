"""
The fixed IP pool's addresses: the host addresses of C{[network] fixed_range}
after the gateway, worked out as asked so that a large range costs nothing.
"""

from __future__ import annotations

import ipaddress
import itertools

from twisted.trial.unittest import TestCase

from novatx.compute.network import pool as network


class PoolTests(TestCase):
    def test_the_hosts_after_the_gateway(self):
        for fixed_range in ("10.0.0.0/24", "10.9.0.0/28", "10.0.0.0/30", "10.0.0.0/31",
                            "10.0.0.0/32", "10.0.0.7/22", "fd00::/120", "fd00::/126",
                            "fd00::/127"):
            net = ipaddress.ip_network(fixed_range, strict=False)
            expected = [str(address) for address in list(net.hosts())[1:]]
            pool = network.addresses(fixed_range)
            self.assertEqual(expected, list(pool), fixed_range)
            self.assertEqual(expected, [str(a) for a in net if str(a) in pool], fixed_range)

    def test_what_is_not_an_address_of_the_pool(self):
        pool = network.addresses("10.0.0.0/24")
        for address in ("10.0.0.1", "10.0.0.0", "10.0.0.255", "10.0.1.2", "10.0.0.02",
                        "10.0.0.2\x00", "nonsense", "", "fd00::2"):
            self.assertNotIn(address, pool)
        self.assertIn("10.0.0.2", pool)

    def test_a_huge_range_is_never_listed(self):
        """An IPv6 /64 (2**64 addresses) would never finish if it were listed."""
        pool = network.addresses("fd00::/64")
        self.assertEqual(["fd00::2", "fd00::3"], list(itertools.islice(pool, 2)))
        self.assertIn("fd00::ffff:ffff:ffff:ffff", pool)
