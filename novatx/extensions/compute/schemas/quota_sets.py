"""Request bodies of C{PUT /os-quota-sets/{project_id}}, per microversion range."""

from __future__ import annotations

from typing import Any

from novatx.extensions.compute import _quotas
from novatx.extensions.compute.schemas import _params
from novatx.extensions.interfaces import APIVersion

#: A quota value: -1 (unlimited) or more, as an integer or a string of digits.
QUOTA_VALUE: dict[str, Any] = {
    "type": ["integer", "string"],
    "pattern": "^-?[0-9]+$",
    "minimum": -1,
    "minLength": 1,
    "maximum": _params.MAX_INT,
}


def _update(version: APIVersion) -> dict[str, Any]:
    properties: dict[str, Any] = {name: QUOTA_VALUE for name in _quotas.shown_names(version)}
    properties["force"] = _params.boolean
    return {
        "type": "object",
        "properties": {
            "quota_set": {
                "type": "object",
                "properties": properties,
                "additionalProperties": False,
            },
        },
        "required": ["quota_set"],
        "additionalProperties": False,
    }


BY_VERSION = [
    ("2.1", "2.35", _update(APIVersion(2, 1))),
    ("2.36", "2.56", _update(APIVersion(2, 36))),
    ("2.57", None, _update(APIVersion(2, 57))),
]


def _class_update(version: APIVersion) -> dict[str, Any]:
    names = _quotas.class_names(version)
    return {
        "type": "object",
        "properties": {
            "quota_class_set": {
                "type": "object",
                "properties": {name: QUOTA_VALUE for name in names},
                "additionalProperties": False,
            },
        },
        "required": ["quota_class_set"],
        "additionalProperties": False,
    }


#: C{PUT /os-quota-class-sets/{id}}: the quotas each range shows.
CLASS_BY_VERSION = [
    ("2.1", "2.49", _class_update(APIVersion(2, 1))),
    ("2.50", "2.56", _class_update(APIVersion(2, 50))),
    ("2.57", None, _class_update(APIVersion(2, 57))),
]
