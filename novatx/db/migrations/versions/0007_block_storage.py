"""Block storage: volumes, their snapshots and attachments

The simulated block storage behind C{os-volume_attachments}, the compute API's
volume proxies and the Block Storage API subset. Volumes and snapshots carry
the same transition columns as instances, so any worker finishes what another
began.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _transition_columns() -> list:
    return [
        sa.Column("pending_action", sa.String(length=32), nullable=True),
        sa.Column("pending_params", sa.JSON(), nullable=True),
        sa.Column("step_started", sa.Double(), nullable=True),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("claim_expires", sa.Double(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
    ]


def upgrade() -> None:
    op.create_table(
        "volumes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("project_id", sa.String(length=255), nullable=False),
        sa.Column("user_id", sa.String(length=255), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=True),
        sa.Column("description", sa.String(length=255), nullable=True),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("availability_zone", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("bootable", sa.Boolean(), nullable=False),
        sa.Column("volume_type", sa.String(length=255), nullable=False),
        sa.Column("metadata", sa.JSON(), nullable=False),
        sa.Column("snapshot_id", sa.String(length=36), nullable=True),
        sa.Column("image_id", sa.String(length=36), nullable=True),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        *_transition_columns(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_volumes")),
        sa.UniqueConstraint("uuid", name=op.f("uq_volumes_uuid")),
    )
    op.create_index(op.f("ix_volumes_project_id"), "volumes", ["project_id"])
    op.create_index(op.f("ix_volumes_pending_action_claim_expires"), "volumes",
                    ["pending_action", "claim_expires"])
    op.create_table(
        "volume_snapshots",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("volume_uuid", sa.String(length=36), nullable=False),
        sa.Column("project_id", sa.String(length=255), nullable=False),
        sa.Column("user_id", sa.String(length=255), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=True),
        sa.Column("description", sa.String(length=255), nullable=True),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("metadata", sa.JSON(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        *_transition_columns(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_volume_snapshots")),
        sa.UniqueConstraint("uuid", name=op.f("uq_volume_snapshots_uuid")),
    )
    op.create_index(op.f("ix_volume_snapshots_volume_uuid"), "volume_snapshots",
                    ["volume_uuid"])
    op.create_index(op.f("ix_volume_snapshots_project_id"), "volume_snapshots",
                    ["project_id"])
    op.create_index(op.f("ix_volume_snapshots_pending_action_claim_expires"),
                    "volume_snapshots", ["pending_action", "claim_expires"])
    op.create_table(
        "volume_attachments",
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("volume_uuid", sa.String(length=36), nullable=False),
        sa.Column("instance_uuid", sa.String(length=36), nullable=False),
        sa.Column("bdm_uuid", sa.String(length=36), nullable=False),
        sa.Column("device", sa.String(length=255), nullable=False),
        sa.Column("tag", sa.String(length=60), nullable=True),
        sa.Column("delete_on_termination", sa.Boolean(), nullable=False),
        sa.Column("attached_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("uuid", name=op.f("pk_volume_attachments")),
        sa.UniqueConstraint("volume_uuid", name=op.f("uq_volume_attachments_volume_uuid")),
    )
    op.create_index(op.f("ix_volume_attachments_instance_uuid"), "volume_attachments",
                    ["instance_uuid"])


def downgrade() -> None:
    op.drop_table("volume_attachments")
    op.drop_table("volume_snapshots")
    op.drop_table("volumes")
