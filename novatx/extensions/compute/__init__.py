"""The OpenStack Compute API's built-in resources, each an extension."""

#: Aliases without which the compute API refuses to start.
CORE_ALIASES: tuple[str, ...] = (
    "flavors",
    "image-service",
    "ips",
    "limits",
    "os-keypairs",
    "server-actions",
    "server-metadata",
    "servers",
    "versions",
)
