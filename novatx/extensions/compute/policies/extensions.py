"""Policy defaults of C{/extensions}."""

from __future__ import annotations

from novatx.extensions.compute.policies._rules import ANYONE, rules

EXTENSIONS = "os_compute_api:extensions"

RULES = rules((EXTENSIONS, ANYONE, "List the compute API's extensions."))
