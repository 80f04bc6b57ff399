"""
Serving the metadata API for tests: the real router and extension over real
HTTP on an address the OS picks, in front of an in-memory internal API.
"""

from __future__ import annotations

import io
from typing import Any

import attrs
import treq
from treq.client import HTTPClient
from twisted.internet import reactor as default_reactor
from twisted.internet.defer import fail, succeed
from twisted.web.client import Agent, FileBodyProducer, HTTPConnectionPool
from twisted.web.http_headers import Headers
from twisted.web.server import Site

from novatx.compute.exceptions import Conflict, ImageNotFound, InstanceNotFound
from novatx.compute.records import Image, Instance
from novatx.compute.volumes.records import VolumeAttachment
from novatx.config import make_config
from novatx.resources.router import build_app, table_for
from novatx.resources.runtime import Runtime


class FakeVolumes:
    """The part of block storage the metadata service calls: servers' attachments."""

    def __init__(self) -> None:
        self.attachments: dict[str, list[VolumeAttachment]] = {}

    def list_attachments(self, context: Any, server_id: str):
        return succeed(list(self.attachments.get(server_id, ())))


class FakeCompute:
    """
    The part of the internal API the metadata service calls, over dicts: a fake
    that keeps the contract's behaviour (live instances only by address, one
    password set, observers told of changes).
    """

    def __init__(self) -> None:
        self.instances: dict[str, Instance] = {}
        self.images: dict[str, Image] = {}
        self.passwords: dict[str, str] = {}
        self.observers: list[Any] = []
        self.address_lookups = 0
        self.volumes = FakeVolumes()

    def add(self, instance: Instance) -> Instance:
        self.instances[instance.uuid] = instance
        if instance.image_id:
            self.images.setdefault(
                instance.image_id, Image(id=instance.image_id, internal_id=1, name="cirros", status="active")
            )
        return instance

    def change(self, instance_uuid: str, **changes: Any) -> Instance:
        """Change an instance as the compute API would, telling the observers."""
        updated = attrs.evolve(self.instances[instance_uuid], **changes)
        self.instances[instance_uuid] = updated
        for observer in self.observers:
            observer(instance_uuid)
        return updated

    def get_server_by_address(self, fixed_ip: str):
        self.address_lookups += 1
        for instance in self.instances.values():
            if instance.fixed_ip == fixed_ip and not instance.deleted:
                return succeed(instance)
        return fail(InstanceNotFound(instance_id=fixed_ip))

    def get_server(self, context: Any, server_uuid: str):
        if server_uuid not in self.instances:
            return fail(InstanceNotFound(instance_id=server_uuid))
        return succeed(self.instances[server_uuid])

    def get_image(self, context: Any, image_id: str):
        if image_id not in self.images:
            return fail(ImageNotFound(image_id=image_id))
        return succeed(self.images[image_id])

    def get_password(self, server_uuid: str):
        return succeed(self.passwords.get(server_uuid, ""))

    def set_password(self, server_uuid: str, password: str):
        if self.passwords.get(server_uuid):
            return fail(Conflict())
        self.passwords[server_uuid] = password
        return succeed(None)

    def add_observer(self, observer: Any) -> None:
        self.observers.append(observer)


def config(**overrides: Any):
    """A fresh config; C{overrides} are C{"group.name": value}."""
    conf = make_config([])
    for key, value in overrides.items():
        group, _, name = key.rpartition(".")
        conf.set_override(name, value, group or None)
    return conf


def serve(testcase: Any, conf: Any, compute: Any, clock: Any = None, interface: str = "127.0.0.1") -> str:
    """
    Serve the metadata API on C{interface}, port 0; the base URL. Stopped at
    the test's cleanup.

    @param clock: what the API reads time from (default: the reactor).
    """
    runtime = Runtime("metadata", conf, compute, clock or default_reactor)
    site = Site(build_app(table_for(runtime), "api"))
    port = default_reactor.listenTCP(0, site, interface=interface)
    testcase.addCleanup(port.stopListening)
    host = port.getHost()
    return "http://%s:%d" % (host.host, host.port)


def http_client() -> Any:
    """A treq client without persistent connections (nothing left open after a test)."""
    pool = HTTPConnectionPool(default_reactor, persistent=False)
    return HTTPClient(Agent(default_reactor, pool=pool))


async def fetch(method: str, url: str | bytes, headers: dict | None = None, data: bytes | None = None):
    """
    C{(status, headers, body)} of one request; a bytes C{url} is sent exactly as
    given (no client-side normalization of C{..} or C{//}).
    """
    if isinstance(url, bytes):
        pool = HTTPConnectionPool(default_reactor, persistent=False)
        agent = Agent(default_reactor, pool=pool)
        body = None
        if data is not None:
            body = FileBodyProducer(io.BytesIO(data))
        raw_headers = Headers({k: [v] for k, v in (headers or {}).items()})
        response = await agent.request(method.encode("ascii"), url, raw_headers, body)
    else:
        response = await http_client().request(method, url, headers=headers, data=data)
    content = await treq.content(response)
    return response.code, response.headers, content
