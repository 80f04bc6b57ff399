"""
Policy defaults of a server's volume attachments and of the volume proxies,
under nova's rule names. Swapping a volume is cinder's to ask, so an admin's.
"""

from __future__ import annotations

from novatx.extensions.compute.policies._rules import (
    ADMIN, PROJECT_MEMBER_OR_ADMIN, PROJECT_READER_OR_ADMIN, rules,
)

ATTACHMENTS = "os_compute_api:os-volumes-attachments:%s"
VOLUMES = "os_compute_api:os-volumes:%s"
SNAPSHOTS = "os_compute_api:os-volumes:snapshots:%s"
ASSISTED_SNAPSHOTS = "os_compute_api:os-assisted-volume-snapshots:%s"

ATTACHMENT_RULES = rules(
    (ATTACHMENTS % "index", PROJECT_READER_OR_ADMIN, "List a server's volume attachments."),
    (ATTACHMENTS % "show", PROJECT_READER_OR_ADMIN, "Show a server's volume attachment."),
    (ATTACHMENTS % "create", PROJECT_MEMBER_OR_ADMIN, "Attach a volume to a server."),
    (ATTACHMENTS % "update", PROJECT_MEMBER_OR_ADMIN,
     "Update a volume attachment (2.85: delete_on_termination)."),
    (ATTACHMENTS % "swap", ADMIN, "Swap the volume of an attachment."),
    (ATTACHMENTS % "delete", PROJECT_MEMBER_OR_ADMIN, "Detach a volume from a server."),
)

PROXY_RULES = rules(
    (VOLUMES % "list", PROJECT_READER_OR_ADMIN, "List volumes (proxy, up to 2.35)."),
    (VOLUMES % "detail", PROJECT_READER_OR_ADMIN, "List volumes with details (proxy)."),
    (VOLUMES % "show", PROJECT_READER_OR_ADMIN, "Show a volume (proxy)."),
    (VOLUMES % "create", PROJECT_MEMBER_OR_ADMIN, "Create a volume (proxy)."),
    (VOLUMES % "delete", PROJECT_MEMBER_OR_ADMIN, "Delete a volume (proxy)."),
    (SNAPSHOTS % "list", PROJECT_READER_OR_ADMIN, "List volume snapshots (proxy)."),
    (SNAPSHOTS % "detail", PROJECT_READER_OR_ADMIN, "List volume snapshots with details."),
    (SNAPSHOTS % "show", PROJECT_READER_OR_ADMIN, "Show a volume snapshot (proxy)."),
    (SNAPSHOTS % "create", PROJECT_MEMBER_OR_ADMIN, "Create a volume snapshot (proxy)."),
    (SNAPSHOTS % "delete", PROJECT_MEMBER_OR_ADMIN, "Delete a volume snapshot (proxy)."),
)

ASSISTED_SNAPSHOT_RULES = rules(
    (ASSISTED_SNAPSHOTS % "create", ADMIN,
     "Snapshot an attached volume's file (the block storage service asks)."),
    (ASSISTED_SNAPSHOTS % "delete", ADMIN,
     "Delete an attached volume's file snapshot (the block storage service asks)."),
)
