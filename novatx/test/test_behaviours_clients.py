"""
Behaviours through the real clients and the users' helper: the next create
of a project ends in ERROR with the fault a test asked for, seen by
openstacksdk and by boto3's DescribeInstances; L{novatx.testing.Behaviours}
makes, lists and (on leaving its block) clears behaviours, and reports a
refusal with the control API's message.
"""

from __future__ import annotations

from typing import Any

import openstack
from twisted.internet.threads import deferToThread
from twisted.trial.unittest import TestCase

from novatx.compute.behaviours import BehaviourSpec
from novatx.compute.test.support import ADMIN
from novatx.extensions.compute.test._servers_kit import fast_config as compute_config
from novatx.extensions.compute.test.test_clients_sdk import poll
from novatx.extensions.ec2.test.served import client_for, fast_config as ec2_config
from novatx.test.helpers import serve_api
from novatx.testing import BehaviourError, Behaviours

FAULT = "No valid host was found. There are not enough hosts available."


def _enabled(conf: Any) -> Any:
    conf.set_override("enabled", True, "behaviours")
    return conf


class CreateErrorThroughOpenStackSDKTests(TestCase):
    timeout = 120

    async def test_the_next_create_matching_the_glob_ends_in_error_with_the_fault(self):
        served = await serve_api(self, "osapi_compute", _enabled(compute_config()))
        endpoint = served.url + "/v2.1"
        outcome = await deferToThread(self._creates, endpoint)
        self.assertEqual(("ACTIVE", "ERROR", 500, FAULT, "ACTIVE", 1, []), outcome)

    def _creates(self, endpoint: str) -> tuple:
        conn = openstack.connect(auth_type="admin_token",
                                 auth={"token": "alice:p1", "endpoint": endpoint})
        try:
            compute = conn.compute
            image = next(iter(compute.images()))

            def settled(name: str) -> Any:
                server = compute.create_server(name=name, image_id=image.id, flavor_id="1",
                                               networks="auto")
                return poll(lambda: compute.get_server(server.id),
                            lambda s: s.status in ("ACTIVE", "ERROR"))

            with Behaviours(endpoint, "admin:admin") as behaviours:
                behaviours.add("create_error", project_id="p1", server_name="db-*",
                               params={"message": FAULT, "code": 500})
                web = settled("web-1")
                failed = settled("db-1")
                again = settled("db-2")
                [listed] = behaviours.list("p1")
            left = Behaviours(endpoint, "admin:admin").list()
            return (web.status, failed.status, failed.fault["code"], failed.fault["message"],
                    again.status, listed["fired"], left)
        finally:
            conn.close()


class CreateErrorThroughEC2Tests(TestCase):
    timeout = 120

    async def test_describe_instances_shows_the_failed_launch_and_its_reason(self):
        served = await serve_api(self, "ec2", _enabled(ec2_config()))
        ec2 = await client_for(served, "alice", "p1")
        ami = (await ec2.call("describe_images"))["Images"][0]["ImageId"]
        await served.compute.api.behaviours.create(ADMIN, BehaviourSpec(
            project_id="p1", effect="create_error", params={"message": FAULT}))
        ran = await ec2.call("run_instances", ImageId=ami, MinCount=1, MaxCount=1,
                             InstanceType="m1.tiny")
        instance_id = ran["Instances"][0]["InstanceId"]

        def described() -> Any:
            reservations = ec2.boto.describe_instances(InstanceIds=[instance_id])
            return reservations["Reservations"][0]["Instances"][0]
        instance = await deferToThread(poll, described,
                                       lambda i: i["State"]["Name"] != "pending")
        self.assertEqual("terminated", instance["State"]["Name"])
        self.assertIn(FAULT, instance["StateReason"]["Message"])


class HelperRefusalTests(TestCase):
    async def test_refusals_carry_the_control_api_s_message(self):
        served = await serve_api(self, "osapi_compute", _enabled(compute_config()))
        endpoint = served.url + "/v2.1"

        def refused(token: str, effect: str) -> BehaviourError:
            try:
                Behaviours(endpoint, token).add(effect, params={"status": 503})
            except BehaviourError as e:
                return e
            raise AssertionError("not refused")
        unknown = await deferToThread(refused, "admin:admin", "explode")
        self.assertEqual(400, unknown.status)
        self.assertIn("unknown effect 'explode'", unknown.message)
        member = await deferToThread(refused, "alice:p1", "http_error")
        self.assertEqual(403, member.status)
        self.assertEqual([], await served.compute.api.behaviours.list())
