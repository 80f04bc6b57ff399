"""
What the servers tests share: a compute API served over real HTTP with fast
simulated transitions, JSON requests as a chosen user, and waiting for a
server to reach a status.
"""

from __future__ import annotations

import json
from typing import Any

import attrs
from twisted.internet import reactor
from twisted.internet.task import deferLater

from novatx.config import make_config
from novatx.test.helpers import noauth_headers, serve_api

#: The image every fresh store has (found by name at start), and nova's flavors.
TINY, SMALL = "1", "2"


def fast_config() -> Any:
    """A config whose simulated transitions take a few milliseconds."""
    conf = make_config([])
    conf.set_override("boot_seconds", 0.02, "simulated")
    conf.set_override("action_seconds", 0.02, "simulated")
    conf.set_override("delete_seconds", 0.01, "simulated")
    conf.set_override("poll_interval", 0.5, "simulated")
    return conf


@attrs.define
class Reply:
    """An answer: status, headers and the decoded JSON body (or None)."""

    code: int
    headers: Any
    body: Any

    def header(self, name: str) -> str | None:
        values = self.headers.getRawHeaders(name)
        return values[0] if values else None


@attrs.define
class ComputeClient:
    """
    Requests to a served compute API as one user.

    @ivar served: the L{novatx.test.helpers.ServedAPI}.
    """

    served: Any
    user: str = "alice"
    project: str = "p1"
    version: str | None = None
    image_id: str = ""

    def as_user(self, user: str, project: str | None = None, version: str | None = None) -> "ComputeClient":
        return attrs.evolve(self, user=user, project=project or user, version=version or self.version)

    def at(self, version: str | None) -> "ComputeClient":
        return attrs.evolve(self, version=version)

    async def request(self, method: str, path: str, body: Any = None, raw: bytes | None = None) -> Reply:
        headers = noauth_headers(self.user, self.project, self.version)
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        response = await self.served.client.request(
            method, self.served.url + "/v2.1" + path, headers=headers, data=data
        )
        content = await response.content()
        return Reply(response.code, response.headers, json.loads(content) if content else None)

    def get(self, path: str) -> Any:
        return self.request("GET", path)

    def post(self, path: str, body: Any) -> Any:
        return self.request("POST", path, body)

    def put(self, path: str, body: Any = None) -> Any:
        return self.request("PUT", path, body)

    def delete(self, path: str) -> Any:
        return self.request("DELETE", path)

    def needs_networks(self) -> bool:
        """Whether the microversion requires C{networks} in a create (2.37+)."""
        if self.version is None:
            return False
        if self.version == "latest":
            return True
        major, minor = self.version.split(".")
        return (int(major), int(minor)) >= (2, 37)

    def action(self, server_id: str, body: Any) -> Any:
        return self.post("/servers/%s/action" % server_id, body)

    async def create(self, name: str = "vm", **fields: Any) -> dict:
        """Create one server (asserting the 202); its create answer."""
        server = {"name": name, "flavorRef": TINY, "imageRef": self.image_id}
        if self.needs_networks():
            server["networks"] = "auto"
        server.update(fields)
        reply = await self.post("/servers", {"server": server})
        if reply.code != 202:
            raise AssertionError("create failed: %s %s" % (reply.code, reply.body))
        return reply.body["server"]

    async def wait_for(self, server_id: str, status: str, timeout: float = 5.0) -> dict:
        """
        Poll C{GET /servers/{id}} until C{status} with no task under way; the
        server's document.
        """
        waited = 0.0
        while True:
            reply = await self.get("/servers/%s" % server_id)
            if (reply.code == 200 and reply.body["server"]["status"] == status
                    and reply.body["server"].get("OS-EXT-STS:task_state") is None):
                return reply.body["server"]
            if status == "DELETED" and reply.code == 404:
                return {}
            if waited >= timeout:
                raise AssertionError("server %s never reached %s: %s %s" % (server_id, status, reply.code, reply.body))
            await deferLater(reactor, 0.02, lambda: None)
            waited += 0.02

    async def create_active(self, name: str = "vm", **fields: Any) -> dict:
        created = await self.create(name, **fields)
        return await self.wait_for(created["id"], "ACTIVE")


async def serve_compute(testcase: Any, conf: Any = None) -> ComputeClient:
    """Serve the compute API for C{testcase}; a client as alice in project p1."""
    served = await serve_api(testcase, "osapi_compute", conf=conf or fast_config())
    client = ComputeClient(served)
    images = await client.request("GET", "/images")
    return attrs.evolve(client, image_id=images.body["images"][0]["id"])
