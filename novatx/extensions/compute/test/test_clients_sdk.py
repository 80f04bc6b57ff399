"""
openstacksdk and python-novaclient, unchanged, against a served compute API:
a server's whole life through each library's own calls, run in a thread
while the reactor serves.
"""

from __future__ import annotations

import time
from typing import Any, Callable

import openstack
from keystoneauth1 import session as ks_session
from keystoneauth1.token_endpoint import Token
from novaclient import client as nova_client, exceptions as novaclient_exceptions
from twisted.internet.threads import deferToThread
from twisted.trial.unittest import TestCase

from novatx.extensions.compute.test._servers_kit import fast_config, serve_compute


def instant_config() -> Any:
    """Transitions that finish at once: clients that poll see them on their first look."""
    conf = fast_config()
    for name in ("boot_seconds", "action_seconds", "delete_seconds"):
        conf.set_override(name, 0.0, "simulated")
    return conf


def poll(read: Callable[[], Any], until: Callable[[Any], bool], timeout: float = 10.0) -> Any:
    """In a client thread: call C{read} until C{until} holds of its result."""
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if until(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError("gave up waiting; last value: %r" % (value,))
        time.sleep(0.05)


def gone(read: Callable[[], Any]) -> bool:
    """Whether C{read} finds nothing (the client's 404)."""
    try:
        read()
    except novaclient_exceptions.NotFound:
        return True
    return False


class OpenStackSDKTests(TestCase):
    timeout = 120

    async def test_a_servers_life(self):
        served = (await serve_compute(self, instant_config())).served
        endpoint = served.url + "/v2.1"
        done = await deferToThread(self._life, endpoint)
        self.assertEqual(done, "deleted")

    def _life(self, endpoint: str) -> str:
        conn = openstack.connect(auth_type="admin_token", auth={"token": "alice:p1", "endpoint": endpoint})
        admin = openstack.connect(auth_type="admin_token", auth={"token": "admin:admin", "endpoint": endpoint})
        bob = openstack.connect(auth_type="admin_token", auth={"token": "bob:p2", "endpoint": endpoint})
        try:
            compute = conn.compute
            image = next(iter(compute.images()))
            flavor = compute.find_flavor("m1.tiny")
            server = compute.create_server(name="sdk-vm", image_id=image.id, flavor_id=flavor.id,
                                           networks="auto")
            server = compute.wait_for_server(server, status="ACTIVE", interval=0.05, wait=10)
            self.assertEqual([s.id for s in compute.servers()], [server.id])
            self.assertEqual(list(bob.compute.servers()), [])
            self.assertEqual([s.id for s in admin.compute.servers(all_projects=True)], [server.id])
            shown = compute.get_server(server.id)
            self.assertEqual(shown.name, "sdk-vm")
            self.assertEqual(shown.flavor.original_name, "m1.tiny")

            compute.stop_server(server)
            compute.wait_for_server(server, status="SHUTOFF", interval=0.05, wait=10)
            compute.start_server(server)
            compute.wait_for_server(server, status="ACTIVE", interval=0.05, wait=10)
            compute.reboot_server(server, "HARD")
            # The SDK's wait returns at once when the object it holds already
            # says ACTIVE, so wait on fresh reads until the reboot has ended.
            poll(lambda: compute.get_server(server.id),
                 lambda s: s.status == "ACTIVE" and s.task_state is None)
            small = compute.find_flavor("m1.small")
            compute.resize_server(server, small.id)
            compute.wait_for_server(server, status="VERIFY_RESIZE", interval=0.05, wait=10)
            compute.confirm_server_resize(server)
            resized = poll(lambda: compute.get_server(server.id),
                           lambda s: s.status == "ACTIVE" and s.task_state is None)
            self.assertEqual(resized.flavor.original_name, "m1.small")
            compute.rebuild_server(server, image=image.id, name="sdk-rebuilt", admin_password="pw")
            rebuilt = poll(lambda: compute.get_server(server.id),
                           lambda s: s.status == "ACTIVE" and s.task_state is None)
            self.assertEqual(rebuilt.name, "sdk-rebuilt")
            snapshot = compute.create_server_image(server, "sdk-snap")
            made = poll(lambda: compute.get_image(snapshot.id), lambda i: i.status == "ACTIVE")
            self.assertEqual(made.name, "sdk-snap")
            poll(lambda: compute.get_server(server.id), lambda s: s.task_state is None)
            compute.lock_server(server)
            self.assertTrue(compute.get_server(server.id).is_locked)
            compute.unlock_server(server)
            compute.delete_server(server)
            compute.wait_for_delete(server, interval=0.05, wait=10)
            return "deleted"
        finally:
            for connection in (conn, admin, bob):
                connection.close()

    async def test_multiple_create(self):
        served = (await serve_compute(self, instant_config())).served
        endpoint = served.url + "/v2.1"

        def create() -> list[str]:
            conn = openstack.connect(auth_type="admin_token", auth={"token": "alice:p1", "endpoint": endpoint})
            try:
                image = next(iter(conn.compute.images()))
                conn.compute.create_server(name="sdk-many", image_id=image.id, flavor_id="1",
                                           networks="auto", min_count=3, max_count=3)
                servers = poll(lambda: list(conn.compute.servers()), lambda s: len(s) == 3)
                return sorted(s.name for s in servers)
            finally:
                conn.close()

        names = await deferToThread(create)
        self.assertEqual(names, ["sdk-many-1", "sdk-many-2", "sdk-many-3"])


class NovaClientTests(TestCase):
    timeout = 120

    async def test_a_servers_life(self):
        served = (await serve_compute(self, instant_config())).served
        done = await deferToThread(self._life, served.url + "/v2.1")
        self.assertEqual(done, "deleted")

    def _life(self, endpoint: str) -> str:
        session = ks_session.Session(auth=Token(endpoint, "alice:p1"))
        try:
            nova = nova_client.Client("2.79", session=session, endpoint_override=endpoint)
            image_id = session.get(endpoint + "/images",
                                   headers={"Accept": "application/json"}).json()["images"][0]["id"]
            flavor = nova.flavors.find(name="m1.tiny")
            server = nova.servers.create("nc-vm", image_id, flavor, nics="auto", min_count=1)

            def status(wanted: str) -> Any:
                return poll(lambda: nova.servers.get(server.id),
                            lambda s: s.status == wanted and getattr(s, "OS-EXT-STS:task_state") is None)

            status("ACTIVE")
            self.assertEqual([s.id for s in nova.servers.list()], [server.id])
            nova.servers.stop(server)
            status("SHUTOFF")
            nova.servers.start(server)
            status("ACTIVE")
            nova.servers.reboot(server, reboot_type="HARD")
            status("ACTIVE")
            nova.servers.resize(server, nova.flavors.find(name="m1.small"))
            status("VERIFY_RESIZE")
            nova.servers.confirm_resize(server)
            self.assertEqual(status("ACTIVE").flavor["original_name"], "m1.small")
            nova.servers.rebuild(server, image_id, name="nc-rebuilt")
            self.assertEqual(status("ACTIVE").name, "nc-rebuilt")
            snapshot_id = nova.servers.create_image(server, "nc-snap")
            self.assertTrue(snapshot_id)
            status("ACTIVE")
            nova.servers.lock(server, reason="testing")
            self.assertEqual(nova.servers.get(server.id).locked_reason, "testing")
            nova.servers.unlock(server)
            self.assertIn("login as", nova.servers.get_console_output(server))
            nova.servers.set_meta(server, {"k": "v"})
            self.assertEqual(nova.servers.get(server.id).metadata, {"k": "v"})
            nova.servers.add_tag(server, "t1")
            self.assertEqual(nova.servers.tag_list(server), ["t1"])
            self.assertEqual(len(nova.instance_action.list(server)), 8)
            nova.servers.delete(server)
            poll(lambda: gone(lambda: nova.servers.get(server.id)), bool)
            self.assertEqual(nova.servers.list(), [])
            return "deleted"
        finally:
            session.session.close()
