"""
How a server looks in the compute API, at each microversion.

The view builders take L{novatx.compute.records.Instance} records and an
L{IAPIRequest} and return the documents nova returns: the same keys, renamed or
dropped at the microversion nova does it, with links built from the request's
Host. They never call the internal API: whatever a view needs beyond the record
(image properties at 2.98) the handler fetches first and passes in.
"""

from __future__ import annotations

import datetime
import hashlib
from typing import Any, Iterable, Mapping, Sequence
from functools import lru_cache
from urllib.parse import quote, urlencode

from novatx.compute.fields import ExtraField
from novatx.compute.records import Image, Instance, InstanceAction
from novatx.extensions.interfaces import APIVersion

#: The extension field in which servers keep a create's scheduler hints
#: (shown as C{scheduler_hints} from 2.100, never under its field name).
SCHEDULER_HINTS_FIELD = "scheduler_hints"

#: The extension field in which servers keep C{OS-DCF:diskConfig}, shown under
#: that name (a server created before it was kept shows C{MANUAL}).
DISK_CONFIG_FIELD = "OS-DCF:diskConfig"

#: Statuses whose documents carry C{progress}, and those that carry C{fault}.
PROGRESS_STATUSES = frozenset(("ACTIVE", "BUILD", "REBUILD", "RESIZE", "VERIFY_RESIZE", "MIGRATING"))
FAULT_STATUSES = frozenset(("ERROR", "DELETED"))

V2_1 = APIVersion(2, 1)
V2_19 = APIVersion(2, 19)
V2_45 = APIVersion(2, 45)
V2_51 = APIVersion(2, 51)
V2_52 = APIVersion(2, 52)
V2_54 = APIVersion(2, 54)
V2_57 = APIVersion(2, 57)
V2_58 = APIVersion(2, 58)
V2_62 = APIVersion(2, 62)
V2_73 = APIVersion(2, 73)
V2_75 = APIVersion(2, 75)
V2_77 = APIVersion(2, 77)
V2_84 = APIVersion(2, 84)
V2_90 = APIVersion(2, 90)
V2_98 = APIVersion(2, 98)


def version_of(request: Any) -> APIVersion:
    """The request's microversion; the legacy C{/v2} root counts as 2.1's views."""
    return request.version or V2_1


@lru_cache(maxsize=8192)
def isotime(when: datetime.datetime | None) -> str | None:
    """
    nova's C{utils.isotime}: seconds precision, C{Z} for UTC. A server's
    times change rarely and are shown on every listing, so the text of each
    is kept rather than formatted anew.
    """
    if when is None:
        return None
    if when.tzinfo is not None:
        when = when.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


@lru_cache(maxsize=8192)
def primitive_time(when: datetime.datetime | None) -> str | None:
    """
    How nova's JSON serializer writes a naive datetime (C{OS-SRV-USG:*},
    instance actions): microseconds, no zone.
    """
    if when is None:
        return None
    if when.tzinfo is not None:
        when = when.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return when.strftime("%Y-%m-%dT%H:%M:%S.%f")


@lru_cache(maxsize=1024)
def host_id(project_id: str, host: str | None) -> str:
    """nova's C{hostId}: a per-project hash of the host, empty when unscheduled."""
    if not host:
        return ""
    return hashlib.sha224((project_id + host).encode("utf-8")).hexdigest()


@lru_cache(maxsize=8192)
def path_segment(ident: str) -> str:
    """C{ident} quoted as one path segment (ids repeat on every listing, so kept)."""
    return quote(ident, safe="")


def resource_links(request: Any, collection: str, ident: str) -> list[dict[str, str]]:
    """The C{self} and C{bookmark} links of one member of a collection."""
    return [
        {"rel": "self", "href": request.project_url(collection, ident)},
        {"rel": "bookmark", "href": request.bookmark(collection, ident)},
    ]


def next_link(request: Any, collection: str, marker: str) -> dict[str, str]:
    """
    A C{next} link: the same query with C{marker} set to the last item shown,
    as nova builds it.
    """
    params = [(k, v) for k, values in sorted(request.args.items()) if k != "marker" for v in values]
    params.append(("marker", marker))
    return {"rel": "next", "href": "%s?%s" % (request.project_url(*collection.split("/")), urlencode(params))}


