"""
Policy defaults of servers, the server actions and the server sub-resources,
under nova's rule names, grouped by the extension that checks them (each rule
is registered by exactly one extension, so blacklisting one drops its rules).

Project isolation itself is the internal API's: a rule only decides whether a
caller may try; another project's server is a 404 from below.
"""

from __future__ import annotations

from oslo_policy import policy

from novatx.extensions.compute.policies._rules import ADMIN, PROJECT_MEMBER_OR_ADMIN, PROJECT_READER_OR_ADMIN

SERVERS = "os_compute_api:servers:%s"
LOCK = "os_compute_api:os-lock-server:%s"
PAUSE = "os_compute_api:os-pause-server:%s"
SUSPEND = "os_compute_api:os-suspend-server:%s"
SHELVE = "os_compute_api:os-shelve:%s"
ADMIN_PASSWORD = "os_compute_api:os-admin-password"
CONSOLE_OUTPUT = "os_compute_api:os-console-output"
EXTENDED_ATTRIBUTES = "os_compute_api:os-extended-server-attributes"
METADATA = "os_compute_api:server-metadata:%s"
IPS = "os_compute_api:ips:%s"
INSTANCE_ACTIONS = "os_compute_api:os-instance-actions:%s"
TAGS = "os_compute_api:os-server-tags:%s"
ADMIN_ACTIONS = "os_compute_api:os-admin-actions:%s"
CREATE_BACKUP = "os_compute_api:os-create-backup"
RESCUE = "os_compute_api:os-rescue"
UNRESCUE = "os_compute_api:os-unrescue"
DEFERRED_DELETE = "os_compute_api:os-deferred-delete:%s"
MIGRATE_SERVER = "os_compute_api:os-migrate-server:%s"
EVACUATE = "os_compute_api:os-evacuate"


def _rule(name: str, check: str, description: str, method: str, path: str) -> policy.DocumentedRuleDefault:
    return policy.DocumentedRuleDefault(
        name=name,
        check_str=check,
        description=description,
        operations=[{"method": method, "path": path}],
        scope_types=["project"],
    )


def _by_name(*rules: policy.DocumentedRuleDefault) -> dict[str, policy.DocumentedRuleDefault]:
    return {rule.name: rule for rule in rules}


_ACTION = "/servers/{server_id}/action (%s)"


def servers_rules() -> dict[str, policy.DocumentedRuleDefault]:
    """The rules of servers (C{servers})."""
    return _by_name(
        _rule(SERVERS % "index", PROJECT_READER_OR_ADMIN, "List servers", "GET", "/servers"),
        _rule(SERVERS % "detail", PROJECT_READER_OR_ADMIN, "List servers with details", "GET", "/servers/detail"),
        _rule(SERVERS % "index:get_all_tenants", ADMIN, "List servers of all projects", "GET", "/servers"),
        _rule(SERVERS % "detail:get_all_tenants", ADMIN,
              "List servers of all projects with details", "GET", "/servers/detail"),
        _rule(SERVERS % "show", PROJECT_READER_OR_ADMIN, "Show a server", "GET", "/servers/{server_id}"),
        _rule(SERVERS % "show:host_status", ADMIN, "Show a server's host status (2.16)", "GET", "/servers/{server_id}"),
        _rule(SERVERS % "create", PROJECT_MEMBER_OR_ADMIN, "Create a server", "POST", "/servers"),
        _rule(SERVERS % "update", PROJECT_MEMBER_OR_ADMIN, "Update a server", "PUT", "/servers/{server_id}"),
        _rule(SERVERS % "delete", PROJECT_MEMBER_OR_ADMIN, "Delete a server", "DELETE", "/servers/{server_id}"),
        _rule(EXTENDED_ATTRIBUTES, ADMIN, "Show the OS-EXT-SRV-ATTR attributes", "GET", "/servers/{server_id}"),
    )


def server_actions_rules() -> dict[str, policy.DocumentedRuleDefault]:
    """The rules of the core actions (C{server-actions})."""
    return _by_name(
        _rule(SERVERS % "reboot", PROJECT_MEMBER_OR_ADMIN, "Reboot a server", "POST", _ACTION % "reboot"),
        _rule(SERVERS % "start", PROJECT_MEMBER_OR_ADMIN, "Start a server", "POST", _ACTION % "os-start"),
        _rule(SERVERS % "stop", PROJECT_MEMBER_OR_ADMIN, "Stop a server", "POST", _ACTION % "os-stop"),
        _rule(SERVERS % "resize", PROJECT_MEMBER_OR_ADMIN, "Resize a server", "POST", _ACTION % "resize"),
        _rule(SERVERS % "confirm_resize", PROJECT_MEMBER_OR_ADMIN, "Confirm a resize", "POST",
              _ACTION % "confirmResize"),
        _rule(SERVERS % "revert_resize", PROJECT_MEMBER_OR_ADMIN, "Revert a resize", "POST", _ACTION % "revertResize"),
        _rule(SERVERS % "rebuild", PROJECT_MEMBER_OR_ADMIN, "Rebuild a server", "POST", _ACTION % "rebuild"),
        _rule(SERVERS % "create_image", PROJECT_MEMBER_OR_ADMIN, "Snapshot a server", "POST", _ACTION % "createImage"),
        _rule(SERVERS % "trigger_crash_dump", PROJECT_MEMBER_OR_ADMIN, "Trigger a crash dump (2.17)", "POST",
              _ACTION % "trigger_crash_dump"),
    )


