"""
Rows to records: the one place that turns the store's rows into the frozen
records of L{novatx.compute.records}, and reactor time into timestamps.
"""

from __future__ import annotations

import datetime
from typing import Any, Iterable, Mapping

from novatx.compute import states
from novatx.compute.records import AttachedVolume, Fault, Flavor, Image, Instance, KeyPair

UTC = datetime.timezone.utc


def naive(seconds: float) -> datetime.datetime:
    """A store timestamp (naive UTC) for reactor time C{seconds}."""
    return datetime.datetime.fromtimestamp(seconds, UTC).replace(tzinfo=None)


def aware(value: datetime.datetime | None) -> datetime.datetime | None:
    """A record timestamp (aware UTC) for a store one."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def to_store(value: datetime.datetime) -> datetime.datetime:
    """A caller's timestamp (aware or naive UTC) as the store keeps it."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def flavor_dict(row: Mapping[str, Any], extra_specs: dict[str, str] | None = None) -> dict:
    """The JSON an instance keeps of its flavor."""
    return {
        "id": row["id"], "flavorid": row["flavorid"], "name": row["name"],
        "memory_mb": row["memory_mb"], "vcpus": row["vcpus"], "root_gb": row["root_gb"],
        "ephemeral_gb": row["ephemeral_gb"], "swap": row["swap"],
        "rxtx_factor": row["rxtx_factor"], "is_public": bool(row["is_public"]),
        "disabled": bool(row["disabled"]), "description": row["description"],
        "extra_specs": dict(extra_specs or {}),
    }


def flavor(row: Mapping[str, Any], extra_specs: dict[str, str] | None = None) -> Flavor:
    return Flavor(
        id=row["id"], flavorid=row["flavorid"], name=row["name"],
        memory_mb=row["memory_mb"], vcpus=row["vcpus"], root_gb=row["root_gb"],
        ephemeral_gb=row["ephemeral_gb"], swap=row["swap"],
        rxtx_factor=row["rxtx_factor"], is_public=bool(row["is_public"]),
        disabled=bool(row["disabled"]), description=row["description"],
        extra_specs=dict(extra_specs or {}),
        created_at=aware(row.get("created_at")), updated_at=aware(row.get("updated_at")),
    )


def flavor_from_json(data: Mapping[str, Any]) -> Flavor:
    return Flavor(
        id=data["id"], flavorid=data["flavorid"], name=data["name"],
        memory_mb=data["memory_mb"], vcpus=data["vcpus"], root_gb=data["root_gb"],
        ephemeral_gb=data.get("ephemeral_gb", 0), swap=data.get("swap", 0),
        rxtx_factor=data.get("rxtx_factor", 1.0), is_public=data.get("is_public", True),
        disabled=data.get("disabled", False), description=data.get("description"),
        extra_specs=dict(data.get("extra_specs") or {}),
    )


def image(row: Mapping[str, Any]) -> Image:
    return Image(
        id=row["uuid"], internal_id=row["id"], name=row["name"],
        status="deleted" if row["deleted"] else row["status"],
        disk_format=row["disk_format"], container_format=row["container_format"],
        size=row["size"], min_disk=row["min_disk"], min_ram=row["min_ram"],
        visibility=row["visibility"], owner=row["owner"], protected=bool(row["protected"]),
        properties=dict(row["properties"] or {}),
        created_at=aware(row["created_at"]),
        updated_at=aware(row["updated_at"] or row["created_at"]),
    )


def key_pair(row: Mapping[str, Any], private_key: str | None = None) -> KeyPair:
    return KeyPair(
        name=row["name"], user_id=row["user_id"], type=row["type"],
        public_key=row["public_key"], fingerprint=row["fingerprint"],
        created_at=aware(row["created_at"]), id=row["id"], private_key=private_key,
        private_key_fingerprint=row["private_key_fingerprint"],
    )


def fault(row: Mapping[str, Any] | None) -> Fault | None:
    if row is None:
        return None
    return Fault(code=row["code"], message=row["message"], details=row["details"],
                 created_at=aware(row["created_at"]))


def instance(
    row: Mapping[str, Any],
    metadata: dict[str, str],
    tags: Iterable[str],
    fault_row: Mapping[str, Any] | None,
    groups: Iterable[str],
    extra_defaults: Mapping[str, Any],
    volumes: Iterable[AttachedVolume] = (),
    addresses: tuple[Any, ...] = (),
    security_groups: tuple[tuple[str, int], ...] = (),
) -> Instance:
    """
    An L{Instance} from its row and the rows that hang off it. A resized
    server waiting for confirmation runs on its new flavor, and nova shows that
    one; the row keeps it aside until confirmed, so a revert finds the old.
    """
    flavor_data = row["flavor"]
    if row["vm_state"] == states.RESIZED:
        pending = row.get("new_flavor") or {}
        flavor_data = pending.get("flavor") or flavor_data
    networks = row["networks"]
    if isinstance(networks, list):
        networks = tuple(networks)
    extra = dict(extra_defaults)
    extra.update(row["extra"] or {})
    return Instance(
        id=row["id"], uuid=row["uuid"], name=row["name"],
        project_id=row["project_id"], user_id=row["user_id"],
        flavor=flavor_from_json(flavor_data), image_id=row["image_id"],
        vm_state=row["vm_state"], task_state=row["task_state"],
        power_state=row["power_state"],
        status=states.status_from_state(row["vm_state"], row["task_state"]),
        created_at=aware(row["created_at"]), updated_at=aware(row["updated_at"]),
        launched_at=aware(row["launched_at"]), terminated_at=aware(row["terminated_at"]),
        deleted=bool(row["deleted"]), deleted_at=aware(row["deleted_at"]),
        hostname=row["hostname"], description=row["description"],
        display_description=row["description"],
        key_name=row["key_name"], key_data=row["key_data"], user_data=row["user_data"],
        metadata=metadata, tags=tuple(sorted(tags)),
        availability_zone=row["availability_zone"],
        pinned_availability_zone=row.get("pinned_availability_zone"),
        disable_terminate=bool(row.get("disable_terminate")),
        shutdown_terminate=bool(row.get("shutdown_terminate")),
        launch_index=row["launch_index"],
        reservation_id=row["reservation_id"], fixed_ip=row["fixed_ip"],
        mac_address=row["mac_address"], host=row["host"], node=row["node"],
        locked=bool(row["locked"]), locked_by=row["locked_by"],
        locked_reason=row["locked_reason"], progress=row["progress"],
        config_drive=row["config_drive"], access_ip_v4=row["access_ip_v4"],
        access_ip_v6=row["access_ip_v6"], fault=fault(fault_row),
        server_groups=tuple(groups),
        block_device_mapping=tuple(row["block_device_mapping"] or ()),
        networks=networks, extra=extra, volumes_attached=tuple(volumes),
        addresses=addresses,
        security_groups=tuple(dict.fromkeys(name for name, _ in security_groups)),
        security_group_ids=security_groups,
    )
