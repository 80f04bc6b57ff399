"""
The JSON schemas glance v2 serves at C{/v2/schemas/...}, which every image
document names in its C{schema} link: the image as the subset shows it
(L{image_service.glance_image}), the image list, and image members (which
this subset does not keep: their listing is always empty).
"""

from __future__ import annotations

from typing import Any

_STRING_OR_NULL = {"type": ["null", "string"]}
_INTEGER_OR_NULL = {"type": ["null", "integer"]}


def _links(*names: str) -> list[dict[str, str]]:
    return [{"rel": rel, "href": href} for rel, href in names]


IMAGE: dict[str, Any] = {
    "name": "image",
    "additionalProperties": {"type": "string"},
    "properties": {
        "id": {"type": "string", "description": "The image's UUID."},
        "name": {"type": ["null", "string"], "maxLength": 255},
        "status": {"type": "string", "readOnly": True,
                   "enum": ["queued", "saving", "active", "killed", "deleted",
                            "uploading", "importing", "pending_delete", "deactivated"]},
        "visibility": {"type": "string", "enum": ["community", "public", "private", "shared"]},
        "protected": {"type": "boolean"},
        "os_hidden": {"type": "boolean"},
        "owner": _STRING_OR_NULL,
        "size": _INTEGER_OR_NULL,
        "virtual_size": _INTEGER_OR_NULL,
        "checksum": _STRING_OR_NULL,
        "os_hash_algo": _STRING_OR_NULL,
        "os_hash_value": _STRING_OR_NULL,
        "min_disk": {"type": "integer"},
        "min_ram": {"type": "integer"},
        "disk_format": {"type": ["null", "string"],
                        "enum": [None, "ami", "ari", "aki", "vhd", "vhdx", "vmdk", "raw",
                                 "qcow2", "vdi", "iso", "ploop"]},
        "container_format": {"type": ["null", "string"],
                             "enum": [None, "ami", "ari", "aki", "bare", "ovf", "ova",
                                      "docker", "compressed"]},
        "tags": {"type": "array", "items": {"type": "string", "maxLength": 255}},
        "created_at": {"type": "string", "readOnly": True},
        "updated_at": {"type": "string", "readOnly": True},
        "self": {"type": "string", "readOnly": True},
        "file": {"type": "string", "readOnly": True},
        "schema": {"type": "string", "readOnly": True},
    },
    "links": _links(("self", "{self}"), ("enclosure", "{file}"), ("describedby", "{schema}")),
}

IMAGES: dict[str, Any] = {
    "name": "images",
    "properties": {
        "images": {"type": "array", "items": IMAGE},
        "schema": {"type": "string"},
        "first": {"type": "string"},
        "next": {"type": "string"},
    },
    "links": _links(("first", "{first}"), ("next", "{next}"), ("describedby", "{schema}")),
}

MEMBER: dict[str, Any] = {
    "name": "member",
    "properties": {
        "image_id": {"type": "string"},
        "member_id": {"type": "string"},
        "status": {"type": "string", "enum": ["pending", "accepted", "rejected"]},
        "created_at": {"type": "string"},
        "updated_at": {"type": "string"},
        "schema": {"type": "string", "readOnly": True},
    },
}

MEMBERS: dict[str, Any] = {
    "name": "members",
    "properties": {
        "members": {"type": "array", "items": MEMBER},
        "schema": {"type": "string"},
    },
    "links": _links(("describedby", "{schema}")),
}

#: The schemas by the last segment of their path.
SCHEMAS: dict[str, dict[str, Any]] = {
    "image": IMAGE, "images": IMAGES, "member": MEMBER, "members": MEMBERS,
}
