"""
What the servers resource and the extensions around it share: nova's boolean
strings, passwords, optional config, and soft policy checks.
"""

from __future__ import annotations

import ipaddress
import secrets
from typing import Any

from oslo_config import cfg

from novatx.compute import exceptions
from novatx.extensions.compute.schemas.servers import TRUE_STRINGS

#: nova's C{utils.generate_password} alphabet: no look-alike characters.
_PASSWORD_SYMBOLS = "23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def as_bool(value: Any) -> bool:
    """A value that passed L{schemas.servers.boolean}, as a bool."""
    if isinstance(value, bool):
        return value
    return str(value).lower() in TRUE_STRINGS


def normalised_ipv6(value: str | None) -> str | None:
    """
    An C{accessIPv6} as nova stores it: the compressed form
    (C{0000::babe:220.12.22.2} is C{::babe:dc0c:1602}); empty stays empty.
    """
    if not value:
        return value
    try:
        return str(ipaddress.IPv6Address(value))
    except ValueError:
        raise exceptions.Invalid(
            "Invalid input for field/attribute accessIPv6. Value: %s. '%s' is not a 'ipv6'"
            % (value, value)
        ) from None


def generate_password(length: int = 12) -> str:
    """A random admin password, as nova makes one when the request has none."""
    return "".join(secrets.choice(_PASSWORD_SYMBOLS) for _ in range(length))


def option(conf: Any, group: str, name: str, default: Any) -> Any:
    """
    An option another part registers (C{[api] max_limit}), or C{default}
    when that part is not loaded.
    """
    try:
        return getattr(getattr(conf, group), name)
    except (cfg.NoSuchOptError, cfg.NoSuchGroupError, AttributeError):
        return default
