"""
C{twistd -n nova} as a real child process: the APIs answer, the limits are
answered, workers are supervised, and signals reload and drain.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket

from twisted.internet import reactor
from twisted.internet.defer import Deferred, gatherResults, inlineCallbacks
from twisted.internet.endpoints import TCP4ClientEndpoint
from twisted.internet.error import ConnectionRefusedError
from twisted.internet.protocol import Factory, Protocol
from twisted.internet.threads import deferToThread
from twisted.trial.unittest import TestCase
from twisted.web.client import BrowserLikePolicyForHTTPS

from novatx.services.test.certs import self_signed
from novatx.services.test.daemon import (
    HTTP,
    PASTE_SECTIONS,
    DaemonProcess,
    config_file,
    kill_if_running,
    open_gate,
    paste_file,
    raw_exchange,
    url,
    wait_until_gone,
)


class DaemonTestCase(TestCase):
    """Starts a daemon on a fresh directory with the test apps' paste file."""

    timeout = 180

    def directory(self) -> str:
        path = os.path.abspath(self.mktemp())
        os.makedirs(path)
        return path

    def start(self, env=None, args=(), **options) -> DaemonProcess:
        directory = self.directory()
        paste = options.pop("paste", None) or paste_file(directory)
        conf = config_file(directory, paste, **options)
        self.conf_path = conf
        self.paste_path = paste
        return DaemonProcess(self, directory, ["--config-file", conf, *args], env=env)

    @inlineCallbacks
    def greeting(self, http, daemon, api, path="/"):
        code, body = yield http.get(url(daemon, api, path))
        self.assertEqual(code, 200, body)
        return json.loads(body)


