"""
Servers: create, read, update, delete, metadata, tags, instance actions, console output.
"""

from __future__ import annotations

import functools
import uuid as uuidlib
from typing import Any, Iterable, Mapping

import attrs
import sqlalchemy as sa
from sqlalchemy.engine import Connection
from twisted.internet.defer import Deferred, fail

from novatx.compute import (
    actions, aggregates, catalog, convert, instances, quotas, services, states, validation,
)
from novatx.compute.api._base import ComputeAPIBase
from novatx.compute.context import RequestContext
from novatx.compute.exceptions import (
    Conflict, ImageNotActive, InstanceNotFound, InstanceNotReady, InstanceTerminationDisabled,
    Invalid, KeypairNotFound, NotFound, QuotaExceeded, ServerGroupNotFound, ZoneNotAvailable,
)
from novatx.compute.interfaces import CreateRequest, ServerQuery
from novatx.compute.listing import equals
from novatx.compute.network import servers as network_servers
from novatx.compute.records import Instance
from novatx.compute.volumes import boot
from novatx.db import generations
from novatx.db import tables as t

I = t.instances


def _pinned_zone(row: Mapping[str, Any], zone: str | None) -> str | None:
    """
    The zone a server may be pinned to by an update, as nova allows from
    2.104: unpinned (C{None}) at any time; pinned only from unpinned, and only
    to the zone the server is in (else L{Conflict}). Moving between zones is
    for the move operations, not for an update.
    """
    pinned = row["pinned_availability_zone"]
    if zone is None or zone == pinned:
        return zone
    if pinned is not None:
        raise Conflict("Server %s is pinned to availability zone %s; unpin it before pinning it "
                       "to another." % (row["uuid"], pinned))
    if zone != row["availability_zone"]:
        raise Conflict("Server %s is in availability zone %s; it can only be pinned to the zone "
                       "it is in, not to %s." % (row["uuid"], row["availability_zone"], zone))
    return zone


#: The longest value of each free-text field a create or an update writes: its
#: column's, or nova's schema's where that is shorter.
TEXT_LIMITS = {
    "availability_zone": 255, "pinned_availability_zone": 255, "description": 255,
    "admin_password": 255, "key_name": 255, "server_group": 255,
    "access_ip_v4": 64, "access_ip_v6": 64, "client_token": 64,
}


def _check_texts(values: Mapping[str, Any]) -> None:
    """Refuse a value the store could not keep in its field (too long, a NUL)."""
    for field, value in values.items():
        if field in TEXT_LIMITS:
            validation.text(value, field, TEXT_LIMITS[field])


#: What a server's view is read from: its rows and their side tables, its
#: groups, and the flavor and image it names.
SERVER_KINDS = ("servers", "server_groups", "flavors", "images")


def _readable(context: RequestContext) -> str | None:
    """Whose servers C{context} reads: its project's, or every project's for admins."""
    return None if context.is_admin else context.project_id


