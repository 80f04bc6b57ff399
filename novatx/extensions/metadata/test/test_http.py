"""The metadata API over real HTTP: both trees, each identification mode, bad input."""

from __future__ import annotations

import base64
import json
import os

from twisted.internet.task import Clock
from twisted.trial.unittest import TestCase

from novatx.compute.records import AttachedVolume
from novatx.compute.volumes.records import VolumeAttachment
from novatx.extensions.metadata import versions as v
from novatx.extensions.metadata.identify import proxy_signature
from novatx.extensions.metadata.test.fixtures import PUBLIC_KEY, instance
from novatx.extensions.metadata.test.harness import FakeCompute, config, fetch, serve

#: What nova's metadata service lists at C{/}, as its user guide shows it
#: ("Metadata service", docs.openstack.org/nova/stein/user/metadata-service.html).
NOVA_EC2_LISTING = """1.0
2007-01-19
2007-03-01
2007-08-29
2007-10-10
2007-12-15
2008-02-01
2008-09-01
2009-04-04
latest
"""

#: What nova lists at C{/openstack}: the same guide's list up to 2018-08-27,
#: then 2020-10-14 (Victoria) and 2025-04-04 (Epoxy), which nova 34 serves.
NOVA_OPENSTACK_LISTING = """2012-08-10
2013-04-04
2013-10-17
2015-10-15
2016-06-30
2016-10-06
2017-02-22
2018-08-27
2020-10-14
2025-04-04
latest
"""


class _Base(TestCase):
    address = "127.0.0.1"

    def make(self, clock=None, **overrides):
        self.compute = FakeCompute()
        self.server = self.compute.add(instance(fixed_ip=self.address))
        self.url = serve(self, config(**overrides), self.compute, clock=clock)

    async def get(self, path, headers=None):
        return await fetch("GET", self.url + path, headers=headers)

    async def walk(self, path):
        """Follow every listing under C{path} as cloud-init does; the paths read."""
        status, _, body = await self.get(path)
        self.assertEqual(status, 200, path)
        read = [path]
        for line in body.decode().splitlines():
            if line.endswith("/"):
                read += await self.walk(path + line)
            elif "=" in line:
                read += await self.walk(path + line.split("=")[0] + "/")
            else:
                status, _, _ = await self.get(path + line)
                self.assertEqual(status, 200, path + line)
                read.append(path + line)
        return read


