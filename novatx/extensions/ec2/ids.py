"""
EC2's ids for the store's records: C{i-}, C{ami-}, C{vol-}, C{snap-}, C{sg-}
and C{r-} with 8 hex digits.

Instances and images carry an integer that gives their EC2 id
(L{novatx.compute.records.Instance.ec2_id}), volumes and snapshots their
C{internal_id}, security groups their store id; reading an id back checks its form first, so C{i-xyz} is
C{InvalidInstanceID.Malformed}, not "not found".
"""

from __future__ import annotations

import hashlib
import re

from novatx.compute.records import Instance
from novatx.compute.volumes.records import Snapshot, Volume
from novatx.extensions.ec2.errors import EC2Error

#: AWS's ids have 8 hex digits (older) or 17 (newer); both forms are read.
_HEX = re.compile(r"\A(?:[0-9a-f]{8}|[0-9a-f]{17})\Z")
_RESERVATION = re.compile(r"\Ar-[0-9a-f]{8}\Z")


def _parse(text: str, prefix: str, code: str) -> int:
    if not text.startswith(prefix) or not _HEX.match(text[len(prefix):]):
        raise EC2Error(code, 'Invalid id: "%s" (expecting "%s...")' % (text, prefix))
    return int(text[len(prefix):], 16)


def parse_instance_id(text: str) -> int:
    """The store's integer behind C{i-0000000a}; C{InvalidInstanceID.Malformed}."""
    return _parse(text, "i-", "InvalidInstanceID.Malformed")


def parse_image_id(text: str) -> int:
    """The integer behind C{ami-0000000a}; C{InvalidAMIID.Malformed}."""
    return _parse(text, "ami-", "InvalidAMIID.Malformed")


def parse_volume_id(text: str) -> int:
    """The integer behind C{vol-0000000a}; C{InvalidVolumeID.Malformed}."""
    return _parse(text, "vol-", "InvalidVolumeID.Malformed")


def parse_snapshot_id(text: str) -> int:
    """The integer behind C{snap-0000000a}; C{InvalidSnapshotID.Malformed}."""
    return _parse(text, "snap-", "InvalidSnapshotID.Malformed")


def parse_group_id(text: str) -> int:
    """The store id behind C{sg-0000000a}; C{InvalidGroupId.Malformed}."""
    return _parse(text, "sg-", "InvalidGroupId.Malformed")


def group_id(number: int) -> str:
    """The C{sg-} id of the security group whose store id is C{number}."""
    return "sg-%08x" % (number,)


def volume_id(volume: Volume) -> str:
    return "vol-%08x" % (volume.internal_id,)


def snapshot_id(snapshot: Snapshot) -> str:
    return "snap-%08x" % (snapshot.internal_id,)


def reservation_id(instance: Instance) -> str:
    """
    The C{r-} id of the instance's reservation. The store's reservation id is
    shown as is when it already has EC2's form, else as a stable digest of it,
    so every instance of one create shares one C{r-} id.
    """
    stored = instance.reservation_id
    if _RESERVATION.match(stored):
        return stored
    return "r-" + hashlib.sha256(stored.encode("utf-8")).hexdigest()[:8]
