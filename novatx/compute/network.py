"""
The fixed IP pool (C{[network] fixed_range}): one address per instance, never
two instances on one address.

An address is given by inserting its row; the primary key refuses a second
holder, so two workers that pick the same free address at once cannot both
have it: the loser tries the next one.
"""

from __future__ import annotations

import ipaddress
import itertools
from typing import Any, Iterator

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from novatx.db import tables as t

F = t.fixed_ips


class PoolExhausted(Exception):
    """No address of the range is free."""


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


def mac_for(address: str) -> str:
    """A stable locally administered MAC for an address (fa:16:3e, as nova's)."""
    packed = ipaddress.ip_address(address).packed[-3:]
    return "fa:16:3e:" + ":".join("%02x" % b for b in packed)


class AddressInUse(Exception):
    """The address asked for is held by another instance."""


def allocate(connection: Connection, fixed_range: str, instance_uuid: str, now: Any,
             wanted: str | None = None) -> str:
    """
    Give C{instance_uuid} an address (its existing one if it holds one; the
    C{wanted} one when asked). Each try runs in a savepoint so a lost race
    leaves the transaction usable.
    """
    held = connection.execute(
        sa.select(F.c.address).where(F.c.instance_uuid == instance_uuid)).scalar()
    if held:
        return held
    if wanted is not None:
        try:
            with connection.begin_nested():
                connection.execute(sa.insert(F).values(
                    address=wanted, instance_uuid=instance_uuid, allocated_at=now))
        except IntegrityError:
            raise AddressInUse(wanted)
        return wanted
    pool = addresses(fixed_range)
    for _ in range(5):
        taken = set(connection.execute(sa.select(F.c.address)).scalars())
        free = list(itertools.islice((a for a in pool if a not in taken), 20))
        if not free:
            raise PoolExhausted(fixed_range)
        for address in free:
            try:
                with connection.begin_nested():
                    connection.execute(sa.insert(F).values(
                        address=address, instance_uuid=instance_uuid, allocated_at=now))
                return address
            except IntegrityError:
                continue
    raise PoolExhausted(fixed_range)


def release(connection: Connection, instance_uuid: str) -> None:
    connection.execute(sa.delete(F).where(F.c.instance_uuid == instance_uuid))
