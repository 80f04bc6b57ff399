"""
The store's tables, as SQLAlchemy Core metadata.

One schema serves SQLite, PostgreSQL and MySQL/MariaDB: strings have lengths
(MySQL indexes need them), JSON columns use the portable C{JSON} type, and
timestamps are naive UTC (the compute layer makes them timezone-aware).
The migrations in L{novatx.db.migrations} build exactly this schema; a test
compares the two.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import mysql

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

_UUID = sa.String(36)
#: Up to 16 MB on MySQL, whose TEXT stops at 64 KB (user data is 87 KB in base64).
MEDIUM_TEXT = sa.Text().with_variant(mysql.MEDIUMTEXT(), "mysql", "mariadb")
_ID = sa.String(255)


def _timestamps() -> list[sa.Column]:
    return [
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime),
    ]


flavors = sa.Table(
    "flavors",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("flavorid", sa.String(255), nullable=False, unique=True),
    sa.Column("name", sa.String(255), nullable=False, unique=True),
    sa.Column("memory_mb", sa.Integer, nullable=False),
    sa.Column("vcpus", sa.Integer, nullable=False),
    sa.Column("root_gb", sa.Integer, nullable=False),
    sa.Column("ephemeral_gb", sa.Integer, nullable=False, default=0),
    sa.Column("swap", sa.Integer, nullable=False, default=0),
    sa.Column("rxtx_factor", sa.Float, nullable=False, default=1.0),
    sa.Column("is_public", sa.Boolean, nullable=False, default=True),
    sa.Column("disabled", sa.Boolean, nullable=False, default=False),
    sa.Column("description", sa.Text),
    *_timestamps(),
)

flavor_extra_specs = sa.Table(
    "flavor_extra_specs",
    metadata,
    sa.Column(
        "flavor_id", sa.Integer, sa.ForeignKey("flavors.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("key", sa.String(255), primary_key=True),
    sa.Column("value", sa.String(255), nullable=False),
)

flavor_projects = sa.Table(
    "flavor_projects",
    metadata,
    sa.Column(
        "flavor_id", sa.Integer, sa.ForeignKey("flavors.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("project_id", _ID, primary_key=True),
)

images = sa.Table(
    "images",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("uuid", _UUID, nullable=False, unique=True),
    sa.Column("name", sa.String(255)),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("disk_format", sa.String(32)),
    sa.Column("container_format", sa.String(32)),
    sa.Column("size", sa.BigInteger),
    sa.Column("min_disk", sa.Integer, nullable=False, default=0),
    sa.Column("min_ram", sa.Integer, nullable=False, default=0),
    sa.Column("visibility", sa.String(32), nullable=False),
    sa.Column("owner", _ID),
    sa.Column("protected", sa.Boolean, nullable=False, default=False),
    sa.Column("properties", sa.JSON, nullable=False),
    sa.Column("deleted", sa.Boolean, nullable=False, default=False),
    *_timestamps(),
)

key_pairs = sa.Table(
    "key_pairs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("user_id", _ID, nullable=False),
    sa.Column("type", sa.String(8), nullable=False),
    sa.Column("public_key", sa.Text, nullable=False),
    sa.Column("fingerprint", sa.String(255), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("private_key_fingerprint", sa.String(255)),
    sa.UniqueConstraint("user_id", "name"),
)

instances = sa.Table(
    "instances",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("uuid", _UUID, nullable=False, unique=True),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("hostname", sa.String(255), nullable=False),
    sa.Column("description", sa.Text),
    sa.Column("project_id", _ID, nullable=False, index=True),
    sa.Column("user_id", _ID, nullable=False),
    sa.Column("flavor_id", sa.Integer, nullable=False),
    # What quota counts: the flavor's size, kept here so a sum is one query.
    sa.Column("vcpus", sa.Integer, nullable=False),
    sa.Column("memory_mb", sa.Integer, nullable=False),
    sa.Column("flavor", sa.JSON, nullable=False),
    sa.Column("new_flavor", sa.JSON),
    sa.Column("image_id", _UUID),
    sa.Column("key_name", sa.String(255)),
    sa.Column("key_data", sa.Text),
    sa.Column("user_data", MEDIUM_TEXT),
    sa.Column("admin_password", sa.String(255)),
    sa.Column("availability_zone", sa.String(255)),
    sa.Column("launch_index", sa.Integer, nullable=False, default=0),
    sa.Column("reservation_id", sa.String(255), nullable=False, index=True),
    sa.Column("fixed_ip", sa.String(64)),
    sa.Column("mac_address", sa.String(32)),
    sa.Column("host", sa.String(255)),
    sa.Column("node", sa.String(255)),
    sa.Column("vm_state", sa.String(255), nullable=False),
    sa.Column("task_state", sa.String(255)),
    sa.Column("power_state", sa.Integer, nullable=False, default=0),
    sa.Column("locked", sa.Boolean, nullable=False, default=False),
    sa.Column("locked_by", sa.String(16)),
    sa.Column("locked_reason", sa.String(255)),
    sa.Column("progress", sa.Integer, nullable=False, default=0),
    sa.Column("config_drive", sa.String(255), nullable=False, default=""),
    sa.Column("access_ip_v4", sa.String(64)),
    sa.Column("access_ip_v6", sa.String(64)),
    sa.Column("block_device_mapping", sa.JSON, nullable=False),
    sa.Column("networks", sa.JSON, nullable=False),
    sa.Column("extra", sa.JSON, nullable=False),
    # The zone moves and unshelves keep to (nova's request spec zone); from
    # 2.104 an update may drop it, or set it back to the zone the server is in.
    sa.Column("pinned_availability_zone", sa.String(255)),
    # nova's: a delete is refused (EC2's disableApiTermination), and a shutdown
    # from inside the instance terminates it (instanceInitiatedShutdownBehavior).
    sa.Column("disable_terminate", sa.Boolean, nullable=False, default=False),
    sa.Column("shutdown_terminate", sa.Boolean, nullable=False, default=False),
    sa.Column("launched_at", sa.DateTime),
    sa.Column("terminated_at", sa.DateTime),
    sa.Column("deleted", sa.Boolean, nullable=False, default=False),
    sa.Column("deleted_at", sa.DateTime),
    # A transition in progress: what, with which parameters, and which worker
    # finishes it until when (after that, any live worker may take it over).
    sa.Column("pending_action", sa.String(32)),
    sa.Column("pending_params", sa.JSON),
    sa.Column("step_started", sa.Double),
    sa.Column("claimed_by", sa.String(64)),
    sa.Column("claim_expires", sa.Double),
    *_timestamps(),
    sa.Index(None, "pending_action", "claim_expires"),
)

instance_metadata = sa.Table(
    "instance_metadata",
    metadata,
    sa.Column(
        "instance_id", sa.Integer, sa.ForeignKey("instances.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    # Compared exactly on every backend (on MySQL/MariaDB a binary collation,
    # migration 0005), like tags, extra spec keys and EC2 client tokens.
    sa.Column("key", sa.String(255), primary_key=True),
    sa.Column("value", sa.String(255), nullable=False),
)

tags = sa.Table(
    "tags",
    metadata,
    sa.Column(
        "instance_id", sa.Integer, sa.ForeignKey("instances.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("tag", sa.String(80), primary_key=True),
)

instance_faults = sa.Table(
    "instance_faults",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "instance_id", sa.Integer, sa.ForeignKey("instances.id", ondelete="CASCADE"),
        nullable=False, index=True,
    ),
    sa.Column("code", sa.Integer, nullable=False),
    sa.Column("message", sa.String(255), nullable=False),
    sa.Column("details", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
)

instance_passwords = sa.Table(
    "instance_passwords",
    metadata,
    sa.Column("instance_uuid", _UUID, primary_key=True),
    sa.Column("password", sa.Text, nullable=False),
)

instance_actions = sa.Table(
    "instance_actions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("instance_uuid", _UUID, nullable=False, index=True),
    sa.Column("request_id", sa.String(255), nullable=False),
    sa.Column("action", sa.String(255), nullable=False),
    sa.Column("user_id", _ID, nullable=False),
    sa.Column("project_id", _ID, nullable=False),
    sa.Column("start_time", sa.DateTime, nullable=False),
    sa.Column("updated_at", sa.DateTime),
    sa.Column("message", sa.String(255)),
)

instance_action_events = sa.Table(
    "instance_action_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "action_id", sa.Integer, sa.ForeignKey("instance_actions.id", ondelete="CASCADE"),
        nullable=False, index=True,
    ),
    sa.Column("event", sa.String(255), nullable=False),
    sa.Column("start_time", sa.DateTime, nullable=False),
    sa.Column("finish_time", sa.DateTime),
    sa.Column("result", sa.String(255)),
    sa.Column("host", sa.String(255)),
)

server_groups = sa.Table(
    "server_groups",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("uuid", _UUID, nullable=False, unique=True),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("project_id", _ID, nullable=False, index=True),
    sa.Column("user_id", _ID, nullable=False),
    sa.Column("policy", sa.String(255), nullable=False),
    sa.Column("rules", sa.JSON, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
)

server_group_members = sa.Table(
    "server_group_members",
    metadata,
    sa.Column(
        "group_id", sa.Integer, sa.ForeignKey("server_groups.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("instance_uuid", _UUID, primary_key=True),
)

quotas = sa.Table(
    "quotas",
    metadata,
    sa.Column("project_id", _ID, primary_key=True),
    # "" for the project's own limit, a user id for a per-user one.
    sa.Column("user_id", _ID, primary_key=True),
    sa.Column("resource", sa.String(255), primary_key=True),
    sa.Column("hard_limit", sa.Integer, nullable=False),
)

project_locks = sa.Table(
    "project_locks",
    metadata,
    # One row per project, locked (SELECT ... FOR UPDATE, or SQLite's write
    # lock) while its usage is counted and new instances are recorded, so that
    # concurrent creates never overshoot a quota.
    sa.Column("project_id", _ID, primary_key=True),
)

ec2_credentials = sa.Table(
    "ec2_credentials",
    metadata,
    sa.Column("access", sa.String(64), primary_key=True),
    sa.Column("secret", sa.String(64), nullable=False),
    sa.Column("user_id", _ID, nullable=False, index=True),
    sa.Column("project_id", _ID, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
)

ec2_client_tokens = sa.Table(
    "ec2_client_tokens",
    metadata,
    sa.Column("project_id", _ID, primary_key=True),
    sa.Column("client_token", sa.String(64), primary_key=True),
    sa.Column("reservation_id", sa.String(255), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
)

# -- EC2: tags on images, and who may launch an image ------------------------------

image_tags = sa.Table(
    "image_tags",
    metadata,
    # A project's own tags on an image it may see: AWS keeps a tag on a public
    # or shared image for the account that set it, so each project has its own.
    sa.Column(
        "image_id", sa.Integer, sa.ForeignKey("images.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("project_id", _ID, primary_key=True),
    sa.Column("key", sa.String(128), primary_key=True),
    sa.Column("value", sa.String(256), nullable=False),
)

image_members = sa.Table(
    "image_members",
    metadata,
    # The projects a shared image is shared with (glance's members, EC2's
    # launchPermission by account).
    sa.Column(
        "image_id", sa.Integer, sa.ForeignKey("images.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("project_id", _ID, primary_key=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
)

services = sa.Table(
    "services",
    metadata,
    # The administrative state of a nova service of the deployment, once an
    # admin changed it (os-services); a service without a row is enabled and up.
    sa.Column("host", sa.String(255), primary_key=True),
    sa.Column("binary", sa.String(255), primary_key=True),
    sa.Column("disabled", sa.Boolean, nullable=False, default=False),
    sa.Column("disabled_reason", sa.String(255)),
    sa.Column("forced_down", sa.Boolean, nullable=False, default=False),
    *_timestamps(),
)

ec2_credential_deletions = sa.Table(
    "ec2_credential_deletions",
    metadata,
    # One row per deleted EC2 credential: the highest id is the generation every
    # worker's credential cache compares with its own, so a deletion made by
    # novatx-manage (or another worker) reaches all of them within a second.
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("access", sa.String(64), nullable=False),
    sa.Column("deleted_at", sa.DateTime, nullable=False),
)

# -- host aggregates (os-aggregates) ---------------------------------------------------

aggregates = sa.Table(
    "aggregates",
    metadata,
    # An admin's group of compute hosts; its availability_zone metadata item
    # puts the hosts in that zone.
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("uuid", _UUID, nullable=False, unique=True),
    sa.Column("name", sa.String(255), nullable=False, unique=True),
    *_timestamps(),
)

aggregate_hosts = sa.Table(
    "aggregate_hosts",
    metadata,
    sa.Column(
        "aggregate_id", sa.Integer, sa.ForeignKey("aggregates.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("host", sa.String(255), primary_key=True),
)

aggregate_metadata = sa.Table(
    "aggregate_metadata",
    metadata,
    sa.Column(
        "aggregate_id", sa.Integer, sa.ForeignKey("aggregates.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("key", sa.String(255), primary_key=True),
    sa.Column("value", sa.String(255), nullable=False),
)

# -- quota classes (os-quota-class-sets) -------------------------------------------------

quota_classes = sa.Table(
    "quota_classes",
    metadata,
    # A quota class's limits; the "default" class's stand over [quota]'s
    # defaults for every project.
    sa.Column("class_name", sa.String(255), primary_key=True),
    sa.Column("resource", sa.String(255), primary_key=True),
    sa.Column("hard_limit", sa.Integer, nullable=False),
)

# -- migrations (os-migrations) -------------------------------------------------------

migrations = sa.Table(
    "migrations",
    metadata,
    # A server's move between hosts or flavors (a resize here): nova's
    # migration record, kept after the move is confirmed or reverted.
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("uuid", _UUID, nullable=False, unique=True),
    sa.Column("instance_uuid", _UUID, nullable=False, index=True),
    sa.Column("migration_type", sa.String(32), nullable=False),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("source_compute", sa.String(255)),
    sa.Column("dest_compute", sa.String(255)),
    sa.Column("old_instance_type_id", sa.Integer),
    sa.Column("new_instance_type_id", sa.Integer),
    sa.Column("project_id", _ID, nullable=False),
    sa.Column("user_id", _ID, nullable=False),
    *_timestamps(),
)

# -- block storage (novatx.compute.volumes) -------------------------------------


def _transition_columns() -> list[sa.Column]:
    """A volume's or snapshot's transition in progress, claimed as instances' are."""
    return [
        sa.Column("pending_action", sa.String(32)),
        sa.Column("pending_params", sa.JSON),
        sa.Column("step_started", sa.Double),
        sa.Column("claimed_by", sa.String(64)),
        sa.Column("claim_expires", sa.Double),
    ]


