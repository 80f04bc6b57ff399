"""Keep the private key's fingerprint of a key pair the store generated

C{key_pairs.private_key_fingerprint}: the SHA-1 of the PKCS#8 DER private key,
which EC2 shows as the fingerprint of a key pair it generated. The private key
itself is handed out once and never kept, so the fingerprint is taken when the
pair is made; imported pairs (and pairs made before this revision) have none.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("key_pairs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("private_key_fingerprint", sa.String(length=255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("key_pairs", schema=None) as batch_op:
        batch_op.drop_column("private_key_fingerprint")
