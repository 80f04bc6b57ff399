"""
How volumes, snapshots and types look in cinder's v3 API, by microversion.
Times are cinder's: ISO 8601 with microseconds and no zone.
"""

from __future__ import annotations

from typing import Any

from novatx.compute.volumes.records import Snapshot, Volume, VolumeQuota, VolumeType
from novatx.extensions.compute.servers_views import primitive_time
from novatx.extensions.interfaces import APIVersion

V3_13 = APIVersion(3, 13)
V3_14 = APIVersion(3, 14)
V3_41 = APIVersion(3, 41)
V3_48 = APIVersion(3, 48)
V3_63 = APIVersion(3, 63)
V3_64 = APIVersion(3, 64)
V3_65 = APIVersion(3, 65)


def links(request: Any, project_id: str, collection: str, ident: str) -> list[dict[str, str]]:
    return [
        {"href": request.url("v3", project_id, collection, ident), "rel": "self"},
        {"href": request.url(project_id, collection, ident), "rel": "bookmark"},
    ]


def volume_summary(request: Any, volume: Volume) -> dict[str, Any]:
    return {"id": volume.id, "name": volume.name,
            "links": links(request, volume.project_id, "volumes", volume.id)}


def volume_detail(request: Any, volume: Volume, version: APIVersion,
                  type_id: str, admin_attributes: bool = True) -> dict[str, Any]:
    """
    A volume as C{GET /volumes/{id}} shows it: admins also see its project
    and host, unless C{admin_attributes} is false (the create and update
    answers, which cinder's attribute extensions do not extend).
    """
    document: dict[str, Any] = {
        "id": volume.id,
        "name": volume.name,
        "description": volume.description,
        "status": volume.status,
        "size": volume.size,
        "availability_zone": volume.availability_zone,
        "created_at": primitive_time(volume.created_at),
        "updated_at": primitive_time(volume.updated_at),
        "attachments": [
            {"id": volume.id, "attachment_id": attachment.id, "volume_id": volume.id,
             "server_id": attachment.server_id, "host_name": None,
             "device": attachment.device,
             "attached_at": primitive_time(attachment.attached_at)}
            for attachment in volume.attachments
        ],
        "volume_type": volume.volume_type,
        "snapshot_id": volume.snapshot_id,
        "source_volid": None,
        "metadata": dict(volume.metadata),
        "links": links(request, volume.project_id, "volumes", volume.id),
        "user_id": volume.user_id,
        "bootable": "true" if volume.bootable else "false",
        "encrypted": volume.encrypted,
        "replication_status": None,
        "consistencygroup_id": None,
        "multiattach": volume.multiattach,
    }
    if admin_attributes and request.context.is_admin:
        # cinder's volume_extension:volume_tenant_attribute rule is admin_api.
        document["os-vol-tenant-attr:tenant_id"] = volume.project_id
        document["os-vol-host-attr:host"] = "simulated@simulated#simulated"
        document["os-vol-mig-status-attr:migstat"] = None
        document["os-vol-mig-status-attr:name_id"] = None
        document["migration_status"] = None
    if version >= V3_13:
        document["group_id"] = None
    if version >= V3_48:
        document["shared_targets"] = False
    if version >= V3_63:
        document["volume_type_id"] = type_id
    if version >= V3_64:
        document["encryption_key_id"] = None
    if version >= V3_65:
        document["consumes_quota"] = True
    return document


def snapshot_detail(snapshot: Snapshot, version: APIVersion) -> dict[str, Any]:
    document: dict[str, Any] = {
        "id": snapshot.id,
        "name": snapshot.name,
        "description": snapshot.description,
        "volume_id": snapshot.volume_id,
        "status": snapshot.status,
        "size": snapshot.size,
        "metadata": dict(snapshot.metadata),
        "created_at": primitive_time(snapshot.created_at),
        "updated_at": primitive_time(snapshot.updated_at),
        "os-extended-snapshot-attributes:progress": snapshot.progress,
        "os-extended-snapshot-attributes:project_id": snapshot.project_id,
    }
    if version >= V3_14:
        document["group_snapshot_id"] = None
    if version >= V3_41:
        document["user_id"] = snapshot.user_id
    if version >= V3_65:
        document["consumes_quota"] = True
    return document


def volume_type(kind: VolumeType) -> dict[str, Any]:
    return {
        "id": kind.id, "name": kind.name, "description": kind.description,
        "is_public": kind.is_public, "os-volume-type-access:is_public": kind.is_public,
        "extra_specs": dict(kind.extra_specs), "qos_specs_id": None,
    }


def limits(quota: VolumeQuota) -> dict[str, Any]:
    """cinder's absolute limits: the project's quotas and what it uses (no backups here)."""
    return {"limits": {"rate": [], "absolute": {
        "maxTotalVolumes": quota.limits["volumes"],
        "maxTotalSnapshots": quota.limits["snapshots"],
        "maxTotalVolumeGigabytes": quota.limits["gigabytes"],
        "maxTotalBackups": 0,
        "maxTotalBackupGigabytes": 0,
        "totalVolumesUsed": quota.in_use["volumes"],
        "totalGigabytesUsed": quota.in_use["gigabytes"],
        "totalSnapshotsUsed": quota.in_use["snapshots"],
        "totalBackupsUsed": 0,
        "totalBackupGigabytesUsed": 0,
    }}}
