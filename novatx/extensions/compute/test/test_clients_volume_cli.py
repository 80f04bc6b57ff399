"""
The unchanged C{openstack} CLI's volume commands against a served compute
port, with the README's C{clouds.yaml} (C{block_storage_endpoint_override}):
a volume made, listed, attached to a server and detached, and snapshotted;
a server booted from a volume made of an image.
"""

from __future__ import annotations

from novatx.extensions.compute.test.test_clients_openstack_cli import CLITestCase
from novatx.extensions.compute.test.test_volume_attachments import volume_status

VOLUME_CLOUDS = """\
clouds:
  novatx:
    auth_type: none
    auth:
      endpoint: {url}/v2.1
    identity_api_version: '3'
    image_endpoint_override: {url}/image
    block_storage_endpoint_override: {url}/volume/v3
"""


class VolumeCLITests(CLITestCase):
    """A user's volumes, through the CLI's volume and server commands."""

    clouds = VOLUME_CLOUDS

    async def test_create_list_attach_detach_and_snapshot(self):
        http = await self._serve()
        created = await self.cli_json("volume", "create", "--size", "1", "v1")
        self.assertEqual((1, "v1"), (created["size"], created["name"]))
        volume = created["id"]
        await volume_status(http, volume, "available")
        listed = await self.cli_json("volume", "list")
        self.assertEqual([(volume, "v1", "available", 1)],
                         [(v["ID"], v["Name"], v["Status"], v["Size"]) for v in listed])
        server = await self.cli_json("server", "create", "--image", "cirros", "--flavor",
                                     "m1.tiny", "--wait", "vm1")
        attached = await self.cli_json("server", "add", "volume", "vm1", "v1")
        self.assertEqual((volume, server["id"], "/dev/vdb"),
                         (attached["Volume ID"], attached["Server ID"], attached["Device"]))
        await volume_status(http, volume, "in-use")
        (in_use,) = await self.cli_json("volume", "list")
        self.assertEqual([(server["id"], "/dev/vdb")],
                         [(a["server_id"], a["device"]) for a in in_use["Attached to"]])
        await self.cli("server", "remove", "volume", "vm1", "v1")
        await volume_status(http, volume, "available")
        snapshot = await self.cli_json("volume", "snapshot", "create", "--volume", "v1", "s1")
        self.assertEqual(("s1", volume), (snapshot["name"], snapshot["volume_id"]))
        snapshots = await self.cli_json("volume", "snapshot", "list")
        self.assertEqual([snapshot["id"]], [s["ID"] for s in snapshots])

    async def test_boot_from_a_volume_made_of_an_image(self):
        http = await self._serve()
        server = await self.cli_json("server", "create", "--image", "cirros", "--flavor",
                                     "m1.tiny", "--boot-from-volume", "1", "--wait", "bfv")
        self.assertEqual("ACTIVE", server["status"])
        (root,) = await self.cli_json("volume", "list")
        self.assertEqual(1, root["Size"])
        attachments = await http.get("/servers/%s/os-volume_attachments" % server["id"])
        self.assertEqual([(root["ID"], "/dev/vda")],
                         [(a["volumeId"], a["device"])
                          for a in attachments.body["volumeAttachments"]])
