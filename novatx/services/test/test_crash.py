"""
A worker killed with SIGKILL while clients create servers: every create the
API accepted (202) still ends ACTIVE, finished by the surviving worker once
the dead one's claim expires; the killed worker is replaced.
"""

from __future__ import annotations

import json
import os
import signal
from io import BytesIO

from twisted.internet import reactor
from twisted.internet.defer import Deferred, gatherResults, inlineCallbacks
from twisted.internet.task import deferLater
from twisted.trial.unittest import TestCase
from twisted.web.client import FileBodyProducer, readBody
from twisted.web.http_headers import Headers

from novatx.services.test.daemon import HTTP, DaemonProcess, config_file, wait_until_gone
from novatx.test.helpers import noauth_headers

#: Clients creating at once, each in its own project (under its quota).
CLIENTS = 4
#: Creates each client sends: the load is bounded in count.
CREATES = 6
#: Accepted creates before the worker is killed.
KILL_AFTER = 6
#: Seconds between two looks at the servers' states while they settle.
POLL_SECONDS = 0.25


class WorkerCrashTests(TestCase):
    timeout = 240

    @inlineCallbacks
    def request(self, method, path, project, document=None):
        headers = Headers(
            {name: [value] for name, value in noauth_headers("admin", project).items()}
        )
        body = FileBodyProducer(BytesIO(json.dumps(document).encode())) if document else None
        response = yield self.http.agent.request(
            method, (self.base + path).encode("ascii"), headers, body
        )
        content = yield readBody(response)
        return response.code, content

    @inlineCallbacks
    def test_kill_9_of_a_worker_under_load_loses_no_accepted_create(self):
        directory = os.path.abspath(self.mktemp())
        os.makedirs(directory)
        conf = config_file(
            directory,
            None,
            enabled_apis="osapi_compute",
            osapi_compute_workers=2,
            simulated__boot_seconds=1,
            simulated__claim_seconds=0.5,
            simulated__poll_interval=0.2,
        )
        daemon = DaemonProcess(self, directory, ["--config-file", conf])
        yield daemon.serving(("osapi_compute",))
        self.base = "http://127.0.0.1:%d/v2.1" % daemon.ports["osapi_compute"]
        self.http = HTTP(self)
        victim = daemon.worker_pids("osapi_compute")[0]
        code, body = yield self.request(b"GET", "/images", "p0")
        self.assertEqual(code, 200, body)
        image = json.loads(body)["images"][0]["id"]
        accepted: list[str] = []
        refused: list[object] = []
        killed: Deferred[None] = Deferred()

        @inlineCallbacks
        def client(index):
            project = "p%d" % index
            for number in range(CREATES):
                if len(accepted) >= KILL_AFTER and not killed.called:
                    os.kill(victim, signal.SIGKILL)
                    killed.callback(None)
                server = {"name": "s-%d-%d" % (index, number), "flavorRef": "1",
                          "imageRef": image}
                try:
                    code, body = yield self.request(
                        b"POST", "/servers", project, {"server": server}
                    )
                except Exception as e:
                    refused.append(repr(e))
                    continue
                if code == 202:
                    accepted.append((project, json.loads(body)["server"]["id"]))
                else:
                    refused.append((code, body[:200]))

        yield gatherResults([client(index) for index in range(CLIENTS)])
        self.assertTrue(killed.called)
        yield wait_until_gone(victim)
        self.assertGreaterEqual(len(accepted), KILL_AFTER)
        pending = set(accepted)
        while pending:
            for project, uuid in sorted(pending):
                code, body = yield self.request(b"GET", "/servers/%s" % uuid, project)
                self.assertEqual(code, 200, body)
                status = json.loads(body)["server"]["status"]
                self.assertIn(status, ("BUILD", "ACTIVE"), (uuid, body))
                if status == "ACTIVE":
                    pending.discard((project, uuid))
            if pending:
                yield deferLater(reactor, POLL_SECONDS, lambda: None)
        yield daemon.wait_for(r"osapi_compute: worker %d exited unexpectedly" % victim)
        yield daemon.wait_for(r"osapi_compute: started worker", count=3)