class EC2TreeTests(_Base):
    def setUp(self) -> None:
        self.make()

    async def test_root_lists_versions(self) -> None:
        status, headers, body = await self.get("/")
        self.assertEqual(status, 200)
        self.assertEqual(body.decode().splitlines(), NOVA_EC2_LISTING.splitlines())

    async def test_every_listed_key_resolves(self) -> None:
        for version in ("latest", "2009-04-04") + v.EC2_PROBED:
            read = await self.walk("/%s/meta-data/" % version)
            self.assertIn("/%s/meta-data/public-keys/0/openssh-key" % version, read)
            self.assertIn("/%s/meta-data/placement/availability-zone" % version, read)
            if version in v.EC2_PROBED:
                self.assertIn("/%s/meta-data/placement/region" % version, read)

    async def test_values_are_the_instances(self) -> None:
        expected = {
            "instance-id": self.server.ec2_id,
            "hostname": "web.novalocal",
            "local-ipv4": self.address,
            "instance-type": "m1.tiny",
            "reservation-id": "r-abcdefgh",
            "public-keys/": "0=mykey",
            "public-keys/0/openssh-key": PUBLIC_KEY,
            "ami-id": "ami-00000001",
            "security-groups": "default",
        }
        for key, value in expected.items():
            status, _, body = await self.get("/latest/meta-data/" + key)
            self.assertEqual((status, body.decode()), (200, value), key)
        status, _, body = await self.get("/latest/user-data")
        self.assertEqual(body, b"#!/bin/sh\necho hi\n")
        status, _, body = await self.get("/2021-03-23/dynamic/instance-identity/document")
        self.assertEqual(json.loads(body)["instanceId"], self.server.ec2_id)

    async def test_user_data_absent_is_404(self) -> None:
        self.compute.change(self.server.uuid, user_data=None)
        status, _, _ = await self.get("/latest/user-data")
        self.assertEqual(status, 404)
        status, _, body = await self.get("/latest/")
        self.assertNotIn(b"user-data", body)

    async def test_second_key_index_is_404(self) -> None:
        for path in ("/latest/meta-data/public-keys/1/", "/latest/meta-data/public-keys/1/openssh-key"):
            status, headers, body = await self.get(path)
            self.assertEqual(status, 404, path)
            self.assertEqual(headers.getRawHeaders(b"content-type"), [b"text/plain; charset=UTF-8"])

    async def test_unknown_versions_are_404(self) -> None:
        for path in ("/2099-01-01/meta-data/", "/openstack/2099-01-01/meta_data.json", "/nope"):
            status, _, body = await self.get(path)
            self.assertEqual(status, 404, path)
            self.assertNotIn(b"Traceback", body)

    async def test_trailing_slash_or_not(self) -> None:
        for a, b in (
            ("/latest", "/latest/"),
            ("/latest/meta-data", "/latest/meta-data/"),
            ("/openstack/latest", "/openstack/latest/"),
            ("/openstack", "/openstack/"),
        ):
            first = await self.get(a)
            second = await self.get(b)
            self.assertEqual((first[0], first[2]), (second[0], second[2]), a)
            self.assertEqual(first[0], 200, a)

    async def test_dot_segments_and_doubled_slashes_stay_in_the_tree(self) -> None:
        base = self.url.encode()
        for raw, expected in (
            (b"/latest/meta-data/../meta-data/instance-id", 200),
            (b"/latest//meta-data//instance-id", 200),
            (b"/latest/meta-data/%2e%2e/meta-data/instance-id", 200),
            (b"/../../../../etc/passwd", 404),
            (b"/%2e%2e/%2e%2e/etc/passwd", 404),
        ):
            status, _, body = await fetch("GET", base + raw)
            self.assertEqual(status, expected, raw)
            if expected == 200:
                self.assertEqual(body.decode(), self.server.ec2_id)

    async def test_head_answers_without_body(self) -> None:
        status, headers, body = await fetch("HEAD", self.url + "/latest/meta-data/instance-id")
        self.assertEqual((status, body), (200, b""))
        self.assertEqual(headers.getRawHeaders(b"content-length"), [str(len(self.server.ec2_id)).encode()])

    async def test_very_long_path_is_404(self) -> None:
        status, _, _ = await self.get("/latest/meta-data/" + "a" * 6000)
        self.assertEqual(status, 404)

    async def test_methods_other_than_get_are_refused(self) -> None:
        for method, path in (
            ("POST", "/latest/meta-data/"),
            ("POST", "/"),
            ("PUT", "/latest/meta-data/instance-id"),
            ("DELETE", "/openstack/latest/password"),
            ("POST", "/openstack/latest/meta_data.json"),
            ("GET", "/latest/api/token"),
            ("PUT", "/2009-04-04/api/token"),
        ):
            status, headers, _ = await fetch(method, self.url + path, data=b"x")
            self.assertEqual(status, 405, (method, path))
            self.assertTrue(headers.getRawHeaders(b"allow"))

    async def test_unknown_address_is_404(self) -> None:
        self.compute.change(self.server.uuid, fixed_ip="10.0.0.99")
        status, _, body = await self.get("/latest/meta-data/")
        self.assertEqual(status, 404)
        self.assertEqual(
            "No instance has the address 127.0.0.1; see docs/metadata.md.\n", body.decode())


