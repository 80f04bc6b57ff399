"""
Quota names as the compute API shows them, per microversion.

The internal API keeps every quota nova keeps; the network quotas nova still
listed before 2.36 (neutron's since) are the simulated network's (fixed IPs,
which nothing counts, are kept and shown as nova keeps them), and the
injected-file quotas disappear at 2.57 with personality files.
"""

from __future__ import annotations

from typing import Any

from novatx.compute.records import QuotaSet
from novatx.extensions.interfaces import APIVersion

V2_36 = APIVersion(2, 36)
V2_50 = APIVersion(2, 50)
V2_57 = APIVersion(2, 57)

#: Quotas the internal API enforces, by their API name.
ENFORCED = (
    "cores",
    "instances",
    "key_pairs",
    "metadata_items",
    "ram",
    "server_groups",
    "server_group_members",
)

#: Personality (injected file) quotas, gone at 2.57.
INJECTED = ("injected_file_content_bytes", "injected_file_path_bytes", "injected_files")

#: Network quotas, gone at 2.36 (quota classes: 2.50).
NETWORK = ("fixed_ips", "floating_ips", "security_group_rules", "security_groups")

#: The internal API's names that differ from the API's.
_INTERNAL_NAMES = {"injected_file_path_bytes": "injected_file_path_length"}


def shown_names(version: APIVersion) -> list[str]:
    """The quota names a response at C{version} carries."""
    names = list(ENFORCED)
    if version < V2_57:
        names.extend(INJECTED)
    if version < V2_36:
        names.extend(NETWORK)
    return sorted(names)


def class_names(version: APIVersion) -> list[str]:
    """
    The quota names a quota class shows at C{version}: the network quotas
    until 2.50, the server group ones from 2.50, the injected-file ones until
    2.57 (nova's quota class view).
    """
    names = [name for name in ENFORCED if version >= V2_50 or not name.startswith("server_group")]
    if version < V2_57:
        names.extend(INJECTED)
    if version < V2_50:
        names.extend(NETWORK)
    return sorted(names)


def _lookup(mapping: dict[str, int], name: str, default: int) -> int:
    if name in mapping:
        return mapping[name]
    return mapping.get(_INTERNAL_NAMES.get(name, name), default)


def limit_of(quotas: QuotaSet, name: str) -> int:
    """The limit of quota C{name} (-1, unlimited, for one the internal API does not keep)."""
    return _lookup(quotas.limits, name, -1)


def in_use(quotas: QuotaSet, name: str) -> int:
    return _lookup(quotas.in_use, name, 0)


def reserved(quotas: QuotaSet, name: str) -> int:
    return _lookup(quotas.reserved, name, 0)


def internal_name(name: str) -> str:
    """The internal API's name of an API quota name."""
    return _INTERNAL_NAMES.get(name, name)


def limits_document(quotas: QuotaSet, version: APIVersion) -> dict[str, Any]:
    """C{name: limit} for every quota shown at C{version}."""
    return {name: limit_of(quotas, name) for name in shown_names(version)}
