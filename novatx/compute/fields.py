"""
Extension fields: extra instance attributes declared by extensions.

Nova's internal C{create()} had a fixed signature, so an extension could only pass
along what the core already knew. Here an extension declares L{ExtraField}s; the
internal API validates them, the store keeps them (typed, in the instance's
extension-field table), the driver receives them, and the instance record carries
them back in L{novatx.compute.records.Instance.extra}.
"""

from __future__ import annotations

from typing import Any

import attrs

#: The types an extension field may have, by name, with the Python type stored.
FIELD_TYPES: dict[str, type] = {"string": str, "integer": int, "boolean": bool, "json": object}


@attrs.frozen
class ExtraField:
    """
    One extension-declared instance field.

    @ivar name: unique across extensions; namespaced by convention
        (C{"example:color"}), since it is also the response key.
    @ivar type: one of L{FIELD_TYPES}.
    @ivar default: the value of instances created without it.
    @ivar owner: the alias of the extension that declared it (for error messages).
    @ivar min_version: the first compute microversion (C{"2.N"}) whose server
        documents show it; None: from the first.
    @ivar max_version: the last one that shows it; None: to the newest.
    """

    name: str
    type: str = attrs.field(validator=attrs.validators.in_(FIELD_TYPES))
    default: Any = None
    owner: str = ""
    min_version: str | None = None
    max_version: str | None = None

    def shown_at(self, version: tuple[int, int]) -> bool:
        """
        Whether server documents at C{version} (C{(major, minor)}) carry the
        field: a client that did not ask for the microversion that brought
        it must not see it, as with nova's own fields.
        """
        low = _version_tuple(self.min_version)
        high = _version_tuple(self.max_version)
        return (low is None or version >= low) and (high is None or version <= high)


def _version_tuple(text: str | None) -> tuple[int, int] | None:
    if text is None:
        return None
    major, _, minor = text.partition(".")
    return int(major), int(minor)
