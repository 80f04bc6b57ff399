"""cloud-init's own readers as the client, unchanged, over real HTTP."""

from __future__ import annotations

import base64

from twisted.internet.defer import ensureDeferred
from twisted.trial.unittest import TestCase

from novatx.extensions.metadata import versions as v
from novatx.extensions.metadata.test.fixtures import PUBLIC_KEY, instance
from novatx.extensions.metadata.test.guests import Namespace, cloudinit_path, run_reader
from novatx.extensions.metadata.test.harness import FakeCompute, config, fetch, serve


class CloudInitReaderTests(TestCase):
    def setUp(self) -> None:
        cloudinit_path()
        self.compute = FakeCompute()
        self.server = self.compute.add(instance(fixed_ip="127.0.0.1"))
        self.url = serve(self, config(), self.compute)

    def test_ec2_reader_at_each_version_it_probes(self) -> None:
        async def check():
            for version in ("2009-04-04", "latest") + v.EC2_PROBED:
                result = await run_reader(["ec2", self.url, version])
                meta = result["meta-data"]
                self.assertEqual(meta["instance-id"], self.server.ec2_id, version)
                self.assertEqual(meta["public-keys"], {"mykey": PUBLIC_KEY})
                self.assertEqual(meta["placement"]["availability-zone"], "nova")
                self.assertEqual(result["user-data"], "#!/bin/sh\necho hi\n")
                self.assertEqual(result["identity"]["document"]["instanceId"], self.server.ec2_id)

        return ensureDeferred(check())

    def test_openstack_reader(self) -> None:
        async def check():
            result = await run_reader(["openstack", self.url])
            self.assertEqual(result["version"], v.ROCKY)
            metadata = result["metadata"]
            self.assertEqual(metadata["uuid"], self.server.uuid)
            self.assertEqual(metadata["instance-id"], self.server.uuid)
            self.assertEqual(metadata["local-hostname"], "web.novalocal")
            self.assertEqual(metadata["public_keys"], {"mykey": PUBLIC_KEY})
            self.assertEqual(len(base64.b64decode(metadata["random_seed"])), 512)
            self.assertEqual(result["userdata"], "#!/bin/sh\necho hi\n")
            self.assertEqual(result["vendordata"], {})
            self.assertEqual(result["networkdata"]["networks"][0]["ip_address"], "127.0.0.1")
            self.assertEqual(result["ec2-metadata"]["instance-id"], self.server.ec2_id)

        return ensureDeferred(check())


class NamespaceTests(TestCase):
    """A guest whose source address is really the instance's fixed IP."""

    def setUp(self) -> None:
        cloudinit_path()
        self.namespace = Namespace()
        self.addCleanup(self.namespace.destroy)
        self.namespace.create()
        self.compute = FakeCompute()
        self.server = self.compute.add(
            instance(fixed_ip=self.namespace.guest_address, mac_address="fa:16:3e:11:22:33")
        )
        self.other = self.compute.add(
            instance(uuid="2b8e3f6c-0000-4a55-9a8e-3f6d2c1b0a99", id=12, fixed_ip="127.0.0.1", key_name=None)
        )

    def serve(self, **overrides) -> None:
        overrides["network.fixed_range"] = self.namespace.network
        self.url = serve(self, config(**overrides), self.compute, interface=self.namespace.host_address)

    def test_readers_inside_the_namespace_get_their_instance(self) -> None:
        self.serve()

        async def check():
            result = await run_reader(["ec2", self.url, "2021-03-23"], self.namespace)
            meta = result["meta-data"]
            self.assertEqual(meta["instance-id"], self.server.ec2_id)
            self.assertEqual(meta["local-ipv4"], self.namespace.guest_address)
            macs = meta["network"]["interfaces"]["macs"]
            self.assertEqual(macs["fa:16:3e:11:22:33"]["local-ipv4s"], self.namespace.guest_address)
            result = await run_reader(["openstack", self.url], self.namespace)
            self.assertEqual(result["metadata"]["uuid"], self.server.uuid)
            self.assertEqual(result["networkdata"]["networks"][0]["netmask"], "255.255.255.0")

        return ensureDeferred(check())

    def test_imdsv2_token_inside_the_namespace(self) -> None:
        self.serve(**{"metadata.require_token": True})

        async def check():
            without = await run_reader(["ec2", self.url, "latest"], self.namespace)
            self.assertEqual(without["meta-data"], {})
            guest = await run_reader(["ec2", self.url, "latest", "21600"], self.namespace)
            self.assertEqual(guest["meta-data"]["instance-id"], self.server.ec2_id)
            self.assertEqual(guest["user-data"], "#!/bin/sh\necho hi\n")
            status, _, _ = await fetch(
                "PUT",
                self.url + "/latest/api/token",
                headers={"X-aws-ec2-metadata-token-ttl-seconds": "60"},
            )
            self.assertEqual(status, 404)

        return ensureDeferred(check())
