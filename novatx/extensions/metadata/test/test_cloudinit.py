"""cloud-init's own readers as the client, unchanged, over real HTTP."""

from __future__ import annotations

import base64

from twisted.internet import reactor
from twisted.internet.task import deferLater
from twisted.trial.unittest import TestCase
from twisted.web.server import Site

from novatx.compute.context import RequestContext
from novatx.compute.interfaces import CreateRequest
from novatx.compute.service import ComputeService
from novatx.resources.loader import load_api
from novatx.resources.runtime import Runtime
from novatx.test.helpers import make_test_config

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

    async def test_ec2_reader_at_each_version_it_probes(self) -> None:
        for version in ("2009-04-04", "latest") + v.EC2_PROBED:
            result = await run_reader(["ec2", self.url, version])
            meta = result["meta-data"]
            self.assertEqual(meta["instance-id"], self.server.ec2_id, version)
            self.assertEqual(meta["public-keys"], {"mykey": PUBLIC_KEY})
            self.assertEqual(meta["placement"]["availability-zone"], "nova")
            self.assertEqual(result["user-data"], "#!/bin/sh\necho hi\n")
            self.assertEqual(result["identity"]["document"]["instanceId"], self.server.ec2_id)

    async def test_openstack_reader(self) -> None:
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


class NamespaceTests(TestCase):
    """
    A guest whose source address really is its instance's fixed IP: the server
    is made through the internal API over the real store, on a fixed network
    of the namespace's own, and cloud-init's readers run inside the namespace.
    """

    async def make(self, **overrides) -> None:
        cloudinit_path()
        self.namespace = Namespace()
        conf = make_test_config(self)
        conf.set_override("fixed_range", self.namespace.network, "network")
        conf.set_override("boot_seconds", 0.05, "simulated")
        for key, value in overrides.items():
            group, _, name = key.rpartition(".")
            conf.set_override(name, value, group)
        service = ComputeService(conf, reactor)
        await service.startService()
        self.addCleanup(service.stopService)
        self.server = await self.create_server(service.api)
        self.addCleanup(self.namespace.destroy)
        self.namespace.create(self.server.fixed_ip)
        runtime = Runtime("metadata", conf, service.api, reactor)
        port = reactor.listenTCP(0, Site(load_api(runtime)), interface=self.namespace.host_address)
        self.addCleanup(port.stopListening)
        self.url = "http://%s:%d" % (self.namespace.host_address, port.getHost().port)

    async def create_server(self, api):
        context = RequestContext(user_id="alice", project_id="p1")
        self.key = key = await api.create_key_pair(context, "mykey")
        images = await api.list_images(context)
        (created,) = await api.create_servers(
            context,
            CreateRequest(
                name="web",
                flavor_id="1",
                image_id=images.items[0].id,
                key_name=key.name,
                user_data=base64.b64encode(b"#!/bin/sh\necho hi\n").decode(),
                metadata={"role": "webserver"},
            ),
        )
        for _ in range(200):
            server = await api.get_server(context, created.uuid)
            if server.fixed_ip:
                return server
            await deferLater(reactor, 0.02, lambda: None)
        self.fail("the server got no fixed IP")

    async def test_readers_inside_the_namespace_get_their_instance(self) -> None:
        await self.make()
        result = await run_reader(["ec2", self.url, "2021-03-23"], self.namespace)
        meta = result["meta-data"]
        self.assertEqual(meta["instance-id"], self.server.ec2_id)
        self.assertEqual(meta["local-ipv4"], self.server.fixed_ip)
        self.assertEqual(meta["public-keys"], {"mykey": self.key.public_key.strip()})
        macs = meta["network"]["interfaces"]["macs"]
        self.assertEqual(macs[self.server.mac_address]["local-ipv4s"], self.server.fixed_ip)
        self.assertEqual(result["user-data"], "#!/bin/sh\necho hi\n")
        result = await run_reader(["openstack", self.url], self.namespace)
        self.assertEqual(result["metadata"]["uuid"], self.server.uuid)
        self.assertEqual(result["metadata"]["meta"], {"role": "webserver"})
        network = result["networkdata"]["networks"][0]
        self.assertEqual((network["ip_address"], network["netmask"]), (self.server.fixed_ip, "255.255.255.0"))
        self.assertEqual(network["routes"][0]["gateway"], self.namespace.host_address)

    async def test_imdsv2_token_inside_the_namespace(self) -> None:
        await self.make(**{"metadata.require_token": True})
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
