"""Policy defaults of host aggregates (nova's names; admins only)."""

from __future__ import annotations

from novatx.extensions.compute.policies._rules import ADMIN, rules

AGGREGATES = "os_compute_api:os-aggregates:%s"

RULES = rules(
    (AGGREGATES % "index", ADMIN, "List host aggregates."),
    (AGGREGATES % "create", ADMIN, "Create a host aggregate."),
    (AGGREGATES % "show", ADMIN, "Show a host aggregate."),
    (AGGREGATES % "update", ADMIN, "Rename or re-zone a host aggregate."),
    (AGGREGATES % "delete", ADMIN, "Delete a host aggregate."),
    (AGGREGATES % "add_host", ADMIN, "Add a host to an aggregate."),
    (AGGREGATES % "remove_host", ADMIN, "Remove a host from an aggregate."),
    (AGGREGATES % "set_metadata", ADMIN, "Set an aggregate's metadata."),
    (AGGREGATES % "images", ADMIN, "Ask an aggregate's hosts to cache images (2.81)."),
)