def admin_actions_rules() -> dict[str, policy.DocumentedRuleDefault]:
    """The rules of C{os-admin-actions}."""
    return _by_name(
        _rule(ADMIN_ACTIONS % "reset_state", ADMIN, "Reset a server's state", "POST", _ACTION % "os-resetState"),
        _rule(ADMIN_ACTIONS % "inject_network_info", ADMIN, "Inject network info", "POST",
              _ACTION % "injectNetworkInfo"),
    )


def create_backup_rules() -> dict[str, policy.DocumentedRuleDefault]:
    """The rules of C{os-create-backup}."""
    return _by_name(
        _rule(CREATE_BACKUP, PROJECT_MEMBER_OR_ADMIN, "Back a server up", "POST", _ACTION % "createBackup"),
    )


def deferred_delete_rules() -> dict[str, policy.DocumentedRuleDefault]:
    """The rules of C{os-deferred-delete}."""
    return _by_name(
        _rule(DEFERRED_DELETE % "restore", PROJECT_MEMBER_OR_ADMIN, "Restore a soft-deleted server",
              "POST", _ACTION % "restore"),
        _rule(DEFERRED_DELETE % "force", PROJECT_MEMBER_OR_ADMIN, "Delete a server at once",
              "POST", _ACTION % "forceDelete"),
    )


def migrate_server_rules() -> dict[str, policy.DocumentedRuleDefault]:
    """The rules of C{os-migrate-server}."""
    return _by_name(
        _rule(MIGRATE_SERVER % "migrate", ADMIN, "Cold-migrate a server", "POST",
              _ACTION % "migrate"),
        _rule(MIGRATE_SERVER % "migrate_live", ADMIN, "Live-migrate a server", "POST",
              _ACTION % "os-migrateLive"),
    )


def evacuate_rules() -> dict[str, policy.DocumentedRuleDefault]:
    """The rules of C{os-evacuate}."""
    return _by_name(
        _rule(EVACUATE, ADMIN, "Evacuate a server from a failed host", "POST",
              _ACTION % "evacuate"),
    )


def rescue_rules() -> dict[str, policy.DocumentedRuleDefault]:
    """The rules of C{os-rescue}."""
    return _by_name(
        _rule(RESCUE, PROJECT_MEMBER_OR_ADMIN, "Rescue a server", "POST", _ACTION % "rescue"),
        _rule(UNRESCUE, PROJECT_MEMBER_OR_ADMIN, "Unrescue a server", "POST", _ACTION % "unrescue"),
    )


def lock_rules() -> dict[str, policy.DocumentedRuleDefault]:
    """The rules of C{os-lock-server}."""
    return _by_name(
        _rule(LOCK % "lock", PROJECT_MEMBER_OR_ADMIN, "Lock a server", "POST", _ACTION % "lock"),
        _rule(LOCK % "unlock", PROJECT_MEMBER_OR_ADMIN, "Unlock a server", "POST", _ACTION % "unlock"),
        _rule(LOCK % "unlock:unlock_override", ADMIN, "Unlock a server an admin locked", "POST", _ACTION % "unlock"),
    )


def pause_rules() -> dict[str, policy.DocumentedRuleDefault]:
    """The rules of C{os-pause-server}."""
    return _by_name(
        _rule(PAUSE % "pause", PROJECT_MEMBER_OR_ADMIN, "Pause a server", "POST", _ACTION % "pause"),
        _rule(PAUSE % "unpause", PROJECT_MEMBER_OR_ADMIN, "Unpause a server", "POST", _ACTION % "unpause"),
    )


def suspend_rules() -> dict[str, policy.DocumentedRuleDefault]:
    """The rules of C{os-suspend-server}."""
    return _by_name(
        _rule(SUSPEND % "suspend", PROJECT_MEMBER_OR_ADMIN, "Suspend a server", "POST", _ACTION % "suspend"),
        _rule(SUSPEND % "resume", PROJECT_MEMBER_OR_ADMIN, "Resume a server", "POST", _ACTION % "resume"),
    )


