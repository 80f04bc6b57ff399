"""
Block storage's exceptions, in the words of nova and cinder. Each derives from
one of the internal API's kinds (L{novatx.compute.exceptions}), so every face
maps it as it maps the compute API's own.
"""

from __future__ import annotations

from novatx.compute.exceptions import Conflict, Invalid, NotFound, OverLimit


class VolumeNotFound(NotFound):
    msg_fmt = "Volume %(volume_id)s could not be found."


class SnapshotNotFound(NotFound):
    msg_fmt = "Snapshot %(snapshot_id)s could not be found."


class VolumeTypeNotFound(NotFound):
    msg_fmt = "Volume type %(volume_type_id)s could not be found."


class VolumeNotAttached(NotFound):
    """nova's answer for a volume the server does not hold."""

    msg_fmt = "Instance %(instance)s is not attached to volume %(volume)s"


class InvalidVolume(Invalid):
    msg_fmt = "Invalid volume: %(reason)s"


class InvalidSnapshot(Invalid):
    msg_fmt = "Invalid snapshot: %(reason)s"


class InvalidInput(Invalid):
    msg_fmt = "Invalid input received: %(reason)s"


class VolumeNotMigrating(Conflict):
    """A swap asked of a volume cinder is not migrating (nova's own check)."""

    msg_fmt = "volume %(volume_id)s is not migrating; this API should only be called by Cinder"


class VolumeSizeExceedsQuota(OverLimit):
    msg_fmt = ("Requested volume or snapshot exceeds allowed gigabytes quota. Requested "
               "%(requested)sG, quota is %(quota)sG and %(consumed)sG has been consumed.")


class VolumeLimitExceeded(OverLimit):
    msg_fmt = "Maximum number of volumes allowed (%(allowed)d) exceeded for quota 'volumes'."


class SnapshotLimitExceeded(OverLimit):
    msg_fmt = "Maximum number of snapshots allowed (%(allowed)d) exceeded"
