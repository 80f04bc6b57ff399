"""
The behaviours filter over real HTTP: errors in each API's own format (nova's
fault JSON, EC2's XML error through boto3, metadata's plain text), counted
firings, latency on the injected clock, projects kept apart, firings logged
with the request id, and no filter at all when behaviours are off.
"""

from __future__ import annotations

import json
import time
from typing import Any

from botocore.exceptions import ClientError
from twisted.internet import reactor, task
from twisted.internet.task import deferLater
from twisted.logger import globalLogPublisher
from twisted.trial.unittest import TestCase
from twisted.web.resource import Resource

from novatx.compute.behaviours import BehaviourSpec
from novatx.compute.context import RequestContext
from novatx.compute.interfaces import CreateRequest
from novatx.compute.test.support import ADMIN
from novatx.config import make_config
from novatx.extensions.ec2.test.served import client_for, fast_config
from novatx.resources.filters import behaviours as behaviours_filter
from novatx.resources.runtime import GLOBAL_CONF_KEY, Runtime
from novatx.test.helpers import noauth_headers, serve_api


def _enabled(conf: Any = None) -> Any:
    conf = conf if conf is not None else make_config([])
    conf.set_override("enabled", True, "behaviours")
    return conf


async def _get(served: Any, path: str, user: str = "alice", project: str = "p1") -> Any:
    response = await served.client.get(served.url + path, headers=noauth_headers(user, project))
    return response, await response.content()


class ComputeEffectsTests(TestCase):
    async def test_three_503s_then_normal_answers_and_each_firing_is_logged(self):
        served = await serve_api(self, "osapi_compute", _enabled())
        await served.compute.api.behaviours.create(ADMIN, BehaviourSpec(
            project_id="p1", effect="http_error",
            params={"status": 503, "message": "Injected outage."}, count="n", times=3,
            method="GET", path="/v2.1/servers/detail"))
        events: list[dict] = []
        globalLogPublisher.addObserver(events.append)
        self.addCleanup(globalLogPublisher.removeObserver, events.append)
        answers = [await _get(served, "/v2.1/servers/detail") for _ in range(4)]
        self.assertEqual([503, 503, 503, 200], [r.code for r, _ in answers])
        self.assertEqual({"serviceUnavailable": {"code": 503, "message": "Injected outage."}},
                         json.loads(answers[0][1]))
        self.assertEqual([], json.loads(answers[3][1])["servers"])
        ids = [r.headers.getRawHeaders(b"x-openstack-request-id")[0].decode() for r, _ in
               answers[:3]]
        logged = [e.get("request_id") for e in events if "behaviour" in e.get("log_format", "")]
        self.assertEqual(ids, logged)
        [listed] = await served.compute.api.behaviours.list("p1")
        self.assertEqual((3, 0), (listed.fired, listed.remaining))

    async def test_a_behaviour_of_project_a_never_touches_project_b(self):
        served = await serve_api(self, "osapi_compute", _enabled())
        await served.compute.api.behaviours.create(ADMIN, BehaviourSpec(
            project_id="A", effect="http_error", params={"status": 500}, count="forever"))
        other, _ = await _get(served, "/v2.1/flavors", project="B")
        self.assertEqual(200, other.code)
        mine, _ = await _get(served, "/v2.1/flavors", project="A")
        self.assertEqual(500, mine.code)

    async def test_latency_waits_on_the_injected_clock(self):
        clock = task.Clock()
        clock.advance(time.time())
        served = await serve_api(self, "osapi_compute", _enabled(), clock=clock)
        behaviours = served.compute.api.behaviours
        await behaviours.create(ADMIN, BehaviourSpec(
            project_id="p1", effect="latency", params={"seconds": 30}, path="/v2.1/flavors"))
        answered = served.client.get(served.url + "/v2.1/flavors",
                                     headers=noauth_headers("alice", "p1"))

        def held(seconds: float) -> list:
            return [call for call in clock.getDelayedCalls()
                    if call.getTime() - clock.seconds() == seconds]
        got: list = []
        answered.addCallback(lambda response: got.append(response) or response)
        while not held(30):
            await deferLater(reactor, 0.01, lambda: None)
        clock.advance(29)
        self.assertEqual(1, len(held(1)))
        self.assertEqual([], got)
        clock.advance(1)
        response = await answered
        self.assertEqual(200, response.code)
        self.assertIn("flavors", json.loads(await response.content()))


class EC2EffectsTests(TestCase):
    timeout = 120

    async def test_run_instances_answers_insufficient_capacity_once(self):
        served = await serve_api(self, "ec2", _enabled(fast_config()))
        ec2 = await client_for(served, "alice", "p1")
        ami = (await ec2.call("describe_images"))["Images"][0]["ImageId"]
        await served.compute.api.behaviours.create(ADMIN, BehaviourSpec(
            project_id="p1", effect="http_error", api="ec2", ec2_action="RunInstances",
            params={"status": 500, "code": "InsufficientInstanceCapacity",
                    "message": "We currently do not have sufficient capacity."}))
        described = await ec2.call("describe_instances")
        self.assertEqual([], described["Reservations"])
        try:
            await ec2.call("run_instances", ImageId=ami, MinCount=1, MaxCount=1,
                           InstanceType="m1.tiny")
        except ClientError as e:
            error = e.response["Error"]
            self.assertEqual(("InsufficientInstanceCapacity",
                              "We currently do not have sufficient capacity."),
                             (error["Code"], error["Message"]))
            self.assertEqual(500, e.response["ResponseMetadata"]["HTTPStatusCode"])
        else:
            self.fail("RunInstances was not refused")
        ran = await ec2.call("run_instances", ImageId=ami, MinCount=1, MaxCount=1,
                             InstanceType="m1.tiny")
        self.assertEqual(1, len(ran["Instances"]))


class MetadataEffectsTests(TestCase):
    async def test_metadata_answers_plain_text_errors_then_normally(self):
        conf = _enabled()
        conf.set_override("use_forwarded_for", True, "api")
        served = await serve_api(self, "metadata", conf)
        alice = RequestContext(user_id="alice", project_id="p1")
        images = await served.compute.api.list_images(alice, filters={"name": "cirros"})
        [made] = await served.compute.api.create_servers(alice, CreateRequest(
            name="vm", flavor_id="1", image_id=images.items[0].id))
        instance = await served.compute.api.get_server(alice, made.uuid)
        while instance.fixed_ip is None:
            await deferLater(reactor, 0.02, lambda: None)
            instance = await served.compute.api.get_server(alice, made.uuid)
        await served.compute.api.behaviours.create(ADMIN, BehaviourSpec(
            project_id="p1", effect="http_error", api="metadata", count="n", times=2,
            path="/latest/meta-data/*", params={"status": 503, "message": "Come back later."}))
        headers = {"X-Forwarded-For": instance.fixed_ip}
        url = served.url + "/latest/meta-data/instance-id"
        answers = []
        for _ in range(3):
            response = await served.client.get(url, headers=headers)
            answers.append((response.code, (await response.text()).strip()))
        self.assertEqual((503, "Come back later."), answers[0])
        self.assertEqual(answers[0], answers[1])
        self.assertEqual(200, answers[2][0])
        self.assertTrue(answers[2][1].startswith("i-"), answers[2])


class DisabledTests(TestCase):
    def test_without_the_option_the_filter_is_not_in_the_pipeline(self):
        conf = make_config([])
        runtime = Runtime("osapi_compute", conf, compute=None, reactor=reactor)
        key = runtime.register()
        app = Resource()
        self.assertIs(app, behaviours_filter.filter_factory({GLOBAL_CONF_KEY: key})(app))
