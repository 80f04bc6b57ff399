"""
C{/os-migrations} (admins) and C{/servers/{id}/migrations} (2.23): the
servers' moves, which here are resizes (C{migration_type} C{resize}, to the
same simulated host). The server's own listing shows in-progress live
migrations only, and the simulated hosts make none, so it is always empty
and asking for one of them is nova's 404.

The listing changes as nova's does: 2.23 C{migration_type}, 2.59 C{uuid},
paging (C{limit}, C{marker}) and C{changes-since}, 2.66 C{changes-before},
2.80 C{user_id} and C{project_id} (shown and filtered on).
"""

from __future__ import annotations

from typing import Any

from novatx.compute.exceptions import NotFound
from novatx.compute.migrations import Migration
from novatx.extensions.compute import _listing
from novatx.extensions.compute._extension import ComputeResource, deferred, version_tuple
from novatx.extensions.compute.policies import hosts as policies
from novatx.extensions.compute.server_filters import parse_time
from novatx.extensions.interfaces import Route

V2_23, V2_59, V2_66, V2_80 = (2, 23), (2, 59), (2, 66), (2, 80)


class LiveMigrationNotFound(NotFound):
    msg_fmt = "In-progress live migration %(id)s is not found for server %(uuid)s."


def _time(value: Any) -> str | None:
    """nova's migration times: ISO 8601 with microseconds and no zone."""
    return None if value is None else value.replace(tzinfo=None).isoformat(timespec="microseconds")


def migration_document(version: tuple[int, int], migration: Migration) -> dict[str, Any]:
    document: dict[str, Any] = {
        "created_at": _time(migration.created_at),
        "dest_compute": migration.dest_compute,
        "dest_host": None,
        "dest_node": migration.dest_compute,
        "id": migration.id,
        "instance_uuid": migration.instance_uuid,
        "new_instance_type_id": migration.new_instance_type_id,
        "old_instance_type_id": migration.old_instance_type_id,
        "source_compute": migration.source_compute,
        "source_node": migration.source_compute,
        "status": migration.status,
        "updated_at": _time(migration.updated_at),
    }
    if version >= V2_23:
        document["migration_type"] = migration.migration_type
    if version >= V2_59:
        document["uuid"] = migration.uuid
    if version >= V2_80:
        document["user_id"] = migration.user_id
        document["project_id"] = migration.project_id
    return document


class Migrations(ComputeResource):
    """The servers' migrations."""

    name = "Migrations"
    alias = "os-migrations"
    policy_defaults = policies.MIGRATIONS

    def routes(self) -> list[Route]:
        member = "/servers/<server_id>/migrations/<migration_id>"
        return [
            Route("/os-migrations", ("GET",), self.index, "os-migrations.index",
                  policy=policies.MIGRATIONS_LIST),
            Route("/servers/<server_id>/migrations", ("GET",), self.server_index,
                  "os-migrations.server_index", policy=policies.SERVER_MIGRATIONS % "index",
                  min_version="2.23"),
            Route(member, ("GET",), self.server_show, "os-migrations.server_show",
                  policy=policies.SERVER_MIGRATIONS % "show", min_version="2.23"),
            Route(member, ("DELETE",), self.server_abort, "os-migrations.server_abort",
                  policy=policies.SERVER_MIGRATIONS % "delete", min_version="2.24"),
        ]

    @deferred
    async def index(self, request: Any) -> dict[str, Any]:
        version = version_tuple(request)
        filters: dict[str, Any] = {}
        names = ["instance_uuid", "status", "host", "source_compute", "migration_type"]
        if version >= V2_80:
            names += ["user_id", "project_id"]
        for name in names:
            value = _listing.query_value(request, name)
            if value is not None:
                filters[name] = value
        limit = marker = None
        if version >= V2_59:
            limit, marker = _listing.page_size(request, self.max_limit)
            since = _listing.query_value(request, "changes-since")
            if since is not None:
                filters["changes_since"] = parse_time("changes-since", since)
        if version >= V2_66:
            before = _listing.query_value(request, "changes-before")
            if before is not None:
                filters["changes_before"] = parse_time("changes-before", before)
        page = await self.compute.list_migrations(request.context, filters, limit, marker)
        document: dict[str, Any] = {
            "migrations": [migration_document(version, m) for m in page.items]}
        if limit is not None:
            links = _listing.next_links(request, page.items, "os-migrations",
                                        lambda m: m.uuid, limit)
            if links:
                document["migrations_links"] = links
        return document

    @deferred
    async def server_index(self, request: Any, server_id: str) -> dict[str, Any]:
        await self.compute.get_server(request.context, server_id)
        return {"migrations": []}

    @deferred
    async def server_show(self, request: Any, server_id: str, migration_id: str) -> None:
        await self.compute.get_server(request.context, server_id)
        raise LiveMigrationNotFound(id=migration_id, uuid=server_id)

    @deferred
    async def server_abort(self, request: Any, server_id: str, migration_id: str) -> None:
        await self.compute.get_server(request.context, server_id)
        raise LiveMigrationNotFound(id=migration_id, uuid=server_id)
