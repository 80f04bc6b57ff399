"""Keep behaviours: failures a test injects on cue

A behaviour's scope (project, API, method, path, EC2 action, server name),
its effect and how many firings it has left.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "behaviours",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("project_id", sa.String(length=255), nullable=False),
        sa.Column("api", sa.String(length=32), nullable=True),
        sa.Column("method", sa.String(length=16), nullable=True),
        sa.Column("path", sa.String(length=255), nullable=True),
        sa.Column("ec2_action", sa.String(length=64), nullable=True),
        sa.Column("server_name", sa.String(length=255), nullable=True),
        sa.Column("effect", sa.String(length=32), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("count", sa.String(length=8), nullable=False),
        sa.Column("remaining", sa.Integer(), nullable=True),
        sa.Column("fired", sa.Integer(), nullable=False),
        sa.Column("not_before", sa.DateTime(), nullable=True),
        sa.Column("not_after", sa.DateTime(), nullable=True),
        sa.Column("created_by", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_behaviours")),
    )
    op.create_index(op.f("ix_behaviours_project_id"), "behaviours", ["project_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_behaviours_project_id"), table_name="behaviours")
    op.drop_table("behaviours")