class ServingTests(DaemonTestCase):
    @inlineCallbacks
    def test_every_api_answers_on_the_port_it_logged(self):
        daemon = self.start()
        yield daemon.serving()
        http = HTTP(self)
        for api, greeting in (
            ("osapi_compute", "compute"),
            ("ec2", "ec2"),
            ("metadata", "metadata"),
        ):
            document = yield self.greeting(http, daemon, api)
            self.assertEqual((document["api"], document["greeting"]), (api, greeting))
            self.assertEqual(document["pid"], daemon.pid)
        self.assertEqual(len(set(daemon.ports.values())), 3)

    @inlineCallbacks
    def test_enabled_apis_option_overrides_the_file(self):
        daemon = self.start(args=("--enabled-apis", "metadata"))
        yield daemon.serving(("metadata",))
        http = HTTP(self)
        document = yield self.greeting(http, daemon, "metadata")
        self.assertEqual(document["api"], "metadata")
        self.assertEqual(list(daemon.ports), ["metadata"])

    @inlineCallbacks
    def test_sigterm_lets_a_slow_request_finish_then_exits_0(self):
        daemon = self.start()
        yield daemon.serving()
        http = HTTP(self)
        slow = http.get(url(daemon, "osapi_compute", "/slow?seconds=2"))
        yield daemon.wait_for(r"osapi_compute: slow request received")
        daemon.signal("TERM")
        code, body = yield slow
        self.assertEqual(code, 200)
        self.assertTrue(json.loads(body)["draining"])
        status = yield daemon.ended(timeout=15)
        self.assertEqual(status.exitCode, 0, daemon.text())

    @inlineCallbacks
    def test_sigterm_refuses_new_connections_at_once_in_process_and_in_workers(self):
        """
        Draining closes every copy of the listening socket (the daemon's and
        each worker's) at once: a new connection is refused, so a load
        balancer fails over, instead of being queued where nobody accepts it.
        """
        daemon = self.start(osapi_compute_workers=2)
        yield daemon.serving()
        http = HTTP(self)
        slow = [
            http.get(url(daemon, api, "/slow?seconds=4")) for api in ("osapi_compute", "ec2")
        ]
        for api in ("osapi_compute", "ec2"):
            yield daemon.wait_for(r"%s: slow request received" % api)
        daemon.signal("TERM")
        yield daemon.wait_for(r"\] ec2: draining 1 connection")
        yield daemon.wait_for(r"osapi_compute\[\d+\] .* osapi_compute: draining 1 connection")
        yield daemon.wait_for(r"osapi_compute: worker \d+ stopped")
        for api in ("osapi_compute", "ec2"):
            endpoint = TCP4ClientEndpoint(reactor, "127.0.0.1", daemon.ports[api], timeout=5)
            yield self.assertFailure(
                endpoint.connect(Factory.forProtocol(Protocol)), ConnectionRefusedError
            )
        for answer in slow:
            code, body = yield answer
            self.assertEqual(code, 200, body)
        status = yield daemon.ended(timeout=30)
        self.assertEqual(status.exitCode, 0, daemon.text())

    @inlineCallbacks
    def test_sigterm_answers_a_request_whose_body_still_arrives_and_closes_idle_ones(self):
        """
        At SIGTERM, a request whose headers were read is answered even though
        its body arrives after the signal; a connection idle between two
        requests is closed without waiting; the daemon exits 0.
        """
        daemon = self.start(osapi_compute_workers=2, graceful_shutdown_timeout=30)
        yield daemon.serving()
        ping = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
        clients = {}
        for api in ("osapi_compute", "ec2"):
            busy, idle = RawClient(daemon.ports[api]), RawClient(daemon.ports[api])
            self.addCleanup(busy.close)
            self.addCleanup(idle.close)
            for client in (busy, idle):
                head = yield deferToThread(client.request, ping)
                self.assertTrue(head.startswith(b"HTTP/1.1 200 "), head)
            yield deferToThread(
                busy.send, b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n12345"
            )
            clients[api] = busy, idle
        daemon.signal("TERM")
        yield daemon.wait_for(r"\] ec2: draining 2 connection")
        yield daemon.wait_for(r"osapi_compute\[\d+\] .* osapi_compute: draining \d connection")
        for api, (busy, idle) in clients.items():
            rest = yield deferToThread(idle.read_all)
            self.assertEqual(rest, b"", api)
        for api, (busy, idle) in clients.items():
            yield deferToThread(busy.send, b"67890")
            answer = yield deferToThread(busy.read_all)
            self.assertTrue(answer.startswith(b"HTTP/1.1 405 "), (api, answer[:200]))
            self.assertIn(b"Connection: close", answer)
        status = yield daemon.ended(timeout=30)
        self.assertEqual(status.exitCode, 0, daemon.text())
        self.assertNotIn("graceful_shutdown_timeout reached", daemon.text())

    @inlineCallbacks
    def test_second_signals_while_draining_change_nothing(self):
        daemon = self.start(ec2_workers=2)
        yield daemon.serving()
        workers = daemon.worker_pids("ec2")
        for pid in workers:
            self.addCleanup(kill_if_running, pid)
        http = HTTP(self)
        slow = http.get(url(daemon, "osapi_compute", "/slow?seconds=2"))
        yield daemon.wait_for(r"osapi_compute: slow request received")
        for pid in workers:
            os.kill(pid, signal.SIGINT)
        daemon.signal("INT")
        yield daemon.wait_for(r"\] Received SIGINT: draining, then stopping")
        daemon.signal("TERM")
        code, _ = yield slow
        self.assertEqual(code, 200)
        status = yield daemon.ended(timeout=30)
        self.assertEqual(status.exitCode, 0, daemon.text())
        self.assertNotIn("Traceback", daemon.text())
        self.assertNotIn("Unhandled", daemon.text())
        for pid in workers:
            self.assertIn("ec2: worker %d stopped (exit status 0)" % pid, daemon.text())

    @inlineCallbacks
    def test_drain_gives_up_after_graceful_shutdown_timeout(self):
        daemon = self.start(graceful_shutdown_timeout=1)
        yield daemon.serving()
        http = HTTP(self)
        slow = http.get(url(daemon, "osapi_compute", "/slow?seconds=30"))
        yield daemon.wait_for(r"osapi_compute: slow request received")
        daemon.signal("TERM")
        yield daemon.wait_for(r"osapi_compute: graceful_shutdown_timeout reached; closing 1 ")
        status = yield daemon.ended(timeout=15)
        self.assertEqual(status.exitCode, 0)
        yield self.assertFailure(slow, Exception)

    @inlineCallbacks
    def test_tls_api_answers_over_tls_in_process_and_in_workers(self):
        directory = self.directory()
        cert, key, trust = self_signed(directory)
        daemon = self.start(
            enabled_ssl_apis="metadata,ec2",
            ec2_workers=2,
            ssl__cert_file=cert,
            ssl__key_file=key,
        )
        yield daemon.serving()
        for pid in daemon.worker_pids("ec2"):
            self.addCleanup(kill_if_running, pid)
        http = HTTP(self, BrowserLikePolicyForHTTPS(trustRoot=trust))
        for api in ("metadata", "ec2"):
            self.assertEqual(daemon.schemes[api], "https")
            document = yield self.greeting(http, daemon, api)
            self.assertEqual(document["api"], api)
            plain = yield raw_exchange(daemon.ports[api], b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", 5)
            self.assertNotIn(b"200 OK", plain)
        self.assertEqual(daemon.schemes["osapi_compute"], "http")


class PackagedPasteTests(DaemonTestCase):
    """The daemon on its defaults: the packaged paste file, the SQLite store."""

    @inlineCallbacks
    def test_every_api_answers_in_its_own_format(self):
        directory = self.directory()
        conf = config_file(directory, None, ec2_workers=2)
        daemon = DaemonProcess(self, directory, ["--config-file", conf])
        yield daemon.serving()
        for pid in daemon.worker_pids("ec2"):
            self.addCleanup(kill_if_running, pid)
        http = HTTP(self)
        code, body = yield http.get(url(daemon, "osapi_compute"))
        self.assertEqual(code, 200)
        versions = json.loads(body)["versions"]
        self.assertIn("v2.1", [v["id"] for v in versions])
        code, body = yield http.get(url(daemon, "ec2"))
        self.assertIn(b"<Response><Errors><Error><Code>", body)
        code, body = yield http.get(url(daemon, "metadata"))
        self.assertEqual(code, 200)
        self.assertIn(b"latest", body)
        self.assertTrue(os.path.exists(os.path.join(directory, "state")))

    @inlineCallbacks
    def test_bodies_over_the_limit_or_sent_as_forms_get_the_apis_answer(self):
        """
        A body over the limit is a 413, with or without a Content-Length; a
        body sent as a form reaches the API, which answers 415, as nova does
        (twisted.web would parse it first, and drop the connection on a
        broken multipart one).
        """
        directory = self.directory()
        conf = config_file(directory, None)
        daemon = DaemonProcess(
            self, directory, ["--config-file", conf, "--enabled-apis", "osapi_compute"]
        )
        yield daemon.serving(("osapi_compute",))
        port = daemon.ports["osapi_compute"]
        body = b"a" * 120000
        head = b"POST /v2.1/servers HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\n"
        sized = yield raw_exchange(port, head + b"Content-Length: %d\r\n\r\n" % len(body) + body)
        chunked = yield raw_exchange(
            port,
            head
            + b"Transfer-Encoding: chunked\r\n\r\n%x\r\n" % len(body)
            + body
            + b"\r\n0\r\n\r\n",
        )
        for answer in (sized, chunked):
            self.assertTrue(answer.startswith(b"HTTP/1.1 413 "), answer[:300])
            self.assertIn(b'"overLimit"', answer)
        for content_type, form in (
            (b"multipart/form-data", b'{"server": {"name": "x"}}'),
            (b"application/x-www-form-urlencoded", b"server=1"),
        ):
            answer = yield raw_exchange(
                port,
                b"POST /v2.1/servers HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Auth-Token: u:p\r\n"
                b"Content-Type: %s\r\n"
                b"Content-Length: %d\r\n\r\n%s" % (content_type, len(form), form),
            )
            self.assertTrue(answer.startswith(b"HTTP/1.1 415 "), answer[:300])
            self.assertIn(b'"badMediaType"', answer)
        code, _ = yield HTTP(self).get(url(daemon, "osapi_compute"))
        self.assertEqual(code, 200)


class RawClient:
    """A blocking client socket (use it from a thread) speaking raw HTTP/1.1."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)

    def send(self, data):
        self.sock.sendall(data)

    def request(self, data):
        """Send a request; return its response's head once the whole response is read."""
        self.send(data)
        received = b""
        while b"\r\n\r\n" not in received:
            received += self.sock.recv(65536)
        head, _, body = received.partition(b"\r\n\r\n")
        length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))
        while len(body) < length:
            body += self.sock.recv(65536)
        return head

    def read_all(self):
        """Everything the server sends until it closes the connection."""
        return _read_until_closed(self.sock)

    def close(self):
        self.sock.close()


