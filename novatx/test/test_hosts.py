"""
Two hosts over one PostgreSQL: real daemons, each in a network namespace of
its own, real HTTP, HAProxy in front (L{novatx.test.hosts}).

Answers are exact across hosts (a write's answer through one host, then the
very next read through the other sees it); a create accepted by a host that
then dies is finished by the other; killing a whole host under load through
HAProxy loses no create that was answered 202; HAProxy's round robin reaches
both hosts.
"""

from __future__ import annotations

import json
import os
import signal
from typing import Any

import attrs
import treq
from twisted.internet import reactor
from twisted.internet.defer import Deferred, gatherResults
from twisted.internet.task import deferLater
from twisted.trial.unittest import SkipTest, TestCase
from twisted.web.client import Agent, HTTPConnectionPool, ResponseNeverReceived

from novatx.extensions.compute.test.test_keypairs import public_key
from novatx.test.helpers import noauth_headers
from novatx.test.hosts import Host, require_hosts, start_haproxy, start_hosts

#: Every server's create.
SERVER = {"name": "spread", "flavorRef": "1"}

#: No quota stands in the way of the loads below; transitions whose worker
#: died are taken over within about a second.
OPTIONS: dict[str, Any] = {
    "quota__instances": -1,
    "quota__cores": -1,
    "quota__ram": -1,
    "simulated__boot_seconds": 0.5,
    "simulated__claim_seconds": 0.5,
    "simulated__poll_interval": 0.2,
}


@attrs.frozen
class Answer:
    """An answer: its JSON body (other bodies as bytes, e.g. HAProxy's own)."""

    code: int
    body: Any
    host: str | None


class Client:
    """A treq client on a connection pool of its own, closed at cleanup."""

    def __init__(self, test: TestCase, persistent: bool = True) -> None:
        pool = HTTPConnectionPool(reactor, persistent=persistent)
        test.addCleanup(pool.closeCachedConnections)
        self._http = treq.client.HTTPClient(Agent(reactor, pool=pool))

    async def call(self, method: str, url: str, body: Any = None, user: str = "alice",
                   version: str | None = None) -> Answer:
        data = None if body is None else json.dumps(body).encode()
        headers: dict[bytes | str, bytes | str] = {
            name: value for name, value in noauth_headers(user, version=version).items()}
        response = await self._http.request(method, url, data=data, headers=headers)
        content = await response.content()
        host = response.headers.getRawHeaders("X-Novatx-Host", [None])[0]
        kind = response.headers.getRawHeaders("Content-Type", [""])[0]
        return Answer(response.code, json.loads(content) if "json" in kind else content, host)


