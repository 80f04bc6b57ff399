"""
The internal compute API (L{IComputeAPI}) over the store.

Each method checks what it can without the database, then runs one
transaction on a database thread (L{novatx.db.store.Store}) and fires with
records. Actions write their intention with this worker's claim and hand the
instance to the driver, which walks the transition in the store.
"""

from __future__ import annotations

import datetime
import uuid as uuidlib
from typing import Any, Callable, Iterable, Mapping

import attrs
import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from twisted.internet.defer import Deferred, fail, succeed
from twisted.logger import Logger
from zope.interface import implementer

from novatx.compute import (
    actions, catalog, convert, instances, keys, network, quotas, services, states, validation,
)
from novatx.compute.coalesce import CoalescedReads
from novatx.compute.context import RequestContext
from novatx.compute.exceptions import (
    Conflict, DatabaseUnavailable, FlavorNotFound, ImageNotActive, ImageNotFound,
    InstanceIsLocked, InstanceNotFound, InstanceNotReady, Invalid, KeyPairExists,
    KeypairNotFound, MarkerNotFound, NotAuthorized, NotFound, NotSupported, OverLimit, QuotaExceeded,
    ServerGroupNotFound,
)
from novatx.compute.fields import ExtraField
from novatx.compute.interfaces import CreateRequest, IComputeAPI, ServerQuery
from novatx.compute.records import (
    EC2Credential, Image, Instance, KeyPair, Page, QuotaSet, ServerGroup,
)
from novatx.compute.transitions import TRANSITIONS
from novatx.db import tables as t
from novatx.db.store import Store, StoreUnavailable

I = t.instances
log = Logger()

SERVER_GROUP_POLICIES = ("affinity", "anti-affinity", "soft-affinity", "soft-anti-affinity")


def _unavailable(failure: Any) -> Any:
    failure.trap(StoreUnavailable)
    raise DatabaseUnavailable(reason=str(failure.value)) from failure.value


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