volumes = sa.Table(
    "volumes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("uuid", _UUID, nullable=False, unique=True),
    sa.Column("project_id", _ID, nullable=False, index=True),
    sa.Column("user_id", _ID, nullable=False),
    sa.Column("name", sa.String(255)),
    sa.Column("description", sa.String(255)),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("availability_zone", sa.String(255), nullable=False),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("bootable", sa.Boolean, nullable=False, default=False),
    sa.Column("volume_type", sa.String(255), nullable=False),
    sa.Column("metadata", sa.JSON, nullable=False),
    sa.Column("snapshot_id", _UUID),
    sa.Column("image_id", _UUID),
    sa.Column("deleted", sa.Boolean, nullable=False, default=False),
    sa.Column("deleted_at", sa.DateTime),
    *_transition_columns(),
    *_timestamps(),
    sa.Index(None, "pending_action", "claim_expires"),
)

volume_snapshots = sa.Table(
    "volume_snapshots",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("uuid", _UUID, nullable=False, unique=True),
    sa.Column("volume_uuid", _UUID, nullable=False, index=True),
    sa.Column("project_id", _ID, nullable=False, index=True),
    sa.Column("user_id", _ID, nullable=False),
    sa.Column("name", sa.String(255)),
    sa.Column("description", sa.String(255)),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("metadata", sa.JSON, nullable=False),
    sa.Column("deleted", sa.Boolean, nullable=False, default=False),
    sa.Column("deleted_at", sa.DateTime),
    *_transition_columns(),
    *_timestamps(),
    sa.Index(None, "pending_action", "claim_expires"),
)

