"""The favourite colours of each project.

Revision ID: example_0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "example_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "example_favourites",
        sa.Column("project_id", sa.String(255), nullable=False),
        sa.Column("colour", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.PrimaryKeyConstraint("project_id", "colour", name="pk_example_favourites"),
    )


def downgrade() -> None:
    op.drop_table("example_favourites")