@implementer(IComputeAPI)
class ComputeAPI:
    """
    The internal API of one worker.

    @param conf: the process's config.
    @param store: the started L{Store}.
    @param clock: an C{IReactorTime}: stamps, claims and the driver's timers.
    @param driver: the compute driver (L{novatx.compute.driver.SimulatedDriver}).
    """

    def __init__(self, conf: Any, store: Store, clock: Any, driver: Any) -> None:
        self._conf = conf
        self._store = store
        self._clock = clock
        self.driver = driver
        self._fields: dict[str, ExtraField] = {}
        self._observers: list[Callable[[str], Any]] = []
        self._listings: CoalescedReads[Page] = CoalescedReads()

    # -- plumbing ------------------------------------------------------------------

    def _seconds(self) -> float:
        return self._clock.seconds()

    def _now(self) -> datetime.datetime:
        return convert.naive(self._clock.seconds())

    def _read(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Deferred:
        return self._store.read(function, *args, **kwargs).addErrback(_unavailable)

    def _write(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Deferred:
        return self._store.write(function, *args, **kwargs).addErrback(_unavailable)

    @property
    def _extra_defaults(self) -> dict[str, Any]:
        return {name: field.default for name, field in self._fields.items()}

    def notify(self, instance_uuid: str) -> None:
        """Tell observers that C{instance_uuid} changed."""
        for observer in list(self._observers):
            try:
                observer(instance_uuid)
            except Exception:
                log.failure("instance observer {observer!r} failed", observer=observer)

    def add_observer(self, observer: Callable[[str], Any]) -> None:
        self._observers.append(observer)

    def register_fields(self, fields: Iterable[ExtraField]) -> None:
        for field in fields:
            known = self._fields.get(field.name)
            if known is not None:
                raise ValueError("extension field %r is declared by both %r and %r"
                                 % (field.name, known.owner, field.owner))
            self._fields[field.name] = field

    def _check_lock(self, context: RequestContext, row: Mapping[str, Any]) -> None:
        if row["locked"] and not context.is_admin:
            raise InstanceIsLocked(instance_uuid=row["uuid"])

    # -- servers: create --------------------------------------------------------------

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
        except Exception:
            return fail()
        d = self._write(self._create, context, request, min_count, max_count, metadata,
                        tags, extra, self._seconds())

        def created(records: list[Instance]) -> list[Instance]:
            for record in records:
                self.notify(record.uuid)
                if record.pending_spawn:
                    self.driver.spawn(record.instance, record.instance.extra)
            return [record.instance for record in records]

        return d.addCallback(created)

    def _create(self, connection: Connection, context: RequestContext, request: CreateRequest,
                min_count: int, max_count: int, metadata: dict, tags: list, extra: dict,
                seconds: float) -> list["_Created"]:
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
        image_id = None
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
        wanted_ips = [n.get("fixed_ip") for n in request.networks
                      if isinstance(n, dict) and n.get("fixed_ip")] \
            if not isinstance(request.networks, str) else []
        if wanted_ips:
            self._check_fixed_ip(connection, wanted_ips[0], max_count)
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
        reservation_id = "r-" + uuidlib.uuid4().hex[:8]
        flavor_json = convert.flavor_dict(flavor_row, specs)
        pinned_zone = request.availability_zone or self._conf.default_schedule_zone or None
        zone = pinned_zone or self._conf.default_availability_zone
        claim = self.driver.claim("spawn", seconds)
        created = []
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
                launch_index=index, reservation_id=reservation_id,
                vm_state=states.BUILDING, task_state=states.SCHEDULING,
                power_state=states.NOSTATE, locked=False, progress=0,
                config_drive="True" if request.config_drive else "",
                access_ip_v4=request.access_ip_v4, access_ip_v6=request.access_ip_v6,
                block_device_mapping=list(request.block_device_mapping),
                networks=(request.networks if isinstance(request.networks, str)
                          else list(request.networks)),
                extra=extra, deleted=False, created_at=now, updated_at=now,
                pending_params={"action_id": action_id}, **claim,
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
            created.append(instance_id)
        if request.client_token:
            connection.execute(sa.insert(t.ec2_client_tokens).values(
                project_id=context.project_id, client_token=request.client_token,
                reservation_id=reservation_id, created_at=now))
        rows = list(connection.execute(
            sa.select(I).where(I.c.id.in_(created)).order_by(I.c.launch_index)).mappings())
        return [_Created(record, True) for record in
                instances.records(connection, rows, self._extra_defaults)]

    def _check_fixed_ip(self, connection: Connection, address: str, max_count: int) -> None:
        """nova's checks of a requested fixed IP, before anything is recorded."""
        if max_count > 1:
            raise Invalid("max_count cannot be greater than 1 if an fixed_ip is specified.")
        if address not in network.addresses(self._conf.network.fixed_range):
            raise Invalid("Fixed IP %s is not a valid ip address for network %s."
                          % (address, self._conf.network.fixed_range))
        if connection.execute(sa.select(t.fixed_ips.c.address).where(
                t.fixed_ips.c.address == address)).first() is not None:
            raise Invalid("Fixed IP address %s is already in use." % address)

    # -- servers: read -------------------------------------------------------------------

    def list_servers(self, context: RequestContext, query: ServerQuery) -> Deferred:
        key = (context.project_id, context.user_id, context.is_admin, context.roles, query)
        return self._listings.read(
            key, lambda: self._read(instances.list_page, context, query, self._extra_defaults))

    def get_server(self, context: RequestContext, server_uuid: str) -> Deferred:
        def get(connection: Connection) -> Instance:
            return instances.record(connection, instances.get_row(connection, context, server_uuid),
                                    self._extra_defaults)
        return self._read(get)

    def get_server_by_ec2_id(self, context: RequestContext, instance_id: int) -> Deferred:
        def get(connection: Connection) -> Instance:
            row = connection.execute(sa.select(I).where(
                I.c.id == int(instance_id), instances.visible(context))).mappings().first()
            if row is None:
                raise InstanceNotFound(instance_id="i-%08x" % int(instance_id))
            return instances.record(connection, row, self._extra_defaults)
        return self._read(get)

    def get_server_by_address(self, fixed_ip: str) -> Deferred:
        def get(connection: Connection) -> Instance:
            row = connection.execute(sa.select(I).where(
                I.c.fixed_ip == fixed_ip, I.c.deleted == sa.false())).mappings().first()
            if row is None:
                raise InstanceNotFound(instance_id=fixed_ip)
            return instances.record(connection, row, self._extra_defaults)
        return self._read(get)

    # -- servers: changes ----------------------------------------------------------------

    def _change(self, context: RequestContext, server_uuid: str,
                change: Callable[[Connection, Mapping[str, Any]], Any],
                check_lock: bool = True) -> Deferred:
        """Run C{change(connection, row)} on the locked row; fire with the new record."""
        def run(connection: Connection) -> Instance:
            row = instances.get_row(connection, context, server_uuid, for_update=True)
            if check_lock:
                self._check_lock(context, row)
            change(connection, row)
            return instances.reload(connection, row["id"], self._extra_defaults)

        def changed(instance: Instance) -> Instance:
            self.notify(instance.uuid)
            return instance

        return self._write(run).addCallback(changed)

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
        return self._act(context, server_uuid, "delete")

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

    def _notified(self, server_uuid: str) -> Callable[[Any], Any]:
        def done(result: Any) -> Any:
            self.notify(server_uuid)
            return result
        return done

    def delete_metadata_item(self, context: RequestContext, server_uuid: str, key: str) -> Deferred:
        def run(connection: Connection) -> None:
            row = instances.get_row(connection, context, server_uuid, for_update=True)
            self._check_lock(context, row)
            M = t.instance_metadata
            result = connection.execute(sa.delete(M).where(
                M.c.instance_id == row["id"], M.c.key == key))
            if result.rowcount == 0:
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
            result = connection.execute(sa.delete(t.tags).where(
                t.tags.c.instance_id == row["id"], t.tags.c.tag == tag))
            if result.rowcount == 0:
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

    # -- server actions ------------------------------------------------------------------

    def _act(self, context: RequestContext, server_uuid: str, name: str,
             prepare: Callable[[Connection, Mapping[str, Any]], tuple[dict, dict]] | None = None,
             ) -> Deferred:
        """
        Check C{name}'s guard on the locked row, let C{prepare} add columns and
        params, write the intention (first task state, claim, instance action)
        and start the driver on it. Fires with the record as written.
        """
        transition = TRANSITIONS[name]
        seconds = self._seconds()

        def run(connection: Connection) -> tuple[Instance, bool]:
            row = instances.get_row(connection, context, server_uuid, for_update=True)
            self._check_lock(context, row)
            if name == "delete" and row["pending_action"] == "delete":
                return instances.record(connection, row, self._extra_defaults), False
            transition.check(server_uuid, row["vm_state"], row["task_state"])
            changes, params = prepare(connection, row) if prepare else ({}, {})
            now = convert.naive(seconds)
            action_id = actions.start(connection, context, server_uuid, name, now, row["host"])
            params["action_id"] = action_id
            if transition.steps:
                changes.update(task_state=transition.steps[0], pending_params=params,
                               **self.driver.claim(name, seconds))
            else:
                changes.update(transition.finish(row, params), task_state=None)
                actions.finish(connection, action_id, now)
            instances.touch(connection, row["id"], now, **changes)
            return instances.reload(connection, row["id"], self._extra_defaults), bool(
                transition.steps)

        def begun(result: tuple[Instance, bool]) -> Instance:
            instance, started = result
            self.notify(instance.uuid)
            if started:
                if name == "delete":
                    self.driver.destroy(instance)
                else:
                    self.driver.transition(instance, name)
            return instance

        return self._write(run).addCallback(begun)

    def reboot(self, context: RequestContext, server_uuid: str, hard: bool = False) -> Deferred:
        return self._act(context, server_uuid, "reboot_hard" if hard else "reboot")

    def start(self, context: RequestContext, server_uuid: str) -> Deferred:
        return self._act(context, server_uuid, "start")

    def stop(self, context: RequestContext, server_uuid: str) -> Deferred:
        return self._act(context, server_uuid, "stop")

    def pause(self, context: RequestContext, server_uuid: str) -> Deferred:
        return self._act(context, server_uuid, "pause")

    def unpause(self, context: RequestContext, server_uuid: str) -> Deferred:
        return self._act(context, server_uuid, "unpause")

    def suspend(self, context: RequestContext, server_uuid: str) -> Deferred:
        return self._act(context, server_uuid, "suspend")

    def resume(self, context: RequestContext, server_uuid: str) -> Deferred:
        return self._act(context, server_uuid, "resume")

    def lock(self, context: RequestContext, server_uuid: str, reason: str | None = None) -> Deferred:
        def change(connection: Connection, row: Mapping[str, Any]) -> None:
            if row["locked"]:
                return
            by = "owner" if context.project_id == row["project_id"] else "admin"
            instances.touch(connection, row["id"], self._now(), locked=True, locked_by=by,
                            locked_reason=reason)
        return self._change(context, server_uuid, change, check_lock=False)

    def unlock(self, context: RequestContext, server_uuid: str) -> Deferred:
        def change(connection: Connection, row: Mapping[str, Any]) -> None:
            if row["locked_by"] == "admin" and not context.is_admin:
                raise NotAuthorized(
                    "Policy doesn't allow os_compute_api:os-lock-server:unlock:unlock_override "
                    "to be performed.")
            instances.touch(connection, row["id"], self._now(), locked=False, locked_by=None,
                            locked_reason=None)
        return self._change(context, server_uuid, change, check_lock=False)

    def resize(self, context: RequestContext, server_uuid: str, flavor_id: str) -> Deferred:
        def prepare(connection: Connection, row: Mapping[str, Any]) -> tuple[dict, dict]:
            new = catalog.flavor_row(connection, context, flavor_id)
            if str(new["flavorid"]) == str(row["flavor"]["flavorid"]):
                raise Invalid("When resizing, instances must change flavor!")
            extra = {"vcpus": new["vcpus"] - row["vcpus"], "memory_mb": new["memory_mb"]
                     - row["memory_mb"]}
            if extra["vcpus"] > 0 or extra["memory_mb"] > 0:
                quotas.lock_project(connection, row["project_id"])
                limits = quotas.limits(connection, self._conf, row["project_id"])
                used = quotas.usage(connection, row["project_id"])
                overs = [(name, per) for name, per in (("cores", extra["vcpus"]),
                                                       ("ram", extra["memory_mb"]))
                         if per > 0 and 0 <= limits[name] < used[name] + per]
                if overs:
                    names = [name for name, _ in overs]
                    raise QuotaExceeded(
                        overs=", ".join(names),
                        req=", ".join(str(per) for _, per in overs),
                        used=", ".join(str(used[name]) for name in names),
                        allowed=", ".join(str(limits[name]) for name in names))
            specs = catalog.extra_specs(connection, [new["id"]])[new["id"]]
            changes = {"new_flavor": {"flavor": convert.flavor_dict(new, specs),
                                      "old_vm_state": row["vm_state"]},
                       "vcpus": new["vcpus"], "memory_mb": new["memory_mb"]}
            return changes, {"old_vm_state": row["vm_state"]}
        return self._act(context, server_uuid, "resize", prepare)

    def confirm_resize(self, context: RequestContext, server_uuid: str) -> Deferred:
        def prepare(connection: Connection, row: Mapping[str, Any]) -> tuple[dict, dict]:
            pending = row["new_flavor"] or {}
            flavor = pending.get("flavor") or row["flavor"]
            return ({"flavor": flavor, "flavor_id": flavor["id"], "new_flavor": None},
                    {"old_vm_state": pending.get("old_vm_state")})
        return self._act(context, server_uuid, "confirm_resize", prepare)

    def revert_resize(self, context: RequestContext, server_uuid: str) -> Deferred:
        def prepare(connection: Connection, row: Mapping[str, Any]) -> tuple[dict, dict]:
            pending = row["new_flavor"] or {}
            old = row["flavor"]
            return ({"vcpus": old["vcpus"], "memory_mb": old["memory_mb"]},
                    {"old_vm_state": pending.get("old_vm_state")})
        return self._act(context, server_uuid, "revert_resize", prepare)

    def rebuild(self, context: RequestContext, server_uuid: str, image_id: str,
                **changes: Any) -> Deferred:
        allowed = {"name", "metadata", "key_name", "user_data", "description", "hostname",
                   "access_ip_v4", "access_ip_v6", "admin_password"}
        unknown = set(changes) - allowed
        if unknown:
            return fail(Invalid("Cannot rebuild with %s." % ", ".join(sorted(unknown))))
        try:
            if "name" in changes:
                validation.name(changes["name"])
            if "user_data" in changes:
                validation.user_data(changes["user_data"])
            metadata = (validation.metadata(changes.pop("metadata"), -1)
                        if changes.get("metadata") is not None else None)
        except Exception:
            return fail()

        def prepare(connection: Connection, row: Mapping[str, Any]) -> tuple[dict, dict]:
            image = catalog.image_row(connection, context, image_id)
            if image["deleted"] or image["status"] != "active":
                raise ImageNotActive(image_id=image_id)
            columns = dict(changes, image_id=image["uuid"])
            columns.pop("metadata", None)
            if "key_name" in columns:
                if columns["key_name"] is None:
                    columns["key_data"] = None
                else:
                    key = connection.execute(sa.select(t.key_pairs.c.public_key).where(
                        t.key_pairs.c.user_id == context.user_id,
                        t.key_pairs.c.name == columns["key_name"])).scalar()
                    if key is None:
                        raise KeypairNotFound(name=columns["key_name"], user_id=context.user_id)
                    columns["key_data"] = key
            if metadata is not None:
                limit = quotas.limits(connection, self._conf, row["project_id"])["metadata_items"]
                validation.metadata(metadata, limit)
                instances.set_metadata(connection, row["id"], metadata, replace=True)
            return columns, {"old_vm_state": row["vm_state"]}
        return self._act(context, server_uuid, "rebuild", prepare)

    def create_image(self, context: RequestContext, server_uuid: str, name: str,
                     metadata: Mapping[str, str] | None = None) -> Deferred:
        try:
            validation.name(name)
            properties = validation.metadata(metadata or {}, -1)
        except Exception:
            return fail()
        made: list[Image] = []

        def prepare(connection: Connection, row: Mapping[str, Any]) -> tuple[dict, dict]:
            props = dict(properties, instance_uuid=row["uuid"], image_type="snapshot",
                         user_id=context.user_id)
            if row["image_id"]:
                props["base_image_ref"] = row["image_id"]
            image = catalog.create_image(connection, {
                "name": name, "status": "queued", "disk_format": "qcow2",
                "container_format": "bare", "size": 0, "min_disk": row["flavor"]["root_gb"],
                "min_ram": 0, "visibility": "private", "owner": row["project_id"],
                "properties": props}, self._now())
            made.append(image)
            return {}, {"image_id": image.id}

        return self._act(context, server_uuid, "snapshot", prepare).addCallback(
            lambda _: made[0])

    def shelve(self, context: RequestContext, server_uuid: str) -> Deferred:
        return self._act(context, server_uuid, "shelve")

    def shelve_offload(self, context: RequestContext, server_uuid: str) -> Deferred:
        return self._act(context, server_uuid, "shelve_offload")

    def unshelve(self, context: RequestContext, server_uuid: str,
                 availability_zone: str | None = None) -> Deferred:
        def prepare(connection: Connection, row: Mapping[str, Any]) -> tuple[dict, dict]:
            if availability_zone is not None:
                if availability_zone != self._conf.default_availability_zone:
                    raise Invalid("The requested availability zone is not available")
                return {"availability_zone": availability_zone}, {}
            return {}, {}
        return self._act(context, server_uuid, "unshelve", prepare)

    def change_password(self, context: RequestContext, server_uuid: str, password: str) -> Deferred:
        def prepare(connection: Connection, row: Mapping[str, Any]) -> tuple[dict, dict]:
            return {"admin_password": password}, {}
        return self._act(context, server_uuid, "change_password", prepare)

    # -- flavors -----------------------------------------------------------------------

    def list_flavors(self, context: RequestContext, is_public: bool | None = True,
                     min_ram: int | None = None, min_disk: int | None = None,
                     sort_key: str = "flavorid", sort_dir: str = "asc",
                     limit: int | None = None, marker: str | None = None) -> Deferred:
        return self._read(catalog.list_flavors, context, is_public, min_ram, min_disk,
                          sort_key, sort_dir, limit, marker)

    def get_flavor(self, context: RequestContext, flavor_id: str) -> Deferred:
        return self._read(catalog.get_flavor, context, flavor_id)

    def create_flavor(self, context: RequestContext, name: str, memory_mb: int, vcpus: int,
                      root_gb: int, flavorid: str | None = None, ephemeral_gb: int = 0,
                      swap: int = 0, rxtx_factor: float = 1.0, is_public: bool = True,
                      description: str | None = None) -> Deferred:
        try:
            catalog.admin_only(context)
            validation.name(name)
            for field, value in (("ram", memory_mb), ("vcpus", vcpus)):
                if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                    raise Invalid("Invalid input for field/attribute %s." % field)
            for field, value in (("disk", root_gb), ("ephemeral", ephemeral_gb), ("swap", swap)):
                if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                    raise Invalid("Invalid input for field/attribute %s." % field)
        except Exception:
            return fail()
        values = {"name": name, "memory_mb": memory_mb, "vcpus": vcpus, "root_gb": root_gb,
                  "flavorid": flavorid, "ephemeral_gb": ephemeral_gb, "swap": swap,
                  "rxtx_factor": float(rxtx_factor), "is_public": bool(is_public),
                  "disabled": False, "description": description}
        return self._write(catalog.create_flavor, values, self._now())

    def _flavor_admin(self, context: RequestContext, flavor_id: str,
                      work: Callable[[Connection, Mapping[str, Any]], Any]) -> Deferred:
        if not context.is_admin:
            return fail(NotAuthorized("Policy doesn't allow this operation to be performed."))

        def run(connection: Connection) -> Any:
            return work(connection, catalog.flavor_row(connection, context, flavor_id))
        return self._write(run)

    def update_flavor(self, context: RequestContext, flavor_id: str, description: str) -> Deferred:
        def work(connection: Connection, row: Mapping[str, Any]) -> Any:
            connection.execute(sa.update(t.flavors).where(t.flavors.c.id == row["id"]).values(
                description=description, updated_at=self._now()))
            return catalog.get_flavor(connection, context, flavor_id)
        return self._flavor_admin(context, flavor_id, work)

    def delete_flavor(self, context: RequestContext, flavor_id: str) -> Deferred:
        def work(connection: Connection, row: Mapping[str, Any]) -> None:
            connection.execute(sa.delete(t.flavors).where(t.flavors.c.id == row["id"]))
        return self._flavor_admin(context, flavor_id, work)

    def set_flavor_extra_specs(self, context: RequestContext, flavor_id: str,
                               specs: Mapping[str, str]) -> Deferred:
        for key, value in specs.items():
            if not isinstance(key, str) or not 1 <= len(key) <= 255 or \
                    not isinstance(value, str) or len(value) > 255:
                return fail(Invalid("Invalid extra spec %r." % (key,)))
        X = t.flavor_extra_specs

        def work(connection: Connection, row: Mapping[str, Any]) -> dict[str, str]:
            connection.execute(sa.delete(X).where(X.c.flavor_id == row["id"],
                                                  X.c.key.in_(list(specs))))
            if specs:
                connection.execute(sa.insert(X), [
                    {"flavor_id": row["id"], "key": k, "value": v} for k, v in specs.items()])
            return catalog.extra_specs(connection, [row["id"]])[row["id"]]
        return self._flavor_admin(context, flavor_id, work)

    def delete_flavor_extra_spec(self, context: RequestContext, flavor_id: str,
                                 key: str) -> Deferred:
        X = t.flavor_extra_specs

        def work(connection: Connection, row: Mapping[str, Any]) -> None:
            result = connection.execute(sa.delete(X).where(X.c.flavor_id == row["id"],
                                                           X.c.key == key))
            if result.rowcount == 0:
                raise NotFound("Flavor %s has no extra specs with key %s." % (flavor_id, key))
        return self._flavor_admin(context, flavor_id, work)

    def list_flavor_access(self, context: RequestContext, flavor_id: str) -> Deferred:
        P = t.flavor_projects

        def work(connection: Connection, row: Mapping[str, Any]) -> list[str]:
            if row["is_public"]:
                raise NotFound("Access list not available for public flavors.")
            return sorted(connection.execute(sa.select(P.c.project_id).where(
                P.c.flavor_id == row["id"])).scalars())
        return self._flavor_admin(context, flavor_id, work)

    def add_flavor_access(self, context: RequestContext, flavor_id: str,
                          project_id: str) -> Deferred:
        P = t.flavor_projects

        def work(connection: Connection, row: Mapping[str, Any]) -> list[str]:
            if row["is_public"]:
                raise Conflict("Can not add access to a public flavor.")
            try:
                with connection.begin_nested():
                    connection.execute(sa.insert(P).values(flavor_id=row["id"],
                                                           project_id=project_id))
            except IntegrityError:
                raise Conflict("Flavor access already exists for flavor %s and project %s "
                               "combination." % (flavor_id, project_id))
            return sorted(connection.execute(sa.select(P.c.project_id).where(
                P.c.flavor_id == row["id"])).scalars())
        return self._flavor_admin(context, flavor_id, work)

    def remove_flavor_access(self, context: RequestContext, flavor_id: str,
                             project_id: str) -> Deferred:
        P = t.flavor_projects

        def work(connection: Connection, row: Mapping[str, Any]) -> list[str]:
            result = connection.execute(sa.delete(P).where(P.c.flavor_id == row["id"],
                                                           P.c.project_id == project_id))
            if result.rowcount == 0:
                raise NotFound("Flavor access not found for %s / %s combination."
                               % (flavor_id, project_id))
            return sorted(connection.execute(sa.select(P.c.project_id).where(
                P.c.flavor_id == row["id"])).scalars())
        return self._flavor_admin(context, flavor_id, work)

    # -- images ----------------------------------------------------------------------------

    def list_images(self, context: RequestContext, filters: Mapping[str, Any] | None = None,
                    limit: int | None = None, marker: str | None = None,
                    sort_key: str = "created_at", sort_dir: str = "desc") -> Deferred:
        return self._read(catalog.list_images, context, dict(filters or {}), limit, marker,
                          sort_key, sort_dir)

    def get_image(self, context: RequestContext, image_id: str) -> Deferred:
        return self._read(lambda c: convert.image(catalog.image_row(c, context, image_id)))

    def get_image_by_ec2_id(self, context: RequestContext, internal_id: int) -> Deferred:
        return self._read(lambda c: convert.image(catalog.image_row_by_id(c, context,
                                                                          int(internal_id))))

    def create_image_record(self, context: RequestContext, name: str, disk_format: str = "qcow2",
                            container_format: str = "bare", visibility: str = "private",
                            properties: Mapping[str, str] | None = None, size: int | None = None,
                            min_disk: int = 0, min_ram: int = 0,
                            status: str = "active") -> Deferred:
        if visibility not in ("public", "private", "shared", "community"):
            return fail(Invalid("Invalid visibility value: %s" % visibility))
        if visibility == "public" and not context.is_admin:
            return fail(NotAuthorized("Only admins may publicize images."))
        values = {"name": name, "status": status, "disk_format": disk_format,
                  "container_format": container_format, "size": size, "min_disk": min_disk,
                  "min_ram": min_ram, "visibility": visibility, "owner": context.project_id,
                  "properties": dict(properties or {})}
        return self._write(catalog.create_image, values, self._now())

    def update_image_metadata(self, context: RequestContext, image_id: str,
                              properties: Mapping[str, str], replace: bool = False) -> Deferred:
        def run(connection: Connection) -> Image:
            row = catalog.image_row(connection, context, image_id)
            if row["deleted"]:
                raise ImageNotFound(image_id=image_id)
            if not context.is_admin and row["owner"] != context.project_id:
                raise NotAuthorized("Not allowed to modify image %s." % image_id)
            current = {} if replace else dict(row["properties"] or {})
            current.update(properties)
            connection.execute(sa.update(t.images).where(t.images.c.id == row["id"]).values(
                properties=current, updated_at=self._now()))
            return convert.image(catalog.image_row(connection, context, image_id))
        return self._write(run)

    def delete_image(self, context: RequestContext, image_id: str) -> Deferred:
        def run(connection: Connection) -> None:
            row = catalog.image_row(connection, context, image_id)
            if row["deleted"]:
                raise ImageNotFound(image_id=image_id)
            if not context.is_admin and row["owner"] != context.project_id:
                raise NotAuthorized("Not allowed to delete image %s." % image_id)
            if row["protected"]:
                raise Conflict("Image %s is protected and cannot be deleted." % image_id)
            connection.execute(sa.update(t.images).where(t.images.c.id == row["id"]).values(
                deleted=True, status="deleted", updated_at=self._now()))
        return self._write(run)

    # -- key pairs ---------------------------------------------------------------------------

    def _key_owner(self, context: RequestContext, user_id: str | None) -> str:
        if user_id is not None and user_id != context.user_id and not context.is_admin:
            raise NotAuthorized("Policy doesn't allow this operation to be performed.")
        return user_id or context.user_id

    def _check_key_name(self, name: Any) -> None:
        if not isinstance(name, str) or not 1 <= len(name) <= 255 or any(
            not (char.isalnum() or char in " _-@.") for char in name
        ):
            raise Invalid("Keypair data is invalid: Keypair name contains unsafe "
                          "characters")
        if name != name.strip():
            raise Invalid("Keypair data is invalid: Keypair name must be string and "
                          "between 1 and 255 characters long")

    def _insert_key(self, connection: Connection, context: RequestContext, owner: str, name: str,
                    key_type: str, public_key: str, fingerprint: str,
                    private_key: str | None) -> KeyPair:
        limit = quotas.limits(connection, self._conf, context.project_id, owner)["key_pairs"]
        K = t.key_pairs
        used = connection.execute(sa.select(sa.func.count()).select_from(K).where(
            K.c.user_id == owner)).scalar()
        if 0 <= limit <= used:
            raise OverLimit("Quota exceeded, too many key pairs.")
        try:
            with connection.begin_nested():
                key_id = connection.execute(sa.insert(K).values(
                    name=name, user_id=owner, type=key_type, public_key=public_key,
                    fingerprint=fingerprint, created_at=self._now())).inserted_primary_key[0]
        except IntegrityError:
            raise KeyPairExists(key_name=name)
        row = connection.execute(sa.select(K).where(K.c.id == key_id)).mappings().one()
        return convert.key_pair(row, private_key)

    def create_key_pair(self, context: RequestContext, name: str, key_type: str = "ssh",
                        user_id: str | None = None) -> Deferred:
        try:
            owner = self._key_owner(context, user_id)
            self._check_key_name(name)
            if key_type not in keys.KEY_TYPES:
                raise Invalid("Invalid key type %s." % key_type)
        except Exception:
            return fail()

        def run(connection: Connection) -> KeyPair:
            private, public, fingerprint = keys.generate(key_type, owner)
            return self._insert_key(connection, context, owner, name, key_type, public,
                                    fingerprint, private)
        return self._write(run)

    def import_key_pair(self, context: RequestContext, name: str, public_key: str,
                        key_type: str = "ssh", user_id: str | None = None) -> Deferred:
        try:
            owner = self._key_owner(context, user_id)
            self._check_key_name(name)
            if key_type not in keys.KEY_TYPES:
                raise Invalid("Invalid key type %s." % key_type)
            fingerprint = keys.fingerprint(public_key, key_type)
        except Exception:
            return fail()
        return self._write(lambda c: self._insert_key(c, context, owner, name, key_type,
                                                      public_key.strip(), fingerprint, None))

    def list_key_pairs(self, context: RequestContext, user_id: str | None = None,
                       limit: int | None = None, marker: str | None = None) -> Deferred:
        try:
            owner = self._key_owner(context, user_id)
        except Exception:
            return fail()
        K = t.key_pairs

        def run(connection: Connection) -> Page:
            clauses = [K.c.user_id == owner]
            if marker is not None:
                if connection.execute(sa.select(K.c.id).where(
                        K.c.user_id == owner, K.c.name == marker)).first() is None:
                    raise MarkerNotFound(marker=marker)
                clauses.append(K.c.name > marker)
            statement = sa.select(K).where(*clauses).order_by(K.c.name)
            if limit is not None:
                statement = statement.limit(limit + 1)
            rows = list(connection.execute(statement).mappings())
            has_more = limit is not None and len(rows) > limit
            rows = rows[:limit] if has_more else rows
            return Page(items=tuple(convert.key_pair(row) for row in rows), has_more=has_more)
        return self._read(run)

    def get_key_pair(self, context: RequestContext, name: str,
                     user_id: str | None = None) -> Deferred:
        try:
            owner = self._key_owner(context, user_id)
        except Exception:
            return fail()
        K = t.key_pairs

        def run(connection: Connection) -> KeyPair:
            row = connection.execute(sa.select(K).where(
                K.c.user_id == owner, K.c.name == name)).mappings().first()
            if row is None:
                raise KeypairNotFound(name=name, user_id=owner)
            return convert.key_pair(row)
        return self._read(run)

    def delete_key_pair(self, context: RequestContext, name: str,
                        user_id: str | None = None) -> Deferred:
        try:
            owner = self._key_owner(context, user_id)
        except Exception:
            return fail()
        K = t.key_pairs

        def run(connection: Connection) -> None:
            result = connection.execute(sa.delete(K).where(K.c.user_id == owner,
                                                           K.c.name == name))
            if result.rowcount == 0:
                raise KeypairNotFound(name=name, user_id=owner)
        return self._write(run)

    # -- quotas -----------------------------------------------------------------------------

    def _quota_reader(self, context: RequestContext, project_id: str) -> None:
        if not context.is_admin and project_id != context.project_id:
            raise NotAuthorized("Policy doesn't allow this operation to be performed.")

    def get_quotas(self, context: RequestContext, project_id: str, user_id: str | None = None,
                   usages: bool = False) -> Deferred:
        try:
            self._quota_reader(context, project_id)
        except Exception:
            return fail()

        def run(connection: Connection) -> QuotaSet:
            found = quotas.limits(connection, self._conf, project_id, user_id)
            in_use: dict[str, int] = {}
            if usages:
                used = quotas.usage(connection, project_id, user_id)
                in_use = {name: used.get(name, 0) for name in found}
            return QuotaSet(project_id=project_id, limits=found, in_use=in_use,
                            reserved={name: 0 for name in in_use})
        return self._read(run)

    def get_default_quotas(self, context: RequestContext) -> Deferred:
        return succeed(QuotaSet(project_id=context.project_id,
                                limits=quotas.defaults(self._conf)))

    def update_quotas(self, context: RequestContext, project_id: str, limits: Mapping[str, int],
                      user_id: str | None = None, force: bool = False) -> Deferred:
        try:
            catalog.admin_only(context)
            for name, value in limits.items():
                if isinstance(value, bool) or not isinstance(value, int) or value < -1:
                    raise Invalid("Quota limit %s for %s must be -1 or greater."
                                  % (value, name))
        except Exception:
            return fail()

        def run(connection: Connection) -> QuotaSet:
            quotas.lock_project(connection, project_id)
            quotas.set_limits(connection, self._conf, project_id, limits, user_id, force)
            return QuotaSet(project_id=project_id,
                            limits=quotas.limits(connection, self._conf, project_id, user_id))
        return self._write(run)

    def delete_quotas(self, context: RequestContext, project_id: str,
                      user_id: str | None = None) -> Deferred:
        try:
            catalog.admin_only(context)
        except Exception:
            return fail()
        return self._write(quotas.delete_limits, project_id, user_id)

    # -- server groups -------------------------------------------------------------------------

    def _group(self, connection: Connection, row: Mapping[str, Any]) -> ServerGroup:
        M = t.server_group_members
        members = connection.execute(sa.select(M.c.instance_uuid).where(
            M.c.group_id == row["id"]).order_by(M.c.instance_uuid)).scalars()
        return ServerGroup(uuid=row["uuid"], name=row["name"], project_id=row["project_id"],
                           user_id=row["user_id"], policy=row["policy"],
                           rules=dict(row["rules"] or {}), members=tuple(members),
                           created_at=convert.aware(row["created_at"]))

    def create_server_group(self, context: RequestContext, name: str, policy: str,
                            rules: Mapping[str, Any] | None = None) -> Deferred:
        try:
            validation.name(name)
            if policy not in SERVER_GROUP_POLICIES:
                raise Invalid("Invalid input for field/attribute policy. Value: %s."
                              % policy)
        except Exception:
            return fail()
        G = t.server_groups

        def run(connection: Connection) -> ServerGroup:
            quotas.lock_project(connection, context.project_id)
            limit = quotas.limits(connection, self._conf, context.project_id)["server_groups"]
            used = connection.execute(sa.select(sa.func.count()).select_from(G).where(
                G.c.project_id == context.project_id)).scalar()
            if 0 <= limit <= used:
                raise OverLimit("Quota exceeded, too many server groups.")
            group_id = connection.execute(sa.insert(G).values(
                uuid=str(uuidlib.uuid4()), name=name, project_id=context.project_id,
                user_id=context.user_id, policy=policy, rules=dict(rules or {}),
                created_at=self._now())).inserted_primary_key[0]
            return self._group(connection, connection.execute(
                sa.select(G).where(G.c.id == group_id)).mappings().one())
        return self._write(run)

    def list_server_groups(self, context: RequestContext, all_projects: bool = False,
                           limit: int | None = None, offset: int | None = None) -> Deferred:
        G = t.server_groups

        def run(connection: Connection) -> list[ServerGroup]:
            statement = sa.select(G).order_by(G.c.id)
            if not (context.is_admin and all_projects):
                statement = statement.where(G.c.project_id == context.project_id)
            if offset:
                statement = statement.offset(offset)
            if limit is not None:
                statement = statement.limit(limit)
            return [self._group(connection, row)
                    for row in connection.execute(statement).mappings()]
        return self._read(run)

    def _group_row(self, connection: Connection, context: RequestContext,
                   group_uuid: str) -> Mapping[str, Any]:
        G = t.server_groups
        clauses = [G.c.uuid == group_uuid]
        if not context.is_admin:
            clauses.append(G.c.project_id == context.project_id)
        row = connection.execute(sa.select(G).where(*clauses)).mappings().first()
        if row is None:
            raise ServerGroupNotFound(group_uuid=group_uuid)
        return row

    def get_server_group(self, context: RequestContext, group_uuid: str) -> Deferred:
        return self._read(lambda c: self._group(c, self._group_row(c, context, group_uuid)))

    def delete_server_group(self, context: RequestContext, group_uuid: str) -> Deferred:
        def run(connection: Connection) -> None:
            row = self._group_row(connection, context, group_uuid)
            connection.execute(sa.delete(t.server_groups).where(t.server_groups.c.id == row["id"]))
        return self._write(run)

    # -- zones, hosts, usage -------------------------------------------------------------------

    def list_availability_zones(self, context: RequestContext) -> Deferred:
        """
        The zone of the compute host, available while its compute service
        is enabled (nova counts a zone whose computes are all disabled among
        its unavailable zones).
        """
        host = self.driver.host_info()

        def zones(connection: Connection) -> list[tuple[str, bool]]:
            state = services.states(connection).get((host["host"], "nova-compute"))
            return [(host["availability_zone"], state is None or not state.disabled)]
        return self._read(zones)

    def list_hosts(self, context: RequestContext) -> Deferred:
        return succeed([self.driver.host_info()])

    def list_service_states(self, context: RequestContext) -> Deferred:
        """
        The state admins gave the deployment's services, by C{(host, binary)}
        (L{services.ServiceState}); a service not listed was never changed.
        """
        return self._read(services.states)

    def update_service(self, context: RequestContext, host: str, binary: str,
                       **changes: Any) -> Deferred:
        """
        Change one service's state (C{disabled}, C{disabled_reason},
        C{forced_down}); fires with its new L{services.ServiceState}.
        """
        unknown = set(changes) - services.CHANGEABLE
        if unknown:
            return fail(Invalid("Cannot update %s." % ", ".join(sorted(unknown))))
        if host != self.driver.host_info()["host"]:
            return fail(services.HostBinaryNotFound(host=host, binary=binary))
        return self._write(services.update, host, binary, self._now(), changes)

    def get_usage(self, context: RequestContext, start: datetime.datetime,
                  end: datetime.datetime, project_id: str | None = None) -> Deferred:
        if project_id is not None and project_id != context.project_id and not context.is_admin:
            return fail(NotAuthorized("Policy doesn't allow this operation to be performed."))
        begin, finish = convert.to_store(start), convert.to_store(end)
        if finish < begin:
            return fail(Invalid("Invalid start time. The start time cannot occur after "
                                "the end time."))

        def run(connection: Connection) -> list[dict[str, Any]]:
            clauses = [I.c.created_at < finish,
                       sa.or_(I.c.terminated_at.is_(None), I.c.terminated_at > begin)]
            if project_id is not None:
                clauses.append(I.c.project_id == project_id)
            elif not context.is_admin:
                clauses.append(I.c.project_id == context.project_id)
            projects: dict[str, dict[str, Any]] = {}
            for row in connection.execute(sa.select(I).where(*clauses)
                                          .order_by(I.c.id)).mappings():
                first = max(row["created_at"], begin)
                last = min(row["terminated_at"] or finish, finish)
                hours = max(0.0, (last - first).total_seconds() / 3600.0)
                flavor = row["flavor"]
                usage = projects.setdefault(row["project_id"], {
                    "tenant_id": row["project_id"], "start": start, "stop": end,
                    "total_hours": 0.0, "total_memory_mb_usage": 0.0,
                    "total_vcpus_usage": 0.0, "total_local_gb_usage": 0.0,
                    "server_usages": []})
                usage["total_hours"] += hours
                usage["total_memory_mb_usage"] += hours * flavor["memory_mb"]
                usage["total_vcpus_usage"] += hours * flavor["vcpus"]
                usage["total_local_gb_usage"] += hours * (flavor["root_gb"]
                                                          + flavor.get("ephemeral_gb", 0))
                usage["server_usages"].append({
                    "instance_id": row["uuid"], "name": row["name"], "hours": hours,
                    "memory_mb": flavor["memory_mb"], "vcpus": flavor["vcpus"],
                    "local_gb": flavor["root_gb"] + flavor.get("ephemeral_gb", 0),
                    "tenant_id": row["project_id"], "flavor": flavor["name"],
                    "started_at": convert.aware(row["created_at"]),
                    "ended_at": convert.aware(row["terminated_at"]),
                    "state": "terminated" if row["deleted"] else row["vm_state"],
                    "uptime": int((last - first).total_seconds()),
                })
            return list(projects.values())
        return self._read(run)

    # -- EC2 and metadata support ----------------------------------------------------------------

    def _credential(self, row: Mapping[str, Any]) -> EC2Credential:
        return EC2Credential(access=row["access"], secret=row["secret"], user_id=row["user_id"],
                             project_id=row["project_id"],
                             created_at=convert.aware(row["created_at"]))

    def get_ec2_credential(self, access: str) -> Deferred:
        C = t.ec2_credentials

        def run(connection: Connection) -> EC2Credential:
            row = connection.execute(sa.select(C).where(C.c.access == access)).mappings().first()
            if row is None:
                raise NotFound("EC2 access key not found.")
            return self._credential(row)
        return self._read(run)

    def create_ec2_credential(self, user_id: str, project_id: str) -> Deferred:
        C = t.ec2_credentials

        def run(connection: Connection) -> EC2Credential:
            access, secret = uuidlib.uuid4().hex, uuidlib.uuid4().hex
            connection.execute(sa.insert(C).values(access=access, secret=secret,
                                                   user_id=user_id, project_id=project_id,
                                                   created_at=self._now()))
            return self._credential(connection.execute(
                sa.select(C).where(C.c.access == access)).mappings().one())
        return self._write(run)

    def list_ec2_credentials(self, user_id: str | None = None) -> Deferred:
        C = t.ec2_credentials

        def run(connection: Connection) -> list[EC2Credential]:
            statement = sa.select(C).order_by(C.c.created_at, C.c.access)
            if user_id is not None:
                statement = statement.where(C.c.user_id == user_id)
            return [self._credential(row) for row in connection.execute(statement).mappings()]
        return self._read(run)

    def delete_ec2_credential(self, access: str) -> Deferred:
        C = t.ec2_credentials

        def run(connection: Connection) -> None:
            if connection.execute(sa.delete(C).where(C.c.access == access)).rowcount == 0:
                raise NotFound("EC2 access key not found.")
        return self._write(run)

    def get_password(self, server_uuid: str) -> Deferred:
        P = t.instance_passwords
        return self._read(lambda c: c.execute(sa.select(P.c.password).where(
            P.c.instance_uuid == server_uuid)).scalar() or "")

    def set_password(self, server_uuid: str, password: str) -> Deferred:
        P = t.instance_passwords

        def run(connection: Connection) -> None:
            exists = connection.execute(sa.select(I.c.id).where(
                I.c.uuid == server_uuid, I.c.deleted == sa.false())).first()
            if exists is None:
                raise InstanceNotFound(instance_id=server_uuid)
            try:
                with connection.begin_nested():
                    connection.execute(sa.insert(P).values(instance_uuid=server_uuid,
                                                           password=password))
            except IntegrityError:
                raise Conflict("The password is already set.")
        return self._write(run).addCallback(self._notified(server_uuid))


@attrs.frozen
class _Created:
    """A record from C{create_servers} and whether its boot still has to start."""

    instance: Instance
    pending_spawn: bool

    @property
    def uuid(self) -> str:
        return self.instance.uuid

