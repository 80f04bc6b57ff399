"""
The unchanged C{openstack} CLI against a served compute API: a server's whole
life, then a multiple create, as a user of the C{clouds.yaml} the README shows;
an admin's changes to the compute service.

Each CLI call is a child process (1.5 s or more of start-up each), so one test
makes them all; the reactor serves meanwhile, and states the test only waits
for are read over HTTP.
"""

from __future__ import annotations

import json
import os
import sys

from twisted.internet import reactor
from twisted.internet.utils import getProcessOutputAndValue
from twisted.trial.unittest import TestCase

from novatx.extensions.compute.test._servers_kit import serve_compute
from novatx.extensions.compute.test.test_clients_sdk import instant_config

OPENSTACK = os.path.join(os.path.dirname(sys.executable), "openstack")

CLOUDS = """\
clouds:
  novatx:
    auth_type: none
    auth:
      endpoint: {url}/v2.1
    identity_api_version: '3'
    image_endpoint_override: {url}/image
"""


ADMIN_CLOUDS = """\
clouds:
  novatx:
    auth_type: admin_token
    auth:
      token: admin:admin
      endpoint: {url}/v2.1
    identity_api_version: '3'
    image_endpoint_override: {url}/image
"""


class CLITestCase(TestCase):
    """Runs the CLI against a served compute API as the user of C{clouds}."""

    timeout = 400
    clouds = CLOUDS

    async def _serve(self):
        client = await serve_compute(self, instant_config())
        clouds = self.mktemp() + ".yaml"
        with open(clouds, "w") as f:
            f.write(self.clouds.format(url=client.served.url))
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
        self.env["OS_CLIENT_CONFIG_FILE"] = clouds
        return client.as_user("notused", "notused")

    async def cli(self, *args: str) -> str:
        """Run C{openstack --os-cloud novatx ARGS}; its standard output (it must succeed)."""
        out, err, code = await getProcessOutputAndValue(
            OPENSTACK, ("--os-cloud", "novatx") + args, env=self.env, reactor=reactor
        )
        if code != 0:
            self.fail("openstack %s exited %d: %s" % (" ".join(args), code, err.decode()))
        return out.decode()

    async def cli_json(self, *args: str):
        return json.loads(await self.cli(*args, "-f", "json"))


class OpenStackCLITests(CLITestCase):
    """A user's servers."""

    async def test_a_servers_life_and_a_multiple_create(self):
        http = await self._serve()
        created = await self.cli_json("server", "create", "--image", "cirros", "--flavor", "m1.tiny",
                                      "--wait", "vm1")
        self.assertEqual(created["status"], "ACTIVE")
        sid = created["id"]
        shown = await self.cli_json("server", "show", "vm1")
        self.assertEqual(shown["id"], sid)
        self.assertEqual(shown["addresses"]["private"][0][:7], "10.0.0.")

        await self.cli("server", "stop", "vm1")
        await http.wait_for(sid, "SHUTOFF")
        await self.cli("server", "start", "vm1")
        await http.wait_for(sid, "ACTIVE")
        await self.cli("server", "reboot", "--wait", "vm1")
        await self.cli("server", "resize", "--flavor", "m1.small", "--wait", "vm1")
        await http.wait_for(sid, "VERIFY_RESIZE")
        await self.cli("server", "resize", "confirm", "vm1")
        resized = await http.wait_for(sid, "ACTIVE")
        self.assertEqual(resized["flavor"]["id"], "2")
        await self.cli("server", "rebuild", "--image", "cirros", "--wait", "vm1")
        image = await self.cli_json("server", "image", "create", "--name", "snap", "--wait", "vm1")
        self.assertEqual(image["name"], "snap")
        await http.wait_for(sid, "ACTIVE")
        await self.cli("server", "lock", "vm1")
        self.assertIs((await http.at("2.9").get("/servers/" + sid)).body["server"]["locked"], True)
        self.assertEqual((await http.action(sid, {"unlock": None})).code, 202)
        await self.cli("server", "delete", "--wait", "vm1")
        self.assertEqual((await http.get("/servers/" + sid)).code, 404)

        await self.cli("server", "create", "--image", "cirros", "--flavor", "m1.tiny",
                       "--min", "2", "--max", "3", "--wait", "many")
        listed = await self.cli_json("server", "list")
        self.assertEqual(sorted(s["Name"] for s in listed), ["many-1", "many-2", "many-3"])
        self.assertEqual({s["Status"] for s in listed}, {"ACTIVE"})


class ServiceCLITests(CLITestCase):
    """An admin disables, forces down and enables the compute service."""

    clouds = ADMIN_CLOUDS

    async def test_disable_and_enable_a_compute_service(self):
        await self._serve()
        (service,) = await self.cli_json("compute", "service", "list", "--service", "nova-compute")
        host = service["Host"]
        await self.cli("compute", "service", "set", "--disable", "--disable-reason", "maintenance",
                       host, "nova-compute")
        (disabled,) = await self.cli_json("compute", "service", "list", "--service", "nova-compute", "--long")
        self.assertEqual((disabled["Status"], disabled["Disabled Reason"]), ("disabled", "maintenance"))
        await self.cli("--os-compute-api-version", "2.11", "compute", "service", "set", "--down",
                       host, "nova-compute")
        await self.cli("compute", "service", "set", "--enable", "--up", host, "nova-compute")
        (enabled,) = await self.cli_json("--os-compute-api-version", "2.11", "compute", "service", "list",
                                         "--service", "nova-compute", "--long")
        self.assertEqual((enabled["Status"], enabled["State"], enabled["Forced Down"]), ("enabled", "up", False))
