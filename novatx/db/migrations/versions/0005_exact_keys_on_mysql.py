"""Compare metadata keys, tags, extra spec keys and client tokens exactly on MySQL

MySQL and MariaDB compare strings by the column's collation, and the default
one ignores case (and, on MariaDB, trailing spaces): metadata C{{"a": ..,
"A": ..}} or tags C{X} and C{x} collided in a primary key there while
SQLite and PostgreSQL keep both, and two EC2 client tokens that differ in
case were taken for one. These columns get a binary collation that pads
nothing, so every backend keeps exactly what it was given. Other databases
are untouched.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

#: (table, column, length) of the columns compared exactly.
COLUMNS = (("instance_metadata", "key", 255), ("tags", "tag", 80),
           ("flavor_extra_specs", "key", 255), ("ec2_client_tokens", "client_token", 64))


def _exact_collation(dialect: sa.engine.Dialect) -> str:
    """A binary collation without padding: MariaDB's, MySQL 8's, or else plain binary."""
    if getattr(dialect, "is_mariadb", False):
        return "utf8mb4_nopad_bin"
    if dialect.server_version_info and dialect.server_version_info >= (8,):
        return "utf8mb4_0900_bin"
    return "utf8mb4_bin"


def _collate(collation: str | None) -> None:
    for table, column, length in COLUMNS:
        op.alter_column(table, column, existing_nullable=False,
                        existing_type=sa.String(length),
                        type_=sa.String(length, collation=collation))


def upgrade() -> None:
    dialect = op.get_bind().dialect
    if dialect.name in ("mysql", "mariadb"):
        _collate(_exact_collation(dialect))


def downgrade() -> None:
    if op.get_bind().dialect.name in ("mysql", "mariadb"):
        _collate(None)
