"""Instance and image attributes for EC2

C{instances.disable_terminate} and C{instances.shutdown_terminate} (nova's
columns: EC2's C{disableApiTermination} and C{instanceInitiatedShutdownBehavior});
C{image_tags}, each project's own EC2 tags on the images it may see; and
C{image_members}, the projects a shared image is shared with (EC2's
C{launchPermission} by account). Tag keys compare exactly on MySQL and
MariaDB, as metadata keys do since revision 0005.

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0007"
branch_labels = None
depends_on = None


def _key_type(dialect: sa.engine.Dialect) -> sa.String:
    """A tag key's type: binary without padding on MySQL/MariaDB (see revision 0005)."""
    if dialect.name not in ("mysql", "mariadb"):
        return sa.String(length=128)
    if getattr(dialect, "is_mariadb", False):
        return sa.String(length=128, collation="utf8mb4_nopad_bin")
    if dialect.server_version_info and dialect.server_version_info >= (8,):
        return sa.String(length=128, collation="utf8mb4_0900_bin")
    return sa.String(length=128, collation="utf8mb4_bin")


def upgrade() -> None:
    with op.batch_alter_table("instances", schema=None) as batch_op:
        batch_op.add_column(sa.Column("disable_terminate", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column("shutdown_terminate", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    op.create_table(
        "image_tags",
        sa.Column("image_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.String(length=255), nullable=False),
        sa.Column("key", _key_type(op.get_bind().dialect), nullable=False),
        sa.Column("value", sa.String(length=256), nullable=False),
        sa.ForeignKeyConstraint(["image_id"], ["images.id"],
                                name=op.f("fk_image_tags_image_id_images"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("image_id", "project_id", "key", name=op.f("pk_image_tags")),
    )
    op.create_table(
        "image_members",
        sa.Column("image_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["image_id"], ["images.id"],
                                name=op.f("fk_image_members_image_id_images"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("image_id", "project_id", name=op.f("pk_image_members")),
    )


def downgrade() -> None:
    op.drop_table("image_members")
    op.drop_table("image_tags")
    with op.batch_alter_table("instances", schema=None) as batch_op:
        batch_op.drop_column("shutdown_terminate")
        batch_op.drop_column("disable_terminate")