def shelve_rules() -> dict[str, policy.DocumentedRuleDefault]:
    """The rules of C{os-shelve}."""
    return _by_name(
        _rule(SHELVE % "shelve", PROJECT_MEMBER_OR_ADMIN, "Shelve a server", "POST", _ACTION % "shelve"),
        _rule(SHELVE % "shelve_offload", ADMIN, "Offload a shelved server", "POST", _ACTION % "shelveOffload"),
        _rule(SHELVE % "unshelve", PROJECT_MEMBER_OR_ADMIN, "Unshelve a server", "POST", _ACTION % "unshelve"),
    )


def admin_password_rules() -> dict[str, policy.DocumentedRuleDefault]:
    """The rules of C{os-admin-password}."""
    return _by_name(
        _rule(ADMIN_PASSWORD, PROJECT_MEMBER_OR_ADMIN, "Change a server's admin password", "POST",
              _ACTION % "changePassword"),
    )


def console_output_rules() -> dict[str, policy.DocumentedRuleDefault]:
    """The rules of C{os-console-output}."""
    return _by_name(
        _rule(CONSOLE_OUTPUT, PROJECT_MEMBER_OR_ADMIN, "Show a server's console output", "POST",
              _ACTION % "os-getConsoleOutput"),
    )


def metadata_rules() -> dict[str, policy.DocumentedRuleDefault]:
    """The rules of C{server-metadata}."""
    return _by_name(
        _rule(METADATA % "index", PROJECT_READER_OR_ADMIN, "List a server's metadata", "GET",
              "/servers/{server_id}/metadata"),
        _rule(METADATA % "show", PROJECT_READER_OR_ADMIN, "Show a metadata item", "GET",
              "/servers/{server_id}/metadata/{key}"),
        _rule(METADATA % "create", PROJECT_MEMBER_OR_ADMIN, "Add metadata items", "POST",
              "/servers/{server_id}/metadata"),
        _rule(METADATA % "update_all", PROJECT_MEMBER_OR_ADMIN, "Replace a server's metadata",
              "PUT", "/servers/{server_id}/metadata"),
        _rule(METADATA % "update", PROJECT_MEMBER_OR_ADMIN, "Set a metadata item", "PUT",
              "/servers/{server_id}/metadata/{key}"),
        _rule(METADATA % "delete", PROJECT_MEMBER_OR_ADMIN, "Delete a metadata item", "DELETE",
              "/servers/{server_id}/metadata/{key}"),
    )


def ips_rules() -> dict[str, policy.DocumentedRuleDefault]:
    """The rules of C{ips}."""
    return _by_name(
        _rule(IPS % "index", PROJECT_READER_OR_ADMIN, "List a server's addresses", "GET", "/servers/{server_id}/ips"),
        _rule(IPS % "show", PROJECT_READER_OR_ADMIN, "List a server's addresses on one network",
              "GET", "/servers/{server_id}/ips/{network_label}"),
    )


def instance_actions_rules() -> dict[str, policy.DocumentedRuleDefault]:
    """The rules of C{os-instance-actions}."""
    return _by_name(
        _rule(INSTANCE_ACTIONS % "list", PROJECT_READER_OR_ADMIN, "List a server's actions", "GET",
              "/servers/{server_id}/os-instance-actions"),
        _rule(INSTANCE_ACTIONS % "show", PROJECT_READER_OR_ADMIN, "Show a server action", "GET",
              "/servers/{server_id}/os-instance-actions/{request_id}"),
        _rule(INSTANCE_ACTIONS % "events", ADMIN, "Show a server action's events (before 2.51)",
              "GET", "/servers/{server_id}/os-instance-actions/{request_id}"),
    )


def tags_rules() -> dict[str, policy.DocumentedRuleDefault]:
    """The rules of C{os-server-tags}."""
    return _by_name(
        _rule(TAGS % "index", PROJECT_READER_OR_ADMIN, "List a server's tags", "GET", "/servers/{server_id}/tags"),
        _rule(TAGS % "show", PROJECT_READER_OR_ADMIN, "Check a server tag", "GET", "/servers/{server_id}/tags/{tag}"),
        _rule(TAGS % "update", PROJECT_MEMBER_OR_ADMIN, "Add a server tag", "PUT", "/servers/{server_id}/tags/{tag}"),
        _rule(TAGS % "update_all", PROJECT_MEMBER_OR_ADMIN, "Replace a server's tags", "PUT",
              "/servers/{server_id}/tags"),
        _rule(TAGS % "delete", PROJECT_MEMBER_OR_ADMIN, "Delete a server tag", "DELETE",
              "/servers/{server_id}/tags/{tag}"),
        _rule(TAGS % "delete_all", PROJECT_MEMBER_OR_ADMIN, "Delete a server's tags", "DELETE",
              "/servers/{server_id}/tags"),
    )