class OpenStackTreeTests(_Base):
    def setUp(self) -> None:
        self.make()

    async def test_versions_listed(self) -> None:
        status, _, body = await self.get("/openstack")
        self.assertEqual(body.decode().splitlines(), NOVA_OPENSTACK_LISTING.splitlines())

    async def test_meta_data_per_version(self) -> None:
        for version in v.OPENSTACK_VERSIONS + ("latest",):
            status, headers, body = await self.get("/openstack/%s/meta_data.json" % version)
            self.assertEqual(status, 200)
            self.assertEqual(headers.getRawHeaders(b"content-type"), [b"application/json"])
            document = json.loads(body)
            self.assertEqual(document["uuid"], self.server.uuid)
            self.assertEqual(document["meta"], {"role": "webserver"})
            self.assertEqual(document["keys"], [{"name": "mykey", "type": "ssh", "data": PUBLIC_KEY}])
            self.assertEqual(document["hostname"], "web.novalocal")
            self.assertEqual("project_id" in document, version >= v.LIBERTY)
            self.assertEqual("devices" in document, version >= v.NEWTON_ONE)

    async def test_random_seed_is_fresh_for_every_request(self) -> None:
        seeds = set()
        for _ in range(3):
            _, _, body = await self.get("/openstack/latest/meta_data.json")
            seed = json.loads(body)["random_seed"]
            self.assertEqual(len(base64.b64decode(seed)), 512)
            seeds.add(seed)
        self.assertEqual(len(seeds), 3)

    async def test_every_listed_file_resolves(self) -> None:
        for version in v.OPENSTACK_VERSIONS + ("latest",):
            status, _, body = await self.get("/openstack/%s/" % version)
            for name in body.decode().splitlines():
                status, _, _ = await self.get("/openstack/%s/%s" % (version, name))
                self.assertEqual(status, 200, (version, name))
        status, _, _ = await self.get("/openstack/2013-04-04/vendor_data.json")
        self.assertEqual(status, 404)

    async def test_network_data(self) -> None:
        status, _, body = await self.get("/openstack/latest/network_data.json")
        document = json.loads(body)
        self.assertEqual(document["networks"][0]["ip_address"], self.address)
        self.assertEqual(document["links"][0]["ethernet_mac_address"], "fa:16:3e:00:00:05")

    async def test_password_is_set_once(self) -> None:
        url = self.url + "/openstack/latest/password"
        self.assertEqual((await fetch("GET", url))[2], b"")
        status, _, _ = await fetch("POST", url, data=b"x" * 1021)
        self.assertEqual(status, 400)
        status, _, _ = await fetch("POST", url, data=b"p" * 1020)
        self.assertEqual(status, 200)
        self.assertEqual((await fetch("GET", url))[2], b"p" * 1020)
        status, _, _ = await fetch("POST", url, data=b"again")
        self.assertEqual(status, 409)
        self.assertEqual(self.compute.passwords[self.server.uuid], "p" * 1020)

    async def test_password_before_grizzly_is_404(self) -> None:
        status, _, _ = await self.get("/openstack/2012-08-10/password")
        self.assertEqual(status, 404)


class VolumeTests(_Base):
    """What an instance reads of the volumes attached to it."""

    def setUp(self) -> None:
        self.make()
        volumes = (AttachedVolume("vol-b", False), AttachedVolume("vol-c", True))
        self.server = self.compute.change(self.server.uuid, volumes_attached=volumes)
        self.compute.volumes.attachments[self.server.uuid] = [
            VolumeAttachment(id="a1", volume_id="vol-b", server_id=self.server.uuid,
                             device="/dev/vdb", bdm_uuid="b1", tag="data"),
            VolumeAttachment(id="a2", volume_id="vol-c", server_id=self.server.uuid,
                             device="/dev/vdc", bdm_uuid="b2"),
        ]

    async def test_ec2_block_device_mapping_lists_the_volumes(self) -> None:
        status, _, body = await self.get("/latest/meta-data/block-device-mapping/")
        self.assertEqual((200, ["ami", "ebs0", "ebs1", "root"]),
                         (status, sorted(body.decode().splitlines())))
        for key, device in (("ebs0", "/dev/vdb"), ("ebs1", "/dev/vdc")):
            _, _, body = await self.get("/latest/meta-data/block-device-mapping/" + key)
            self.assertEqual(device, body.decode())
        read = await self.walk("/latest/meta-data/")
        self.assertIn("/latest/meta-data/block-device-mapping/ebs1", read)

    async def test_openstack_devices_show_the_tagged_volumes(self) -> None:
        _, _, body = await self.get("/openstack/latest/meta_data.json")
        self.assertEqual([{"type": "disk", "bus": "virtio", "serial": "vol-b", "path": "/dev/vdb",
                           "address": "0000:00:06.0", "tags": ["data"]}],
                         json.loads(body)["devices"])