class ServersAPI(ComputeAPIBase):
    """
    Servers and what hangs off them: metadata, tags, instance actions.
    One part of L{novatx.compute.api.ComputeAPI}.
    """

    def create_servers(self, context: RequestContext, request: CreateRequest) -> Deferred:
        try:
            validation.name(request.name)
            min_count, max_count = validation.counts(request.min_count, request.max_count)
            metadata = validation.metadata(request.metadata, -1)
            validation.user_data(request.user_data)
            tags = [validation.tag(tag) for tag in request.tags]
            extra = dict(self._extra_defaults)
            extra.update(validation.extra_fields(self._fields, request.extra))
            if request.hostname is not None:
                validation.name(request.hostname, "hostname")
            _check_texts({field: getattr(request, field, None) for field in TEXT_LIMITS})
        except Exception:
            return fail()
        d = self._write(self._create, context, request, min_count, max_count, metadata,
                        tags, extra, self._seconds())

        def created(records: list[Instance]) -> list[Instance]:
            for record in records:
                self.notify(record.uuid)
                if record.pending_spawn:
                    self.driver.spawn(record.instance, record.instance.extra)
                for volume_uuid in record.volumes:
                    self.volumes.driver.follow("attach", volume_uuid)
            return [record.instance for record in records]

        return d.addCallback(created)

    def _create(self, connection: Connection, context: RequestContext, request: CreateRequest,
                min_count: int, max_count: int, metadata: dict, tags: list, extra: dict,
                seconds: float) -> list["_Created"]:
        generations.attribute(connection, context.project_id)
        now = convert.naive(seconds)
        if request.client_token:
            reservation = connection.execute(
                sa.select(t.ec2_client_tokens.c.reservation_id).where(
                    t.ec2_client_tokens.c.project_id == context.project_id,
                    t.ec2_client_tokens.c.client_token == request.client_token)).scalar()
            if reservation is not None:
                rows = list(connection.execute(sa.select(I).where(
                    I.c.reservation_id == reservation).order_by(I.c.launch_index)).mappings())
                return [_Created(record, False) for record in
                        instances.records(connection, rows, self._extra_defaults)]
        flavor_row = catalog.flavor_row(connection, context, request.flavor_id)
        specs = catalog.extra_specs(connection, [flavor_row["id"]])[flavor_row["id"]]
        image_id, image = None, None
        if request.image_id:
            image = catalog.image_row(connection, context, request.image_id)
            if image["deleted"] or image["status"] != "active":
                raise ImageNotActive(image_id=request.image_id)
            if flavor_row["memory_mb"] < (image["min_ram"] or 0):
                raise Invalid("Flavor's memory is too small for requested image.")
            if flavor_row["root_gb"] and flavor_row["root_gb"] < (image["min_disk"] or 0):
                raise Invalid("Flavor's disk is too small for requested image.")
            image_id = image["uuid"]
        elif not request.block_device_mapping:
            raise Invalid("Block Device Mapping is Invalid: Boot sequence for the "
                          "instance and image/block device mapping combination is not valid.")
        group_ids = network_servers.check_create(
            connection, self._conf, context, request.networks, request.security_groups,
            max_count, now)
        key_data = None
        if request.key_name:
            key_data = connection.execute(sa.select(t.key_pairs.c.public_key).where(
                t.key_pairs.c.user_id == context.user_id,
                t.key_pairs.c.name == request.key_name)).scalar()
            if key_data is None:
                raise KeypairNotFound(name=request.key_name, user_id=context.user_id)
        group = None
        if request.server_group:
            group = connection.execute(sa.select(t.server_groups).where(
                t.server_groups.c.uuid == request.server_group,
                *([] if context.is_admin else
                  [t.server_groups.c.project_id == context.project_id]))).mappings().first()
            if group is None:
                raise ServerGroupNotFound(group_uuid=request.server_group)
        quotas.lock_project(connection, context.project_id)
        limits = quotas.limits(connection, self._conf, context.project_id, context.user_id)
        if 0 <= limits["metadata_items"] < len(metadata):
            validation.metadata(metadata, limits["metadata_items"])
        count = quotas.instances_allowed(
            connection, self._conf, context.project_id, context.user_id,
            flavor_row["vcpus"], flavor_row["memory_mb"], min_count, max_count)
        if count > validation.MAX_COUNT:
            if min_count > validation.MAX_COUNT:
                raise Invalid("min_count may not exceed %d." % validation.MAX_COUNT)
            count = validation.MAX_COUNT
        if group is not None:
            members = connection.execute(sa.select(sa.func.count()).select_from(
                t.server_group_members).where(
                t.server_group_members.c.group_id == group["id"])).scalar()
            allowed = limits["server_group_members"]
            if 0 <= allowed < members + count:
                raise QuotaExceeded(message="Quota exceeded, too many servers in group")
        host = aggregates.zoned(connection, self.driver.host_info())
        if request.availability_zone is not None and (request.availability_zone, True) not in \
                services.zones(connection, host):
            raise ZoneNotAvailable()
        mappings = list(request.block_device_mapping) or boot.image_mappings(image)
        planned = boot.plan(connection, context, self._conf, mappings, image, count) \
            if mappings else []
        reservation_id = "r-" + uuidlib.uuid4().hex[:8]
        flavor_json = convert.flavor_dict(flavor_row, specs)
        pinned_zone = request.availability_zone or self._conf.default_schedule_zone or None
        zone = pinned_zone or host["availability_zone"]
        claim = self.driver.claim("spawn", seconds)
        created = []
        volumes: dict[str, tuple[str, ...]] = {}
        for index in range(count):
            uuid = str(uuidlib.uuid4())
            name = request.name
            if count > 1:
                name = self._conf.multi_instance_display_name_template % {
                    "name": request.name, "count": index + 1, "uuid": uuid}
            hostname = validation.hostname(request.hostname or name)
            if request.hostname and count > 1:
                hostname = validation.hostname("%s-%d" % (request.hostname, index + 1))
            action_id = actions.start(connection, context, uuid, "spawn", now, None)
            instance_id = connection.execute(sa.insert(I).values(
                uuid=uuid, name=name, hostname=hostname, description=request.description,
                project_id=context.project_id, user_id=context.user_id,
                flavor_id=flavor_row["id"], vcpus=flavor_row["vcpus"],
                memory_mb=flavor_row["memory_mb"], flavor=flavor_json, image_id=image_id,
                key_name=request.key_name, key_data=key_data, user_data=request.user_data,
                admin_password=request.admin_password, availability_zone=zone,
                pinned_availability_zone=pinned_zone,
                disable_terminate=request.disable_terminate,
                shutdown_terminate=request.shutdown_terminate,
                launch_index=index, reservation_id=reservation_id,
                vm_state=states.BUILDING, task_state=states.SCHEDULING,
                power_state=states.NOSTATE, locked=False, progress=0,
                config_drive="True" if request.config_drive else "",
                access_ip_v4=request.access_ip_v4, access_ip_v6=request.access_ip_v6,
                block_device_mapping=list(request.block_device_mapping),
                networks=(request.networks if isinstance(request.networks, str)
                          else list(request.networks)),
                extra=extra, deleted=False, created_at=now, updated_at=now,
                pending_params={"action_id": action_id, "security_groups": group_ids},
                **claim,
            )).inserted_primary_key[0]
            if metadata:
                connection.execute(sa.insert(t.instance_metadata), [
                    {"instance_id": instance_id, "key": key, "value": value}
                    for key, value in metadata.items()])
            if tags:
                connection.execute(sa.insert(t.tags), [
                    {"instance_id": instance_id, "tag": tag} for tag in sorted(set(tags))])
            if group is not None:
                connection.execute(sa.insert(t.server_group_members).values(
                    group_id=group["id"], instance_uuid=uuid))
            if planned:
                volumes[uuid] = tuple(boot.attach(
                    connection, context, planned, uuid, now, zone,
                    functools.partial(self.volumes.driver.claim, now=seconds)))
            created.append(instance_id)
        if request.client_token:
            connection.execute(sa.insert(t.ec2_client_tokens).values(
                project_id=context.project_id, client_token=request.client_token,
                reservation_id=reservation_id, created_at=now))
        rows = list(connection.execute(
            sa.select(I).where(I.c.id.in_(created)).order_by(I.c.launch_index)).mappings())
        return [_Created(record, True, volumes.get(record.uuid, ())) for record in
                instances.records(connection, rows, self._extra_defaults)]

    def list_servers(self, context: RequestContext, query: ServerQuery) -> Deferred:
        key = (context.project_id, context.user_id, context.is_admin, context.roles, query)
        return self._cached("servers", key, SERVER_KINDS, _readable(context), lambda: (
            self._listings.read(key, lambda: self._read(instances.list_page, context, query,
                                                        self._extra_defaults))))

    def get_server(self, context: RequestContext, server_uuid: str) -> Deferred:
        def get(connection: Connection) -> Instance:
            return instances.record(connection, instances.get_row(connection, context, server_uuid),
                                    self._extra_defaults)
        key = (context.project_id, context.user_id, context.is_admin, context.roles, server_uuid)
        return self._cached("server", key, SERVER_KINDS, _readable(context),
                            lambda: self._read(get))

    def get_server_by_ec2_id(self, context: RequestContext, instance_id: int) -> Deferred:
        def get(connection: Connection) -> Instance:
            row = None if not validation.internal_id(instance_id) else connection.execute(
                sa.select(I).where(I.c.id == instance_id, instances.visible(context))).mappings().first()
            if row is None:
                raise InstanceNotFound(instance_id="i-%08x" % int(instance_id))
            return instances.record(connection, row, self._extra_defaults)
        return self._read(get)

    def get_server_by_address(self, fixed_ip: str) -> Deferred:
        def get(connection: Connection) -> Instance:
            row = connection.execute(sa.select(I).where(
                equals(I.c.fixed_ip, fixed_ip), I.c.deleted == sa.false())).mappings().first()
            if row is None:
                raise InstanceNotFound(instance_id=fixed_ip)
            return instances.record(connection, row, self._extra_defaults)
        return self._read(get)

    def update_server(self, context: RequestContext, server_uuid: str, **changes: Any) -> Deferred:
        """
        Change what an update may: name, description, hostname, access
        addresses, the pinned zone (L{_pinned_zone}) and extension fields
        (C{extra}: name -> value, checked against their declarations).
        """
        allowed = {"name", "description", "hostname", "access_ip_v4", "access_ip_v6",
                   "pinned_availability_zone", "extra"}
        unknown = set(changes) - allowed
        if unknown:
            return fail(Invalid("Cannot update %s." % ", ".join(sorted(unknown))))
        extra = changes.pop("extra", None) or {}
        try:
            if "name" in changes:
                validation.name(changes["name"])
            if changes.get("hostname") is not None:
                changes["hostname"] = validation.hostname(
                    validation.name(changes["hostname"], "hostname"))
            _check_texts(changes)
            extra = validation.extra_fields(self._fields, extra)
        except Invalid:
            return fail()

        def change(connection: Connection, row: Mapping[str, Any]) -> None:
            columns = dict(changes)
            if "pinned_availability_zone" in columns:
                columns["pinned_availability_zone"] = _pinned_zone(row, columns["pinned_availability_zone"])
            if extra:
                columns["extra"] = {**(row["extra"] or {}), **extra}
            instances.touch(connection, row["id"], self._now(), **columns)
        return self._change(context, server_uuid, change, check_lock=False)

    def delete_server(self, context: RequestContext, server_uuid: str) -> Deferred:
        """
        Delete, unless termination is disabled; with C{[DEFAULT]
        reclaim_instance_interval} set, soft-delete: the server waits
        SOFT_DELETED, restorable, until the driver reclaims it. A snapshot still
        being taken is abandoned and its image deleted, as nova deletes an image
        whose upload never finished: it never stays queued.
        """
        def prepare(connection: Connection, row: Mapping[str, Any]) -> tuple[dict, dict]:
            if row["disable_terminate"]:
                raise InstanceTerminationDisabled(instance_uuid=row["uuid"])
            if row["pending_action"] == "snapshot":
                image = (row["pending_params"] or {}).get("image_id")
                connection.execute(sa.update(t.images).where(
                    t.images.c.uuid == image, t.images.c.status != "active").values(
                    deleted=True, status="deleted", updated_at=self._now()))
            return {}, {}
        action = "soft_delete" if self._conf.reclaim_instance_interval > 0 else "delete"
        return self._act(context, server_uuid, action, prepare)

    def restore_server(self, context: RequestContext, server_uuid: str) -> Deferred:
        """SOFT_DELETED -> ACTIVE."""
        return self._act(context, server_uuid, "restore")

    def force_delete_server(self, context: RequestContext, server_uuid: str) -> Deferred:
        """Delete now, a soft-deleted server too."""
        return self._act(context, server_uuid, "force_delete")

    def set_metadata(self, context: RequestContext, server_uuid: str,
                     metadata: Mapping[str, str], replace: bool = False) -> Deferred:
        try:
            items = validation.metadata(metadata, -1)
        except Exception:
            return fail()

        def run(connection: Connection) -> dict[str, str]:
            row = instances.get_row(connection, context, server_uuid, for_update=True)
            self._check_lock(context, row)
            limit = quotas.limits(connection, self._conf, row["project_id"])["metadata_items"]
            current = {} if replace else instances.metadata_of(connection, row["id"])
            current.update(items)
            validation.metadata(current, limit)
            instances.set_metadata(connection, row["id"], items, replace)
            instances.touch(connection, row["id"], self._now())
            return instances.metadata_of(connection, row["id"])

        return self._write(run).addCallback(self._notified(server_uuid))

    def delete_metadata_item(self, context: RequestContext, server_uuid: str, key: str) -> Deferred:
        def run(connection: Connection) -> None:
            row = instances.get_row(connection, context, server_uuid, for_update=True)
            self._check_lock(context, row)
            M = t.instance_metadata
            if connection.execute(sa.delete(M).where(
                    M.c.instance_id == row["id"], equals(M.c.key, key))).rowcount == 0:
                raise NotFound("Metadata item was not found")
            instances.touch(connection, row["id"], self._now())
        return self._write(run).addCallback(self._notified(server_uuid))

    def set_tags(self, context: RequestContext, server_uuid: str, tags: Iterable[str]) -> Deferred:
        try:
            wanted = sorted({validation.tag(tag) for tag in tags})
        except Invalid:
            return fail()
        if len(wanted) > 50:
            return fail(Invalid("The number of tags exceeded the per-server limit 50"))

        def run(connection: Connection) -> list[str]:
            row = instances.get_row(connection, context, server_uuid, for_update=True)
            connection.execute(sa.delete(t.tags).where(t.tags.c.instance_id == row["id"]))
            if wanted:
                connection.execute(sa.insert(t.tags), [
                    {"instance_id": row["id"], "tag": tag} for tag in wanted])
            instances.touch(connection, row["id"], self._now())
            return instances.tags_of(connection, row["id"])
        return self._write(run).addCallback(self._notified(server_uuid))

    def add_tag(self, context: RequestContext, server_uuid: str, tag: str) -> Deferred:
        try:
            validation.tag(tag)
        except Invalid:
            return fail()

        def run(connection: Connection) -> list[str]:
            row = instances.get_row(connection, context, server_uuid, for_update=True)
            current = instances.tags_of(connection, row["id"])
            if tag not in current:
                if len(current) >= 50:
                    raise Invalid("The number of tags exceeded the per-server limit 50")
                connection.execute(sa.insert(t.tags).values(instance_id=row["id"], tag=tag))
                instances.touch(connection, row["id"], self._now())
            return instances.tags_of(connection, row["id"])
        return self._write(run).addCallback(self._notified(server_uuid))

    def delete_tag(self, context: RequestContext, server_uuid: str, tag: str) -> Deferred:
        def run(connection: Connection) -> None:
            row = instances.get_row(connection, context, server_uuid, for_update=True)
            if connection.execute(sa.delete(t.tags).where(
                    t.tags.c.instance_id == row["id"], equals(t.tags.c.tag, tag))).rowcount == 0:
                raise NotFound("Tag %s could not be found." % tag)
            instances.touch(connection, row["id"], self._now())
        return self._write(run).addCallback(self._notified(server_uuid))

    def list_instance_actions(self, context: RequestContext, server_uuid: str) -> Deferred:
        def run(connection: Connection) -> list:
            instances.get_row(connection, context, server_uuid, read_deleted=True)
            return actions.list_for(connection, server_uuid)
        return self._read(run)

    def get_instance_action(self, context: RequestContext, server_uuid: str,
                            request_id: str) -> Deferred:
        def run(connection: Connection) -> Any:
            instances.get_row(connection, context, server_uuid, read_deleted=True)
            return actions.get(connection, server_uuid, request_id)
        return self._read(run)

    def get_console_output(self, context: RequestContext, server_uuid: str,
                           length: int | None = None) -> Deferred:
        def output(instance: Instance) -> str:
            if instance.vm_state == states.BUILDING or instance.host is None:
                raise InstanceNotReady(instance_id=server_uuid)
            lines = self.driver.get_console_output(instance).split("\n")
            if length is not None:
                lines = lines[-int(length):] if int(length) > 0 else []
            return "\n".join(lines)
        return self.get_server(context, server_uuid).addCallback(output)


@attrs.frozen
class _Created:
    """
    A record from C{create_servers}, whether its boot still has to start, and
    the volumes it boots with or carries, whose attaches the volume driver ends.
    """

    instance: Instance
    pending_spawn: bool
    volumes: tuple[str, ...] = ()

    @property
    def uuid(self) -> str:
        return self.instance.uuid
