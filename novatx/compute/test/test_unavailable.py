"""
A database that is down: at start the service refuses with a message naming
the URL without its password; during a request the internal API raises
L{DatabaseUnavailable} (503) and serves again once the database is back.

The outage is real: the store talks to PostgreSQL or MariaDB through a TCP
proxy in this process, and the test stops and restarts the proxy.
"""

from __future__ import annotations

import os

from sqlalchemy.engine import make_url
from twisted.internet import reactor
from twisted.internet.defer import Deferred
from twisted.logger import globalLogPublisher
from twisted.protocols.portforward import ProxyFactory
from twisted.trial.unittest import TestCase

from novatx.compute import exceptions as exc
from novatx.compute.interfaces import CreateRequest, ServerQuery
from novatx.compute.service import ComputeService, prepare_store
from novatx.compute.test.support import ALICE, ServiceMixin, fast_config, settled
from novatx.db.engine import BadDatabaseURL
from novatx.db.store import StoreUnavailable
from novatx.db.test.backends import temporary_database


class _Proxy(ProxyFactory):
    """A port forwarder that can cut every connection it carries."""

    def __init__(self, host: str, port: int) -> None:
        super().__init__(host, port)
        self.open: list = []

    def buildProtocol(self, addr):
        protocol = super().buildProtocol(addr)
        self.open.append(protocol)
        return protocol

    def cut(self) -> None:
        for protocol in self.open:
            if protocol.transport is not None:
                protocol.transport.abortConnection()
            if protocol.peer is not None and protocol.peer.transport is not None:
                protocol.peer.transport.abortConnection()
        self.open.clear()


class StartTests(TestCase):
    async def test_a_database_down_at_start_is_named_without_password(self):
        for url, named, why in [
            ("postgresql://bob:s3cret@127.0.0.1:1/nova",
             "postgresql+psycopg://bob:***@127.0.0.1:1/nova", "refused"),
            ("mysql://bob:s3cret@127.0.0.1:1/nova",
             "mysql+pymysql://bob:***@127.0.0.1:1/nova", "refused"),
            ("postgresql://postgres:s3cret@127.0.0.1:5432/novatx_no_such_db",
             "postgresql+psycopg://postgres:***@127.0.0.1:5432/novatx_no_such_db",
             "does not exist"),
            ("sqlite:////proc/novatx/novatx.sqlite", "sqlite:////proc/novatx/novatx.sqlite",
             "unable to open database file"),
        ]:
            service = ComputeService(fast_config(url), reactor)
            with self.assertRaises(exc.DatabaseUnavailable, msg=url) as caught:
                await service.startService()
            await service.stopService()
            message = str(caught.exception)
            self.assertIn(named, message)
            self.assertNotIn("s3cret", message)
            self.assertIn(why, message.lower())

    async def test_preparing_a_store_at_a_bad_url_fails_its_deferred(self):
        for url in ("not a url", "nosuch://bob:s3cret@h/nova"):
            with self.assertRaises(BadDatabaseURL) as caught:
                await prepare_store(fast_config(url), reactor)
            self.assertNotIn("s3cret", str(caught.exception))

    async def test_construction_does_no_io(self):
        conf = fast_config("postgresql://bob:s3cret@127.0.0.1:1/nova")
        service = ComputeService(conf, reactor)
        self.assertFalse(service.running)
        directory = os.path.abspath(self.mktemp())
        sqlite = ComputeService(fast_config("sqlite:///%s/store/novatx.sqlite" % directory),
                                reactor)
        self.assertFalse(os.path.exists(directory))
        await sqlite.stopService()
        await service.stopService()

    async def test_a_stale_schema_without_auto_migrate_says_to_sync(self):
        conf = fast_config(temporary_database(self, "sqlite"))
        conf.set_override("auto_migrate", False, "database")
        service = ComputeService(conf, reactor)
        with self.assertRaises(Exception) as caught:
            await service.startService()
        await service.stopService()
        self.assertIn("novatx-manage db sync", str(caught.exception))


class OutageTestsMixin(ServiceMixin):
    async def proxied_service(self, **simulated):
        """A service whose store is reached through a proxy; and the proxy's switch."""
        url = make_url(self.database_url())
        proxy = _Proxy(url.host, url.port)
        port = reactor.listenTCP(0, proxy, interface="127.0.0.1")
        number = port.getHost().port
        listening = [port]
        self.addCleanup(lambda: listening[0].stopListening())
        self.addCleanup(proxy.cut)
        conf = fast_config(url.set(port=number).render_as_string(hide_password=False),
                           **simulated)
        conf.set_override("connect_timeout", 2, "database")
        service = await self.start_service(conf)

        async def switch(on: bool) -> None:
            if on:
                listening[0] = reactor.listenTCP(number, proxy, interface="127.0.0.1")
            else:
                await listening[0].stopListening()
                proxy.cut()
        return service, number, switch

    async def test_requests_fail_with_503_during_an_outage_and_recover(self):
        service, number, switch = await self.proxied_service()
        instance = await self.boot(service)
        image = instance.image_id

        await switch(False)
        with self.assertRaises(exc.DatabaseUnavailable) as caught:
            await service.api.list_servers(ALICE, ServerQuery())
        self.assertIsInstance(caught.exception, exc.ServiceUnavailable)
        self.assertIn("127.0.0.1:%d" % number, str(caught.exception))
        with self.assertRaises(exc.DatabaseUnavailable):
            await service.api.get_server(ALICE, instance.uuid)
        with self.assertRaises(exc.DatabaseUnavailable):
            await service.api.create_servers(ALICE, CreateRequest(
                name="lost", flavor_id="1", image_id=image))

        await switch(True)
        page = await service.api.list_servers(ALICE, ServerQuery())
        self.assertEqual([instance.uuid], [i.uuid for i in page.items])
        # The driver's poll for pending transitions may have met the outage
        # too (logged, tried again): that is expected, not an error of the test.
        self.flushLoggedErrors(StoreUnavailable)

    async def test_a_build_that_meets_an_outage_finishes_after_it(self):
        """
        The driver's steps fail while the database is away (logged, tried
        again), and the build carries on to ACTIVE once it is back.
        """
        service, _, switch = await self.proxied_service(boot_seconds=0.8)
        image = await self.cirros(service)
        created = await service.api.create_servers(ALICE, CreateRequest(
            name="patient", flavor_id="1", image_id=image))
        failed_step = _logged_failure(self, StoreUnavailable)
        await switch(False)
        await failed_step
        await switch(True)
        active = await settled(service, ALICE, created[0].uuid, timeout=15)
        self.assertEqual(("ACTIVE", "10.0.0.2"), (active.status, active.fixed_ip))
        self.assertTrue(self.flushLoggedErrors(StoreUnavailable))


def _logged_failure(testcase: TestCase, kind: type) -> Deferred:
    """Fire when a failure of C{kind} is first logged (the driver's step met the outage)."""
    logged: Deferred = Deferred()

    def observe(event: dict) -> None:
        failure = event.get("log_failure")
        if failure is not None and failure.check(kind) and not logged.called:
            logged.callback(None)

    globalLogPublisher.addObserver(observe)
    testcase.addCleanup(globalLogPublisher.removeObserver, observe)
    return logged


class PostgreSQLOutageTests(OutageTestsMixin, TestCase):
    backend = "postgresql"


class MariaDBOutageTests(OutageTestsMixin, TestCase):
    backend = "mysql"