def addresses(instance: Instance, extended: bool = True) -> dict[str, list[dict[str, Any]]]:
    """
    The C{addresses} map: by network name, each port's fixed addresses then
    the floating ones forwarded to it; none for a server without ports.
    """
    shown: dict[str, list[dict[str, Any]]] = {}
    for address in instance.addresses:
        entry: dict[str, Any] = {"version": address.version, "addr": address.address}
        if extended:
            entry["OS-EXT-IPS:type"] = address.type
            entry["OS-EXT-IPS-MAC:mac_addr"] = address.mac_address
        shown.setdefault(address.network, []).append(entry)
    return shown


def security_groups(instance: Instance) -> list[dict[str, str]]:
    """The C{security_groups} of a server: its ports' groups, by name."""
    return [{"name": name} for name in instance.security_groups]


def _image(shape: "Shape", instance: Instance, images: Mapping[str, Image]) -> Any:
    if not instance.image_id:
        return ""
    document: dict[str, Any] = {
        "id": instance.image_id,
        "links": [{"rel": "bookmark", "href": shape.image_prefix + path_segment(instance.image_id)}],
    }
    if shape.since[98]:
        document["properties"] = image_properties(images.get(instance.image_id), instance.image_id)
    return document


def image_properties(image: Image | None, image_id: str) -> dict[str, str]:
    """
    The image properties nova keeps with an instance (2.98+): the image's own
    properties and its formats and minimums, all as strings.
    """
    if image is None:
        return {"base_image_ref": image_id}
    properties = {k: str(v) for k, v in image.properties.items()}
    properties["base_image_ref"] = image_id
    if image.container_format:
        properties["container_format"] = image.container_format
    if image.disk_format:
        properties["disk_format"] = image.disk_format
    properties["min_disk"] = str(image.min_disk)
    properties["min_ram"] = str(image.min_ram)
    return properties


def _flavor(shape: "Shape", instance: Instance) -> dict[str, Any]:
    flavor = instance.flavor
    if not shape.since[47]:
        return {
            "id": flavor.flavorid,
            "links": [{"rel": "bookmark", "href": shape.flavor_prefix + path_segment(flavor.flavorid)}],
        }
    return {
        "vcpus": flavor.vcpus,
        "ram": flavor.memory_mb,
        "disk": flavor.root_gb,
        "ephemeral": flavor.ephemeral_gb,
        "swap": flavor.swap,
        "original_name": flavor.name,
        "extra_specs": dict(flavor.extra_specs),
    }


def _fault(instance: Instance, is_admin: bool) -> dict[str, Any] | None:
    fault = instance.fault
    if fault is None:
        return None
    document: dict[str, Any] = {
        "code": fault.code,
        "created": isotime(fault.created_at or instance.updated_at or instance.created_at),
        "message": fault.message,
    }
    if fault.details and (is_admin or fault.code != 500):
        document["details"] = fault.details
    return document


def _volumes(instance: Instance, with_delete_flag: bool) -> list[dict[str, Any]]:
    """C{os-extended-volumes:volumes_attached}: the volumes the server holds."""
    if with_delete_flag:
        return [{"id": volume.id, "delete_on_termination": volume.delete_on_termination}
                for volume in instance.volumes_attached]
    return [{"id": volume.id} for volume in instance.volumes_attached]


def host_status(instance: Instance) -> str:
    """C{host_status} (2.16): the simulated host is always up once scheduled."""
    return "UP" if instance.host else ""


#: The microversions (minor numbers of 2.x) at which a server's document changes.
_CHANGES = (3, 9, 16, 19, 26, 47, 63, 71, 73, 90, 96, 98, 100)


class Shape:
    """
    What a server document looks like for one request, worked out once per
    request rather than once per server: which microversion changes apply,
    what policy lets the caller see, and the prefixes of the links.

    @ivar since: minor version -> whether the request is at 2.<minor> or later.
    @ivar fields: the names of the extension fields shown at this version
        (registered, within their range); None: every stored one.
    """

    __slots__ = ("since", "extended", "show_host_status", "self_prefix", "bookmark_prefix",
                 "image_prefix", "flavor_prefix", "fields")

    def __init__(self, request: Any, extended: bool = False, show_host_status: bool = False,
                 fields: Mapping[str, ExtraField] | None = None) -> None:
        version = version_of(request)
        current = (version.major, version.minor)
        self.fields = None if fields is None else frozenset(
            name for name, field in fields.items() if field.shown_at(current))
        self.since = {minor: current >= (2, minor) for minor in _CHANGES}
        self.extended = extended
        self.show_host_status = show_host_status and self.since[16]
        self.self_prefix = request.project_url("servers") + "/"
        self.bookmark_prefix = request.bookmark("servers") + "/"
        self.image_prefix = request.bookmark("images") + "/"
        self.flavor_prefix = request.bookmark("flavors") + "/"

    def links(self, ident: str) -> list[dict[str, str]]:
        """A server's C{self} and C{bookmark} links."""
        ident = path_segment(ident)
        return [
            {"rel": "self", "href": self.self_prefix + ident},
            {"rel": "bookmark", "href": self.bookmark_prefix + ident},
        ]


