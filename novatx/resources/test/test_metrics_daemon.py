"""
C{/metrics} of a real C{twistd nova} with two workers: the counts of both
add up, replaced workers' counts stay after a reload, a reload can turn
metrics on, and the daemon's directory of counts goes when it stops.
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

    async def start(self, enabled: bool = True) -> None:
        self.directory = os.path.abspath(self.mktemp())
        os.makedirs(self.directory)
        self.state = os.path.join(self.directory, "state")
        self.configure(enabled)
        self.daemon = DaemonProcess(self, self.directory, ["--config-file", self.conf])
        await self.daemon.serving(("osapi_compute",))
        self.http = HTTP(self)
        self.headers = Headers({k: [v] for k, v in noauth_headers("alice", "p1").items()})

    def configure(self, enabled: bool) -> None:
        self.conf = config_file(self.directory, None, enabled_apis="osapi_compute",
                                osapi_compute_workers=2, metrics__enabled=enabled)

    async def reload(self, times: int) -> None:
        """SIGHUP, and wait until new workers serve and the old ones have exited."""
        self.daemon.signal("HUP")
        await self.daemon.wait_for(r"osapi_compute: reloaded, 2 workers serving", count=times)
        await self.daemon.wait_for(r"osapi_compute: worker \d+ stopped", count=2 * times)

    async def spread(self, until: int = 2) -> int:
        """
        Read flavors in concurrent rounds until C{until} workers have served
        some since the start; returns how many were sent.
        """
        sent = 0
        logged = sum(self.served_by().values())
        while len(self.served_by()) < until and sent < 50 * ROUND:
            answers = await gatherResults(
                [Deferred.fromCoroutine(self.get("/v2.1/flavors/%d" % (1 + n % 3), self.headers))
                 for n in range(ROUND)])
            self.assertEqual([200] * ROUND, [code for code, _ in answers])
            sent += ROUND
            await self.daemon.wait_for(ACCESS.pattern, count=logged + sent)
        self.assertEqual(until, len(self.served_by()), self.served_by())
        return sent

    async def flavor_reads(self) -> tuple[float, float]:
        """The counted flavor reads and their latency observations."""
        code, body = await self.get("/metrics")
        self.assertEqual(200, code, body)
        found = samples(body.decode("utf-8"))
        labels = dict(api="osapi_compute", route="/v2.1/flavors/<flavor_id>", method="GET")
        return (value(found, "novatx_http_requests_total", status="200", **labels),
                value(found, "novatx_http_request_duration_seconds_count", **labels))

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
        await self.start()
        code, body = await self.get("/metrics")
        self.assertEqual(200, code, body)
        before = samples(body.decode("utf-8"))
        sent = await self.spread()
        workers = self.served_by()
        self.assertEqual(sent, sum(workers.values()))
        self.assertEqual(set(workers), set(self.daemon.worker_pids("osapi_compute")))
        labels = dict(api="osapi_compute", route="/v2.1/flavors/<flavor_id>", method="GET")
        self.assertEqual(0, value(before, "novatx_http_requests_total", status="200", **labels))
        totals = {await self.flavor_reads() for _ in range(4)}
        self.assertEqual({(sent, sent)}, totals)

        [directory] = [name for name in os.listdir(self.state) if name.startswith("metrics-")]
        self.assertEqual(2, len([name for name in os.listdir(os.path.join(self.state, directory))
                                 if name.startswith("counter_")]))
        self.daemon.signal("TERM")
        await self.daemon.ended()
        self.assertEqual([], [name for name in os.listdir(self.state)
                              if name.startswith("metrics-")])

    async def test_replaced_workers_counts_stay(self) -> None:
        await self.start()
        sent = await self.spread()
        await self.reload(1)
        before = self.served_by()
        sent += await self.spread(until=4)
        after = self.served_by()
        self.assertEqual(set(self.daemon.worker_pids("osapi_compute")[2:]),
                         set(after) - set(before))
        self.assertEqual(before, {pid: after[pid] for pid in before})
        self.assertEqual((sent, sent), await self.flavor_reads())

    async def test_turned_on_at_a_reload(self) -> None:
        await self.start(enabled=False)
        code, body = await self.get("/metrics")
        self.assertEqual(404, code, body)
        self.assertEqual([], [name for name in os.listdir(self.state)
                              if name.startswith("metrics-")])
        self.configure(True)
        await self.reload(1)
        sent = await self.spread()
        self.assertEqual(set(self.daemon.worker_pids("osapi_compute")[2:]), set(self.served_by()))
        self.assertEqual((sent, sent), await self.flavor_reads())
