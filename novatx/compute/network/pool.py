"""
A subnet's pool of addresses, and the MAC addresses ports get.

The pool is worked out, never listed; who holds an address is the store's
business (L{novatx.compute.network.ports}).
"""

from __future__ import annotations

import ipaddress
import itertools
import random
from typing import Iterator


class Pool:
    """
    The addresses of a range that may be given: its host addresses after the
    first (the gateway), in order. Worked out as asked, never listed: a /16
    listed is 65,000 objects built per boot on a database thread, holding
    the GIL the reactor needs, and a /12 takes seconds.
    """

    def __init__(self, fixed_range: str) -> None:
        self.network = ipaddress.ip_network(fixed_range, strict=False)

    def __iter__(self) -> Iterator[str]:
        return (str(address) for address in itertools.islice(self.network.hosts(), 1, None))

    def __contains__(self, address: object) -> bool:
        """Whether C{address}, written as the pool writes it, may be given."""
        try:
            parsed = ipaddress.ip_address(address)  # type: ignore[arg-type]
        except ValueError:
            return False
        if str(parsed) != address or parsed not in self.network:
            return False
        network = self.network
        if network.num_addresses > 2:
            # hosts() leaves out the network address, and IPv4's broadcast one.
            outside = {network.network_address}
            if network.version == 4:
                outside.add(network.broadcast_address)
            if parsed in outside:
                return False
        return parsed != next(iter(network.hosts()), None)


def addresses(fixed_range: str) -> Pool:
    """The addresses that may be given (L{Pool}): host addresses after the gateway."""
    return Pool(fixed_range)


_RANDOM = random.SystemRandom()


def random_mac() -> str:
    """
    A MAC address under neutron's base C{fa:16:3e}; a clash with a port's is
    refused by the store's unique key, and the caller draws again.
    """
    return "fa:16:3e:%02x:%02x:%02x" % tuple(_RANDOM.randrange(256) for _ in range(3))
