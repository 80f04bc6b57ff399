"""
The effects in the internal API and the dropped connection, through the real
clients, on the controlled clock (so nothing is left to timing): a server
held in BUILD is released when its hold is removed; a transition_time makes
a boot longer; action_error fails the next action with the error named, in
openstacksdk's and boto3's terms; a drop closes the connection once.
"""

from __future__ import annotations

from typing import Any, Callable

import openstack
from botocore.exceptions import ClientError
from keystoneauth1.exceptions.connection import ConnectFailure
from openstack import exceptions as sdk_exceptions
from twisted.internet.threads import deferToThread
from twisted.trial.unittest import TestCase

from novatx.compute.behaviours import BehaviourSpec
from novatx.compute.test.support import ADMIN
from novatx.extensions.compute.test._servers_kit import fast_config as compute_config
from novatx.extensions.ec2.test.served import client_for, fast_config as ec2_config
from novatx.test.helpers import serve_api
from novatx.testing import Behaviours

BOOT = 10.0


def controlled(conf: Any) -> Any:
    conf.set_override("enabled", True, "behaviours")
    conf.set_override("clock", "controlled", "behaviours")
    conf.set_override("boot_seconds", BOOT, "simulated")
    conf.set_override("action_seconds", 2.0, "simulated")
    return conf


class SDKEffectsTests(TestCase):
    timeout = 120

    async def run_with_sdk(self, test: Callable[[Any, Behaviours], Any]) -> Any:
        served = await serve_api(self, "osapi_compute", controlled(compute_config()))
        endpoint = served.url + "/v2.1"

        def run() -> Any:
            conn = openstack.connect(auth_type="admin_token",
                                     auth={"token": "alice:p1", "endpoint": endpoint})
            try:
                with Behaviours(endpoint, "admin:admin") as behaviours:
                    return test(conn.compute, behaviours)
            finally:
                conn.close()
        return await deferToThread(run)

    @staticmethod
    def create(compute: Any, name: str) -> Any:
        image = next(iter(compute.images()))
        return compute.create_server(name=name, image_id=image.id, flavor_id="1",
                                     networks="auto")

    async def test_a_server_held_in_build_is_released(self):
        def test(compute: Any, behaviours: Behaviours) -> tuple:
            hold = behaviours.add("hold", project_id="p1", server_name="db-*",
                                  params={"state": "BUILD"})
            db, web = self.create(compute, "db-1"), self.create(compute, "web-1")
            behaviours.advance(BOOT * 10)
            held = compute.get_server(db.id).status, compute.get_server(web.id).status
            [listed] = behaviours.list("p1")
            behaviours.remove(hold["id"])
            return held, listed["fired"], compute.get_server(db.id).status
        self.assertEqual((("BUILD", "ACTIVE"), 1, "ACTIVE"), await self.run_with_sdk(test))

    async def test_a_transition_time_makes_the_next_boot_longer(self):
        def test(compute: Any, behaviours: Behaviours) -> list:
            behaviours.add("transition_time", project_id="p1",
                           params={"seconds": 100, "action": "spawn"})
            slow = self.create(compute, "slow")
            behaviours.advance(BOOT)
            statuses = [compute.get_server(slow.id).status]
            fast = self.create(compute, "fast")
            behaviours.advance(BOOT)
            statuses += [compute.get_server(fast.id).status, compute.get_server(slow.id).status]
            behaviours.advance(100 - 2 * BOOT)
            return statuses + [compute.get_server(slow.id).status]
        self.assertEqual(["BUILD", "ACTIVE", "BUILD", "ACTIVE"], await self.run_with_sdk(test))

    async def test_action_errors_fail_the_next_action_with_the_error_named(self):
        def test(compute: Any, behaviours: Behaviours) -> list:
            server = self.create(compute, "vm")
            behaviours.advance(BOOT)
            failures = []
            for error, expected in (("conflict", sdk_exceptions.ConflictException),
                                    ("quota", sdk_exceptions.ForbiddenException),
                                    ("not_found", sdk_exceptions.NotFoundException),
                                    ("unavailable", sdk_exceptions.HttpException)):
                behaviours.add("action_error", project_id="p1",
                               params={"error": error, "action": "reboot",
                                       "message": "Injected %s." % error})
                try:
                    compute.reboot_server(server, "SOFT")
                except expected as e:
                    failures.append((error, e.status_code, "Injected %s." % error in str(e)))
                else:
                    failures.append((error, "not refused"))
            compute.stop_server(server)
            behaviours.advance(2)
            failures.append(compute.get_server(server.id).status)
            return failures
        self.assertEqual([("conflict", 409, True), ("quota", 403, True),
                          ("not_found", 404, True), ("unavailable", 503, True), "SHUTOFF"],
                         await self.run_with_sdk(test))

    async def test_a_drop_closes_the_connection_once(self):
        def test(compute: Any, behaviours: Behaviours) -> tuple:
            behaviours.add("drop", project_id="p1", method="GET", path="/v2.1/flavors/*")
            try:
                compute.get_flavor("1")
            except ConnectFailure as e:
                dropped = "reset by peer" in str(e)
            else:
                dropped = False
            return dropped, compute.get_flavor("1").name
        self.assertEqual((True, "m1.tiny"), await self.run_with_sdk(test))


class EC2ActionErrorTests(TestCase):
    timeout = 120

    async def test_reboot_instances_answers_incorrect_instance_state_once(self):
        served = await serve_api(self, "ec2", controlled(ec2_config()))
        behaviours = served.compute.api.behaviours
        ec2 = await client_for(served, "alice", "p1")
        ami = (await ec2.call("describe_images"))["Images"][0]["ImageId"]
        ran = await ec2.call("run_instances", ImageId=ami, MinCount=1, MaxCount=1,
                             InstanceType="m1.tiny")
        instance_id = ran["Instances"][0]["InstanceId"]
        await behaviours.advance_clock(BOOT)
        await behaviours.create(ADMIN, BehaviourSpec(
            project_id="p1", effect="action_error",
            params={"error": "conflict", "action": "reboot"}))
        try:
            await ec2.call("reboot_instances", InstanceIds=[instance_id])
        except ClientError as e:
            self.assertEqual("IncorrectInstanceState", e.response["Error"]["Code"])
        else:
            self.fail("RebootInstances was not refused")
        await ec2.call("reboot_instances", InstanceIds=[instance_id])
        [listed] = await behaviours.list("p1")
        self.assertEqual((1, 0), (listed.fired, listed.remaining))