def _read_until_closed(sock):
    chunks = []
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _declare_only(port, head):
    """
    Send C{head} (a request's headers declaring a body) and no body: what the
    server answers before it closes, while the client keeps its side open.
    """
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(head)
        return _read_until_closed(sock)


class BodyLimitTests(DaemonTestCase):
    """
    A C{Content-Length} over C{[oslo_middleware] max_request_body_size} is
    refused from the headers alone, on every API and in workers too: the
    client is never invited to send the body.
    """

    @inlineCallbacks
    def test_over_limit_content_length_is_refused_at_once_without_100_continue(self):
        directory = self.directory()
        conf = config_file(
            directory, None, osapi_compute_workers=2, oslo_middleware__max_request_body_size=1000
        )
        daemon = DaemonProcess(self, directory, ["--config-file", conf])
        yield daemon.serving()
        cases = [
            ("osapi_compute", b"POST /v2.1/servers", b'"overLimit"', b"application/json"),
            ("ec2", b"POST /", b"<Code>RequestEntityTooLarge</Code>", b"text/xml"),
            ("metadata", b"POST /openstack/latest/password", b"too large", b"text/plain"),
        ]
        for api, line, marker, content_type in cases:
            for length, expect in ((b"1001", True), (b"1000000000000", False)):
                head = line + b" HTTP/1.1\r\nHost: x\r\nContent-Length: %s\r\n" % length
                if expect:
                    head += b"Expect: 100-continue\r\n"
                answer = yield deferToThread(_declare_only, daemon.ports[api], head + b"\r\n")
                self.assertTrue(answer.startswith(b"HTTP/1.1 413 "), (api, answer[:300]))
                self.assertNotIn(b"100 Continue", answer)
                self.assertIn(marker, answer)
                self.assertIn(b"Content-Type: " + content_type, answer)
                self.assertIn(b"Connection: close", answer)
            code, _ = yield HTTP(self).get(url(daemon, api))
            self.assertLess(code, 500)