class ForwardedForTests(_Base):
    address = "10.0.0.5"

    async def test_forwarded_address_identifies_when_configured(self) -> None:
        self.make(**{"api.use_forwarded_for": True})
        status, _, body = await self.get(
            "/latest/meta-data/instance-id", {"X-Forwarded-For": "10.0.0.77, 10.0.0.5"}
        )
        self.assertEqual((status, body.decode()), (200, self.server.ec2_id))
        status, _, _ = await self.get("/latest/meta-data/", {"X-Forwarded-For": "a, b"})
        self.assertEqual(status, 400)
        status, _, body = await self.get("/latest/meta-data/", {"X-Forwarded-For": "fd00::5"})
        self.assertEqual(status, 404)
        self.assertEqual(
            "No instance has the address fd00::5; see docs/metadata.md.\n", body.decode())

    async def test_forwarded_address_ignored_otherwise(self) -> None:
        self.make()
        status, _, _ = await self.get("/latest/meta-data/", {"X-Forwarded-For": "10.0.0.5"})
        self.assertEqual(status, 404)


class ProxyTests(_Base):
    address = "10.0.0.5"

    def setUp(self) -> None:
        self.make(**{"neutron.service_metadata_proxy": True, "neutron.metadata_proxy_shared_secret": "s3"})

    def headers(self, instance_uuid=None, tenant="p1", signature=None):
        instance_uuid = instance_uuid or self.server.uuid
        return {
            "X-Instance-ID": instance_uuid,
            "X-Tenant-ID": tenant,
            "X-Instance-ID-Signature": signature or proxy_signature("s3", instance_uuid),
        }

    async def test_signed_request_reads_both_trees(self) -> None:
        status, _, body = await self.get("/latest/meta-data/instance-id", self.headers())
        self.assertEqual((status, body.decode()), (200, self.server.ec2_id))
        status, _, body = await self.get("/openstack/latest/meta_data.json", self.headers())
        self.assertEqual(json.loads(body)["uuid"], self.server.uuid)

    async def test_refusals(self) -> None:
        good = proxy_signature("s3", self.server.uuid)
        cases = [
            (self.headers(tenant="p2"), 404),
            (self.headers(signature=good[:10]), 403),
            (self.headers(signature="zz" * 32), 403),
            (self.headers(instance_uuid="nonexistent"), 404),
            ({"X-Instance-ID": self.server.uuid, "X-Tenant-ID": "p1"}, 400),
        ]
        for headers, expected in cases:
            status, _, body = await self.get("/latest/meta-data/", headers)
            self.assertEqual(status, expected, headers)
        status, _, body = await self.get("/latest/meta-data/", self.headers(signature=good[:10]))
        self.assertEqual(body, b"Invalid proxy request signature.\n")

    async def test_deleted_instance_is_not_served(self) -> None:
        self.compute.change(self.server.uuid, deleted=True, vm_state="deleted")
        status, _, _ = await self.get("/latest/meta-data/", self.headers())
        self.assertEqual(status, 404)


