"""
C{/metrics} of a real C{twistd nova} with two workers: the counts of both
add up, and the daemon's directory of counts goes when it stops.
"""

from __future__ import annotations

import os
import re
from typing import Any

from twisted.internet.defer import Deferred, gatherResults
from twisted.trial.unittest import TestCase
from twisted.web.client import readBody
from twisted.web.http_headers import Headers

from novatx.resources.test.test_metrics import samples, value
from novatx.services.test.daemon import HTTP, DaemonProcess, config_file, url
from novatx.test.helpers import noauth_headers

#: An access line a worker wrote, relayed into the daemon's log.
ACCESS = re.compile(r'pid=(\d+) \S+ \S+ "GET (/v2\.1/flavors/\d+)" status: 200')

#: Requests sent concurrently in each round.
ROUND = 16


class TwoWorkersTests(TestCase):
    timeout = 120

    async def setUp(self) -> None:
        directory = os.path.abspath(self.mktemp())
        os.makedirs(directory)
        self.state = os.path.join(directory, "state")
        conf = config_file(directory, None, enabled_apis="osapi_compute",
                           osapi_compute_workers=2, metrics__enabled=True)
        self.daemon = DaemonProcess(self, directory, ["--config-file", conf])
        await self.daemon.serving(("osapi_compute",))
        self.http = HTTP(self)
        self.headers = Headers({k: [v] for k, v in noauth_headers("alice", "p1").items()})

    async def get(self, path: str, headers: Any = None) -> tuple[int, bytes]:
        response = await self.http.agent.request(
            b"GET", url(self.daemon, "osapi_compute", path), headers)
        return response.code, await readBody(response)

    def served_by(self) -> dict[int, int]:
        """How many flavor reads each worker logged, by pid."""
        counts: dict[int, int] = {}
        for line in self.daemon.output:
            match = ACCESS.search(line)
            if match:
                counts[int(match.group(1))] = counts.get(int(match.group(1)), 0) + 1
        return counts

    async def test_counts_of_both_workers_add_up(self) -> None:
        code, body = await self.get("/metrics")
        self.assertEqual(200, code, body)
        before = samples(body.decode("utf-8"))
        sent = 0
        while len(self.served_by()) < 2 and sent < 50 * ROUND:
            answers = await gatherResults(
                [Deferred.fromCoroutine(self.get("/v2.1/flavors/%d" % (1 + n % 3), self.headers))
                 for n in range(ROUND)])
            self.assertEqual([200] * ROUND, [code for code, _ in answers])
            sent += ROUND
            await self.daemon.wait_for(ACCESS.pattern, count=sent)
        workers = self.served_by()
        self.assertEqual(2, len(workers), workers)
        self.assertEqual(sent, sum(workers.values()))
        self.assertEqual(set(workers), set(self.daemon.worker_pids("osapi_compute")))

        totals = set()
        for _ in range(4):
            code, body = await self.get("/metrics")
            self.assertEqual(200, code, body)
            after = samples(body.decode("utf-8"))
            labels = dict(api="osapi_compute", route="/v2.1/flavors/<flavor_id>", method="GET")
            totals.add((
                value(after, "novatx_http_requests_total", status="200", **labels)
                - value(before, "novatx_http_requests_total", status="200", **labels),
                value(after, "novatx_http_request_duration_seconds_count", **labels)
                - value(before, "novatx_http_request_duration_seconds_count", **labels),
            ))
        self.assertEqual({(sent, sent)}, totals)
        self.assertEqual(1, value(after, "novatx_store_reachable"))

        [directory] = [name for name in os.listdir(self.state) if name.startswith("metrics-")]
        self.assertEqual(2, len([name for name in os.listdir(os.path.join(self.state, directory))
                                 if name.startswith("counter_")]))
        self.daemon.signal("TERM")
        await self.daemon.ended()
        self.assertEqual([], [name for name in os.listdir(self.state)
                              if name.startswith("metrics-")])
