"""
The records of block storage, as every face reads them: frozen, with
timezone-aware UTC times, never rows.
"""

from __future__ import annotations

import datetime
from typing import Any

import attrs

DateTime = datetime.datetime


@attrs.frozen
class VolumeAttachment:
    """
    A volume attached to a server: nova's block device mapping and cinder's
    attachment in one. C{id} is the attachment id (2.89's C{attachment_id}),
    C{bdm_uuid} the mapping's own id.
    """

    id: str
    volume_id: str
    server_id: str
    device: str
    bdm_uuid: str
    tag: str | None = None
    delete_on_termination: bool = False
    attached_at: DateTime | None = None


@attrs.frozen
class Volume:
    """A volume; C{attachments} are those of the volume (at most one: no multiattach)."""

    id: str
    internal_id: int
    project_id: str
    user_id: str
    name: str | None
    description: str | None
    size: int
    availability_zone: str
    status: str
    bootable: bool
    volume_type: str
    metadata: dict[str, str] = attrs.field(factory=dict)
    snapshot_id: str | None = None
    image_id: str | None = None
    attachments: tuple[VolumeAttachment, ...] = ()
    multiattach: bool = False
    encrypted: bool = False
    created_at: DateTime | None = None
    updated_at: DateTime | None = None

    @property
    def attach_status(self) -> str:
        """cinder's C{attach_status}: C{attached} once a server holds it."""
        return "attached" if self.attachments else "detached"


@attrs.frozen
class Snapshot:
    """A snapshot of a volume."""

    id: str
    internal_id: int
    volume_id: str
    project_id: str
    user_id: str
    name: str | None
    description: str | None
    size: int
    status: str
    metadata: dict[str, str] = attrs.field(factory=dict)
    progress: str = "0%"
    created_at: DateTime | None = None
    updated_at: DateTime | None = None


@attrs.frozen
class VolumeType:
    """A volume type; the simulated service has one, cinder's C{__DEFAULT__}."""

    id: str
    name: str
    description: str | None = None
    is_public: bool = True
    extra_specs: dict[str, Any] = attrs.field(factory=dict)


@attrs.frozen
class VolumeQuota:
    """A project's block storage limits and what it uses (-1: unlimited)."""

    project_id: str
    limits: dict[str, int]
    in_use: dict[str, int]
