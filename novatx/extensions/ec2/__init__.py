"""The EC2 Query API's built-in actions, each an extension."""

#: Aliases without which the EC2 API refuses to start.
CORE_ALIASES: tuple[str, ...] = ()
