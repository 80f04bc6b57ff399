"""
The fixed IP pool (C{[network] fixed_range}): one address per instance, never
two instances on one address.

An address is given by inserting its row; the primary key refuses a second
holder, so two workers that pick the same free address at once cannot both
have it: the loser tries the next one.
"""

from __future__ import annotations

import ipaddress
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from novatx.db import tables as t

F = t.fixed_ips


class PoolExhausted(Exception):
    """No address of the range is free."""


def addresses(fixed_range: str) -> list[str]:
    """The addresses that may be given: host addresses after the gateway."""
    network = ipaddress.ip_network(fixed_range, strict=False)
    return [str(address) for address in list(network.hosts())[1:]]


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
        free = [address for address in pool if address not in taken]
        if not free:
            raise PoolExhausted(fixed_range)
        for address in free[:20]:
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
