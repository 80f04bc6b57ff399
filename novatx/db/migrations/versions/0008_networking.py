"""Networks, subnets, ports, security groups and floating IPs

The fixed IP pool's one table (C{fixed_ips}) becomes ports with their
addresses on networks; the addresses live instances hold are kept on them
(C{instances.fixed_ip}), and the compute service gives each such instance its
port on the fixed network when it first starts on this schema.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "networks",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("project_id", sa.String(length=255), nullable=False),
        sa.Column("shared", sa.Boolean(), nullable=False),
        sa.Column("external", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_networks")),
        sa.UniqueConstraint("name", name=op.f("uq_networks_name")),
        sa.UniqueConstraint("uuid", name=op.f("uq_networks_uuid")),
    )
    op.create_table(
        "security_groups",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("project_id", sa.String(length=255), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.String(length=255), nullable=False),
        sa.Column("default_for", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_security_groups")),
        sa.UniqueConstraint("default_for", name=op.f("uq_security_groups_default_for")),
        sa.UniqueConstraint("uuid", name=op.f("uq_security_groups_uuid")),
    )
    with op.batch_alter_table("security_groups", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_security_groups_project_id"), ["project_id"],
                              unique=False)
    op.create_table(
        "subnets",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("network_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("project_id", sa.String(length=255), nullable=False),
        sa.Column("cidr", sa.String(length=64), nullable=False),
        sa.Column("gateway_ip", sa.String(length=64), nullable=True),
        sa.Column("ip_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["network_id"], ["networks.id"],
                                name=op.f("fk_subnets_network_id_networks"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subnets")),
        sa.UniqueConstraint("uuid", name=op.f("uq_subnets_uuid")),
    )
    with op.batch_alter_table("subnets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_subnets_network_id"), ["network_id"], unique=False)
    op.create_table(
        "ports",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("network_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.String(length=255), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("device_id", sa.String(length=255), nullable=True),
        sa.Column("device_owner", sa.String(length=255), nullable=False),
        sa.Column("mac_address", sa.String(length=32), nullable=False),
        sa.Column("auto_delete", sa.Boolean(), nullable=False),
        sa.Column("tag", sa.String(length=60), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["network_id"], ["networks.id"],
                                name=op.f("fk_ports_network_id_networks")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ports")),
        sa.UniqueConstraint("mac_address", name=op.f("uq_ports_mac_address")),
        sa.UniqueConstraint("uuid", name=op.f("uq_ports_uuid")),
    )
    with op.batch_alter_table("ports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ports_device_id"), ["device_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_ports_network_id"), ["network_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_ports_project_id"), ["project_id"], unique=False)
    op.create_table(
        "security_group_rules",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.String(length=255), nullable=False),
        sa.Column("direction", sa.String(length=16), nullable=False),
        sa.Column("ethertype", sa.String(length=16), nullable=False),
        sa.Column("protocol", sa.String(length=40), nullable=True),
        sa.Column("port_range_min", sa.Integer(), nullable=True),
        sa.Column("port_range_max", sa.Integer(), nullable=True),
        sa.Column("remote_ip_prefix", sa.String(length=64), nullable=True),
        sa.Column("remote_group_id", sa.Integer(), nullable=True),
        sa.Column("description", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["group_id"], ["security_groups.id"],
                                name=op.f("fk_security_group_rules_group_id_security_groups"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["remote_group_id"], ["security_groups.id"],
            name=op.f("fk_security_group_rules_remote_group_id_security_groups"),
            ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_security_group_rules")),
        sa.UniqueConstraint("uuid", name=op.f("uq_security_group_rules_uuid")),
    )
    with op.batch_alter_table("security_group_rules", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_security_group_rules_group_id"), ["group_id"],
                              unique=False)
    op.create_table(
        "port_addresses",
        sa.Column("network_id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("port_id", sa.Integer(), nullable=False),
        sa.Column("subnet_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["network_id"], ["networks.id"],
                                name=op.f("fk_port_addresses_network_id_networks")),
        sa.ForeignKeyConstraint(["port_id"], ["ports.id"],
                                name=op.f("fk_port_addresses_port_id_ports"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["subnet_id"], ["subnets.id"],
                                name=op.f("fk_port_addresses_subnet_id_subnets"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("network_id", "address", name=op.f("pk_port_addresses")),
    )
    with op.batch_alter_table("port_addresses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_port_addresses_port_id"), ["port_id"], unique=False)
    op.create_table(
        "port_security_groups",
        sa.Column("port_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["group_id"], ["security_groups.id"],
                                name=op.f("fk_port_security_groups_group_id_security_groups")),
        sa.ForeignKeyConstraint(["port_id"], ["ports.id"],
                                name=op.f("fk_port_security_groups_port_id_ports"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("port_id", "group_id", name=op.f("pk_port_security_groups")),
    )
    op.create_table(
        "floating_ips",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("project_id", sa.String(length=255), nullable=False),
        sa.Column("network_id", sa.Integer(), nullable=False),
        sa.Column("own_port_id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("port_id", sa.Integer(), nullable=True),
        sa.Column("fixed_address", sa.String(length=64), nullable=True),
        sa.Column("description", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["network_id"], ["networks.id"],
                                name=op.f("fk_floating_ips_network_id_networks")),
        sa.ForeignKeyConstraint(["own_port_id"], ["ports.id"],
                                name=op.f("fk_floating_ips_own_port_id_ports")),
        sa.ForeignKeyConstraint(["port_id"], ["ports.id"],
                                name=op.f("fk_floating_ips_port_id_ports"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_floating_ips")),
        sa.UniqueConstraint("own_port_id", name=op.f("uq_floating_ips_own_port_id")),
        sa.UniqueConstraint("uuid", name=op.f("uq_floating_ips_uuid")),
    )
    with op.batch_alter_table("floating_ips", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_floating_ips_port_id"), ["port_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_floating_ips_project_id"), ["project_id"],
                              unique=False)
    op.drop_table("fixed_ips")


def downgrade() -> None:
    op.create_table(
        "fixed_ips",
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("instance_uuid", sa.String(length=36), nullable=False),
        sa.Column("allocated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("address", name=op.f("pk_fixed_ips")),
        sa.UniqueConstraint("instance_uuid", name=op.f("uq_fixed_ips_instance_uuid")),
    )
    op.execute(
        "INSERT INTO fixed_ips (address, instance_uuid, allocated_at) "
        "SELECT fixed_ip, uuid, created_at FROM instances "
        "WHERE deleted = false AND fixed_ip IS NOT NULL"
    )
    for table in ("floating_ips", "port_security_groups", "port_addresses",
                  "security_group_rules", "ports", "subnets", "security_groups", "networks"):
        op.drop_table(table)