volume_attachments = sa.Table(
    "volume_attachments",
    metadata,
    # One row per attached (or attaching, detaching) volume; the unique volume
    # is what refuses a second attachment of a volume that is not multiattach,
    # even from two workers at once.
    sa.Column("uuid", _UUID, primary_key=True),
    sa.Column("volume_uuid", _UUID, nullable=False, unique=True),
    sa.Column("instance_uuid", _UUID, nullable=False, index=True),
    sa.Column("bdm_uuid", _UUID, nullable=False),
    sa.Column("device", sa.String(255), nullable=False),
    sa.Column("tag", sa.String(60)),
    sa.Column("delete_on_termination", sa.Boolean, nullable=False, default=False),
    sa.Column("attached_at", sa.DateTime),
    *_timestamps(),
)

# -- networking (novatx.compute.network) ----------------------------------------------

networks = sa.Table(
    "networks",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("uuid", _UUID, nullable=False, unique=True),
    sa.Column("name", sa.String(255), nullable=False, unique=True),
    sa.Column("project_id", _ID, nullable=False),
    sa.Column("shared", sa.Boolean, nullable=False, default=False),
    sa.Column("external", sa.Boolean, nullable=False, default=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
)

subnets = sa.Table(
    "subnets",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("uuid", _UUID, nullable=False, unique=True),
    sa.Column(
        "network_id", sa.Integer, sa.ForeignKey("networks.id", ondelete="CASCADE"),
        nullable=False, index=True,
    ),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("project_id", _ID, nullable=False),
    sa.Column("cidr", sa.String(64), nullable=False),
    sa.Column("gateway_ip", sa.String(64)),
    sa.Column("ip_version", sa.Integer, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
)

ports = sa.Table(
    "ports",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("uuid", _UUID, nullable=False, unique=True),
    sa.Column(
        "network_id", sa.Integer, sa.ForeignKey("networks.id"), nullable=False, index=True,
    ),
    sa.Column("project_id", _ID, nullable=False, index=True),
    sa.Column("name", sa.String(255), nullable=False, default=""),
    # The server (or floating IP) the port serves; NULL while unbound.
    sa.Column("device_id", sa.String(255), index=True),
    sa.Column("device_owner", sa.String(255), nullable=False, default=""),
    sa.Column("mac_address", sa.String(32), nullable=False, unique=True),
    # Made by a server's boot, so deleted with the server; a port the user
    # made is only unbound.
    sa.Column("auto_delete", sa.Boolean, nullable=False, default=False),
    sa.Column("tag", sa.String(60)),
    sa.Column("created_at", sa.DateTime, nullable=False),
)

port_addresses = sa.Table(
    "port_addresses",
    metadata,
    # The primary key is what makes an address impossible to give twice, even
    # by two workers at once: the loser's INSERT fails and it tries the next.
    sa.Column(
        "network_id", sa.Integer, sa.ForeignKey("networks.id"), primary_key=True,
    ),
    sa.Column("address", sa.String(64), primary_key=True),
    sa.Column(
        "port_id", sa.Integer, sa.ForeignKey("ports.id", ondelete="CASCADE"),
        nullable=False, index=True,
    ),
    sa.Column(
        "subnet_id", sa.Integer, sa.ForeignKey("subnets.id", ondelete="CASCADE"),
        nullable=False,
    ),
)

security_groups = sa.Table(
    "security_groups",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("uuid", _UUID, nullable=False, unique=True),
    sa.Column("project_id", _ID, nullable=False, index=True),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("description", sa.String(255), nullable=False, default=""),
    # The project's id on its C{default} group, NULL on the others: a project
    # never gets two default groups, even when two requests make it at once.
    sa.Column("default_for", _ID, unique=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("updated_at", sa.DateTime),
)

security_group_rules = sa.Table(
    "security_group_rules",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("uuid", _UUID, nullable=False, unique=True),
    sa.Column(
        "group_id", sa.Integer, sa.ForeignKey("security_groups.id", ondelete="CASCADE"),
        nullable=False, index=True,
    ),
    sa.Column("project_id", _ID, nullable=False),
    sa.Column("direction", sa.String(16), nullable=False),
    sa.Column("ethertype", sa.String(16), nullable=False),
    sa.Column("protocol", sa.String(40)),
    sa.Column("port_range_min", sa.Integer),
    sa.Column("port_range_max", sa.Integer),
    sa.Column("remote_ip_prefix", sa.String(64)),
    sa.Column(
        "remote_group_id", sa.Integer,
        sa.ForeignKey("security_groups.id", ondelete="CASCADE"),
    ),
    sa.Column("description", sa.String(255), nullable=False, default=""),
    sa.Column("created_at", sa.DateTime, nullable=False),
)

port_security_groups = sa.Table(
    "port_security_groups",
    metadata,
    sa.Column(
        "port_id", sa.Integer, sa.ForeignKey("ports.id", ondelete="CASCADE"), primary_key=True,
    ),
    sa.Column(
        "group_id", sa.Integer, sa.ForeignKey("security_groups.id"), primary_key=True,
    ),
)

floating_ips = sa.Table(
    "floating_ips",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("uuid", _UUID, nullable=False, unique=True),
    sa.Column("project_id", _ID, nullable=False, index=True),
    sa.Column(
        "network_id", sa.Integer, sa.ForeignKey("networks.id"), nullable=False,
    ),
    # The port on the external network that holds the address.
    sa.Column(
        "own_port_id", sa.Integer, sa.ForeignKey("ports.id"), nullable=False, unique=True,
    ),
    sa.Column("address", sa.String(64), nullable=False),
    # The port it forwards to, and which of that port's addresses.
    sa.Column(
        "port_id", sa.Integer, sa.ForeignKey("ports.id", ondelete="SET NULL"), index=True,
    ),
    sa.Column("fixed_address", sa.String(64)),
    sa.Column("description", sa.String(255), nullable=False, default=""),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("updated_at", sa.DateTime),
)

# -- behaviours: test-time failures injected on cue (novatx.compute.behaviours) --

behaviours = sa.Table(
    "behaviours",
    metadata,
    sa.Column("id", _UUID, primary_key=True),
    sa.Column("project_id", _ID, nullable=False, index=True),
    # The scope: each one unset matches anything.
    sa.Column("api", sa.String(32)),
    sa.Column("method", sa.String(16)),
    sa.Column("path", sa.String(255)),
    sa.Column("ec2_action", sa.String(64)),
    sa.Column("server_name", sa.String(255)),
    sa.Column("effect", sa.String(32), nullable=False),
    sa.Column("params", sa.JSON, nullable=False),
    sa.Column("count", sa.String(8), nullable=False),
    # How many firings are left (NULL: forever); taken one at a time by an
    # UPDATE that only succeeds while some are left.
    sa.Column("remaining", sa.Integer),
    sa.Column("fired", sa.Integer, nullable=False, default=0),
    sa.Column("not_before", sa.DateTime),
    sa.Column("not_after", sa.DateTime),
    sa.Column("created_by", _ID, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
)

# The controlled clock of behaviours (one row, id 1): the daemon's "now" in
# seconds since the epoch, moved forward only when a test tells it to.
behaviours_clock = sa.Table(
    "behaviours_clock",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("seconds", sa.Double, nullable=False),
)

# -- change generations: what a worker's read cache checks (novatx.db.generations) --

change_generations = sa.Table(
    "change_generations",
    metadata,
    # A kind of rows (novatx.db.generations.KINDS) and a project ("": the
    # writes of that kind no project was named for).
    sa.Column("kind", sa.String(32), primary_key=True),
    sa.Column("project_id", _ID, primary_key=True),
    # Raised by one in the transaction of every write of the kind.
    sa.Column("generation", sa.BigInteger, nullable=False, default=0),
)
