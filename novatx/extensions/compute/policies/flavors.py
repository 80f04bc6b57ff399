"""Policy defaults of the flavor resources (nova's rule names and defaults)."""

from __future__ import annotations

from novatx.extensions.compute.policies._rules import ADMIN, PROJECT_READER_OR_ADMIN, rules

MANAGE_CREATE = "os_compute_api:os-flavor-manage:create"
MANAGE_UPDATE = "os_compute_api:os-flavor-manage:update"
MANAGE_DELETE = "os_compute_api:os-flavor-manage:delete"
EXTRA_SPECS_INDEX = "os_compute_api:os-flavor-extra-specs:index"
EXTRA_SPECS_SHOW = "os_compute_api:os-flavor-extra-specs:show"
EXTRA_SPECS_CREATE = "os_compute_api:os-flavor-extra-specs:create"
EXTRA_SPECS_UPDATE = "os_compute_api:os-flavor-extra-specs:update"
EXTRA_SPECS_DELETE = "os_compute_api:os-flavor-extra-specs:delete"
ACCESS = "os_compute_api:os-flavor-access"
ACCESS_ADD = "os_compute_api:os-flavor-access:add_tenant_access"
ACCESS_REMOVE = "os_compute_api:os-flavor-access:remove_tenant_access"

MANAGE = rules(
    (MANAGE_CREATE, ADMIN, "Create a flavor."),
    (MANAGE_UPDATE, ADMIN, "Update a flavor's description."),
    (MANAGE_DELETE, ADMIN, "Delete a flavor."),
)

EXTRA_SPECS = rules(
    (EXTRA_SPECS_INDEX, PROJECT_READER_OR_ADMIN, "List a flavor's extra specs."),
    (EXTRA_SPECS_SHOW, PROJECT_READER_OR_ADMIN, "Show one extra spec of a flavor."),
    (EXTRA_SPECS_CREATE, ADMIN, "Create or merge extra specs."),
    (EXTRA_SPECS_UPDATE, ADMIN, "Update one extra spec."),
    (EXTRA_SPECS_DELETE, ADMIN, "Delete one extra spec."),
)

ACCESS_RULES = rules(
    (ACCESS, ADMIN, "List the projects that may use a private flavor."),
    (ACCESS_ADD, ADMIN, "Let a project use a private flavor."),
    (ACCESS_REMOVE, ADMIN, "Stop a project using a private flavor."),
)
