"""
A worker killed mid-build: a real child process begins a boot and is killed
with SIGKILL; this process's worker takes the transition over once the
child's claim expires and the server still reaches ACTIVE.
"""

from __future__ import annotations

import os
import signal
import sys

from twisted.internet import defer, protocol, reactor
from twisted.trial.unittest import TestCase

from novatx.compute import states
from novatx.compute.test.support import ALICE, ServiceMixin, settled


class _Child(protocol.ProcessProtocol):
    def __init__(self) -> None:
        self.line: defer.Deferred = defer.Deferred()
        self.ended: defer.Deferred = defer.Deferred()
        self.output = b""
        self.errors = b""

    def outReceived(self, data: bytes) -> None:
        self.output += data
        if b"\n" in self.output and not self.line.called:
            self.line.callback(self.output.split(b"\n")[0].decode())

    def errReceived(self, data: bytes) -> None:
        self.errors += data

    def processEnded(self, reason) -> None:
        if not self.line.called:
            self.line.errback(RuntimeError("child ended: %s" % self.errors.decode()[-2000:]))
        self.ended.callback(reason.value)


class KilledWorkerTestsMixin(ServiceMixin):
    async def test_a_build_survives_its_worker_being_killed(self):
        url = self.database_url()
        conf = self.make_config(boot_seconds=1.2, claim_seconds=0.3, poll_interval=0.2)
        survivor = await self.start_service(conf)
        child = _Child()
        process = reactor.spawnProcess(
            child, sys.executable,
            [sys.executable, "-m", "novatx.compute.test.child_worker", url, "1.2", "0.3"],
            env=dict(os.environ))
        self.addCleanup(lambda: child.ended)
        self.addCleanup(lambda: process.pid and process.signalProcess("KILL"))
        uuid, child_worker = (await child.line).split()
        building = await settled(survivor, ALICE, uuid, until=lambda i: i.task_state in (
            states.NETWORKING, states.BLOCK_DEVICE_MAPPING))
        self.assertEqual("BUILD", building.status)
        claimed = await survivor.store.read(_claim_of, uuid)
        process.signalProcess("KILL")
        ended = await child.ended
        self.assertEqual(signal.SIGKILL, ended.signal)
        self.assertEqual(child_worker, claimed)
        active = await settled(survivor, ALICE, uuid, timeout=15)
        self.assertEqual(("ACTIVE", "active"), (active.status, active.vm_state))
        self.assertIsNotNone(active.fixed_ip)
        self.assertIsNone(await survivor.store.read(_claim_of, uuid))
        history = await survivor.api.list_instance_actions(ALICE, uuid)
        self.assertEqual("Success", history[0].events[0].result)


def _claim_of(connection, uuid):
    import sqlalchemy as sa

    from novatx.db import tables as t
    return connection.execute(sa.select(t.instances.c.claimed_by).where(
        t.instances.c.uuid == uuid)).scalar()


class SQLiteKilledWorkerTests(KilledWorkerTestsMixin, TestCase):
    backend = "sqlite"


class PostgreSQLKilledWorkerTests(KilledWorkerTestsMixin, TestCase):
    backend = "postgresql"


class MariaDBKilledWorkerTests(KilledWorkerTestsMixin, TestCase):
    backend = "mysql"
