"""
Options of the metadata API.

Nova's names and defaults where nova has them: C{[api]} holds the vendordata
and cache options and C{dhcp_domain}, C{[neutron]} the proxy's shared secret.
C{[api] use_forwarded_for} belongs to the paste filters (L{novatx.config.api});
the metadata API reads it from there. C{[metadata]} holds what nova lacks:
IMDSv2 tokens.
"""

from __future__ import annotations

from oslo_config import cfg

api_opts = [
    cfg.ListOpt(
        "vendordata_providers",
        default=["StaticJSON"],
        help="The vendordata providers (entry points of novatx.api.vendordata) whose "
        "data instances read in vendor_data.json and vendor_data2.json: StaticJSON, "
        "DynamicJSON.",
    ),
    cfg.StrOpt(
        "vendordata_jsonfile_path",
        help="The JSON file the StaticJSON provider serves (nothing when unset).",
    ),
    cfg.ListOpt(
        "vendordata_dynamic_targets",
        default=[],
        help="The DynamicJSON provider's targets, each 'name@url': the JSON a target "
        "answers appears under its name in vendor_data2.json.",
    ),
    cfg.IntOpt(
        "vendordata_dynamic_connect_timeout",
        default=5,
        min=3,
        help="Seconds to wait for a connection to a dynamic vendordata target.",
    ),
    cfg.IntOpt(
        "vendordata_dynamic_read_timeout",
        default=5,
        min=0,
        help="Seconds to wait for a dynamic vendordata target's answer once connected.",
    ),
    cfg.IntOpt(
        "metadata_cache_expiration",
        default=15,
        min=0,
        help="Seconds an instance's metadata is kept in memory (0: never cached). "
        "A change made through the compute API drops it at once.",
    ),
    cfg.StrOpt(
        "dhcp_domain",
        default="novalocal",
        help="The domain appended to an instance's hostname in its metadata.",
    ),
]

neutron_opts = [
    cfg.BoolOpt(
        "service_metadata_proxy",
        default=False,
        help="Requests come through neutron's metadata proxy, which names the instance "
        "in X-Instance-ID, signed with metadata_proxy_shared_secret.",
    ),
    cfg.StrOpt(
        "metadata_proxy_shared_secret",
        default="",
        secret=True,
        help="The secret the metadata proxy signs X-Instance-ID with (HMAC-SHA256).",
    ),
]

metadata_opts = [
    cfg.BoolOpt(
        "require_token",
        default=False,
        help="Refuse (401) a metadata request without an IMDSv2 session token "
        "(X-aws-ec2-metadata-token, from PUT /latest/api/token).",
    ),
    cfg.StrOpt(
        "token_secret",
        default="",
        secret=True,
        help="The key IMDSv2 session tokens are signed with. Every host serving "
        "metadata must share it for a token to be accepted by all of them; when "
        "unset, the workers of one host share a random key kept in "
        "state_path/metadata_token.key.",
    ),
]


def list_opts() -> list[tuple[str | None, list[cfg.Opt]]]:
    """The metadata API's options by group."""
    return [("api", list(api_opts)), ("neutron", list(neutron_opts)), ("metadata", list(metadata_opts))]
