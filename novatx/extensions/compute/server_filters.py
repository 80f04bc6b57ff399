"""
The query of C{GET /servers} and C{/servers/detail}, turned into a
L{ServerQuery}: which filters a caller may use at which microversion, the
checks nova makes on sort keys, limits, markers and times, and its messages.

Filters a caller may not use are dropped silently, as nova does for
non-admins; malformed values are a 400 naming the parameter.
"""

from __future__ import annotations

import datetime
from functools import lru_cache
from typing import Any, Mapping, Sequence

import jsonschema

from novatx.compute import exceptions
from novatx.compute.interfaces import ServerQuery
from novatx.extensions.compute import _listing
from novatx.extensions.compute.schemas import servers as schemas
from novatx.extensions.interfaces import APIVersion

#: Filters everyone may use, by the microversion that introduced them.
_USER_FILTERS: tuple[tuple[APIVersion, tuple[str, ...]], ...] = (
    (APIVersion(2, 1), ("reservation_id", "name", "status", "image", "flavor", "ip", "changes-since", "all_tenants")),
    (APIVersion(2, 5), ("ip6",)),
    (APIVersion(2, 26), ("tags", "tags-any", "not-tags", "not-tags-any")),
    (APIVersion(2, 66), ("changes-before",)),
    (APIVersion(2, 73), ("locked",)),
    (APIVersion(2, 83), (
        "availability_zone", "config_drive", "key_name", "created_at", "launched_at",
        "terminated_at", "power_state", "task_state", "vm_state", "progress", "user_id",
    )),
)

#: nova's API sort keys that the store sorts by (the rest are accepted and ignored).
_STORE_SORT_KEYS = frozenset((
    "created_at", "updated_at", "display_name", "uuid", "vm_state", "task_state", "power_state",
    "launched_at", "terminated_at", "availability_zone", "hostname", "key_name", "launch_index",
    "reservation_id", "image_ref", "instance_type_id", "host", "node", "locked", "project_id", "user_id",
))

#: Sort keys only admins may use.
_ADMIN_SORT_KEYS = frozenset(("host", "node"))


def _invalid_query(name: str, value: str, reason: str) -> exceptions.Invalid:
    return exceptions.Invalid(
        "Invalid input for query parameters %s. Value: %s. %s" % (name, value, reason)
    )


def parse_time(name: str, value: str) -> datetime.datetime:
    """An ISO 8601 time from the query (naive means UTC), or nova's 400."""
    try:
        when = datetime.datetime.fromisoformat(value.replace(" ", "+") if "T" in value else value)
    except ValueError:
        raise _invalid_query(name, value, "'%s' is not a 'date-time'" % value) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone.utc)
    return when


def check_query(args: Mapping[str, Sequence[str]], properties: Mapping[str, dict]) -> None:
    """Check every value of the parameters that have a schema."""
    for key, schema in properties.items():
        if schema.get("format") == "date-time":
            for value in args.get(key, ()):
                parse_time(key, value)
            continue
        for value in args.get(key, ()):
            try:
                jsonschema.validate(value, schema)
            except jsonschema.ValidationError as e:
                raise _invalid_query(key, value, e.message) from None


@lru_cache(maxsize=256)
def allowed_filters(version: APIVersion, admin: bool) -> frozenset[str] | None:
    """The filter names a caller may use; C{None}: any (admins). Worked out once per version."""
    if admin:
        return None
    names: set[str] = set()
    for since, filters in _USER_FILTERS:
        if version >= since:
            names.update(filters)
    return frozenset(names)


def truthy(name: str, value: str) -> bool:
    """nova's strict boolean for query flags (C{all_tenants}, C{deleted}, C{locked})."""
    lowered = value.strip().lower()
    if lowered in ("", "1", "t", "true", "on", "y", "yes"):
        return True
    if lowered in ("0", "f", "false", "off", "n", "no"):
        return False
    raise exceptions.Invalid("Invalid value '%s' for %s" % (value, name))


def _tags(value: str) -> tuple[str, ...]:
    return tuple(t for t in value.split(",") if t)


