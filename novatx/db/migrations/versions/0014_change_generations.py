"""Keep change generations, which workers' read caches check

C{change_generations}: one counter per kind of rows and project, raised in
the transaction of every write of that kind (L{novatx.db.generations}). The
row of each kind for no project (C{""}) is made here, so that writes which
name no project only ever update it.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

#: The kinds of rows a generation is kept for, as novatx.db.generations.KINDS
#: was when this revision was written.
KINDS = ("servers", "key_pairs", "quotas", "flavors", "images", "server_groups")


def upgrade() -> None:
    table = op.create_table(
        "change_generations",
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("project_id", sa.String(length=255), nullable=False),
        sa.Column("generation", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "project_id", name=op.f("pk_change_generations")),
    )
    op.bulk_insert(table, [{"kind": kind, "project_id": "", "generation": 0} for kind in KINDS])


def downgrade() -> None:
    op.drop_table("change_generations")