class LimitTests(DaemonTestCase):
    """Over-limit requests get an answer in the API's format; the next is served."""

    @inlineCallbacks
    def setUp(self):
        self.daemon = self.start(wsgi__client_socket_timeout=2)
        yield self.daemon.serving()
        self.http = HTTP(self)

    @inlineCallbacks
    def assert_still_serving(self, api):
        document = yield self.greeting(self.http, self.daemon, api)
        self.assertEqual(document["api"], api)

    @inlineCallbacks
    def test_compute_url_of_8193_bytes_gets_414_in_nova_format(self):
        port = self.daemon.ports["osapi_compute"]
        ok = yield raw_exchange(
            port, b"GET /" + b"a" * 8191 + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        self.assertTrue(ok.startswith(b"HTTP/1.1 200 "), ok[:200])
        answer = yield raw_exchange(port, b"GET /" + b"a" * 8192 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
        head, _, body = answer.partition(b"\r\n\r\n")
        self.assertTrue(head.startswith(b"HTTP/1.1 414 "), head)
        self.assertEqual(json.loads(body)["computeFault"]["code"], 414)
        yield self.assert_still_serving("osapi_compute")

    @inlineCallbacks
    def test_ec2_url_of_16385_bytes_gets_414_in_ec2_format(self):
        port = self.daemon.ports["ec2"]
        ok = yield raw_exchange(
            port, b"GET /?" + b"a" * 16382 + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        self.assertTrue(ok.startswith(b"HTTP/1.1 200 "), ok[:200])
        answer = yield raw_exchange(
            port, b"GET /?" + b"a" * 16383 + b" HTTP/1.1\r\nHost: x\r\n\r\n"
        )
        self.assertTrue(answer.startswith(b"HTTP/1.1 414 "), answer[:200])
        self.assertIn(b"<Code>RequestURITooLong</Code>", answer)
        yield self.assert_still_serving("ec2")

    @inlineCallbacks
    def test_header_line_of_16385_bytes_gets_431(self):
        port = self.daemon.ports["osapi_compute"]
        header = b"X-Big: " + b"b" * (16385 - 7)
        answer = yield raw_exchange(port, b"GET / HTTP/1.1\r\nHost: x\r\n" + header + b"\r\n\r\n")
        self.assertTrue(answer.startswith(b"HTTP/1.1 431 "), answer[:200])
        self.assertIn(b'"code": 431', answer)
        yield self.assert_still_serving("osapi_compute")

    @inlineCallbacks
    def test_200_headers_get_431(self):
        port = self.daemon.ports["metadata"]
        headers = b"".join(b"X-H%d: v\r\n" % i for i in range(200))
        answer = yield raw_exchange(port, b"GET / HTTP/1.1\r\nHost: x\r\n" + headers + b"\r\n")
        self.assertTrue(answer.startswith(b"HTTP/1.1 431 "), answer[:200])
        self.assertIn(b"more than 100 headers", answer)
        yield self.assert_still_serving("metadata")

    @inlineCallbacks
    def test_unparsable_requests_get_400_in_each_apis_format(self):
        """
        A raw non-ASCII request target (UTF-8, Latin-1 or a byte twisted.web
        lets through) and a header line twisted.web cannot parse get a 400
        with the API's own body, not a bare status line.
        """
        markers = {
            "osapi_compute": b'"badRequest"',
            "ec2": b"<Code>InvalidRequest</Code>",
            "metadata": b"percent-encode",
        }
        for api in ("osapi_compute", "ec2", "metadata"):
            for target in (b"/caf\xc3\xa9", b"/\xff\xfe", b"/?a=\xa0"):
                answer = yield raw_exchange(
                    self.daemon.ports[api], b"GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % target
                )
                head, _, body = answer.partition(b"\r\n\r\n")
                self.assertTrue(head.startswith(b"HTTP/1.1 400 "), (api, target, answer[:200]))
                self.assertIn(markers[api], body)
            answer = yield raw_exchange(
                self.daemon.ports[api], b"GET / HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n"
            )
            self.assertTrue(answer.startswith(b"HTTP/1.1 400 "), (api, answer[:200]))
            self.assertIn(b"could not be parsed", answer)
            yield self.assert_still_serving(api)

    @inlineCallbacks
    def test_idle_connection_is_closed_after_client_socket_timeout(self):
        client = RawClient(self.daemon.ports["osapi_compute"])
        self.addCleanup(client.close)
        answer = yield deferToThread(client.read_all)
        self.assertEqual(answer, b"")


class SlowAndManyClientTests(DaemonTestCase):
    """C{[wsgi] header_timeout} and C{[wsgi] max_connections}."""

    @inlineCallbacks
    def test_headers_not_complete_within_header_timeout_get_408(self):
        """
        A client trickling its headers is cut at the deadline, with a 408 in
        the API's format, even though each byte restarted the idle timer.
        """
        daemon = self.start(wsgi__header_timeout=1)
        yield daemon.serving()
        markers = {
            "osapi_compute": b'"computeFault"',
            "ec2": b"<Code>RequestTimeout</Code>",
            "metadata": b"were not received within 1 seconds",
        }
        for api, marker in markers.items():
            client = RawClient(daemon.ports[api])
            self.addCleanup(client.close)
            head = yield deferToThread(client.request, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            self.assertTrue(head.startswith(b"HTTP/1.1 200 "), head)
            yield deferToThread(client.send, b"GET / HTTP/1.1\r\nHost: x\r\n")
            answer = yield deferToThread(client.read_all)
            self.assertTrue(answer.startswith(b"HTTP/1.1 408 "), (api, answer[:200]))
            self.assertIn(marker, answer)
            code, _ = yield HTTP(self).get(url(daemon, api))
            self.assertEqual(code, 200)

    @inlineCallbacks
    def test_connections_past_max_connections_are_closed_at_once_and_logged(self):
        daemon = self.start(wsgi__max_connections=2, args=("--enabled-apis", "metadata"))
        yield daemon.serving(("metadata",))
        port = daemon.ports["metadata"]
        ping = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
        held = [RawClient(port), RawClient(port)]
        for client in held:
            self.addCleanup(client.close)
            head = yield deferToThread(client.request, ping)
            self.assertTrue(head.startswith(b"HTTP/1.1 200 "), head)
        for _ in range(3):
            extra = RawClient(port)
            self.addCleanup(extra.close)
            answer = yield deferToThread(extra.read_all)
            self.assertEqual(answer, b"")
        yield daemon.wait_for(r"metadata: max_connections \(2\) reached")
        self.assertEqual(daemon.text().count("max_connections (2) reached"), 1)
        head = yield deferToThread(
            held[0].request, b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        self.assertIn(b"Connection: close", head)
        rest = yield deferToThread(held[0].read_all)
        self.assertEqual(rest, b"")
        client = RawClient(port)
        self.addCleanup(client.close)
        head = yield deferToThread(client.request, ping)
        self.assertTrue(head.startswith(b"HTTP/1.1 200 "), head)


class WorkerTests(DaemonTestCase):
    @inlineCallbacks
    def test_killed_worker_is_replaced_while_the_other_serves(self):
        daemon = self.start(ec2_workers=2)
        yield daemon.serving()
        workers = daemon.worker_pids("ec2")
        self.assertEqual(len(workers), 2)
        for pid in workers:
            self.addCleanup(kill_if_running, pid)
        http = HTTP(self)
        seen = set()
        for _ in range(20):
            document = yield self.greeting(http, daemon, "ec2")
            seen.add(document["pid"])
        self.assertTrue(seen <= set(workers) and seen, seen)
        os.kill(workers[0], signal.SIGKILL)
        for _ in range(10):
            document = yield self.greeting(http, daemon, "ec2")
            self.assertEqual(document["pid"], workers[1])
        yield daemon.wait_for(r"ec2: started worker (?!%d|%d)" % tuple(workers))
        replacement = daemon.worker_pids("ec2")[2]
        self.addCleanup(kill_if_running, replacement)
        yield daemon.wait_for(r"ec2\[%d\] .* ec2 serving on" % replacement)
        answered = set()
        for _ in range(40):
            document = yield self.greeting(http, daemon, "ec2")
            answered.add(document["pid"])
        self.assertEqual(answered, {workers[1], replacement})

    @inlineCallbacks
    def test_workers_exit_when_the_daemon_is_killed(self):
        daemon = self.start(osapi_compute_workers=2)
        yield daemon.serving()
        workers = daemon.worker_pids("osapi_compute")
        for pid in workers:
            self.addCleanup(kill_if_running, pid)
        self.assertEqual(len(workers), 2)
        daemon.signal("KILL")
        yield daemon.ended()
        for pid in workers:
            yield wait_until_gone(pid)

    @inlineCallbacks
    def test_worker_dying_at_start_once_serving_is_restarted(self):
        """
        Once the API serves, a worker that dies is replaced even when its
        replacements die at start (no faster than N starts in N seconds:
        checked against a clock in test_supervisor).
        """
        directory = self.directory()
        paste = paste_file(directory, factory="dying_factory")
        marker = os.path.join(directory, "die")
        daemon = self.start(
            paste=paste,
            metadata_workers=2,
            env={"NOVATX_TEST_DIE": marker},
            args=("--enabled-apis", "metadata"),
        )
        yield daemon.serving(("metadata",))
        workers = daemon.worker_pids("metadata")
        for pid in workers:
            self.addCleanup(kill_if_running, pid)
        open(marker, "w").close()
        for pid in workers:
            os.kill(pid, signal.SIGKILL)
        yield daemon.wait_for(r"metadata: started worker", count=6)
        starts = daemon.worker_pids("metadata")
        for pid in starts:
            self.addCleanup(kill_if_running, pid)
        self.assertIn("exit status 3", daemon.text())
        daemon.signal("TERM")
        status = yield daemon.ended()
        self.assertEqual(status.exitCode, 0, daemon.text())
        for pid in daemon.worker_pids("metadata"):
            yield wait_until_gone(pid)


class ReloadTests(DaemonTestCase):
    def load(self, daemon, api, until, concurrency=4, most=20000):
        """
        Requests on fresh connections by C{concurrency} clients until C{until}
        has fired (at most C{most} in all).

        @return: the tally, whose C{answering} fires at the first answer and
            C{done} once the clients stop.
        """
        http = HTTP(self)
        results = {"ok": 0, "failed": [], "greetings": set(), "answering": Deferred()}

        @inlineCallbacks
        def loop():
            while not until.called and results["ok"] + len(results["failed"]) < most:
                try:
                    code, body = yield http.get(url(daemon, api))
                except Exception as e:
                    results["failed"].append(repr(e))
                    continue
                if code == 200:
                    results["ok"] += 1
                    results["greetings"].add(json.loads(body)["greeting"])
                    if not results["answering"].called:
                        results["answering"].callback(None)
                else:
                    results["failed"].append(code)

        results["done"] = gatherResults([loop() for _ in range(concurrency)])
        return results

    @inlineCallbacks
    def test_three_sighups_under_load_refuse_no_connection(self):
        daemon = self.start(ec2_workers=2)
        yield daemon.serving()
        for pid in daemon.worker_pids("ec2"):
            self.addCleanup(kill_if_running, pid)
        paste_file(os.path.dirname(self.paste_path), greeting_suffix="-reloaded")
        reloaded = daemon.wait_for(r"ec2: reloaded, 2 workers", timeout=90, count=3)
        results = self.load(daemon, "ec2", reloaded)
        yield results["answering"]
        for count in (1, 2, 3):
            daemon.signal("HUP")
            yield daemon.wait_for(r"ec2: reloaded, 2 workers", timeout=90, count=count)
        yield results["done"]
        self.assertEqual(results["failed"], [])
        self.assertGreater(results["ok"], 10)
        self.assertEqual(results["greetings"], {"ec2", "ec2-reloaded"})
        http = HTTP(self)
        document = yield self.greeting(http, daemon, "ec2")
        self.assertEqual(document["greeting"], "ec2-reloaded")

    @inlineCallbacks
    def test_sighup_during_a_reload_is_remembered_so_the_newest_file_wins_everywhere(self):
        daemon = self.start(osapi_compute_workers=2)
        yield daemon.serving()
        for pid in daemon.worker_pids("osapi_compute"):
            self.addCleanup(kill_if_running, pid)
        directory = os.path.dirname(self.paste_path)
        gate = os.path.join(directory, "gate")
        os.mkfifo(gate)
        paste_file(directory, greeting_suffix="-one", gates={"osapi_compute": gate})
        daemon.signal("HUP")
        yield daemon.wait_for(r"osapi_compute: started worker", count=3)
        paste_file(directory, greeting_suffix="-two", gates={"osapi_compute": gate})
        daemon.signal("HUP")
        yield daemon.wait_for(r"A reload is under way; another will follow")
        yield open_gate(gate)
        yield daemon.wait_for(r"osapi_compute: reloaded, 2 workers", count=2)
        workers = daemon.worker_pids("osapi_compute")
        for pid in workers:
            self.addCleanup(kill_if_running, pid)
        for pid in workers[:4]:
            yield wait_until_gone(pid)
        http = HTTP(self)
        answered = set()
        for _ in range(20):
            document = yield self.greeting(http, daemon, "osapi_compute")
            self.assertEqual(document["greeting"], "compute-two")
            answered.add(document["pid"])
        self.assertLessEqual(answered, set(workers[4:]))
        for api in ("ec2", "metadata"):
            document = yield self.greeting(http, daemon, api)
            self.assertEqual(document["greeting"], "%s-two" % PASTE_SECTIONS[api])

    @inlineCallbacks
    def test_sighup_rebuilds_the_trees_of_a_single_process(self):
        daemon = self.start()
        yield daemon.serving()
        paste_file(os.path.dirname(self.paste_path), greeting_suffix="-new")
        daemon.signal("HUP")
        yield daemon.wait_for(r"metadata: resource tree rebuilt")
        http = HTTP(self)
        document = yield self.greeting(http, daemon, "metadata")
        self.assertEqual((document["greeting"], document["pid"]), ("metadata-new", daemon.pid))

    @inlineCallbacks
    def test_sighup_with_a_broken_config_keeps_serving_the_old_one(self):
        daemon = self.start(ec2_workers=2)
        yield daemon.serving()
        for pid in daemon.worker_pids("ec2"):
            self.addCleanup(kill_if_running, pid)
        with open(self.conf_path, "a") as f:
            f.write("[DEFAULT]\nec2_workers = abc\n")
        daemon.signal("HUP")
        yield daemon.wait_for(
            r"Reload failed, still serving the previous configuration: .*ec2_workers"
        )
        http = HTTP(self)
        for api in ("osapi_compute", "ec2"):
            document = yield self.greeting(http, daemon, api)
            self.assertEqual(document["api"], api)
        self.assertEqual(len(daemon.worker_pids("ec2")), 2)

    @inlineCallbacks
    def test_sighup_with_a_new_port_says_it_needs_a_restart(self):
        daemon = self.start()
        yield daemon.serving()
        with open(self.conf_path, "a") as f:
            f.write("[DEFAULT]\nmetadata_listen_port = 1\n")
        daemon.signal("HUP")
        yield daemon.wait_for(r"metadata: the new listen address, port or TLS files need a restart")
        http = HTTP(self)
        document = yield self.greeting(http, daemon, "metadata")
        self.assertEqual(document["api"], "metadata")