def _last(args: Mapping[str, Sequence[str]], key: str) -> str | None:
    values = args.get(key)
    return values[-1] if values else None


@lru_cache(maxsize=16)
def _unfiltered(max_limit: int) -> ServerQuery:
    return ServerQuery(limit=max_limit)


def build_query(
    args: Mapping[str, Sequence[str]], version: APIVersion, context: Any, max_limit: int
) -> tuple[ServerQuery, int]:
    """
    The L{ServerQuery} of a listing and the limit it applies.

    @raise exceptions.Invalid: a malformed value (nova's 400).
    @raise exceptions.NotAuthorized: a non-admin sorting by host or node, or
        asking for C{all_tenants}.
    """
    if not args:
        # Most listings have no query: nothing to check, the same query each time.
        return _unfiltered(max_limit), max_limit
    check_query(args, schemas.list_query)
    admin = bool(context.is_admin)
    allowed = allowed_filters(version, admin)

    def get(key: str) -> str | None:
        if allowed is not None and key not in allowed:
            return None
        return _last(args, key)

    fields: dict[str, Any] = {}
    all_tenants = get("all_tenants")
    if all_tenants is not None and truthy("all_tenants", all_tenants):
        if not admin:
            raise exceptions.NotAuthorized(
                "Policy doesn't allow os_compute_api:servers:index:get_all_tenants to be performed."
            )
        fields["all_tenants"] = True
        project = get("project_id") or get("tenant_id")
        if project:
            fields["project_id"] = project
    for key, field in (("name", "name"), ("reservation_id", "reservation_id"), ("ip", "ip"),
                       ("key_name", "key_name"), ("availability_zone", "availability_zone"),
                       ("user_id", "user_id"), ("vm_state", "vm_state"), ("host", "host"),
                       ("node", "node")):
        value = get(key)
        if value is not None:
            fields[field] = value
    status = get("status")
    if status is not None:
        fields["status"] = status.upper()
    image = get("image")
    if image is not None:
        fields["image_id"] = image.rstrip("/").rsplit("/", 1)[-1]
    flavor = get("flavor")
    if flavor is not None:
        fields["flavor_id"] = flavor.rstrip("/").rsplit("/", 1)[-1]
    for key, field in (("tags", "tags"), ("tags-any", "tags_any"), ("not-tags", "not_tags"),
                       ("not-tags-any", "not_tags_any")):
        value = get(key)
        if value is not None:
            fields[field] = _tags(value)
    since = get("changes-since")
    before = get("changes-before")
    if since is not None:
        fields["changes_since"] = parse_time("changes-since", since)
    if before is not None:
        fields["changes_before"] = parse_time("changes-before", before)
    if since is not None and before is not None and fields["changes_since"] > fields["changes_before"]:
        raise exceptions.Invalid("The value of changes-since must be less than or equal to changes-before.")
    if admin:
        uuid = _last(args, "uuid")
        if uuid:
            fields["uuids"] = (uuid,)
        deleted = _last(args, "deleted")
        if deleted is not None:
            fields["deleted"] = truthy("deleted", deleted)

    sort_keys = list(args.get("sort_key", ()))
    sort_dirs = list(args.get("sort_dir", ()))
    if not admin:
        for key in sort_keys:
            if key in _ADMIN_SORT_KEYS:
                raise exceptions.NotAuthorized("Only administrators can sort servers by %s" % key)
    kept = [(k, sort_dirs[i] if i < len(sort_dirs) else "desc")
            for i, k in enumerate(sort_keys) if k in _STORE_SORT_KEYS]
    if kept:
        fields["sort_keys"] = tuple(k for k, _ in kept)
        fields["sort_dirs"] = tuple(d for _, d in kept)
    elif sort_dirs:
        fields["sort_dirs"] = (sort_dirs[0],)

    limit_text = _last(args, "limit")
    limit = max_limit
    if limit_text is not None:
        limit = _listing.capped_limit("limit", limit_text, max_limit)
    fields["limit"] = limit
    marker = _last(args, "marker")
    if marker is not None:
        fields["marker"] = marker
    return ServerQuery(**fields), limit
