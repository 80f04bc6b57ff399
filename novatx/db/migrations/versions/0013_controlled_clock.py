"""Keep the controlled clock of behaviours: the time every worker reads

C{behaviours_clock}: one row, the daemon's "now" in seconds since the epoch
when C{[behaviours] clock = controlled}; it only moves forward, when a test
tells it to.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "behaviours_clock",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seconds", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_behaviours_clock")),
    )


def downgrade() -> None:
    op.drop_table("behaviours_clock")
