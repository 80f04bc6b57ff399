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
        (C{{"uuid": ..., "fixed_ip": ...}}).
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

    def resize(context, server_uuid, flavor_id):
        """-> VERIFY_RESIZE; the same flavor is L{Invalid}."""

    def confirm_resize(context, server_uuid):
        """VERIFY_RESIZE -> ACTIVE on the new flavor."""

    def revert_resize(context, server_uuid):
        """VERIFY_RESIZE -> ACTIVE on the old flavor."""

    def rebuild(context, server_uuid, image_id, **changes):
        """Rebuild from an image (name, metadata, key_name, user_data may change)."""

    def create_image(context, server_uuid, name, metadata=None):
        """Snapshot: fires with the new L{Image} (status active when done)."""

    def shelve(context, server_uuid):
        """ACTIVE/SHUTOFF/... -> SHELVED_OFFLOADED (the simulated host offloads)."""

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

    def delete_image(context, image_id):
        """Owner or admin; it stays visible to its owner as deleted."""

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
        """Fires with dicts describing the simulated compute host(s) and services."""

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

    # -- EC2 and metadata support ------------------------------------------

    def get_ec2_credential(access):
        """Fires with the L{EC2Credential} for an access key, or L{NotFound}."""

    def create_ec2_credential(user_id, project_id):
        """Fires with a new L{EC2Credential}."""

    def list_ec2_credentials(user_id=None):
        """Fires with L{EC2Credential}s."""

    def delete_ec2_credential(access):
        """L{NotFound} if absent."""

    def get_password(server_uuid):
        """The metadata password the instance posted, or C{""}."""

    def set_password(server_uuid, password):
        """Once only: a second set is L{Conflict} (metadata answers 409)."""

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
