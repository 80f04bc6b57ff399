"""Keep the zone a server is pinned to

C{instances.pinned_availability_zone}: the zone moves keep a server to (nova's
request spec zone), which an update may drop, or set back to the zone the
server is in, from 2.104.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("instances", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pinned_availability_zone", sa.String(length=255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("instances", schema=None) as batch_op:
        batch_op.drop_column("pinned_availability_zone")
