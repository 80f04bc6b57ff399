"""
Policy defaults of the smaller server sub-resources and admin views nova has
(remote consoles, the server password, diagnostics, external events, the
usage audit log), under nova's rule names.
"""

from __future__ import annotations

from novatx.extensions.compute.policies._rules import (
    ADMIN, PROJECT_MEMBER_OR_ADMIN, PROJECT_READER_OR_ADMIN, rules,
)

REMOTE_CONSOLES = "os_compute_api:os-remote-consoles"
SERVER_PASSWORD = "os_compute_api:os-server-password:%s"
DIAGNOSTICS = "os_compute_api:os-server-diagnostics"
EXTERNAL_EVENTS = "os_compute_api:os-server-external-events:create"
AUDIT_LOG = "os_compute_api:os-instance-usage-audit-log:%s"

CONSOLE_RULES = rules(
    (REMOTE_CONSOLES, PROJECT_MEMBER_OR_ADMIN, "Ask for a server's remote console."),
)
PASSWORD_RULES = rules(
    (SERVER_PASSWORD % "show", PROJECT_READER_OR_ADMIN, "Show a server's encrypted password."),
    (SERVER_PASSWORD % "clear", PROJECT_MEMBER_OR_ADMIN, "Clear a server's encrypted password."),
)
DIAGNOSTICS_RULES = rules(
    (DIAGNOSTICS, ADMIN, "Show a server's diagnostics."),
)
EXTERNAL_EVENTS_RULES = rules(
    (EXTERNAL_EVENTS, ADMIN, "Tell servers of external events (neutron, cinder)."),
)
AUDIT_LOG_RULES = rules(
    (AUDIT_LOG % "list", ADMIN, "List the instance usage audit logs."),
    (AUDIT_LOG % "show", ADMIN, "Show the instance usage audit log before a time."),
)