class TokenTests(_Base):
    address = "10.0.0.5"

    async def token(self, ttl="21600", address="10.0.0.5"):
        return await fetch(
            "PUT",
            self.url + "/latest/api/token",
            headers={"X-aws-ec2-metadata-token-ttl-seconds": ttl, "X-Forwarded-For": address},
        )

    def make_two(self, **overrides):
        self.clock = Clock()
        self.clock.advance(1_000_000)
        self.make(clock=self.clock, **{"api.use_forwarded_for": True, **overrides})
        self.other = self.compute.add(instance(uuid="1b8e3f6c-0000-4a55-9a8e-3f6d2c1b0a99", id=11, fixed_ip="10.0.0.6"))

    async def test_valid_token_reads(self) -> None:
        self.make_two()
        status, headers, token = await self.token()
        self.assertEqual(status, 200)
        self.assertEqual(headers.getRawHeaders(b"x-aws-ec2-metadata-token-ttl-seconds"), [b"21600"])
        status, _, body = await self.get(
            "/latest/meta-data/instance-id",
            {"X-aws-ec2-metadata-token": token.decode(), "X-Forwarded-For": "10.0.0.5"},
        )
        self.assertEqual((status, body.decode()), (200, self.server.ec2_id))

    async def test_bad_ttls_are_refused(self) -> None:
        self.make_two()
        for ttl in ("0", "21601", "abc", "-1", ""):
            status, _, _ = await self.token(ttl)
            self.assertEqual(status, 400, ttl)

    async def test_expired_token_is_refused(self) -> None:
        self.make_two()
        _, _, token = await self.token("5")
        headers = {"X-aws-ec2-metadata-token": token.decode(), "X-Forwarded-For": "10.0.0.5"}
        self.assertEqual((await self.get("/latest/meta-data/", headers))[0], 200)
        self.clock.advance(5)
        self.assertEqual((await self.get("/latest/meta-data/", headers))[0], 401)

    async def test_other_instances_token_is_refused(self) -> None:
        self.make_two()
        _, _, token = await self.token(address="10.0.0.6")
        headers = {"X-aws-ec2-metadata-token": token.decode(), "X-Forwarded-For": "10.0.0.5"}
        self.assertEqual((await self.get("/latest/meta-data/", headers))[0], 401)

    async def test_required_token_missing_is_refused(self) -> None:
        self.make_two(**{"metadata.require_token": True})
        headers = {"X-Forwarded-For": "10.0.0.5"}
        self.assertEqual((await self.get("/latest/meta-data/", headers))[0], 401)
        self.assertEqual((await self.get("/openstack/latest/meta_data.json", headers))[0], 401)
        _, _, token = await self.token()
        headers["X-aws-ec2-metadata-token"] = token.decode()
        self.assertEqual((await self.get("/latest/meta-data/", headers))[0], 200)

    async def test_forwarded_token_request_refused_without_trusted_proxy(self) -> None:
        self.make()
        status, _, _ = await self.token()
        self.assertEqual(status, 403)

    async def other_worker_accepts(self, **overrides) -> int:
        self.make_two(**overrides)
        _, _, token = await self.token()
        overrides["api.use_forwarded_for"] = True
        other_worker = serve(self, config(**overrides), self.compute, clock=self.clock)
        status, _, _ = await fetch(
            "GET",
            other_worker + "/latest/meta-data/",
            headers={"X-aws-ec2-metadata-token": token.decode(), "X-Forwarded-For": "10.0.0.5"},
        )
        return status

    async def test_tokens_survive_across_workers_sharing_the_secret(self) -> None:
        self.assertEqual(await self.other_worker_accepts(**{"metadata.token_secret": "shared"}), 200)

    async def test_tokens_survive_across_workers_of_one_host(self) -> None:
        state = self.mktemp()
        os.makedirs(state)
        self.assertEqual(await self.other_worker_accepts(state_path=state), 200)
        self.assertEqual(os.listdir(state), ["metadata_token.key"])


class CacheTests(_Base):
    async def test_cached_until_expiry(self) -> None:
        clock = Clock()
        self.make(clock=clock)
        await self.get("/latest/meta-data/")
        await self.get("/latest/meta-data/instance-id")
        self.assertEqual(self.compute.address_lookups, 1)
        clock.advance(15)
        await self.get("/latest/meta-data/")
        self.assertEqual(self.compute.address_lookups, 2)

    async def test_change_through_compute_is_seen_at_once(self) -> None:
        self.make()
        await self.get("/openstack/latest/meta_data.json")
        self.compute.change(self.server.uuid, metadata={"role": "db"})
        _, _, body = await self.get("/openstack/latest/meta_data.json")
        self.assertEqual(json.loads(body)["meta"], {"role": "db"})

    async def test_expiration_zero_caches_nothing(self) -> None:
        self.make(**{"api.metadata_cache_expiration": 0})
        await self.get("/latest/meta-data/")
        await self.get("/latest/meta-data/")
        self.assertEqual(self.compute.address_lookups, 2)


class IPv6Tests(TestCase):
    async def test_ipv6_source_address_identifies(self) -> None:
        compute = FakeCompute()
        url = serve(self, config(), compute, interface="::1").replace("http://::1", "http://[::1]")
        status, _, _ = await fetch("GET", (url + "/latest/meta-data/").encode())
        self.assertEqual(status, 404)
        server = compute.add(instance(fixed_ip="::1"))
        status, _, body = await fetch("GET", (url + "/latest/meta-data/instance-id").encode())
        self.assertEqual((status, body.decode()), (200, server.ec2_id))
