"""Policy defaults of C{/os-quota-sets} and C{/limits}."""

from __future__ import annotations

from novatx.extensions.compute.policies._rules import ADMIN, ANYONE, PROJECT_READER_OR_ADMIN, rules

SHOW = "os_compute_api:os-quota-sets:show"
DEFAULTS = "os_compute_api:os-quota-sets:defaults"
DETAIL = "os_compute_api:os-quota-sets:detail"
UPDATE = "os_compute_api:os-quota-sets:update"
DELETE = "os_compute_api:os-quota-sets:delete"
LIMITS = "os_compute_api:limits"
LIMITS_OTHER_PROJECT = "os_compute_api:limits:other_project"

QUOTA_SETS = rules(
    (SHOW, PROJECT_READER_OR_ADMIN, "Show a project's quotas."),
    (DEFAULTS, ANYONE, "Show the default quotas."),
    (DETAIL, PROJECT_READER_OR_ADMIN, "Show a project's quotas with their usage."),
    (UPDATE, ADMIN, "Change a project's quotas."),
    (DELETE, ADMIN, "Return a project's quotas to the defaults."),
)

CLASS_SHOW = "os_compute_api:os-quota-class-sets:show"
CLASS_UPDATE = "os_compute_api:os-quota-class-sets:update"

QUOTA_CLASS_SETS = rules(
    (CLASS_SHOW, ADMIN, "Show a quota class's limits."),
    (CLASS_UPDATE, ADMIN, "Change a quota class's limits (default: every project's)."),
)

LIMITS_RULES = rules(
    (LIMITS, ANYONE, "Show the caller's absolute limits and usage."),
    (LIMITS_OTHER_PROJECT, ADMIN, "Show another project's limits (tenant_id)."),
)
