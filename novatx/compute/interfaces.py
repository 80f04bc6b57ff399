"""
The internal compute API and the driver behind it, as contracts.

Every method returns a L{Deferred}; database work happens off the reactor thread.
Every method that acts for a caller takes a L{RequestContext} first: a non-admin
caller only sees its own project (another project's instance is
L{InstanceNotFound}, never a permission error), and key pairs are per user.

Extensions (the compute API, EC2, metadata, third-party plugins) call only this
interface, the records in L{novatx.compute.records} and the exceptions in
L{novatx.compute.exceptions}.
"""

from __future__ import annotations

from typing import Any

import attrs
from zope.interface import Attribute, Interface


@attrs.frozen
class CreateRequest:
    """
    What C{create_servers} needs: the compute API's and EC2's create requests both
    become one of these. C{extra} carries extension fields by name.

    @ivar user_data: base64 text (as nova stores it), or None.
    @ivar networks: C{"auto"}, C{"none"}, or a tuple of dicts
        (C{{"uuid": ..., "fixed_ip": ..., "port": ..., "tag": ...}}; without
        C{uuid} or C{port}, the shared network).
    @ivar security_groups: names or ids of the caller's groups the server's
        new ports join (its C{default} group when empty).
    @ivar client_token: EC2's idempotency token: a second create with the same
        token and caller returns the first create's instances.
    @ivar disable_terminate: refuse deletes until it is turned off (EC2's
        C{DisableApiTermination}).
    @ivar shutdown_terminate: a shutdown from inside terminates the instance
        (EC2's C{InstanceInitiatedShutdownBehavior=terminate}).
    """

    name: str
    flavor_id: str
    image_id: str | None
    min_count: int = 1
    max_count: int = 1
    key_name: str | None = None
    user_data: str | None = None
    metadata: dict[str, str] = attrs.field(factory=dict)
    availability_zone: str | None = None
    hostname: str | None = None
    description: str | None = None
    tags: tuple[str, ...] = ()
    networks: Any = "auto"
    block_device_mapping: tuple[dict[str, Any], ...] = ()
    server_group: str | None = None
    security_groups: tuple[str, ...] = ()
    admin_password: str | None = None
    access_ip_v4: str | None = None
    access_ip_v6: str | None = None
    config_drive: bool = False
    client_token: str | None = None
    disable_terminate: bool = False
    shutdown_terminate: bool = False
    extra: dict[str, Any] = attrs.field(factory=dict)


@attrs.frozen
class ServerQuery:
    """
    Filters, sorting and paging for C{list_servers}.

    @ivar name: a regular expression matched against the name (nova's behaviour).
    @ivar changes_since: a datetime; also returns deleted instances changed since.
    @ivar all_tenants: admins only; for others it is ignored.
    @ivar sort_keys: allowed keys: created_at, updated_at, display_name, uuid,
        vm_state, task_state, power_state, launched_at, terminated_at,
        availability_zone, hostname, key_name, launch_index, reservation_id,
        image_ref, instance_type_id, host, node, locked, project_id, user_id.
    @ivar marker: the uuid of the last instance of the previous page.
    """

    name: str | None = None
    status: str | None = None
    vm_state: str | None = None
    flavor_id: str | None = None
    image_id: str | None = None
    ip: str | None = None
    changes_since: Any = None
    changes_before: Any = None
    tags: tuple[str, ...] = ()
    tags_any: tuple[str, ...] = ()
    not_tags: tuple[str, ...] = ()
    not_tags_any: tuple[str, ...] = ()
    reservation_id: str | None = None
    uuids: tuple[str, ...] = ()
    ec2_ids: tuple[int, ...] = ()
    key_name: str | None = None
    availability_zone: str | None = None
    host: str | None = None
    node: str | None = None
    project_id: str | None = None
    user_id: str | None = None
    deleted: bool | None = None
    all_tenants: bool = False
    sort_keys: tuple[str, ...] = ("created_at",)
    sort_dirs: tuple[str, ...] = ("desc",)
    limit: int | None = None
    marker: str | None = None