class ServerViews:
    """
    The documents of servers. One instance serves every request: it holds
    nothing but the choices that do not depend on the request.
    """

    collection = "servers"

    def basic(self, shape: Shape, instance: Instance) -> dict[str, Any]:
        """An entry of C{GET /servers}: id, name, links."""
        return {"id": instance.uuid, "name": instance.name, "links": shape.links(instance.uuid)}

    def create(self, request: Any, instance: Instance, admin_pass: str | None,
               groups: Sequence[str] = ()) -> dict[str, Any]:
        """
        The body of a create's answer (C{adminPass} when passwords are shown),
        with the groups the create asked for (nova's C{default} when none).
        """
        server: dict[str, Any] = {
            "id": instance.uuid,
            "links": resource_links(request, self.collection, instance.uuid),
            "OS-DCF:diskConfig": instance.extra.get(DISK_CONFIG_FIELD, "MANUAL"),
        }
        if instance.networks != "none":
            server["security_groups"] = [{"name": name} for name in groups or ("default",)]
        if admin_pass is not None:
            server["adminPass"] = admin_pass
        return {"server": server}

    def show(
        self,
        request: Any,
        instance: Instance,
        images: Mapping[str, Image] | None = None,
        in_list: bool = False,
        brief: bool = False,
        extended: bool = False,
        show_host_status: bool = False,
        shape: Shape | None = None,
        fields: Mapping[str, ExtraField] | None = None,
    ) -> dict[str, Any]:
        """
        The full document of one server (C{GET /servers/{id}} and each entry of
        C{/servers/detail}).

        @param images: the images of the servers by id, for the image
            properties shown from 2.98.
        @param in_list: for C{/servers/detail}, which omits C{server_groups}.
        @param brief: the answers of update and rebuild before 2.75, which
            leave out the extension attributes.
        @param extended: show the C{OS-EXT-SRV-ATTR} attributes (an admin's
            policy by default).
        @param show_host_status: show C{host_status} (2.16, admins by default).
        @param shape: the request's L{Shape}, when the caller made it already
            (a listing makes one for all its servers); it decides C{extended}
            and C{show_host_status} then.

        Fields that other extensions declared (L{IServerFieldProvider}) appear
        under their names, as the store keeps them: with C{fields} (the
        internal API's registered ones), only those registered and shown at
        the request's version.
        """
        if shape is None:
            shape = Shape(request, extended, show_host_status, fields)
        since = shape.since
        server: dict[str, Any] = {
            "id": instance.uuid,
            "name": instance.name,
            "status": instance.status,
            "tenant_id": instance.project_id or "",
            "user_id": instance.user_id or "",
            "metadata": dict(instance.metadata),
            "hostId": host_id(instance.project_id, instance.host),
            "image": _image(shape, instance, images or {}),
            "flavor": _flavor(shape, instance),
            "created": isotime(instance.created_at),
            "updated": isotime(instance.updated_at or instance.created_at),
            "addresses": addresses(instance, extended=not brief),
            "accessIPv4": instance.access_ip_v4 or "",
            "accessIPv6": instance.access_ip_v6 or "",
            "links": shape.links(instance.uuid),
            "OS-DCF:diskConfig": "MANUAL",
        }
        if instance.status in FAULT_STATUSES:
            fault = _fault(instance, shape.extended)
            if fault is not None:
                server["fault"] = fault
        if instance.status in PROGRESS_STATUSES:
            server["progress"] = instance.progress
        if not brief:
            self._extended(server, instance, shape)
        if since[9]:
            server["locked"] = bool(instance.locked)
        if since[73]:
            server["locked_reason"] = instance.locked_reason
        if since[19]:
            server["description"] = instance.description
        if since[26]:
            server["tags"] = list(instance.tags)
        if since[63]:
            server["trusted_image_certificates"] = None
        if since[71] and not in_list:
            server["server_groups"] = list(instance.server_groups)
        if since[96]:
            server["pinned_availability_zone"] = instance.pinned_availability_zone
        if since[100]:
            server["scheduler_hints"] = dict(instance.extra.get(SCHEDULER_HINTS_FIELD) or {})
        for name, value in instance.extra.items():
            if name != SCHEDULER_HINTS_FIELD and (shape.fields is None or name in shape.fields):
                server[name] = value
        return server

    def _extended(self, server: dict[str, Any], instance: Instance, shape: Shape) -> None:
        """The attributes that were extensions in v2.0 (C{OS-EXT-*} and friends)."""
        server["OS-EXT-AZ:availability_zone"] = instance.availability_zone or ""
        server["config_drive"] = instance.config_drive
        server["key_name"] = instance.key_name
        server["OS-SRV-USG:launched_at"] = primitive_time(instance.launched_at)
        server["OS-SRV-USG:terminated_at"] = primitive_time(instance.terminated_at)
        if instance.security_groups:
            server["security_groups"] = security_groups(instance)
        if shape.extended:
            server["OS-EXT-SRV-ATTR:host"] = instance.host
            server["OS-EXT-SRV-ATTR:instance_name"] = "instance-%08x" % instance.id
            server["OS-EXT-SRV-ATTR:hypervisor_hostname"] = instance.node
            if shape.since[3]:
                server["OS-EXT-SRV-ATTR:reservation_id"] = instance.reservation_id
                server["OS-EXT-SRV-ATTR:launch_index"] = instance.launch_index
                server["OS-EXT-SRV-ATTR:hostname"] = instance.hostname
                server["OS-EXT-SRV-ATTR:kernel_id"] = ""
                server["OS-EXT-SRV-ATTR:ramdisk_id"] = ""
                server["OS-EXT-SRV-ATTR:root_device_name"] = "/dev/vda"
                server["OS-EXT-SRV-ATTR:user_data"] = instance.user_data
        elif shape.since[90]:
            server["OS-EXT-SRV-ATTR:hostname"] = instance.hostname
        server["OS-EXT-STS:task_state"] = instance.task_state
        server["OS-EXT-STS:vm_state"] = instance.vm_state
        server["OS-EXT-STS:power_state"] = instance.power_state
        server["os-extended-volumes:volumes_attached"] = _volumes(instance, shape.since[3])
        if shape.show_host_status:
            server["host_status"] = host_status(instance)

    def index(self, request: Any, instances: Iterable[Instance], limit: int | None) -> dict[str, Any]:
        """C{GET /servers}."""
        shape = Shape(request)
        servers = [self.basic(shape, i) for i in instances]
        return self._collection(request, servers, "servers", limit)

    def detail(
        self,
        request: Any,
        instances: Iterable[Instance],
        limit: int | None,
        images: Mapping[str, Image] | None = None,
        extended: bool = False,
        show_host_status: bool = False,
        fields: Mapping[str, ExtraField] | None = None,
    ) -> dict[str, Any]:
        """C{GET /servers/detail}; the flags as for L{show}."""
        shape = Shape(request, extended, show_host_status, fields)
        servers = [self.show(request, i, images, in_list=True, shape=shape) for i in instances]
        return self._collection(request, servers, "servers/detail", limit)

    def _collection(self, request: Any, servers: list[dict[str, Any]], path: str, limit: int | None) -> dict[str, Any]:
        document: dict[str, Any] = {"servers": servers}
        if limit is not None and servers and len(servers) == limit:
            document["servers_links"] = [next_link(request, path, servers[-1]["id"])]
        return document


