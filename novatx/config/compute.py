"""
Options of the internal compute API: quotas (nova's names and defaults), the
fixed IP pool, availability zones and the simulated driver's timing.
"""

from __future__ import annotations

from oslo_config import cfg

_DEFAULT_OPTS = [
    cfg.StrOpt(
        "default_availability_zone",
        default="nova",
        help="The availability zone of the simulated compute host.",
    ),
    cfg.StrOpt(
        "default_schedule_zone",
        help="The availability zone of servers created without one.",
    ),
    cfg.IntOpt(
        "reclaim_instance_interval",
        default=0,
        help="Seconds a deleted server stays soft-deleted (restorable, or gone at once "
        "with forceDelete) before it is reclaimed; 0 deletes at once.",
    ),
    cfg.StrOpt(
        "multi_instance_display_name_template",
        default="%(name)s-%(count)d",
        help="The name of each server of a multiple create "
        "(keys: name, count, uuid).",
    ),
]

_QUOTA_OPTS = [
    cfg.IntOpt("instances", default=10, min=-1, help="Servers per project (-1: unlimited)."),
    cfg.IntOpt("cores", default=20, min=-1, help="vCPUs per project."),
    cfg.IntOpt("ram", default=50 * 1024, min=-1, help="MB of RAM per project."),
    cfg.IntOpt("metadata_items", default=128, min=-1, help="Metadata items per server."),
    cfg.IntOpt("injected_files", default=5, min=-1, help="Injected files per server."),
    cfg.IntOpt(
        "injected_file_content_bytes", default=10 * 1024, min=-1,
        help="Bytes per injected file.",
    ),
    cfg.IntOpt(
        "injected_file_path_length", default=255, min=-1,
        help="Characters of an injected file's path.",
    ),
    cfg.IntOpt("key_pairs", default=100, min=-1, help="Key pairs per user."),
    cfg.IntOpt("server_groups", default=10, min=-1, help="Server groups per project."),
    cfg.IntOpt("volumes", default=10, min=-1, help="Volumes per project (block storage)."),
    cfg.IntOpt(
        "gigabytes", default=1000, min=-1,
        help="Gigabytes of volumes and their snapshots per project (block storage).",
    ),
    cfg.IntOpt("snapshots", default=10, min=-1, help="Volume snapshots per project."),
    cfg.IntOpt(
        "server_group_members", default=10, min=-1, help="Servers per server group."
    ),
    cfg.IntOpt(
        "fixed_ips", default=-1, min=-1,
        help="Fixed IPs per project: kept and shown by the quota APIs (before 2.36, "
        "quota classes before 2.50) as nova keeps it; nothing counts against it.",
    ),
    cfg.IntOpt("floating_ips", default=50, min=-1, help="Floating IPs per project."),
    cfg.IntOpt("security_groups", default=10, min=-1, help="Security groups per project."),
    cfg.IntOpt(
        "security_group_rules", default=100, min=-1,
        help="Security group rules per project.",
    ),
    cfg.IntOpt("ports", default=500, min=-1, help="Ports per project."),
    cfg.IntOpt("networks", default=100, min=-1, help="Networks per project."),
]

_NETWORK_OPTS = [
    cfg.StrOpt(
        "fixed_range",
        default="10.0.0.0/24",
        help="The IPv4 network fixed IPs are given from (the first host address "
        "is the gateway and never given): the subnet of the shared network "
        "private_network, made when the store is first opened.",
    ),
    cfg.StrOpt(
        "private_network", default="private",
        help="The name of the shared network servers get a port on by default.",
    ),
    cfg.StrOpt(
        "floating_range",
        default="172.24.4.0/24",
        help="The network floating IPs are given from (the first host address is "
        "the gateway and never given): the subnet of the external network "
        "public_network, made when the store is first opened.",
    ),
    cfg.StrOpt(
        "public_network", default="public",
        help="The name of the external network floating IPs come from (nova's pool).",
    ),
]

_SIMULATED_OPTS = [
    cfg.FloatOpt("boot_seconds", default=1.0, min=0, help="How long a boot takes."),
    cfg.FloatOpt(
        "action_seconds", default=0.5, min=0,
        help="How long other transitions take (stop, reboot, resize, ...).",
    ),
    cfg.FloatOpt("delete_seconds", default=0.2, min=0, help="How long a teardown takes."),
    cfg.FloatOpt(
        "claim_seconds", default=10.0, min=0.1,
        help="How long past its expected end a worker's claim on a transition "
        "lasts: after that any live worker finishes it.",
    ),
    cfg.FloatOpt(
        "poll_interval", default=5.0, min=0.05,
        help="Seconds between looks for transitions that no live worker finishes.",
    ),
    cfg.StrOpt("host", help="The simulated compute host's name (default: this machine's)."),
    cfg.FloatOpt(
        "volume_create_seconds", default=0.5, min=0,
        help="How long a volume (or a volume snapshot) takes to be created.",
    ),
    cfg.FloatOpt(
        "volume_attach_seconds", default=0.3, min=0,
        help="How long a volume takes to be attached, detached or extended.",
    ),
    cfg.FloatOpt(
        "volume_delete_seconds", default=0.2, min=0,
        help="How long a volume (or a volume snapshot) takes to be deleted.",
    ),
]


def list_opts() -> list[tuple[str | None, list[cfg.Opt]]]:
    return [
        (None, _DEFAULT_OPTS),
        ("quota", _QUOTA_OPTS),
        ("network", _NETWORK_OPTS),
        ("simulated", _SIMULATED_OPTS),
    ]
