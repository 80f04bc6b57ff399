"""Policy defaults of the admin views of the deployment (nova's names)."""

from __future__ import annotations

from novatx.extensions.compute.policies._rules import ADMIN, PROJECT_READER_OR_ADMIN, rules

HYPERVISORS_LIST = "os_compute_api:os-hypervisors:list"
HYPERVISORS_LIST_DETAIL = "os_compute_api:os-hypervisors:list-detail"
HYPERVISORS_SHOW = "os_compute_api:os-hypervisors:show"
HYPERVISORS_STATISTICS = "os_compute_api:os-hypervisors:statistics"
HYPERVISORS_UPTIME = "os_compute_api:os-hypervisors:uptime"
HYPERVISORS_SEARCH = "os_compute_api:os-hypervisors:search"
HYPERVISORS_SERVERS = "os_compute_api:os-hypervisors:servers"
SERVICES_LIST = "os_compute_api:os-services:list"
SERVICES_UPDATE = "os_compute_api:os-services:update"
HOSTS_LIST = "os_compute_api:os-hosts:list"
HOSTS_SHOW = "os_compute_api:os-hosts:show"
HOSTS_UPDATE = "os_compute_api:os-hosts:update"
HOSTS_POWER = "os_compute_api:os-hosts:%s"
AZ_LIST = "os_compute_api:os-availability-zone:list"
AZ_DETAIL = "os_compute_api:os-availability-zone:detail"
USAGE_LIST = "os_compute_api:os-simple-tenant-usage:list"
USAGE_SHOW = "os_compute_api:os-simple-tenant-usage:show"

HYPERVISORS = rules(
    (HYPERVISORS_LIST, ADMIN, "List hypervisors."),
    (HYPERVISORS_LIST_DETAIL, ADMIN, "List hypervisors with details."),
    (HYPERVISORS_SHOW, ADMIN, "Show a hypervisor."),
    (HYPERVISORS_STATISTICS, ADMIN, "Show hypervisor statistics (up to 2.87)."),
    (HYPERVISORS_UPTIME, ADMIN, "Show a hypervisor's uptime (up to 2.87)."),
    (HYPERVISORS_SEARCH, ADMIN, "Search hypervisors by name (up to 2.52)."),
    (HYPERVISORS_SERVERS, ADMIN, "List a hypervisor's servers (up to 2.52)."),
)

SERVICES = rules(
    (SERVICES_LIST, ADMIN, "List the compute services."),
    (SERVICES_UPDATE, ADMIN, "Enable or disable a compute service, or force it down."),
)

HOSTS = rules(
    (HOSTS_LIST, ADMIN, "List the hosts and their services (up to 2.42)."),
    (HOSTS_SHOW, ADMIN, "Show a compute host's resources by project (up to 2.42)."),
    (HOSTS_UPDATE, ADMIN, "Enable or disable a compute host (up to 2.42)."),
    (HOSTS_POWER % "start", ADMIN, "Start a host up (up to 2.42)."),
    (HOSTS_POWER % "shutdown", ADMIN, "Shut a host down (up to 2.42)."),
    (HOSTS_POWER % "reboot", ADMIN, "Reboot a host (up to 2.42)."),
)

AVAILABILITY_ZONES = rules(
    (AZ_LIST, "@", "List availability zones."),
    (AZ_DETAIL, ADMIN, "List availability zones with their hosts and services."),
)

USAGE = rules(
    (USAGE_LIST, ADMIN, "List usage of every project."),
    (USAGE_SHOW, PROJECT_READER_OR_ADMIN, "Show one project's usage."),
)

MIGRATIONS_LIST = "os_compute_api:os-migrations:index"
SERVER_MIGRATIONS = "os_compute_api:servers:migrations:%s"

MIGRATIONS = rules(
    (MIGRATIONS_LIST, ADMIN, "List the servers' migrations."),
    (SERVER_MIGRATIONS % "index", ADMIN, "List a server's in-progress live migrations (2.23)."),
    (SERVER_MIGRATIONS % "show", ADMIN, "Show a server's in-progress live migration (2.23)."),
    (SERVER_MIGRATIONS % "delete", ADMIN, "Abort a server's live migration (2.24)."),
)