def instance_action(
    request: Any, action: InstanceAction, with_events: bool = False
) -> dict[str, Any]:
    """
    One entry of C{os-instance-actions}: C{updated_at} from 2.58, events (with
    C{host}/C{hostId} from 2.62, admins only for C{host} and C{traceback}, and
    from 2.84 for C{details}: why an event failed).
    """
    version = version_of(request)
    context = request.context
    is_admin = bool(context is not None and context.is_admin)
    document: dict[str, Any] = {
        "action": action.action,
        "instance_uuid": action.instance_uuid,
        "request_id": action.request_id,
        "user_id": action.user_id,
        "project_id": action.project_id,
        "start_time": primitive_time(action.start_time),
        "message": action.message,
    }
    if version >= V2_58:
        document["updated_at"] = primitive_time(action.updated_at or action.start_time)
    if with_events:
        events = []
        for event in action.events:
            entry: dict[str, Any] = {
                "event": event.event,
                "start_time": primitive_time(event.start_time),
                "finish_time": primitive_time(event.finish_time),
                "result": event.result,
            }
            if is_admin:
                entry["traceback"] = None
            if version >= V2_62:
                if is_admin:
                    entry["host"] = event.host
                entry["hostId"] = host_id(action.project_id, event.host)
            if version >= V2_84 and is_admin:
                entry["details"] = action.message if event.result == "Error" else None
            events.append(entry)
        document["events"] = events
    return document
