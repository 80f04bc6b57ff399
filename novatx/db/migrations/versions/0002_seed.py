"""Seed nova's historical default flavors and a public cirros image

Clients work at once on a new store: C{m1.tiny} .. C{m1.xlarge} with nova's
ids 1..5, and one active public image to boot.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

import datetime
import uuid

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_FLAVORS = [
    # flavorid, name, memory_mb, vcpus, root_gb
    ("1", "m1.tiny", 512, 1, 1),
    ("2", "m1.small", 2048, 1, 20),
    ("3", "m1.medium", 4096, 2, 40),
    ("4", "m1.large", 8192, 4, 80),
    ("5", "m1.xlarge", 16384, 8, 160),
]

_flavors = sa.table(
    "flavors",
    sa.column("id", sa.Integer), sa.column("flavorid", sa.String), sa.column("name", sa.String),
    sa.column("memory_mb", sa.Integer), sa.column("vcpus", sa.Integer),
    sa.column("root_gb", sa.Integer), sa.column("ephemeral_gb", sa.Integer),
    sa.column("swap", sa.Integer), sa.column("rxtx_factor", sa.Float),
    sa.column("is_public", sa.Boolean), sa.column("disabled", sa.Boolean),
    sa.column("created_at", sa.DateTime),
)
_images = sa.table(
    "images",
    sa.column("uuid", sa.String), sa.column("name", sa.String), sa.column("status", sa.String),
    sa.column("disk_format", sa.String), sa.column("container_format", sa.String),
    sa.column("size", sa.BigInteger), sa.column("min_disk", sa.Integer),
    sa.column("min_ram", sa.Integer), sa.column("visibility", sa.String),
    sa.column("owner", sa.String), sa.column("protected", sa.Boolean),
    sa.column("properties", sa.JSON), sa.column("deleted", sa.Boolean),
    sa.column("created_at", sa.DateTime),
)


def upgrade() -> None:
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    op.bulk_insert(_flavors, [
        {"id": int(flavorid), "flavorid": flavorid, "name": name, "memory_mb": ram,
         "vcpus": vcpus, "root_gb": disk, "ephemeral_gb": 0, "swap": 0, "rxtx_factor": 1.0,
         "is_public": True, "disabled": False, "created_at": now}
        for flavorid, name, ram, vcpus, disk in _FLAVORS
    ])
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        bind.execute(sa.text(
            "SELECT setval(pg_get_serial_sequence('flavors', 'id'), (SELECT max(id) FROM flavors))"
        ))
    op.bulk_insert(_images, [
        {"uuid": str(uuid.uuid4()), "name": "cirros", "status": "active",
         "disk_format": "qcow2", "container_format": "bare", "size": 21430272,
         "min_disk": 0, "min_ram": 0, "visibility": "public", "owner": None,
         "protected": False, "properties": {}, "deleted": False, "created_at": now}
    ])


def downgrade() -> None:
    op.execute(_images.delete().where(_images.c.name == "cirros"))
    op.execute(_flavors.delete().where(_flavors.c.flavorid.in_([f[0] for f in _FLAVORS])))
