"""Policy defaults of the Block Storage subset, under cinder's rule names."""

from __future__ import annotations

from novatx.extensions.compute.policies._rules import (
    ANYONE, PROJECT_MEMBER_OR_ADMIN, PROJECT_READER_OR_ADMIN, rules,
)

CREATE = "volume:create"
GET = "volume:get"
GET_ALL = "volume:get_all"
UPDATE = "volume:update"
DELETE = "volume:delete"
EXTEND = "volume:extend"
METADATA_GET = "volume:get_volume_metadata"
METADATA_UPDATE = "volume:update_volume_metadata"
METADATA_DELETE = "volume:delete_volume_metadata"
SNAPSHOT_CREATE = "volume:create_snapshot"
SNAPSHOT_GET = "volume:get_snapshot"
SNAPSHOT_GET_ALL = "volume:get_all_snapshots"
SNAPSHOT_UPDATE = "volume:update_snapshot"
SNAPSHOT_DELETE = "volume:delete_snapshot"
TYPE_GET = "volume_extension:type_get"
TYPE_GET_ALL = "volume_extension:type_get_all"
LIMITS = "limits_extension:used_limits"
ZONES = "volume_extension:availability_zone_list"

RULES = rules(
    (CREATE, PROJECT_MEMBER_OR_ADMIN, "Create a volume."),
    (GET, PROJECT_READER_OR_ADMIN, "Show a volume."),
    (GET_ALL, PROJECT_READER_OR_ADMIN, "List volumes."),
    (UPDATE, PROJECT_MEMBER_OR_ADMIN, "Update a volume."),
    (DELETE, PROJECT_MEMBER_OR_ADMIN, "Delete a volume."),
    (EXTEND, PROJECT_MEMBER_OR_ADMIN, "Extend a volume."),
    (METADATA_GET, PROJECT_READER_OR_ADMIN, "Show a volume's metadata."),
    (METADATA_UPDATE, PROJECT_MEMBER_OR_ADMIN, "Set a volume's metadata."),
    (METADATA_DELETE, PROJECT_MEMBER_OR_ADMIN, "Delete a volume's metadata item."),
    (SNAPSHOT_CREATE, PROJECT_MEMBER_OR_ADMIN, "Create a volume snapshot."),
    (SNAPSHOT_GET, PROJECT_READER_OR_ADMIN, "Show a volume snapshot."),
    (SNAPSHOT_GET_ALL, PROJECT_READER_OR_ADMIN, "List volume snapshots."),
    (SNAPSHOT_UPDATE, PROJECT_MEMBER_OR_ADMIN, "Update a volume snapshot."),
    (SNAPSHOT_DELETE, PROJECT_MEMBER_OR_ADMIN, "Delete a volume snapshot."),
    (TYPE_GET, ANYONE, "Show a volume type."),
    (TYPE_GET_ALL, ANYONE, "List volume types."),
    (LIMITS, ANYONE, "Show the project's block storage limits and usage."),
    (ZONES, ANYONE, "List the storage availability zones."),
)
