"""The metadata API's built-in trees and vendordata providers, each an extension."""

#: Aliases without which the metadata API refuses to start.
CORE_ALIASES: tuple[str, ...] = ("metadata",)
