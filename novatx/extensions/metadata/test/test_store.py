"""
End to end over the real store: a server made through the compute API is read
back from the metadata API through each way of identifying it.
"""

from __future__ import annotations

import base64
import json

from twisted.internet import reactor
from twisted.internet.defer import ensureDeferred, gatherResults
from twisted.internet.task import deferLater
from twisted.trial.unittest import TestCase

from novatx.compute.context import get_admin_context
from novatx.compute.exceptions import InstanceNotFound
from novatx.config import make_config
from novatx.extensions.metadata.identify import proxy_signature
from novatx.resources.loader import load_api
from novatx.resources.runtime import Runtime
from novatx.test.helpers import noauth_headers, serve_api, serve_resource

USER_DATA = b"#cloud-config\nruncmd: [echo hi]\n"


class _EndToEnd(TestCase):
    async def serve(self, **overrides):
        conf = make_config([])
        conf.set_override("boot_seconds", 0.05, "simulated")
        conf.set_override("delete_seconds", 0.05, "simulated")
        for key, value in overrides.items():
            group, _, name = key.rpartition(".")
            conf.set_override(name, value, group or None)
        self.metadata = await serve_api(self, "metadata", conf)
        runtime = Runtime("osapi_compute", conf, self.metadata.compute.api, reactor)
        self.compute = serve_resource(self, load_api(runtime))

    async def call(self, method, path, body=None):
        response = await self.compute.client.request(
            method,
            self.compute.url + path,
            data=json.dumps(body).encode() if body is not None else None,
            headers=noauth_headers("alice", "p1"),
        )
        content = await response.content()
        self.assertLess(response.code, 300, content)
        return json.loads(content) if content else None

    async def create_server(self):
        """A server with a key pair, user data and metadata; its record."""
        self.key = (await self.call("POST", "/v2.1/os-keypairs", {"keypair": {"name": "mykey"}}))["keypair"]
        images = (await self.call("GET", "/v2.1/images"))["images"]
        created = await self.call(
            "POST",
            "/v2.1/servers",
            {
                "server": {
                    "name": "web",
                    "imageRef": images[0]["id"],
                    "flavorRef": "1",
                    "key_name": "mykey",
                    "user_data": base64.b64encode(USER_DATA).decode(),
                    "metadata": {"role": "webserver"},
                }
            },
        )
        for _ in range(200):
            self.server = await self.metadata.compute.api.get_server(
                get_admin_context(), created["server"]["id"]
            )
            if self.server.fixed_ip:
                break
            await _sleep(0.02)
        self.assertTrue(self.server.fixed_ip)

    async def create_settled_server(self):
        """
        L{create_server}, then wait until its build has ended: a build
        finishing rightly drops what the metadata cache holds of it.
        """
        await self.create_server()
        for _ in range(200):
            record = await self.metadata.compute.api.get_server(get_admin_context(), self.server.uuid)
            if record.status == "ACTIVE" and record.task_state is None:
                break
            await _sleep(0.02)
        self.assertEqual(record.status, "ACTIVE")

    async def get(self, path, headers):
        response = await self.metadata.client.get(self.metadata.url + path, headers=headers)
        return response.code, await response.content()

    async def check_both_trees(self, headers):
        status, body = await self.get("/latest/meta-data/instance-id", headers)
        self.assertEqual((status, body.decode()), (200, self.server.ec2_id))
        status, body = await self.get("/2009-04-04/meta-data/public-keys/0/openssh-key", headers)
        self.assertEqual(body.decode(), self.key["public_key"])
        status, body = await self.get("/latest/meta-data/local-ipv4", headers)
        self.assertEqual(body.decode(), self.server.fixed_ip)
        status, body = await self.get("/latest/user-data", headers)
        self.assertEqual(body, USER_DATA)
        status, body = await self.get("/openstack/latest/meta_data.json", headers)
        document = json.loads(body)
        self.assertEqual(document["uuid"], self.server.uuid)
        self.assertEqual(document["name"], "web")
        self.assertEqual(document["meta"], {"role": "webserver"})
        self.assertEqual(document["project_id"], "p1")
        self.assertEqual(document["keys"][0]["data"], self.key["public_key"])
        status, body = await self.get("/openstack/latest/user_data", headers)
        self.assertEqual(body, USER_DATA)
        status, body = await self.get("/openstack/latest/network_data.json", headers)
        self.assertEqual(json.loads(body)["networks"][0]["ip_address"], self.server.fixed_ip)


