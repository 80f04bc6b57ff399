"""
Server groups and their (anti-)affinity policies.
"""

from __future__ import annotations

import uuid as uuidlib
from typing import Any, Mapping

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from twisted.internet.defer import Deferred, fail, succeed

from novatx.compute import convert, quotas, validation
from novatx.compute.api._base import ComputeAPIBase
from novatx.compute.context import RequestContext
from novatx.compute.exceptions import Invalid, OverLimit, ServerGroupNotFound
from novatx.compute.records import ServerGroup
from novatx.db import tables as t


SERVER_GROUP_POLICIES = ("affinity", "anti-affinity", "soft-affinity", "soft-anti-affinity")


class ServerGroupsAPI(ComputeAPIBase):
    """Server groups. One part of L{novatx.compute.api.ComputeAPI}."""

    def _group(self, connection: Connection, row: Mapping[str, Any]) -> ServerGroup:
        M = t.server_group_members
        members = connection.execute(sa.select(M.c.instance_uuid).where(
            M.c.group_id == row["id"]).order_by(M.c.instance_uuid)).scalars()
        return ServerGroup(uuid=row["uuid"], name=row["name"], project_id=row["project_id"],
                           user_id=row["user_id"], policy=row["policy"],
                           rules=dict(row["rules"] or {}), members=tuple(members),
                           created_at=convert.aware(row["created_at"]))

    def create_server_group(self, context: RequestContext, name: str, policy: str,
                            rules: Mapping[str, Any] | None = None) -> Deferred:
        try:
            validation.name(name)
            if policy not in SERVER_GROUP_POLICIES:
                raise Invalid("Invalid input for field/attribute policy. Value: %s."
                              % policy)
        except Exception:
            return fail()
        G = t.server_groups

        def run(connection: Connection) -> ServerGroup:
            quotas.lock_project(connection, context.project_id)
            limit = quotas.limits(connection, self._conf, context.project_id)["server_groups"]
            used = connection.execute(sa.select(sa.func.count()).select_from(G).where(
                G.c.project_id == context.project_id)).scalar()
            if 0 <= limit <= used:
                raise OverLimit("Quota exceeded, too many server groups.")
            group_id = connection.execute(sa.insert(G).values(
                uuid=str(uuidlib.uuid4()), name=name, project_id=context.project_id,
                user_id=context.user_id, policy=policy, rules=dict(rules or {}),
                created_at=self._now())).inserted_primary_key[0]
            return self._group(connection, connection.execute(
                sa.select(G).where(G.c.id == group_id)).mappings().one())
        return self._write(run)

    def list_server_groups(self, context: RequestContext, all_projects: bool = False,
                           limit: int | None = None, offset: int | None = None) -> Deferred:
        G = t.server_groups
        try:
            page_limit = validation.limit(limit)
            if offset is not None and (isinstance(offset, bool) or not isinstance(offset, int)
                                       or offset < 0):
                raise Invalid("offset must be >= 0")
        except Exception:
            return fail()
        if offset is not None and offset >= validation.MAX_LIMIT:
            return succeed([])

        def run(connection: Connection) -> list[ServerGroup]:
            statement = sa.select(G).order_by(G.c.id)
            if not (context.is_admin and all_projects):
                statement = statement.where(G.c.project_id == context.project_id)
            if offset:
                statement = statement.offset(offset)
            if page_limit is not None:
                statement = statement.limit(page_limit)
            return [self._group(connection, row)
                    for row in connection.execute(statement).mappings()]
        every = context.is_admin and all_projects
        key = (context.project_id, every, page_limit, offset)
        return self._cached("server_groups", key, ("server_groups",),
                            None if every else context.project_id, lambda: self._read(run))

    def _group_row(self, connection: Connection, context: RequestContext,
                   group_uuid: str) -> Mapping[str, Any]:
        G = t.server_groups
        if not validation.storable(group_uuid):
            raise ServerGroupNotFound(group_uuid=group_uuid)
        clauses = [G.c.uuid == group_uuid]
        if not context.is_admin:
            clauses.append(G.c.project_id == context.project_id)
        row = connection.execute(sa.select(G).where(*clauses)).mappings().first()
        if row is None:
            raise ServerGroupNotFound(group_uuid=group_uuid)
        return row

    def get_server_group(self, context: RequestContext, group_uuid: str) -> Deferred:
        return self._read(lambda c: self._group(c, self._group_row(c, context, group_uuid)))

    def delete_server_group(self, context: RequestContext, group_uuid: str) -> Deferred:
        def run(connection: Connection) -> None:
            row = self._group_row(connection, context, group_uuid)
            connection.execute(sa.delete(t.server_groups).where(t.server_groups.c.id == row["id"]))
        return self._write(run)