class IComputeAPI(Interface):
    """The internal API that every face of novatx calls."""

    volumes = Attribute(
        "Block storage: an L{novatx.compute.volumes.interfaces.IVolumeAPI} over the same "
        "store (set by the compute service; C{None} in a tool that serves no API)."
    )

    def register_fields(fields):
        """
        Accept extension fields (L{ExtraField}s) before serving starts; a name
        declared twice raises C{ValueError} naming both owners.
        """

    def store_read(function, *args, **kwargs):
        """
        For plugins with tables of their own: fire with C{function(connection,
        *args, **kwargs)}, run in a read transaction on a database thread
        (never on the reactor); an unreachable database is C{ServiceUnavailable}.
        """

    def store_write(function, *args, **kwargs):
        """The same in a write transaction, committed when C{function} returns."""

    def update_extra(context, server_uuid, name, change):
        """
        Atomically set extension field C{name} of a server to C{change(current
        value)} (the row locked from read to write: counters do not race; a
        C{change} that raises C{Conflict} is a compare-and-set that lost);
        fires with the updated L{Instance}.
        """

    def extra_fields():
        """
        The registered L{ExtraField}s by name: what the loaded extensions
        declared. A field stored with an instance whose extension is listed
        out is not among them, and views leave it out.
        """

    # -- servers -----------------------------------------------------------

    def create_servers(context, request):
        """
        Validate and reserve quota atomically, record C{min..max} instances
        (BUILD/scheduling), hand them to the driver. Fires with the list of new
        L{Instance} records (one reservation id for all).
        Raises L{Invalid}, L{FlavorNotFound}, L{ImageNotFound},
        L{KeypairNotFound}, L{QuotaExceeded}.
        """

    def list_servers(context, query):
        """Fires with a L{Page} of L{Instance}s for a L{ServerQuery}."""

    def get_server(context, server_uuid):
        """Fires with the L{Instance}; L{InstanceNotFound} if absent or not visible."""

    def get_server_by_ec2_id(context, instance_id):
        """The same by the integer behind C{i-%08x}."""

    def get_server_by_address(fixed_ip):
        """
        The live instance holding C{fixed_ip}, for the metadata service (no
        caller context: the address is the identity). L{InstanceNotFound} if none.
        """

    def update_server(context, server_uuid, **changes):
        """
        Change name, description, hostname, access IPs, the pinned zone
        (C{pinned_availability_zone}: unpin any time, pin only an unpinned
        server to its own zone, else L{Conflict}) and declared extension
        fields (C{extra}: name -> value, checked like a create's); fires with
        the record.
        """

    def delete_server(context, server_uuid):
        """Soft-delete after the driver's teardown; quota is released."""

    def set_metadata(context, server_uuid, metadata, replace=False):
        """Merge (or replace) metadata items; fires with the full dict."""

    def delete_metadata_item(context, server_uuid, key):
        """Remove one item; L{NotFound} if absent."""

    def set_tags(context, server_uuid, tags):
        """Replace the tag list; fires with the tags."""

    def add_tag(context, server_uuid, tag):
        """Add one tag (idempotent)."""

    def delete_tag(context, server_uuid, tag):
        """Remove one tag; L{NotFound} if absent."""

    def list_instance_actions(context, server_uuid):
        """Fires with the L{InstanceAction}s, newest first."""

    def get_instance_action(context, server_uuid, request_id):
        """One L{InstanceAction} with its events."""

    def get_console_output(context, server_uuid, length=None):
        """Fires with text: the last C{length} lines of the boot log."""

    # -- server actions: each checks nova's state guards (L{InstanceInvalidState})
    # and the lock (L{InstanceIsLocked} for non-admins), records an instance
    # action, and fires with the updated L{Instance}.

    def reboot(context, server_uuid, hard=False):
        """REBOOT / HARD_REBOOT."""

    def start(context, server_uuid):
        """SHUTOFF -> ACTIVE."""

    def stop(context, server_uuid):
        """ACTIVE/ERROR -> SHUTOFF."""

    def pause(context, server_uuid):
        """ACTIVE -> PAUSED."""

    def unpause(context, server_uuid):
        """PAUSED -> ACTIVE."""

    def suspend(context, server_uuid):
        """ACTIVE/SHUTOFF -> SUSPENDED."""

    def resume(context, server_uuid):
        """SUSPENDED -> ACTIVE."""

    def lock(context, server_uuid, reason=None):
        """Lock against non-admin actions."""

    def unlock(context, server_uuid):
        """Unlock (an owner cannot undo an admin's lock)."""

    def resize(context, server_uuid, flavor_id, extra=None):
        """
        -> VERIFY_RESIZE; the same flavor is L{Invalid}. C{extra}: extension
        fields to set with it (C{OS-DCF:diskConfig}).
        """

    def confirm_resize(context, server_uuid):
        """VERIFY_RESIZE -> ACTIVE on the new flavor."""

    def revert_resize(context, server_uuid):
        """VERIFY_RESIZE -> ACTIVE on the old flavor."""

    def rebuild(context, server_uuid, image_id, **changes):
        """
        Rebuild from an image (name, metadata, key_name, user_data, and
        C{extra}, extension fields, may change).
        """

    def create_image(context, server_uuid, name, metadata=None):
        """Snapshot: fires with the new L{Image} (status active when done)."""

    def restore_server(context, server_uuid):
        """SOFT_DELETED -> ACTIVE."""

    def force_delete_server(context, server_uuid):
        """Delete at once, a soft-deleted server too."""

    def migrate_server(context, server_uuid, host=None):
        """Admins: cold migration; with one compute host, nova's NoValidHost (L{Invalid})."""

    def live_migrate_server(context, server_uuid, host=None):
        """Admins: accepted, its migration recorded as failed (no other host)."""

    def evacuate_server(context, server_uuid, host=None):
        """Admins: L{Invalid} while the server's host is up; else as a live migration."""

    def backup(context, server_uuid, name, backup_type, rotation, metadata=None):
        """
        C{createBackup}: a snapshot (C{image_type: backup}); the server keeps
        the newest C{rotation} backups of C{backup_type}. Fires with the
        L{Image}, or None for a rotation of 0 (which makes none).
        """

    def rescue(context, server_uuid, password, image_id=None):
        """ACTIVE/SHUTOFF/ERROR -> RESCUE."""

    def unrescue(context, server_uuid):
        """RESCUE -> ACTIVE."""

    def reset_state(context, server_uuid, state):
        """Admins: vm state C{active} or C{error}, no task under way."""

    def inject_network_info(context, server_uuid):
        """Admins: recorded; nothing to inject on the simulated host."""

    def trigger_crash_dump(context, server_uuid):
        """An NMI to a running guest: recorded."""

    def shelve(context, server_uuid):
        """
        ACTIVE/SHUTOFF/... -> SHELVED_OFFLOADED (the simulated host offloads),
        making the snapshot image C{<name>-shelved} that unshelve deletes.
        """

    def shelve_offload(context, server_uuid):
        """SHELVED -> SHELVED_OFFLOADED."""

    def unshelve(context, server_uuid, availability_zone=None):
        """SHELVED(_OFFLOADED) -> ACTIVE."""

    def change_password(context, server_uuid, password):
        """Set the admin password (recorded, never shown)."""

    # -- flavors -----------------------------------------------------------

    def list_flavors(context, is_public=True, min_ram=None, min_disk=None,
                     sort_key="flavorid", sort_dir="asc", limit=None, marker=None):
        """Fires with a L{Page} of L{Flavor}s (C{is_public=None}: all, admins)."""

    def get_flavor(context, flavor_id):
        """By API id (C{flavorid}); L{FlavorNotFound}."""

    def create_flavor(context, name, memory_mb, vcpus, root_gb, flavorid=None,
                      ephemeral_gb=0, swap=0, rxtx_factor=1.0, is_public=True,
                      description=None):
        """Admin: new L{Flavor}; L{FlavorExists} on a duplicate name or id."""

    def update_flavor(context, flavor_id, description):
        """Admin: change the description."""

    def delete_flavor(context, flavor_id):
        """Admin."""

    def set_flavor_extra_specs(context, flavor_id, specs):
        """Admin: merge; fires with all specs."""

    def delete_flavor_extra_spec(context, flavor_id, key):
        """Admin."""

    def list_flavor_access(context, flavor_id):
        """Admin: project ids that may use a private flavor."""

    def add_flavor_access(context, flavor_id, project_id):
        """Admin."""

    def remove_flavor_access(context, flavor_id, project_id):
        """Admin."""

    # -- images ------------------------------------------------------------

    def list_images(context, filters=None, limit=None, marker=None,
                    sort_key="created_at", sort_dir="desc"):
        """
        Images visible to the caller (public, or owned by its project); C{filters}
        may have name, status, visibility, ids (a list), owner.
        """

    def get_image(context, image_id):
        """By UUID; L{ImageNotFound}."""

    def get_image_by_ec2_id(context, internal_id):
        """By the integer behind C{ami-%08x}."""

    def create_image_record(context, name, disk_format="qcow2", container_format="bare",
                            visibility="private", properties=None, size=None,
                            min_disk=0, min_ram=0, status="active"):
        """Register an image (manage command, EC2 RegisterImage, snapshots)."""

    def update_image_metadata(context, image_id, properties, replace=False):
        """Change an image's properties (the compute proxy's image metadata)."""

    def update_image(context, image_id, core=None, properties=None, removed=()):
        """
        Owner or admin: change core fields (C{name}, C{visibility},
        C{protected}, C{min_disk}, C{min_ram}, and the formats while queued),
        set C{properties} and drop the C{removed} ones (glance's JSON patch).
        """

    def upload_image_data(context, image_id, size):
        """
        Owner or admin: a queued image received C{size} bytes and is active
        (the bytes themselves are not kept). L{Conflict} when not queued.
        """

    def delete_image(context, image_id):
        """Owner or admin; afterwards it is not found, by anyone."""

    def list_image_members(context, image_id):
        """The projects a shared image is shared with; its owner or admins ask."""

    def update_image_access(context, image_id, public=None, add=(), remove=(), reset=False):
        """
        Who may launch an image (owner or admin): public (admins only) or not,
        shared with projects (C{add}/C{remove}), or private again (C{reset}).
        """

    # -- key pairs -----------------------------------------------------------

    def create_key_pair(context, name, key_type="ssh", user_id=None):
        """Generate one; the record carries C{private_key}. L{KeyPairExists}."""

    def import_key_pair(context, name, public_key, key_type="ssh", user_id=None):
        """Import; L{Invalid} for a key that does not parse."""

    def list_key_pairs(context, user_id=None, limit=None, marker=None):
        """The caller's (admins may name another C{user_id})."""

    def get_key_pair(context, name, user_id=None):
        """L{KeypairNotFound}."""

    def delete_key_pair(context, name, user_id=None):
        """L{KeypairNotFound}."""

    # -- quotas, groups, zones, hosts, usage --------------------------------

    def get_quotas(context, project_id, user_id=None, usages=False):
        """Fires with a L{QuotaSet}."""

    def get_default_quotas(context):
        """The defaults from config, as a L{QuotaSet}."""

    def update_quotas(context, project_id, limits, user_id=None, force=False):
        """Admin: set limits; below current usage is L{Invalid} unless forced."""

    def delete_quotas(context, project_id, user_id=None):
        """Admin: back to the defaults."""

    def create_server_group(context, name, policy, rules=None):
        """Fires with a L{ServerGroup}."""

    def list_server_groups(context, all_projects=False, limit=None, offset=None):
        """The caller's project's groups (admins: all with C{all_projects})."""

    def get_server_group(context, group_uuid):
        """L{ServerGroupNotFound}."""

    def delete_server_group(context, group_uuid):
        """L{ServerGroupNotFound}."""

    def list_availability_zones(context):
        """Fires with a list of C{(name, available)}."""

    def list_hosts(context):
        """
        Fires with dicts describing the simulated compute host(s) and services,
        each in the zone its aggregates give it (else the default zone).
        """

    def list_service_states(context):
        """
        Fires with the states admins gave services, by C{(host, binary)}
        (C{disabled}, C{disabled_reason}, C{forced_down}); a service absent
        from it was never changed.
        """

    def update_service(context, host, binary, **changes):
        """
        Change one service's C{disabled}, C{disabled_reason} or
        C{forced_down}; fires with its new state, L{NotFound} for a host or
        binary the deployment does not run.
        """

    def get_usage(context, start, end, project_id=None):
        """Fires with per-project usage dicts (os-simple-tenant-usage)."""

    def get_quota_class(context, class_name):
        """A quota class's limits (a L{QuotaSet}; the defaults with the class's over them)."""

    def update_quota_class(context, class_name, limits):
        """Admins: set a class's limits; the C{default} class's apply to every project."""

    def list_migrations(context, filters=None, limit=None, marker=None):
        """
        Admins: a L{Page} of L{novatx.compute.migrations.Migration}s, newest
        first; filters C{instance_uuid}, C{status}, C{migration_type},
        C{source_compute}, C{host}, C{user_id}, C{project_id},
        C{changes_since}, C{changes_before}; C{marker} a migration's uuid.
        """

    # -- host aggregates (admins) ------------------------------------------

    def list_aggregates(context):
        """Fires with every L{novatx.compute.aggregates.Aggregate}."""

    def get_aggregate(context, aggregate_id):
        """One aggregate; L{NotFound}."""

    def create_aggregate(context, name, availability_zone=None):
        """A new aggregate; L{Conflict} for a name in use."""

    def update_aggregate(context, aggregate_id, name=None, availability_zone=attrs.NOTHING):
        """Rename and/or re-zone (None: no zone); L{Invalid} for a zone its hosts contradict."""

    def set_aggregate_metadata(context, aggregate_id, items):
        """Set metadata items (a None value removes one), the zone item too."""

    def add_aggregate_host(context, aggregate_id, host):
        """Add a compute host; L{NotFound} for an unknown host, L{Conflict} when in."""

    def remove_aggregate_host(context, aggregate_id, host):
        """Remove a host; L{NotFound} when it is not in the aggregate."""

    def delete_aggregate(context, aggregate_id):
        """Delete an aggregate with no hosts (L{Invalid} otherwise)."""

    # -- EC2 and metadata support ------------------------------------------

    def get_ec2_credential(access):
        """Fires with the L{EC2Credential} for an access key, or L{NotFound}."""

    def create_ec2_credential(user_id, project_id):
        """Fires with a new L{EC2Credential}."""

    def list_ec2_credentials(user_id=None):
        """Fires with L{EC2Credential}s."""

    def delete_ec2_credential(access):
        """L{NotFound} if absent."""

    def ec2_credential_generation():
        """
        Fires with a number that grows with every EC2 credential deletion: a
        cache of credentials compares it to know whether one it holds is gone.
        """

    def get_password(server_uuid):
        """The metadata password the instance posted, or C{""}."""

    def set_password(server_uuid, password):
        """Once only: a second set is L{Conflict} (metadata answers 409)."""

    def get_server_password(context, server_uuid):
        """The password of a server the caller may see (C{os-server-password})."""

    def clear_server_password(context, server_uuid):
        """Forget it; the instance may post a new one."""
    def set_instance_attributes(context, server_uuid, **changes):
        """
        EC2's instance attributes: C{disable_terminate}, C{shutdown_terminate}
        any time; C{user_data}, C{flavor_id} only while stopped
        (L{InstanceInvalidState}). Fires with the new record.
        """

    def list_image_tags(context):
        """Fires with C{{image internal id: {key: value}}}, the project's EC2 tags."""

    def set_image_tags(context, image_ids, tags):
        """Set the project's tags on images it may see (all checked before any write)."""

    def delete_image_tags(context, image_ids, tags=()):
        """Remove the project's tags (C{(key, value or None)}; none given: all)."""

    def add_observer(observer):
        """
        Call C{observer(instance_uuid)} whenever an instance changes (metadata
        caches invalidate themselves with it).
        """


class IComputeDriver(Interface):
    """
    What turns a recorded intention into a running (or simulated) machine.

    The internal API writes the intention (vm_state/task_state) to the store and
    calls the driver; the driver performs the transition, writing each step to the
    store, so any live worker can finish a transition another one began.
    """

    name = Attribute("The driver's name, shown as the hypervisor type.")

    def spawn(instance, extra_fields):
        """Boot; fires when the instance is ACTIVE (or ERROR with a fault)."""

    def transition(instance, action, **params):
        """Perform one action (stop, start, reboot, pause, ...); fires when done."""

    def destroy(instance):
        """Tear down; fires when gone."""

    def get_console_output(instance):
        """The boot log text (includes the hostname)."""

    def host_info():
        """A dict: hypervisor hostname, type, vcpus, memory_mb, local_gb, state."""