class ForwardedForTests(_EndToEnd):
    async def test_server_read_back_by_forwarded_address(self) -> None:
        await self.serve(**{"api.use_forwarded_for": True})
        await self.create_server()
        await self.check_both_trees({"X-Forwarded-For": self.server.fixed_ip})

    async def test_ports_groups_and_floating_address_are_the_servers(self) -> None:
        await self.serve(**{"api.use_forwarded_for": True})
        await self.create_settled_server()
        headers = {"X-Forwarded-For": self.server.fixed_ip}
        _, body = await self.get("/latest/meta-data/security-groups", headers)
        self.assertEqual(b"default", body)
        self.assertEqual((200, b""), await self.get("/latest/meta-data/public-ipv4", headers))
        await self.call("POST", "/v2.1/os-security-groups",
                        {"security_group": {"name": "web", "description": ""}})
        action = "/v2.1/servers/%s/action" % self.server.uuid
        await self.call("POST", action, {"addSecurityGroup": {"name": "web"}})
        fip = (await self.call("POST", "/v2.1/os-floating-ips", {"pool": "public"}))["floating_ip"]
        await self.call("POST", action, {"addFloatingIp": {"address": fip["ip"]}})
        self.assertEqual((200, fip["ip"].encode()),
                         await self.get("/latest/meta-data/public-ipv4", headers))
        _, body = await self.get("/latest/meta-data/security-groups", headers)
        self.assertEqual([b"default", b"web"], sorted(body.splitlines()))
        [port] = (await self.call(
            "GET", "/networking/v2.0/ports?device_id=" + self.server.uuid))["ports"]
        _, body = await self.get("/openstack/latest/network_data.json", headers)
        [link] = json.loads(body)["links"]
        self.assertEqual((port["id"], port["mac_address"]),
                         (link["vif_id"], link["ethernet_mac_address"]))
        mac = port["mac_address"]
        self.assertEqual((200, fip["ip"].encode()), await self.get(
            "/2016-09-02/meta-data/network/interfaces/macs/%s/public-ipv4s" % mac, headers))

    async def test_metadata_change_through_compute_api_is_seen_at_once(self) -> None:
        await self.serve(**{"api.use_forwarded_for": True})
        await self.create_server()
        headers = {"X-Forwarded-For": self.server.fixed_ip}
        await self.get("/openstack/latest/meta_data.json", headers)
        await self.call("PUT", "/v2.1/servers/%s/metadata/role" % self.server.uuid, {"meta": {"role": "db"}})
        _, body = await self.get("/openstack/latest/meta_data.json", headers)
        self.assertEqual(json.loads(body)["meta"], {"role": "db"})

    async def test_a_cached_instance_is_answered_without_the_store(self) -> None:
        await self.serve(**{"api.use_forwarded_for": True})
        await self.create_settled_server()
        headers = {"X-Forwarded-For": self.server.fixed_ip}
        self.assertEqual((await self.get("/openstack/latest/meta_data.json", headers))[0], 200)
        store = self.metadata.compute.store
        reads = []
        read = store.read

        def counted(function, *args, **kwargs):
            reads.append(function)
            return read(function, *args, **kwargs)

        self.patch(store, "read", counted)
        for path in ("/openstack/latest/meta_data.json", "/latest/meta-data/instance-id",
                     "/openstack/latest/meta_data.json"):
            self.assertEqual((await self.get(path, headers))[0], 200)
        self.assertEqual(reads, [])

    async def test_first_requests_asked_together_share_one_load(self) -> None:
        """An instance's agents asking at once, cold: one lookup answers them all."""
        await self.serve(**{"api.use_forwarded_for": True})
        await self.create_settled_server()
        compute = self.metadata.compute.api
        lookups = []
        lookup = compute.get_server_by_address

        def counted(address):
            lookups.append(address)
            return lookup(address)

        self.patch(compute, "get_server_by_address", counted)
        headers = {"X-Forwarded-For": self.server.fixed_ip}
        answers = await gatherResults([
            ensureDeferred(self.get("/openstack/latest/meta_data.json", headers)) for _ in range(5)
        ])
        self.assertEqual({status for status, _ in answers}, {200})
        self.assertEqual({json.loads(body)["uuid"] for _, body in answers}, {self.server.uuid})
        self.assertEqual(lookups, [self.server.fixed_ip])

    async def test_deleted_server_is_not_served(self) -> None:
        await self.serve(**{"api.use_forwarded_for": True})
        await self.create_server()
        headers = {"X-Forwarded-For": self.server.fixed_ip}
        self.assertEqual((await self.get("/latest/meta-data/", headers))[0], 200)
        await self.call("DELETE", "/v2.1/servers/%s" % self.server.uuid)
        for _ in range(200):
            try:
                record = await self.metadata.compute.api.get_server(get_admin_context(), self.server.uuid)
            except InstanceNotFound:
                break
            if record.deleted and record.task_state is None:
                break
            await _sleep(0.02)
        status, _ = await self.get("/latest/meta-data/", headers)
        self.assertEqual(status, 404)

    async def test_password_posted_once(self) -> None:
        await self.serve(**{"api.use_forwarded_for": True})
        await self.create_server()
        url = self.metadata.url + "/openstack/latest/password"
        headers = {"X-Forwarded-For": self.server.fixed_ip}
        response = await self.metadata.client.post(url, data=b"secret", headers=headers)
        self.assertEqual(response.code, 200)
        await response.content()
        response = await self.metadata.client.post(url, data=b"again", headers=headers)
        self.assertEqual(response.code, 409)
        await response.content()
        self.assertEqual(await self.get("/openstack/latest/password", headers), (200, b"secret"))

    async def test_a_password_no_column_stores_is_400(self) -> None:
        await self.serve(**{"api.use_forwarded_for": True})
        await self.create_server()
        url = self.metadata.url + "/openstack/latest/password"
        headers = {"X-Forwarded-For": self.server.fixed_ip}
        response = await self.metadata.client.post(url, data=b"\xff\xfe\x00", headers=headers)
        self.assertEqual((response.code, await response.content()),
                         (400, b"The password holds characters that cannot be stored.\n"))
        response = await self.metadata.client.post(url, data=b"fine", headers=headers)
        self.assertEqual(response.code, 200)
        await response.content()