class HostsTests(TestCase):
    timeout = 300

    def setUp(self) -> None:
        require_hosts()
        self.client = Client(self)

    async def image(self, host: Host) -> str:
        answer = await self.client.call("GET", host.url("/v2.1/images"))
        return str(answer.body["images"][0]["id"])

    async def wait_active(self, host: Host, uuids: list[str], timeout: float = 120.0) -> None:
        """Read C{uuids} through C{host} until all are ACTIVE; fail naming the others."""
        left = set(uuids)
        for _ in range(int(timeout / 0.2)):
            for uuid in sorted(left):
                answer = await self.client.call("GET", host.url("/v2.1/servers/" + uuid))
                self.assertEqual(200, answer.code, (uuid, answer.body))
                if answer.body["server"]["status"] == "ACTIVE":
                    left.discard(uuid)
                else:
                    self.assertEqual("BUILD", answer.body["server"]["status"], answer.body)
            if not left:
                return
            await deferLater(reactor, 0.2)
        self.fail("not ACTIVE within %ss: %s" % (timeout, sorted(left)))

    async def test_a_write_through_one_host_is_read_by_the_next_call_through_the_other(
            self) -> None:
        a, b = await start_hosts(self, 2, **OPTIONS)
        image = await self.image(a)
        stale: list[tuple[str, Any]] = []
        pairs = 0

        def check(what: str, seen: bool, answer: Answer) -> None:
            nonlocal pairs
            pairs += 1
            if not seen:
                stale.append((what, answer.body))

        for i in range(30):
            writer, reader = (a, b) if i % 2 == 0 else (b, a)
            name = "key-%d" % i
            made = await self.client.call("POST", writer.url("/v2.1/os-keypairs"), {
                "keypair": {"name": name, "public_key": public_key()}})
            self.assertEqual(200, made.code, made.body)
            one = await self.client.call("GET", reader.url("/v2.1/os-keypairs/" + name))
            check("keypair %s" % name, one.code == 200, one)
            listed = await self.client.call("GET", reader.url("/v2.1/os-keypairs"))
            check("keypair %s listed" % name,
                  name in [k["keypair"]["name"] for k in listed.body["keypairs"]], listed)
            if i % 3 == 0:
                gone = await self.client.call("DELETE", writer.url("/v2.1/os-keypairs/" + name))
                self.assertEqual(202, gone.code, gone.body)
                after = await self.client.call("GET", reader.url("/v2.1/os-keypairs/" + name))
                check("keypair %s deleted" % name, after.code == 404, after)

        uuids = []
        for i in range(6):
            writer, reader = (a, b) if i % 2 == 0 else (b, a)
            made = await self.client.call("POST", writer.url("/v2.1/servers"), {
                "server": dict(SERVER, imageRef=image)})
            self.assertEqual(202, made.code, made.body)
            uuid = made.body["server"]["id"]
            uuids.append(uuid)
            one = await self.client.call("GET", reader.url("/v2.1/servers/" + uuid))
            check("server %s" % uuid, one.code == 200, one)
            listed = await self.client.call("GET", reader.url("/v2.1/servers/detail"))
            check("server %s listed" % uuid,
                  uuid in [s["id"] for s in listed.body["servers"]], listed)

        server = uuids[0]
        for i in range(30):
            writer, reader = (a, b) if i % 2 == 0 else (b, a)
            key, value = "k%d" % (i % 4), "v%d" % i
            made = await self.client.call(
                "PUT", writer.url("/v2.1/servers/%s/metadata/%s" % (server, key)),
                {"meta": {key: value}})
            self.assertEqual(200, made.code, made.body)
            read = await self.client.call("GET", reader.url("/v2.1/servers/%s/metadata" % server))
            check("metadata %s=%s" % (key, value), read.body["metadata"].get(key) == value, read)
            tag = "t%d" % i
            tagged = await self.client.call(
                "PUT", writer.url("/v2.1/servers/%s/tags/%s" % (server, tag)), version="2.26")
            self.assertEqual(201, tagged.code, tagged.body)
            tags = await self.client.call(
                "GET", reader.url("/v2.1/servers/%s/tags" % server), version="2.26")
            check("tag %s" % tag, tag in tags.body["tags"], tags)

        self.assertEqual(([], 30 * 2 + 10 + 6 * 2 + 30 * 2), (stale, pairs))
        await self.wait_active(b, uuids)

    async def test_concurrent_writes_through_one_host_are_read_through_the_other(
            self) -> None:
        a, b = await start_hosts(self, 2, **OPTIONS)
        made = await self.client.call("POST", a.url("/v2.1/servers"), {
            "server": dict(SERVER, imageRef=await self.image(a))})
        self.assertEqual(202, made.code, made.body)
        server = made.body["server"]["id"]
        stale: list[tuple[str, int, Any]] = []
        loops, pairs = 4, 25

        async def loop(key: str) -> None:
            for i in range(pairs):
                writer, reader = (a, b) if i % 2 == 0 else (b, a)
                written = await self.client.call(
                    "PUT", writer.url("/v2.1/servers/%s/metadata/%s" % (server, key)),
                    {"meta": {key: str(i)}})
                self.assertEqual(200, written.code, written.body)
                if i % 4 < 2:
                    read = await self.client.call("GET", reader.url("/v2.1/servers/" + server))
                    shown = read.body["server"]["metadata"]
                else:
                    read = await self.client.call("GET", reader.url("/v2.1/servers/detail"))
                    (shown,) = [s["metadata"] for s in read.body["servers"] if s["id"] == server]
                if shown.get(key) != str(i):
                    stale.append((key, i, shown))

        await gatherResults([Deferred.fromCoroutine(loop("k%d" % j)) for j in range(loops)],
                            consumeErrors=True)
        self.assertEqual([], stale)
        read = await self.client.call("GET", b.url("/v2.1/servers/%s/metadata" % server))
        self.assertEqual({"k%d" % j: str(pairs - 1) for j in range(loops)}, read.body["metadata"])

    async def test_a_create_accepted_by_a_host_killed_right_after_is_finished_by_the_other(
            self) -> None:
        a, b = await start_hosts(self, 2, **OPTIONS)
        made = await self.client.call("POST", a.url("/v2.1/servers"), {
            "server": dict(SERVER, imageRef=await self.image(a))})
        self.assertEqual(202, made.code, made.body)
        await a.kill()
        uuid = made.body["server"]["id"]
        seen = await self.client.call("GET", b.url("/v2.1/servers/" + uuid))
        self.assertEqual((200, "BUILD"), (seen.code, seen.body["server"]["status"]), seen.body)
        await self.wait_active(b, [uuid])
        self.assertEqual(signal.SIGKILL, a.daemon.status.signal)

    async def test_killing_a_whole_host_under_load_loses_no_accepted_create(self) -> None:
        a, b = await start_hosts(self, 2, workers=2, **OPTIONS)
        self.assertEqual(3, len(a.pids()), a.pids())
        proxy = await start_haproxy(self, [a, b])
        image = await self.image(b)
        accepted: list[tuple[str, str | None]] = []
        refused: list[int] = []
        killed: list[int] = []
        creates, before_kill = 60, 12

        fresh = Client(self, persistent=False)

        async def creator() -> None:
            while len(accepted) + len(refused) < creates:
                try:
                    made = await fresh.call("POST", proxy.url("/v2.1/servers"), {
                        "server": dict(SERVER, imageRef=image)})
                except ResponseNeverReceived:
                    refused.append(0)
                    continue
                if made.code == 202:
                    accepted.append((made.body["server"]["id"], made.host))
                else:
                    refused.append(made.code)
                if len(accepted) >= before_kill and not killed:
                    killed.append(len(accepted))
                    await a.kill()

        await gatherResults([Deferred.fromCoroutine(creator()) for _ in range(4)],
                            consumeErrors=True)
        answered_by = {host for _, host in accepted}
        self.assertEqual({"host-a", "host-b"}, answered_by, accepted)
        self.assertEqual(1, len(killed))
        self.assertEqual(signal.SIGKILL, a.daemon.status.signal)
        uuids = [uuid for uuid, _ in accepted]
        listed = await self.client.call("GET", b.url("/v2.1/servers"))
        self.assertEqual(set(uuids), {s["id"] for s in listed.body["servers"]} & set(uuids))
        await self.wait_active(b, uuids)

    async def test_round_robin_reaches_both_hosts(self) -> None:
        hosts = await start_hosts(self, 2)
        proxy = await start_haproxy(self, hosts)
        fresh = Client(self, persistent=False)
        answers = [await fresh.call("GET", proxy.url("/v2.1/flavors/detail")) for _ in range(10)]
        self.assertEqual([200] * 10, [answer.code for answer in answers])
        served = [answer.host for answer in answers]
        self.assertEqual((5, 5), (served.count("host-a"), served.count("host-b")), served)
        self.assertEqual(1, len({json.dumps(answer.body, sort_keys=True) for answer in answers}))


class RequireHostsTests(TestCase):
    """Missing root, C{ip} or HAProxy fails, unless the switch says to skip."""

    def test_the_switch_skips_saying_why(self) -> None:
        self.patch(os, "environ", dict(os.environ, NOVATX_TEST_SKIP_HOSTS="1"))
        with self.assertRaises(SkipTest) as caught:
            require_hosts()
        self.assertIn("NOVATX_TEST_SKIP_HOSTS=1", str(caught.exception))

    def test_without_root_it_fails_naming_what_is_missing(self) -> None:
        self.patch(os, "environ", {k: v for k, v in os.environ.items()
                                   if k != "NOVATX_TEST_SKIP_HOSTS"})
        self.patch(os, "geteuid", lambda: 1000)
        with self.assertRaises(AssertionError) as caught:
            require_hosts()
        self.assertIn("need root (network namespaces)", str(caught.exception))
        self.assertIn("NOVATX_TEST_SKIP_HOSTS=1 skips them", str(caught.exception))
