"""Policy defaults of C{/os-keypairs}: a user's own key pairs, or an admin."""

from __future__ import annotations

from novatx.extensions.compute.policies._rules import rules

OWNER_OR_ADMIN = "(rule:context_is_admin or user_id:%(user_id)s)"

INDEX = "os_compute_api:os-keypairs:index"
CREATE = "os_compute_api:os-keypairs:create"
SHOW = "os_compute_api:os-keypairs:show"
DELETE = "os_compute_api:os-keypairs:delete"

RULES = rules(
    (INDEX, OWNER_OR_ADMIN, "List a user's key pairs."),
    (CREATE, OWNER_OR_ADMIN, "Create or import a key pair."),
    (SHOW, OWNER_OR_ADMIN, "Show a key pair."),
    (DELETE, OWNER_OR_ADMIN, "Delete a key pair."),
)