class ProxyTests(_EndToEnd):
    async def test_server_read_back_through_neutron_proxy(self) -> None:
        await self.serve(
            **{"neutron.service_metadata_proxy": True, "neutron.metadata_proxy_shared_secret": "s3"}
        )
        await self.create_server()
        headers = {
            "X-Instance-ID": self.server.uuid,
            "X-Tenant-ID": "p1",
            "X-Instance-ID-Signature": proxy_signature("s3", self.server.uuid),
            "X-Forwarded-For": self.server.fixed_ip,
        }
        await self.check_both_trees(headers)
        headers["X-Tenant-ID"] = "p2"
        self.assertEqual((await self.get("/latest/meta-data/", headers))[0], 404)


    async def test_every_proxy_header_may_appear_once(self) -> None:
        await self.serve(
            **{"neutron.service_metadata_proxy": True, "neutron.metadata_proxy_shared_secret": "s3"}
        )
        await self.create_server()
        good = {
            "X-Instance-ID": self.server.uuid,
            "X-Tenant-ID": "p1",
            "X-Instance-ID-Signature": proxy_signature("s3", self.server.uuid),
            "X-Forwarded-For": self.server.fixed_ip,
        }
        self.assertEqual((await self.get("/latest/meta-data/instance-id", good))[0], 200)
        for name, value in good.items():
            doubled = {**good, name: [value, value]}
            status, body = await self.get("/latest/meta-data/instance-id", doubled)
            expected = b"Multiple %s headers found within request.\n" % name.encode()
            self.assertEqual((status, body), (400, expected))


class TokenTests(_EndToEnd):
    async def test_a_token_reads_the_store_s_server(self) -> None:
        await self.serve(**{"api.use_forwarded_for": True, "metadata.require_token": True})
        await self.create_server()
        address = {"X-Forwarded-For": self.server.fixed_ip}
        self.assertEqual((await self.get("/latest/meta-data/instance-id", address))[0], 401)
        response = await self.metadata.client.put(
            self.metadata.url + "/latest/api/token",
            headers={**address, "X-aws-ec2-metadata-token-ttl-seconds": "60"})
        token = await response.content()
        self.assertEqual(response.code, 200, token)
        with_token = {**address, "X-aws-ec2-metadata-token": token}
        status, body = await self.get("/latest/meta-data/instance-id", with_token)
        self.assertEqual((status, body.decode()), (200, self.server.ec2_id))
        for ttl in ("\u00b2".encode("utf-8"), "\u0663".encode("utf-8"), b"+60", b"6_0"):
            response = await self.metadata.client.put(
                self.metadata.url + "/latest/api/token",
                headers={**address, b"X-aws-ec2-metadata-token-ttl-seconds": ttl})
            self.assertEqual(response.code, 400, ttl)
            await response.content()


class VendorDataTests(_EndToEnd):
    async def test_static_vendordata_of_a_store_s_server(self) -> None:
        path = self.mktemp()
        with open(path, "w") as f:
            json.dump({"cloud": "novatx"}, f)
        await self.serve(**{"api.use_forwarded_for": True, "api.vendordata_jsonfile_path": path})
        await self.create_server()
        address = {"X-Forwarded-For": self.server.fixed_ip}
        status, body = await self.get("/openstack/latest/vendor_data.json", address)
        self.assertEqual((status, json.loads(body)), (200, {"cloud": "novatx"}))
        status, body = await self.get("/openstack/latest/vendor_data2.json", address)
        self.assertEqual((status, json.loads(body)), (200, {"static": {"cloud": "novatx"}}))


def _sleep(seconds):
    return deferLater(reactor, seconds, lambda: None)
