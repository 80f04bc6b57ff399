"""
A server's volumes over real HTTP: C{os-volume_attachments} at each
microversion that changes it, C{volumes_attached} in server documents, the
C{os-volumes} and C{os-snapshots} proxies up to 2.35, and the bad requests
of the block storage issue answered in nova's words.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

import attrs
from twisted.internet import reactor
from twisted.internet.task import deferLater
from twisted.trial.unittest import TestCase

from novatx.compute.context import RequestContext
from novatx.extensions.compute.test._servers_kit import fast_config, serve_compute


def volume_config():
    conf = fast_config()
    conf.set_override("volume_create_seconds", 0.01, "simulated")
    conf.set_override("volume_attach_seconds", 0.01, "simulated")
    conf.set_override("volume_delete_seconds", 0.01, "simulated")
    return conf


async def volume_status(client, volume_id, status, timeout=5.0):
    """Poll the proxy until the volume shows C{status}; its document."""
    proxy = client.at("2.35")
    waited = 0.0
    while True:
        reply = await proxy.get("/os-volumes/%s" % volume_id)
        if reply.code == 200 and reply.body["volume"]["status"] == status:
            return reply.body["volume"]
        if waited >= timeout:
            raise AssertionError("volume %s never reached %s: %s" % (volume_id, status,
                                                                   reply.body))
        await deferLater(reactor, 0.02, lambda: None)
        waited += 0.02


async def new_volume(client, size=1):
    reply = await client.at("2.35").post("/os-volumes", {"volume": {"size": size}})
    if reply.code != 200:
        raise AssertionError("volume create failed: %s %s" % (reply.code, reply.body))
    return (await volume_status(client, reply.body["volume"]["id"], "available"))["id"]


class AttachmentTests(TestCase):
    async def setUp(self):
        self.client = await serve_compute(self, volume_config())

    async def test_attach_list_update_detach_at_each_microversion(self):
        client = self.client
        server = (await client.create_active())["id"]
        volume = await new_volume(client)
        base = "/servers/%s/os-volume_attachments" % server
        created = await client.at("2.79").post(base, {"volumeAttachment": {
            "volumeId": volume, "tag": "data", "delete_on_termination": True}})
        self.assertEqual(200, created.code)
        self.assertEqual({"id": volume, "serverId": server, "volumeId": volume,
                          "device": "/dev/vdb", "tag": "data", "delete_on_termination": True},
                         created.body["volumeAttachment"])
        in_use = await volume_status(client, volume, "in-use")
        self.assertEqual([{"id": volume, "volumeId": volume, "serverId": server,
                           "device": "/dev/vdb"}], in_use["attachments"])
        shown = (await client.at("2.79").get("/servers/%s" % server)).body["server"]
        self.assertEqual([{"id": volume, "delete_on_termination": True}],
                         shown["os-extended-volumes:volumes_attached"])
        old = (await client.at("2.1").get("/servers/detail")).body["servers"][0]
        self.assertEqual([{"id": volume}], old["os-extended-volumes:volumes_attached"])
        keys = {}
        for version in ("2.1", "2.70", "2.79", "2.89"):
            listed = await client.at(version).get(base)
            (entry,) = listed.body["volumeAttachments"]
            keys[version] = set(entry)
            one = await client.at(version).get(base + "/" + volume)
            self.assertEqual(entry, one.body["volumeAttachment"])
        self.assertEqual({"id", "volumeId", "serverId", "device"}, keys["2.1"])
        self.assertEqual(keys["2.1"] | {"tag"}, keys["2.70"])
        self.assertEqual(keys["2.70"] | {"delete_on_termination"}, keys["2.79"])
        self.assertEqual(keys["2.79"] - {"id"} | {"attachment_id", "bdm_uuid"}, keys["2.89"])
        updated = await client.at("2.85").put(base + "/" + volume, {"volumeAttachment": {
            "volumeId": volume, "delete_on_termination": False}})
        self.assertEqual(202, updated.code)
        immutable = await client.at("2.85").put(base + "/" + volume, {"volumeAttachment": {
            "volumeId": volume, "tag": "other"}})
        self.assertEqual((400, "The tag property is not mutable"),
                         (immutable.code, immutable.body["badRequest"]["message"]))
        after = await client.at("2.89").get(base + "/" + volume)
        self.assertFalse(after.body["volumeAttachment"]["delete_on_termination"])
        detached = await client.delete(base + "/" + volume)
        self.assertEqual(202, detached.code)
        await volume_status(client, volume, "available")
        self.assertEqual([], (await client.get(base)).body["volumeAttachments"])
        actions = await client.get("/servers/%s/os-instance-actions" % server)
        self.assertEqual(["detach_volume", "attach_volume", "create"],
                         [a["action"] for a in actions.body["instanceActions"]])

    async def test_swap_is_an_admins_and_only_while_cinder_migrates(self):
        client = self.client
        server = (await client.create_active())["id"]
        volume, other = await new_volume(client), await new_volume(client)
        base = "/servers/%s/os-volume_attachments" % server
        await client.post(base, {"volumeAttachment": {"volumeId": volume}})
        await volume_status(client, volume, "in-use")
        body = {"volumeAttachment": {"volumeId": other}}
        refused = await client.put(base + "/" + volume, body)
        self.assertEqual(403, refused.code)
        admin = client.as_user("admin", "admin")
        conflict = await admin.put(base + "/" + volume, body)
        self.assertEqual((409, "volume %s is not migrating; this API should only be called "
                          "by Cinder" % volume),
                         (conflict.code, conflict.body["conflictingRequest"]["message"]))

    async def test_bad_attachments(self):
        client = self.client
        server = (await client.create_active())["id"]
        other = (await client.create_active("other"))["id"]
        volume = await new_volume(client)
        body = {"volumeAttachment": {"volumeId": volume}}
        base = "/servers/%s/os-volume_attachments" % server
        bob = await client.as_user("bob", "p2").post(base, body)
        self.assertEqual(404, bob.code)
        tagged = await client.at("2.48").post(base, {"volumeAttachment": {
            "volumeId": volume, "tag": "x"}})
        self.assertEqual(400, tagged.code)
        missing = await client.post(base, {"volumeAttachment": {
            "volumeId": "8e1b2d3c-0f4a-4b5c-9d6e-7f8091a2b3c4"}})
        self.assertEqual((404, "Volume 8e1b2d3c-0f4a-4b5c-9d6e-7f8091a2b3c4 could not be "
                          "found."), (missing.code, missing.body["itemNotFound"]["message"]))
        not_held = await client.delete(base + "/" + volume)
        self.assertEqual((404, "Instance %s is not attached to volume %s" % (server, volume)),
                         (not_held.code, not_held.body["itemNotFound"]["message"]))
        building = (await client.create("building"))["id"]
        refused = await client.post("/servers/%s/os-volume_attachments" % building, body)
        self.assertEqual(409, refused.code)
        self.assertIn("Cannot 'attach_volume' instance %s while it is in" % building,
                      refused.body["conflictingRequest"]["message"])
        self.assertEqual(200, (await client.post(base, body)).code)
        twice = await client.post(base, body)
        self.assertEqual((400, "Invalid volume: volume %s already attached" % volume),
                         (twice.code, twice.body["badRequest"]["message"]))
        await volume_status(client, volume, "in-use")
        elsewhere = await client.post("/servers/%s/os-volume_attachments" % other, body)
        self.assertEqual(400, elsewhere.code)
        self.assertIn("status must be available or downloading to reserve, but the current "
                      "status is in-use.", elsewhere.body["badRequest"]["message"])
        in_use = await client.at("2.35").delete("/os-volumes/" + volume)
        self.assertEqual(400, in_use.code)
        self.assertIn("must not be migrating, attached", in_use.body["badRequest"]["message"])
        listed = await client.get("/servers/%s/os-volume_attachments" % other)
        self.assertEqual([], listed.body["volumeAttachments"])

    async def test_deleting_a_server_takes_its_volumes_along_when_asked(self):
        client = self.client
        server = (await client.create_active())["id"]
        kept, dropped = await new_volume(client), await new_volume(client)
        base = "/servers/%s/os-volume_attachments" % server
        await client.post(base, {"volumeAttachment": {"volumeId": kept}})
        await client.at("2.79").post(base, {"volumeAttachment": {
            "volumeId": dropped, "delete_on_termination": True}})
        await volume_status(client, kept, "in-use")
        await volume_status(client, dropped, "in-use")
        await client.delete("/servers/%s" % server)
        await client.wait_for(server, "DELETED")
        volumes = (await client.at("2.35").get("/os-volumes")).body["volumes"]
        self.assertEqual([(kept, "available", [{}])],
                         [(v["id"], v["status"], v["attachments"]) for v in volumes])


class ProxyTests(TestCase):
    async def setUp(self):
        self.client = attrs.evolve(await serve_compute(self, volume_config()), version="2.35")

    async def test_volumes_and_snapshots_through_the_proxies(self):
        client = self.client
        created = await client.post("/os-volumes", {"volume": {
            "size": 2, "display_name": "v1", "display_description": "d",
            "metadata": {"k": "v"}}})
        self.assertEqual(200, created.code)
        volume = created.body["volume"]
        self.assertEqual({"id", "status", "size", "availabilityZone", "createdAt",
                          "attachments", "displayName", "displayDescription", "volumeType",
                          "snapshotId", "metadata"}, set(volume))
        self.assertEqual(("creating", 2, "v1", [{}], "nova"),
                         (volume["status"], volume["size"], volume["displayName"],
                          volume["attachments"], volume["availabilityZone"]))
        await volume_status(client, volume["id"], "available")
        for path in ("/os-volumes", "/os-volumes/detail"):
            listed = await client.get(path)
            self.assertEqual([volume["id"]], [v["id"] for v in listed.body["volumes"]])
        self.assertEqual([404, 404], [(await client.get("/os-volumes/")).code,
                                      (await client.delete("/os-volumes/")).code])
        snap = await client.post("/os-snapshots", {"snapshot": {
            "volume_id": volume["id"], "display_name": "s1"}})
        self.assertEqual(200, snap.code)
        self.assertEqual({"id", "volumeId", "status", "size", "createdAt", "displayName",
                          "displayDescription"}, set(snap.body["snapshot"]))
        snapshots = (await client.get("/os-snapshots/detail")).body["snapshots"]
        self.assertEqual([snap.body["snapshot"]["id"]], [s["id"] for s in snapshots])
        self.assertEqual(404, (await client.at("2.36").get("/os-volumes")).code)
        self.assertEqual(404, (await client.at("2.36").get("/os-snapshots")).code)

    async def test_bad_volumes_are_refused_and_nothing_is_made(self):
        client = self.client
        for size in (0, -1, "big"):
            refused = await client.post("/os-volumes", {"volume": {"size": size}})
            self.assertEqual(400, refused.code, size)
            self.assertIn("Invalid input for field/attribute size",
                          refused.body["badRequest"]["message"])
        over = await client.post("/os-volumes", {"volume": {"size": 1001}})
        self.assertEqual((403, "Requested volume or snapshot exceeds allowed gigabytes quota. "
                          "Requested 1001G, quota is 1000G and 0G has been consumed."),
                         (over.code, over.body["forbidden"]["message"]))
        creating = (await client.post("/os-volumes", {"volume": {"size": 1}})).body["volume"]
        early = await client.post("/os-snapshots", {"snapshot": {"volume_id": creating["id"]}})
        self.assertEqual(400, early.code)
        self.assertIn("status must be available or in-use, but current status is: creating",
                      early.body["badRequest"]["message"])
        self.assertEqual([creating["id"]],
                         [v["id"] for v in (await client.get("/os-volumes")).body["volumes"]])
        self.assertEqual([], (await client.get("/os-snapshots")).body["snapshots"])


class VolumesBootTests(TestCase):
    async def test_volumes_boot_is_nova_old_name_of_servers(self):
        client = await serve_compute(self, volume_config())
        created = await client.post("/os-volumes_boot", {"server": {
            "name": "vb", "flavorRef": "1", "imageRef": client.image_id}})
        self.assertEqual(202, created.code)
        server = created.body["server"]["id"]
        shown = await client.get("/os-volumes_boot/%s" % server)
        self.assertEqual(("vb", server), (shown.body["server"]["name"],
                                          shown.body["server"]["id"]))
        listed = await client.get("/os-volumes_boot/detail")
        self.assertEqual([server], [s["id"] for s in listed.body["servers"]])
        self.assertEqual(204, (await client.delete("/os-volumes_boot/%s" % server)).code)


class BootFromVolumeTests(TestCase):
    async def setUp(self):
        self.client = await serve_compute(self, volume_config())

    def boot(self, mappings, **fields):
        server = {"name": "bfv", "flavorRef": "1", "block_device_mapping_v2": mappings}
        server.update(fields)
        return self.client.post("/servers", {"server": server})

    async def test_image_to_volume_and_an_existing_volume(self):
        client = self.client
        data = await new_volume(client)
        created = await self.boot([
            {"boot_index": 0, "source_type": "image", "destination_type": "volume",
             "uuid": client.image_id, "volume_size": 1, "delete_on_termination": True},
            {"boot_index": -1, "source_type": "volume", "destination_type": "volume",
             "uuid": data},
        ])
        self.assertEqual(202, created.code, created.body)
        server = await client.wait_for(created.body["server"]["id"], "ACTIVE")
        self.assertEqual("", server["image"])
        attached = server["os-extended-volumes:volumes_attached"]
        self.assertEqual(2, len(attached))
        listed = await client.get("/servers/%s/os-volume_attachments" % server["id"])
        devices = {a["volumeId"]: a["device"] for a in listed.body["volumeAttachments"]}
        self.assertEqual("/dev/vdb", devices[data])
        (root,) = [v for v in devices if v != data]
        self.assertEqual("/dev/vda", devices[root])
        booted = await volume_status(client, root, "in-use")
        self.assertEqual(1, booted["size"])
        refused = await client.delete("/servers/%s/os-volume_attachments/%s"
                                      % (server["id"], root))
        self.assertEqual((400, "Cannot detach a root device volume"),
                         (refused.code, refused.body["badRequest"]["message"]))
        await client.delete("/servers/%s" % server["id"])
        await client.wait_for(server["id"], "DELETED")
        left = (await client.at("2.35").get("/os-volumes")).body["volumes"]
        self.assertEqual([(data, "available")], [(v["id"], v["status"]) for v in left])

    async def test_bad_mappings_in_novas_words(self):
        client = self.client
        image = {"source_type": "image", "destination_type": "volume",
                 "uuid": client.image_id, "volume_size": 1}
        cases = [
            ([dict(image)], "Block Device Mapping is Invalid: Boot sequence for the instance "
             "and image/block device mapping combination is not valid."),
            ([dict(image, boot_index=0), dict(image, boot_index=0)],
             "Block Device Mapping is Invalid: Boot sequence for the instance and "
             "image/block device mapping combination is not valid."),
            ([{key: value for key, value in image.items() if key != "volume_size"}
              | {"boot_index": 0}],
             "Images with destination_type 'volume' need to have a non-zero size specified"),
            ([{"boot_index": 0, "source_type": "volume", "destination_type": "volume",
               "uuid": "0e5a8c8d-1b2c-4d3e-8f4a-5b6c7d8e9f0a"}],
             "Block Device Mapping is Invalid: failed to get volume "
             "0e5a8c8d-1b2c-4d3e-8f4a-5b6c7d8e9f0a."),
            ([{"boot_index": 0, "source_type": "blank", "destination_type": "volume"}],
             "Blank volumes (source: 'blank', dest: 'volume') need to have non-zero size"),
        ]
        for mappings, message in cases:
            refused = await self.boot(mappings)
            self.assertEqual((400, message), (refused.code, refused.body["badRequest"]["message"]))
        self.assertEqual([], (await client.get("/servers")).body["servers"])
        self.assertEqual([], (await client.at("2.35").get("/os-volumes")).body["volumes"])

    async def test_a_volume_smaller_than_the_image_is_refused(self):
        owner = RequestContext(user_id="alice", project_id="p1")
        large = await self.client.served.compute.api.create_image_record(
            owner, "large", min_disk=2)
        refused = await self.boot([{
            "boot_index": 0, "source_type": "image", "destination_type": "volume",
            "uuid": large.id, "volume_size": 1}])
        self.assertEqual((400, "Volume is smaller than the minimum size specified in image "
                          "metadata. Volume size is 1073741824 bytes, minimum size is "
                          "2147483648 bytes."),
                         (refused.code, refused.body["badRequest"]["message"]))
        self.assertEqual([], (await self.client.get("/servers")).body["servers"])

    async def test_an_image_of_a_volume_backed_server_names_snapshots_of_its_volumes(self):
        client = self.client
        created = await self.boot([
            {"boot_index": 0, "source_type": "image", "destination_type": "volume",
             "uuid": client.image_id, "volume_size": 1, "delete_on_termination": True}])
        server = await client.wait_for(created.body["server"]["id"], "ACTIVE")
        imaged = await client.action(server["id"], {"createImage": {"name": "bfv-snap"}})
        self.assertEqual(202, imaged.code)
        image_id = imaged.header("Location").rsplit("/", 1)[-1]
        await client.wait_for(server["id"], "ACTIVE")
        image = (await client.get("/images/%s" % image_id)).body["image"]
        mappings = json.loads(image["metadata"]["block_device_mapping"])
        self.assertEqual(("True", "/dev/vda"), (image["metadata"]["bdm_v2"],
                                                image["metadata"]["root_device_name"]))
        self.assertEqual([("snapshot", 0, 1)], [(m["source_type"], m["boot_index"],
                                                 m["volume_size"]) for m in mappings])
        snapshots = (await client.at("2.35").get("/os-snapshots")).body["snapshots"]
        self.assertEqual([mappings[0]["snapshot_id"]], [s["id"] for s in snapshots])
        await volume_status_of_snapshot(client, mappings[0]["snapshot_id"])
        again = await client.post("/servers", {"server": {
            "name": "from-snap", "flavorRef": "1", "imageRef": image_id}})
        self.assertEqual(202, again.code, again.body)
        booted = await client.wait_for(again.body["server"]["id"], "ACTIVE")
        (root,) = booted["os-extended-volumes:volumes_attached"]
        made = await volume_status(client, root["id"], "in-use")
        self.assertEqual(mappings[0]["snapshot_id"], made["snapshotId"])


async def volume_status_of_snapshot(client, snapshot_id, timeout=5.0):
    """Poll the proxy until the snapshot is available."""
    proxy = client.at("2.35")
    waited = 0.0
    while True:
        reply = await proxy.get("/os-snapshots/%s" % snapshot_id)
        if reply.body["snapshot"]["status"] == "available":
            return reply.body["snapshot"]
        if waited >= timeout:
            raise AssertionError("snapshot %s never became available" % snapshot_id)
        await deferLater(reactor, 0.02, lambda: None)
        waited += 0.02


class AssistedSnapshotTests(TestCase):
    async def test_only_an_attached_volume_is_snapshotted_and_only_for_admins(self):
        client = await serve_compute(self, volume_config())
        admin = client.as_user("admin", "p1")
        server = (await client.create_active())["id"]
        volume = await new_volume(client)
        body = {"snapshot": {"volume_id": volume, "create_info": {
            "snapshot_id": "3d5a4a0e-0000-4000-8000-000000000000", "type": "qcow2",
            "new_file": "new_file"}}}
        loose = await admin.post("/os-assisted-volume-snapshots", body)
        self.assertEqual((400, "No volume Block Device Mapping with id %s." % volume),
                         (loose.code, loose.body["badRequest"]["message"]))
        attached = await client.post("/servers/%s/os-volume_attachments" % server,
                                     {"volumeAttachment": {"volumeId": volume}})
        self.assertEqual(200, attached.code)
        await volume_status(client, volume, "in-use")
        self.assertEqual(403, (await client.post("/os-assisted-volume-snapshots", body)).code)
        made = await admin.post("/os-assisted-volume-snapshots", body)
        self.assertEqual((200, {"snapshot": {"id": None, "volumeId": volume}}),
                         (made.code, made.body))
        bad = dict(body["snapshot"], create_info={"type": "raw"})
        self.assertEqual(400, (await admin.post("/os-assisted-volume-snapshots",
                                                {"snapshot": bad})).code)
        delete_info = urlencode({"delete_info": json.dumps({"volume_id": volume})})
        deleted = await admin.delete("/os-assisted-volume-snapshots/None?" + delete_info)
        self.assertEqual(204, deleted.code)
        self.assertEqual(400, (await admin.delete("/os-assisted-volume-snapshots/x")).code)
        unknown = urlencode({"delete_info": json.dumps({"volume_id": "nope"})})
        self.assertEqual(400, (await admin.delete(
            "/os-assisted-volume-snapshots/x?" + unknown)).code)
