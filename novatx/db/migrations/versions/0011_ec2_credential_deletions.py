"""Record EC2 credential deletions, so that every worker's cache sees them

C{ec2_credential_deletions}: one row per deleted credential. Its highest id is
a generation the EC2 credential cache of each worker reads at most once a
second; a new one drops what the cache remembered.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ec2_credential_deletions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("access", sa.String(length=64), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ec2_credential_deletions")),
    )


def downgrade() -> None:
    op.drop_table("ec2_credential_deletions")
