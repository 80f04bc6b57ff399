"""
The metadata versions nova serves, and how a requested version is compared.

Each tree answers a dated version with the keys that existed at that date: a
key appears from the version that added it on. C{latest} is the newest version
of the tree, except in the EC2 tree where nova keeps it at C{2009-04-04}.
"""

from __future__ import annotations

#: The EC2 versions C{/} lists (nova's C{VERSIONS}).
EC2_LISTED = (
    "1.0",
    "2007-01-19",
    "2007-03-01",
    "2007-08-29",
    "2007-10-10",
    "2007-12-15",
    "2008-02-01",
    "2008-09-01",
    "2009-04-04",
)

#: Newer EC2 versions, not listed, that cloud-init's EC2 datasource probes first.
EC2_PROBED = ("2016-09-02", "2018-09-24", "2021-03-23")

#: Every EC2 version served, oldest first.
EC2_VERSIONS = EC2_LISTED + EC2_PROBED

#: What C{latest} means in the EC2 tree (nova's choice).
EC2_LATEST = "2009-04-04"

FOLSOM = "2012-08-10"
GRIZZLY = "2013-04-04"
HAVANA = "2013-10-17"
LIBERTY = "2015-10-15"
NEWTON_ONE = "2016-06-30"
NEWTON_TWO = "2016-10-06"
OCATA = "2017-02-22"
ROCKY = "2018-08-27"
VICTORIA = "2020-10-14"
EPOXY = "2025-04-04"

#: The OpenStack versions, oldest first; C{latest} is the last.
OPENSTACK_VERSIONS = (
    FOLSOM,
    GRIZZLY,
    HAVANA,
    LIBERTY,
    NEWTON_ONE,
    NEWTON_TWO,
    OCATA,
    ROCKY,
    VICTORIA,
    EPOXY,
)

LATEST = "latest"


def resolve(requested: str, versions: tuple[str, ...], latest: str) -> str | None:
    """The dated version C{requested} names in C{versions}, or None if unknown."""
    if requested == LATEST:
        return latest
    return requested if requested in versions else None


def at_least(required: str, version: str, versions: tuple[str, ...]) -> bool:
    """Whether C{version} is C{required} or newer (both members of C{versions})."""
    return versions.index(version) >= versions.index(required)
