"""
The contract of block storage that every face calls.

All methods take the caller's L{RequestContext}, return Deferreds of
L{novatx.compute.volumes.records} records and fail with the exceptions of
L{novatx.compute.volumes.exceptions} (or the internal API's own:
C{InstanceNotFound}, C{InstanceInvalidState}, C{InstanceIsLocked}).
"""

from __future__ import annotations

from zope.interface import Attribute, Interface


class IVolumeAPI(Interface):
    """Volumes, snapshots, attachments, types and quotas."""

    default_type = Attribute("The one L{VolumeType} volumes are made of.")

    def create_volume(context, size, name=None, description=None, availability_zone=None,
                      volume_type=None, metadata=None, snapshot_id=None, image_id=None):
        """
        Start a volume (C{creating}); C{size} may be None when a snapshot
        gives it. Counts against C{volumes} and C{gigabytes}.
        """

    def list_volumes(context, all_tenants=False, name=None, status=None, limit=None,
                     marker=None):
        """A L{Page} of volumes, newest first (keyset paging after C{marker})."""

    def get_volume(context, volume_id):
        """One volume."""

    def update_volume(context, volume_id, **changes):
        """Change C{name} and/or C{description}."""

    def set_volume_bootable(context, volume_id, bootable):
        """Set the C{bootable} flag that boot from volume checks; fires with the volume."""

    def delete_volume(context, volume_id):
        """Start a delete (C{deleting}): only an available or failed volume with no snapshots."""

    def extend_volume(context, volume_id, new_size):
        """Start growing an available volume to C{new_size} gigabytes."""

    def set_volume_metadata(context, volume_id, items, replace=False):
        """Add (or replace all) metadata items; fires with the volume's metadata."""

    def delete_volume_metadata(context, volume_id, key):
        """Remove one metadata item."""

    def create_snapshot(context, volume_id, name=None, description=None, metadata=None):
        """Start a snapshot (C{creating}) of an available or in-use volume."""

    def list_snapshots(context, all_tenants=False, volume_id=None, limit=None, marker=None):
        """A L{Page} of snapshots, newest first."""

    def get_snapshot(context, snapshot_id):
        """One snapshot."""

    def update_snapshot(context, snapshot_id, **changes):
        """Change C{name} and/or C{description}."""

    def delete_snapshot(context, snapshot_id):
        """Start a snapshot's delete."""

    def set_snapshot_metadata(context, snapshot_id, items):
        """Add metadata items to a snapshot (EC2's tags); fires with its metadata."""

    def delete_snapshot_metadata(context, snapshot_id, key):
        """Remove one metadata item of a snapshot."""

    def attach_volume(context, server_id, volume_id, device=None, tag=None,
                      delete_on_termination=False):
        """
        Attach an available volume to a server of the caller (C{attaching}
        until done); records the server's C{attach_volume} action. Fires with
        the L{VolumeAttachment}.
        """

    def detach_volume(context, server_id, volume_id):
        """Start detaching (C{detaching}); records C{detach_volume}."""

    def list_attachments(context, server_id):
        """The server's L{VolumeAttachment}s, oldest first."""

    def get_attachment(context, server_id, volume_id):
        """The server's attachment of one volume."""

    def update_attachment(context, server_id, volume_id, delete_on_termination):
        """Change whether the volume goes with the server."""

    def swap_volume(context, server_id, old_volume_id, new_volume_id):
        """Swap an attached volume for another: only while cinder migrates it."""

    def list_volume_types(context):
        """The volume types."""

    def get_volume_type(context, type_id):
        """One volume type, by id or name."""

    def get_quota(context, project_id=None):
        """The project's L{VolumeQuota} (the caller's by default)."""

    def zones(context):
        """The storage availability zones, as C{(name, available)} pairs."""
