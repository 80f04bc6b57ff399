"""
JSON schemas of the servers resource: create, update, the core actions, and the
query of the listings, each by microversion range as nova changes them.

A schema that changes across microversions is written once as a function of the
version; L{by_version} cuts it into the C{(min, max, schema)} ranges the router
takes, at the versions where it changes.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

from novatx.extensions.interfaces import APIVersion

#: The newest microversion this API serves.
MAX_VERSION = "2.104"

BOOLEAN_VALUES = [
    True, "True", "TRUE", "true", "1", "ON", "On", "on", "YES", "Yes", "yes", "y", "t",
    False, "False", "FALSE", "false", "0", "OFF", "Off", "off", "NO", "No", "no", "n", "f",
]
TRUE_STRINGS = frozenset(("true", "1", "on", "yes", "y", "t"))

boolean = {"type": ["boolean", "string"], "enum": BOOLEAN_VALUES}
name = {"type": "string", "minLength": 1, "maxLength": 255, "format": "name"}
description = {"type": ["string", "null"], "minLength": 0, "maxLength": 255, "pattern": r"^[^\x00-\x1f\x7f]*$"}
uuid = {"type": "string", "format": "uuid"}
image_id_or_empty = {"oneOf": [uuid, {"type": "string", "maxLength": 0}]}
flavor_ref = {"type": ["string", "integer"], "minLength": 1}
admin_password = {"type": "string"}
positive_integer = {"type": ["integer", "string"], "pattern": "^[0-9]*$", "minimum": 1, "minLength": 1}
non_negative_integer = {"type": ["integer", "string"], "pattern": "^[0-9]*$", "minimum": 0, "minLength": 1}
disk_config = {"type": "string", "enum": ["AUTO", "MANUAL"]}
ipv4 = {"type": "string", "format": "ipv4"}
ipv6 = {"type": "string", "format": "ipv6"}
ip_address = {"type": "string", "oneOf": [{"format": "ipv4"}, {"format": "ipv6"}]}
metadata = {
    "type": "object",
    "patternProperties": {"^[a-zA-Z0-9-_:. ]{1,255}$": {"type": "string", "maxLength": 255}},
    "additionalProperties": False,
}
tag = {"type": "string", "minLength": 1, "maxLength": 60, "pattern": "^[^,/]*$"}
#: nova's C{MAX_TAG_COUNT}.
MAX_TAGS = 50
user_data = {"type": "string", "format": "base64", "maxLength": 65535}
personality = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {"path": {"type": "string"}, "contents": {"type": "string", "format": "base64"}},
        "additionalProperties": False,
    },
}
#: 2.90: a hostname label; from 2.94 create, update and rebuild take nova's
#: C{fqdn} (letters, digits, C{-}, C{.}, C{_}).
hostname_label = {
    "type": "string", "minLength": 1, "maxLength": 63,
    "pattern": "^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$",
}
fqdn = {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[a-zA-Z0-9-._]*$"}
trusted_certs = {
    "type": ["array", "null"], "minItems": 1, "maxItems": 50, "uniqueItems": True,
    "items": {"type": "string", "minLength": 1},
}


def by_version(build: Callable[[APIVersion], dict], changes: Sequence[str]) -> list[tuple[str, str, dict]]:
    """
    Cut a version-dependent schema into ranges.

    @param build: the schema at a given version.
    @param changes: the versions at which it changes (ascending).
    """
    starts = ["2.1", *changes]
    ranges = []
    for index, start in enumerate(starts):
        if index + 1 < len(starts):
            nxt = APIVersion.parse(starts[index + 1])
            end = "%d.%d" % (nxt.major, nxt.minor - 1)
        else:
            end = MAX_VERSION
        ranges.append((start, end, build(APIVersion.parse(start))))
    return ranges


def _v(text: str) -> APIVersion:
    return APIVersion.parse(text)


def _bdm_v2(version: APIVersion) -> dict:
    properties: dict[str, Any] = {
        "virtual_name": {"type": "string", "maxLength": 255},
        "volume_id": uuid,
        "snapshot_id": uuid,
        "volume_size": {"type": ["integer", "string"], "pattern": "^[0-9]+$", "minimum": 1, "maximum": 2147483647},
        "device_name": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[a-zA-Z0-9._/-]*$"},
        "delete_on_termination": boolean,
        "no_device": {},
        "connection_info": {"type": "string", "maxLength": 16777215},
        "source_type": {"type": "string", "enum": ["volume", "image", "snapshot", "blank"]},
        "uuid": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[a-zA-Z0-9._-]*$"},
        "image_id": uuid,
        "destination_type": {"type": "string", "enum": ["local", "volume"]},
        "guest_format": {"type": "string", "maxLength": 255},
        "device_type": {"type": "string", "maxLength": 255},
        "disk_bus": {"type": "string", "maxLength": 255},
        "boot_index": {"type": ["integer", "string", "null"], "pattern": "^-?[0-9]+$"},
    }
    if version == _v("2.32") or version >= _v("2.42"):
        properties["tag"] = tag
    if version >= _v("2.67"):
        properties["volume_type"] = {"type": ["string", "null"], "minLength": 0, "maxLength": 255}
    return {"type": "object", "properties": properties, "additionalProperties": False}


def _networks(version: APIVersion) -> dict:
    item: dict[str, Any] = {
        "type": "object",
        "properties": {
            "fixed_ip": ip_address,
            "port": {"oneOf": [uuid, {"type": "null"}]},
            "uuid": uuid if version >= _v("2.37") else {"type": "string"},
        },
        "additionalProperties": False,
    }
    if version >= _v("2.32"):
        item["properties"]["tag"] = tag
    listed = {"type": "array", "items": item}
    if version < _v("2.37"):
        return listed
    return {"oneOf": [listed, {"type": "string", "enum": ["none", "auto"]}]}


_hints = {"type": "object", "additionalProperties": True}


def _create(version: APIVersion) -> dict:
    server: dict[str, Any] = {
        "name": name,
        "imageRef": image_id_or_empty,
        "flavorRef": flavor_ref,
        "adminPass": admin_password,
        "metadata": metadata,
        "networks": _networks(version),
        "OS-DCF:diskConfig": disk_config,
        "accessIPv4": ipv4,
        "accessIPv6": ipv6,
        "availability_zone": name,
        "block_device_mapping": {"type": "array", "items": {"type": "object"}},
        "block_device_mapping_v2": {"type": "array", "items": _bdm_v2(version)},
        "config_drive": boolean,
        "key_name": name,
        "min_count": positive_integer,
        "max_count": positive_integer,
        "return_reservation_id": boolean,
        "security_groups": {
            "type": "array",
            "items": {"type": "object", "properties": {"name": name}, "additionalProperties": False},
        },
        "user_data": user_data,
    }
    if version < _v("2.57"):
        server["personality"] = personality
    if version >= _v("2.19"):
        server["description"] = description
    if version >= _v("2.52"):
        server["tags"] = {"type": "array", "items": tag, "maxItems": MAX_TAGS}
    if version >= _v("2.63"):
        server["trusted_image_certificates"] = trusted_certs
    if version >= _v("2.74"):
        server["host"] = fqdn
        server["hypervisor_hostname"] = fqdn
    if version >= _v("2.90"):
        server["hostname"] = fqdn if version >= _v("2.94") else hostname_label
    required = ["name", "flavorRef"]
    if version >= _v("2.37"):
        required.append("networks")
    return {
        "type": "object",
        "properties": {
            "server": {
                "type": "object",
                "properties": server,
                "required": required,
                "additionalProperties": False,
            },
            "os:scheduler_hints": _hints,
            "OS-SCH-HNT:scheduler_hints": _hints,
        },
        "required": ["server"],
        "additionalProperties": False,
    }


create = by_version(_create, ["2.19", "2.32", "2.33", "2.37", "2.42", "2.52", "2.57", "2.63",
                              "2.67", "2.74", "2.90", "2.94"])


def _update(version: APIVersion) -> dict:
    server: dict[str, Any] = {
        "name": name,
        "OS-DCF:diskConfig": disk_config,
        "accessIPv4": ipv4,
        "accessIPv6": ipv6,
    }
    if version >= _v("2.19"):
        server["description"] = description
    if version >= _v("2.90"):
        server["hostname"] = fqdn if version >= _v("2.94") else hostname_label
    if version >= _v("2.104"):
        server["pinned_availability_zone"] = {"type": ["string", "null"], "minLength": 1, "maxLength": 255}
    return {
        "type": "object",
        "properties": {"server": {"type": "object", "properties": server, "additionalProperties": False}},
        "required": ["server"],
        "additionalProperties": False,
    }


update = by_version(_update, ["2.19", "2.90", "2.94", "2.104"])


def action(key: str, body: dict | None) -> dict:
    """The schema of a whole action body C{{key: body}}; C{None}: C{{key: null}}."""
    return {
        "type": "object",
        "properties": {key: body if body is not None else {"type": "null"}},
        "required": [key],
        "additionalProperties": False,
    }


reboot = action(
    "reboot",
    {
        "type": "object",
        "properties": {"type": {"type": "string", "enum": ["HARD", "Hard", "hard", "SOFT", "Soft", "soft"]}},
        "required": ["type"],
        "additionalProperties": False,
    },
)

resize = action(
    "resize",
    {
        "type": "object",
        "properties": {"flavorRef": flavor_ref, "OS-DCF:diskConfig": disk_config},
        "required": ["flavorRef"],
        "additionalProperties": False,
    },
)


def _rebuild(version: APIVersion) -> dict:
    body: dict[str, Any] = {
        "name": name,
        "imageRef": uuid,
        "adminPass": admin_password,
        "metadata": metadata,
        "preserve_ephemeral": boolean,
        "OS-DCF:diskConfig": disk_config,
        "accessIPv4": ipv4,
        "accessIPv6": ipv6,
    }
    if version < _v("2.57"):
        body["personality"] = personality
    if version >= _v("2.19"):
        body["description"] = description
    if version >= _v("2.54"):
        body["key_name"] = {"type": ["string", "null"], "minLength": 1, "maxLength": 255}
    if version >= _v("2.57"):
        body["user_data"] = {"oneOf": [user_data, {"type": "null"}]}
    if version >= _v("2.63"):
        body["trusted_image_certificates"] = trusted_certs
    if version >= _v("2.90"):
        body["hostname"] = fqdn if version >= _v("2.94") else hostname_label
    return action(
        "rebuild",
        {"type": "object", "properties": body, "required": ["imageRef"], "additionalProperties": False},
    )


rebuild = by_version(_rebuild, ["2.19", "2.54", "2.57", "2.63", "2.90", "2.94"])

create_image = action(
    "createImage",
    {
        "type": "object",
        "properties": {"name": name, "metadata": metadata},
        "required": ["name"],
        "additionalProperties": False,
    },
)

#: The sort keys nova accepts; the second set it accepts and ignores.
SORT_KEYS = (
    "access_ip_v4", "access_ip_v6", "auto_disk_config", "availability_zone", "config_drive",
    "created_at", "display_description", "display_name", "host", "hostname", "image_ref",
    "instance_type_id", "kernel_id", "key_name", "launch_index", "launched_at", "locked_by",
    "node", "power_state", "progress", "project_id", "ramdisk_id", "root_device_name",
    "task_state", "terminated_at", "updated_at", "user_id", "uuid", "vm_state",
)
IGNORED_SORT_KEYS = (
    "architecture", "cell_name", "cleaned", "default_ephemeral_device", "default_swap_device",
    "deleted", "deleted_at", "disable_terminate", "ephemeral_gb", "ephemeral_key_uuid", "id",
    "key_data", "launched_on", "locked", "memory_mb", "os_type", "reservation_id", "root_gb",
    "shutdown_terminate", "user_data", "vcpus", "vm_mode",
)

#: The query of C{GET /servers[/detail]}: each parameter's values are checked.
list_query = {
    "sort_key": {"type": "string", "enum": list(SORT_KEYS + IGNORED_SORT_KEYS)},
    "sort_dir": {"type": "string", "enum": ["asc", "desc"]},
    "limit": {"type": "string", "pattern": "^[0-9]*$", "minLength": 1},
    "marker": {"type": "string"},
    "changes-since": {"type": "string", "format": "date-time"},
    "changes-before": {"type": "string", "format": "date-time"},
    "all_tenants": {"type": "string"},
    "deleted": {"type": "string"},
}

#: Actions nova does not validate before their microversions gave them a body.
_unchecked = {"type": "object", "properties": {}, "additionalProperties": True}

lock = [
    ("2.1", "2.72", _unchecked),
    ("2.73", MAX_VERSION, action("lock", {
        "type": ["object", "null"],
        "properties": {"locked_reason": {"type": "string", "minLength": 1, "maxLength": 255}},
        "additionalProperties": False,
    })),
]

unshelve = [
    ("2.1", "2.76", _unchecked),
    ("2.77", "2.90", action("unshelve", {
        "type": ["object", "null"],
        "properties": {"availability_zone": name},
        "additionalProperties": False,
    })),
    ("2.91", MAX_VERSION, action("unshelve", {
        "type": ["object", "null"],
        "properties": {
            "availability_zone": {"oneOf": [{"type": "null"}, name]},
            "host": fqdn,
        },
        "additionalProperties": False,
    })),
]

change_password = action(
    "changePassword",
    {
        "type": "object",
        "properties": {"adminPass": admin_password},
        "required": ["adminPass"],
        "additionalProperties": False,
    },
)

console_output = action(
    "os-getConsoleOutput",
    {
        "type": "object",
        "properties": {
            "length": {"type": ["integer", "string", "null"], "pattern": "^-?[0-9]+$", "minimum": -1},
        },
        "additionalProperties": False,
    },
)

#: C{server-metadata}: the whole set (POST merges, PUT replaces) and one item.
metadata_set = {
    "type": "object",
    "properties": {"metadata": metadata},
    "required": ["metadata"],
    "additionalProperties": False,
}
metadata_item = {
    "type": "object",
    "properties": {
        "meta": {
            "type": "object",
            "patternProperties": {"^[a-zA-Z0-9-_:. ]{1,255}$": {"type": "string", "maxLength": 255}},
            "additionalProperties": False,
            "minProperties": 1,
            "maxProperties": 1,
        },
    },
    "required": ["meta"],
    "additionalProperties": False,
}

#: C{os-server-tags}: the whole list.
tags_set = {
    "type": "object",
    "properties": {"tags": {"type": "array", "items": tag, "maxItems": MAX_TAGS}},
    "required": ["tags"],
    "additionalProperties": False,
}

reset_state = action(
    "os-resetState",
    {
        "type": "object",
        "properties": {"state": {"type": "string", "enum": ["active", "error"]}},
        "required": ["state"],
        "additionalProperties": False,
    },
)

create_backup = action(
    "createBackup",
    {
        "type": "object",
        "properties": {
            "name": name,
            "backup_type": {"type": "string"},
            "rotation": non_negative_integer,
            "metadata": metadata,
        },
        "required": ["name", "backup_type", "rotation"],
        "additionalProperties": False,
    },
)

rescue = action(
    "rescue",
    {
        "type": ["object", "null"],
        "properties": {"adminPass": admin_password, "rescue_image_ref": uuid},
        "additionalProperties": False,
    },
)
