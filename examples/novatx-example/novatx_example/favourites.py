"""
A stored, per-project resource: each project's favourite colours, at
C{/example-favourites}.

The table is the plugin's own (L{novatx_example.migrations}); the handlers
reach it through the internal API's C{store_read} / C{store_write}, which run
the SQL in a transaction on the store's database threads, so the reactor never
waits and every worker (and host) sees the same favourites.
"""

from __future__ import annotations

import datetime
from typing import Any

import sqlalchemy as sa
from oslo_policy.policy import DocumentedRuleDefault
from sqlalchemy.engine import Connection
from zope.interface import implementer

from novatx.extensions.interfaces import IAPIRequest, IPolicyDefaultsProvider, IResourceExtension, Route
from novatx_example.colours import ColourNotFound
from novatx_example.palette import PALETTE

POLICY_INDEX = "example:favourites:index"
POLICY_ADD = "example:favourites:add"
POLICY_REMOVE = "example:favourites:remove"

#: The table as the migration made it (SQLAlchemy Core, no ORM).
FAVOURITES = sa.Table(
    "example_favourites",
    sa.MetaData(),
    sa.Column("project_id", sa.String(255), primary_key=True),
    sa.Column("colour", sa.String(32), primary_key=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
)


def _listed(connection: Connection, project_id: str) -> list[str]:
    rows = connection.execute(
        sa.select(FAVOURITES.c.colour)
        .where(FAVOURITES.c.project_id == project_id)
        .order_by(FAVOURITES.c.colour))
    return [row.colour for row in rows]


def _add(connection: Connection, project_id: str, colour: str) -> None:
    """Add once: a colour already there is left as it is (PUT is idempotent)."""
    there = connection.execute(
        sa.select(FAVOURITES.c.colour).where(
            FAVOURITES.c.project_id == project_id, FAVOURITES.c.colour == colour)).first()
    if there is None:
        connection.execute(sa.insert(FAVOURITES).values(
            project_id=project_id, colour=colour,
            created_at=datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)))


def _remove(connection: Connection, project_id: str, colour: str) -> int:
    return connection.execute(sa.delete(FAVOURITES).where(
        FAVOURITES.c.project_id == project_id, FAVOURITES.c.colour == colour)).rowcount


@implementer(IResourceExtension, IPolicyDefaultsProvider)
class Favourites:
    """The caller's project's favourite colours: list, add (PUT), remove (DELETE)."""

    name = "Example favourites"
    alias = "example-favourites"
    version = 1
    api = "osapi_compute"

    def __init__(self) -> None:
        self.compute: Any = None

    def setup(self, context: Any) -> None:
        """Keep the internal API: its store runs the SQL."""
        self.compute = context.compute

    def routes(self) -> list[Route]:
        return [
            Route("/example-favourites", ("GET",), self.index, "example-favourites.index",
                  policy=POLICY_INDEX),
            Route("/example-favourites/<colour>", ("PUT",), self.add, "example-favourites.add",
                  policy=POLICY_ADD),
            Route("/example-favourites/<colour>", ("DELETE",), self.remove,
                  "example-favourites.remove", policy=POLICY_REMOVE, status=204),
        ]

    def actions(self) -> dict:
        return {}

    def policies(self) -> list[DocumentedRuleDefault]:
        return [
            DocumentedRuleDefault(
                POLICY_INDEX, "rule:project_reader_or_admin", "List the project's favourites",
                [{"method": "GET", "path": "/example-favourites"}]),
            DocumentedRuleDefault(
                POLICY_ADD, "rule:project_member_or_admin", "Add a favourite colour",
                [{"method": "PUT", "path": "/example-favourites/{colour}"}]),
            DocumentedRuleDefault(
                POLICY_REMOVE, "rule:project_member_or_admin", "Remove a favourite colour",
                [{"method": "DELETE", "path": "/example-favourites/{colour}"}]),
        ]

    async def index(self, request: IAPIRequest) -> dict:
        colours = await self.compute.store_read(_listed, request.context.project_id)
        return {"favourites": colours}

    async def add(self, request: IAPIRequest, colour: str) -> dict:
        if colour not in PALETTE:
            raise ColourNotFound(name=colour)
        await self.compute.store_write(_add, request.context.project_id, colour)
        return {"favourite": colour}

    async def remove(self, request: IAPIRequest, colour: str) -> None:
        removed = await self.compute.store_write(_remove, request.context.project_id, colour)
        if not removed:
            raise ColourNotFound(name=colour)
