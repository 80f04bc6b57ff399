"""
Options of the EC2 Query API (group C{[ec2]}).

Nova kept its EC2 options in C{[DEFAULT]}; novatx gathers the ones the EC2 face
reads under C{[ec2]}, keeping nova's names (C{ec2_timestamp_expiry},
C{keystone_ec2_url}) where nova had one. The listening address and port
(C{ec2_listen}, C{ec2_listen_port}) belong to the service options.
"""

from __future__ import annotations

from oslo_config import cfg

GROUP = "ec2"

ec2_opts = [
    cfg.StrOpt(
        "region_name",
        default="RegionOne",
        help="The region this endpoint serves: the region a SigV4 signature must be "
        "scoped to, and the one DescribeRegions lists.",
    ),
    cfg.IntOpt(
        "ec2_timestamp_expiry",
        default=300,
        min=1,
        help="How many seconds a signed request's timestamp (X-Amz-Date, Timestamp) may "
        "lie away from the server's clock before it is refused as RequestExpired.",
    ),
    cfg.BoolOpt(
        "allow_sigv2",
        default=True,
        help="Whether requests signed with Signature Version 2 (AWSAccessKeyId, "
        "SignatureVersion=2) are accepted. Set to false to accept Signature Version 4 "
        "only; a SigV2 request is then refused as AuthFailure. A SigV2 Expires more "
        "than 7 days ahead is refused either way, as SigV4 presigned URLs are.",
    ),
    cfg.IntOpt(
        "credential_cache_seconds",
        default=30,
        min=0,
        help="How long a looked-up EC2 credential is kept in memory before it is read "
        "from the store again (0: read it for every request). A credential deleted "
        "from the store is refused by every worker at most 1 second after its "
        "deletion whatever this is: a deletion bumps a generation each worker reads "
        "at most once a second while it serves from this cache.",
    ),
    cfg.FloatOpt(
        "describe_cache_seconds",
        default=1.0,
        min=0,
        help="How long DescribeInstances, DescribeInstanceStatus and DescribeTags "
        "reuse what the store answered for a project. Any change to an instance "
        "made in the same process is seen at once; one made by another worker "
        "process within this many seconds (EC2's Describe calls are eventually "
        "consistent, as AWS documents them). 0: read the store every time.",
    ),
    cfg.URIOpt(
        "keystone_ec2_url",
        default=None,
        schemes=["http", "https"],
        help="Keystone's ec2tokens URL (e.g. http://keystone:5000/v3/ec2tokens). When "
        "set and [api] auth_strategy is keystone, a key that is not in the store is "
        "checked by keystone, which answers with the signer's user, project and "
        "roles. Unset (the default): only stored credentials are accepted.",
    ),
    cfg.IntOpt(
        "terminated_instance_seconds",
        default=3600,
        min=0,
        help="How long a terminated instance stays visible in DescribeInstances, as "
        "AWS keeps them for about an hour.",
    ),
]


def list_opts() -> list[tuple[str | None, list[cfg.Opt]]]:
    """The options of this module, for L{novatx.config.register_all}."""
    return [(GROUP, ec2_opts)]
