"""Policy defaults of C{/os-server-groups}."""

from __future__ import annotations

from novatx.extensions.compute.policies._rules import (
    ADMIN,
    PROJECT_MEMBER_OR_ADMIN,
    PROJECT_READER_OR_ADMIN,
    rules,
)

CREATE = "os_compute_api:os-server-groups:create"
INDEX = "os_compute_api:os-server-groups:index"
INDEX_ALL_PROJECTS = "os_compute_api:os-server-groups:index:all_projects"
SHOW = "os_compute_api:os-server-groups:show"
DELETE = "os_compute_api:os-server-groups:delete"

RULES = rules(
    (CREATE, PROJECT_MEMBER_OR_ADMIN, "Create a server group."),
    (INDEX, PROJECT_READER_OR_ADMIN, "List the project's server groups."),
    (INDEX_ALL_PROJECTS, ADMIN, "List every project's server groups."),
    (SHOW, PROJECT_READER_OR_ADMIN, "Show a server group."),
    (DELETE, PROJECT_MEMBER_OR_ADMIN, "Delete a server group."),
)
