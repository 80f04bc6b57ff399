"""
Block storage's internal API on SQLite, PostgreSQL and MariaDB: volumes,
snapshots and attachments move through cinder's states on the injected clock,
quotas hold under parallel creates, bad input is refused in nova's or
cinder's words with nothing written, and a transition left by a worker is
finished by another.
"""

from __future__ import annotations

import sqlalchemy as sa
from twisted.internet.defer import DeferredList
from twisted.internet.task import Clock
from twisted.trial.unittest import TestCase
from zope.interface.verify import verifyObject

from novatx.compute import exceptions as exc
from novatx.compute import states as server_states
from novatx.compute.interfaces import CreateRequest, ServerQuery
from novatx.compute.test.support import ADMIN, ALICE, BOB, ServiceMixin
from novatx.compute.volumes import states
from novatx.compute.volumes import exceptions as vexc
from novatx.compute.volumes.driver import SimulatedVolumeDriver
from novatx.compute.volumes.interfaces import IVolumeAPI
from novatx.db import tables as t

CREATE, ATTACH, DELETE = 0.5, 0.3, 0.2


class VolumeTestsMixin(ServiceMixin):
    async def setUp(self):
        self.clock = Clock()
        conf = self.make_config(volume_create_seconds=CREATE, volume_attach_seconds=ATTACH,
                                volume_delete_seconds=DELETE)
        self.conf = conf
        self.service = await self.start_service(conf, clock=self.clock)
        self.volumes = self.service.api.volumes
        self.driver = self.service.volume_driver

    async def after(self, seconds, kind, *uuids):
        """Let C{seconds} pass on the clock and wait for the transitions of C{uuids} to end."""
        ended = [self.driver.ended(kind, uuid) for uuid in uuids]
        self.clock.advance(seconds)
        await DeferredList(ended, fireOnOneErrback=True, consumeErrors=True)

    async def available(self, size=1, context=ALICE, **fields):
        volume = await self.volumes.create_volume(context, size, **fields)
        await self.after(CREATE, states.VOLUME, volume.id)
        return await self.volumes.get_volume(context, volume.id)

    async def server(self, context=ALICE, vm_state=server_states.ACTIVE):
        """A server of C{context}, put straight into C{vm_state}."""
        page = await self.service.api.list_images(context, filters={"name": "cirros"})
        created = await self.service.api.create_servers(context, CreateRequest(
            name="vm", flavor_id="1", image_id=page.items[0].id))
        uuid = created[0].uuid

        def put(connection):
            connection.execute(sa.update(t.instances).where(t.instances.c.uuid == uuid).values(
                vm_state=vm_state, task_state=None, pending_action=None, claimed_by=None,
                host="host1"))
        await self.service.store.write(put)
        return uuid

    async def rows(self, table):
        return await self.service.store.read(
            lambda connection: connection.execute(sa.select(sa.func.count()).select_from(table))
            .scalar())

    def test_the_api_keeps_its_contract(self):
        self.assertTrue(verifyObject(IVolumeAPI, self.volumes))

    async def test_a_volume_is_created_then_available(self):
        volume = await self.volumes.create_volume(ALICE, 2, name="v1", description="d",
                                                  metadata={"k": "v"})
        self.assertEqual(("creating", 2, "v1", "d", {"k": "v"}, "nova", "__DEFAULT__", False),
                         (volume.status, volume.size, volume.name, volume.description,
                          volume.metadata, volume.availability_zone, volume.volume_type,
                          volume.multiattach))
        await self.after(CREATE, states.VOLUME, volume.id)
        done = await self.volumes.get_volume(ALICE, volume.id)
        self.assertEqual(("available", "detached"), (done.status, done.attach_status))
        quota = await self.volumes.get_quota(ALICE)
        self.assertEqual({"volumes": 1, "gigabytes": 2, "snapshots": 0}, quota.in_use)

    async def test_bad_sizes_are_refused_and_nothing_is_written(self):
        for size in (0, -1, "big", None, 1.5, True):
            with self.assertRaises(vexc.InvalidInput) as caught:
                await self.volumes.create_volume(ALICE, size)
            self.assertEqual("Invalid input received: Volume size '%s' must be an integer and "
                             "greater than 0" % (size,), str(caught.exception))
        self.assertEqual(0, await self.rows(t.volumes))

    async def test_quotas_refuse_in_cinders_words(self):
        self.conf.set_override("volumes", 1, "quota")
        self.conf.set_override("gigabytes", 5, "quota")
        with self.assertRaises(vexc.VolumeSizeExceedsQuota) as caught:
            await self.volumes.create_volume(ALICE, 6)
        self.assertEqual("Requested volume or snapshot exceeds allowed gigabytes quota. "
                         "Requested 6G, quota is 5G and 0G has been consumed.",
                         str(caught.exception))
        await self.volumes.create_volume(ALICE, 1)
        with self.assertRaises(vexc.VolumeLimitExceeded) as caught:
            await self.volumes.create_volume(ALICE, 1)
        self.assertEqual("Maximum number of volumes allowed (1) exceeded for quota 'volumes'.",
                         str(caught.exception))
        self.assertIsInstance(caught.exception, exc.OverLimit)
        self.assertEqual(1, await self.rows(t.volumes))
        await self.volumes.create_volume(BOB, 1)

    async def test_parallel_creates_never_overshoot_the_quota(self):
        self.conf.set_override("volumes", 3, "quota")
        results = await DeferredList([self.volumes.create_volume(ALICE, 1) for _ in range(8)],
                                     consumeErrors=True)
        made = [ok for ok, _ in results if ok]
        refused = [failure for ok, failure in results if not ok]
        self.assertEqual(3, len(made))
        self.assertTrue(all(f.check(vexc.VolumeLimitExceeded) for f in refused))
        self.assertEqual(3, await self.rows(t.volumes))

    async def test_attach_and_detach_move_through_cinders_states(self):
        server = await self.server()
        volume = await self.available()
        attachment = await self.volumes.attach_volume(ALICE, server, volume.id, tag="data",
                                                      delete_on_termination=True)
        self.assertEqual((volume.id, server, "/dev/vdb", "data", True),
                         (attachment.volume_id, attachment.server_id, attachment.device,
                          attachment.tag, attachment.delete_on_termination))
        self.assertEqual("attaching", (await self.volumes.get_volume(ALICE, volume.id)).status)
        await self.after(ATTACH, states.VOLUME, volume.id)
        in_use = await self.volumes.get_volume(ALICE, volume.id)
        self.assertEqual(("in-use", "attached", (server,)),
                         (in_use.status, in_use.attach_status,
                          tuple(a.server_id for a in in_use.attachments)))
        shown = await self.service.api.get_server(ALICE, server)
        self.assertEqual([(volume.id, True)],
                         [(v.id, v.delete_on_termination) for v in shown.volumes_attached])
        await self.volumes.detach_volume(ALICE, server, volume.id)
        self.assertEqual("detaching", (await self.volumes.get_volume(ALICE, volume.id)).status)
        await self.after(ATTACH, states.VOLUME, volume.id)
        self.assertEqual("available", (await self.volumes.get_volume(ALICE, volume.id)).status)
        self.assertEqual((), (await self.service.api.get_server(ALICE, server)).volumes_attached)
        recorded = await self.service.api.list_instance_actions(ALICE, server)
        self.assertEqual(["detach_volume", "attach_volume", "create"],
                         [action.action for action in recorded])
        events = [action.events[0] for action in recorded[:2]]
        self.assertEqual([("compute_detach_volume", "Success"),
                          ("compute_attach_volume", "Success")],
                         [(event.event, event.result) for event in events])

    async def test_the_next_free_device_is_given(self):
        server = await self.server()
        first = await self.available()
        second = await self.available()
        one = await self.volumes.attach_volume(ALICE, server, first.id, device="/dev/vdb")
        two = await self.volumes.attach_volume(ALICE, server, second.id, device="/dev/vdb")
        self.assertEqual(["/dev/vdb", "/dev/vdc"], [one.device, two.device])
        listed = await self.volumes.list_attachments(ALICE, server)
        self.assertEqual({first.id, second.id}, {a.volume_id for a in listed})

    async def test_bad_attachments_are_refused_in_novas_words(self):
        server = await self.server()
        other = await self.server()
        volume = await self.available()
        with self.assertRaises(exc.InstanceNotFound):
            await self.volumes.attach_volume(BOB, server, volume.id)
        with self.assertRaises(vexc.VolumeNotFound):
            await self.volumes.attach_volume(ALICE, server, "no-such-volume")
        building = await self.server(vm_state=server_states.BUILDING)
        with self.assertRaises(exc.InstanceInvalidState) as caught:
            await self.volumes.attach_volume(ALICE, building, volume.id)
        self.assertEqual("Cannot 'attach_volume' instance %s while it is in vm_state building"
                         % building, str(caught.exception))
        with self.assertRaises(vexc.VolumeNotAttached) as caught:
            await self.volumes.detach_volume(ALICE, server, volume.id)
        self.assertEqual("Instance %s is not attached to volume %s" % (server, volume.id),
                         str(caught.exception))
        await self.volumes.attach_volume(ALICE, server, volume.id)
        with self.assertRaises(vexc.InvalidVolume) as caught:
            await self.volumes.attach_volume(ALICE, server, volume.id)
        self.assertEqual("Invalid volume: volume %s already attached" % volume.id,
                         str(caught.exception))
        await self.after(ATTACH, states.VOLUME, volume.id)
        with self.assertRaises(vexc.InvalidInput) as caught:
            await self.volumes.attach_volume(ALICE, other, volume.id)
        self.assertEqual("Invalid input received: Invalid volume: Volume %s status must be "
                         "available or downloading to reserve, but the current status is "
                         "in-use." % volume.id, str(caught.exception))
        self.assertEqual(1, await self.rows(t.volume_attachments))

    async def test_an_in_use_volume_is_not_deleted(self):
        server = await self.server()
        volume = await self.available()
        await self.volumes.attach_volume(ALICE, server, volume.id)
        await self.after(ATTACH, states.VOLUME, volume.id)
        with self.assertRaises(vexc.InvalidVolume) as caught:
            await self.volumes.delete_volume(ALICE, volume.id)
        self.assertIn("must not be migrating, attached", str(caught.exception))
        self.assertEqual("in-use", (await self.volumes.get_volume(ALICE, volume.id)).status)

    async def test_a_deleted_volume_frees_its_quota(self):
        volume = await self.available(3)
        deleting = await self.volumes.delete_volume(ALICE, volume.id)
        self.assertEqual("deleting", deleting.status)
        await self.after(DELETE, states.VOLUME, volume.id)
        with self.assertRaises(vexc.VolumeNotFound):
            await self.volumes.get_volume(ALICE, volume.id)
        self.assertEqual(0, (await self.volumes.get_quota(ALICE)).in_use["gigabytes"])

    async def test_snapshots(self):
        creating = await self.volumes.create_volume(ALICE, 2)
        with self.assertRaises(vexc.InvalidVolume) as caught:
            await self.volumes.create_snapshot(ALICE, creating.id)
        self.assertEqual("Invalid volume: Volume %s status must be available or in-use, but "
                         "current status is: creating." % creating.id, str(caught.exception))
        self.assertEqual(0, await self.rows(t.volume_snapshots))
        await self.after(CREATE, states.VOLUME, creating.id)
        snapshot = await self.volumes.create_snapshot(ALICE, creating.id, name="s1")
        self.assertEqual(("creating", 2, creating.id), (snapshot.status, snapshot.size,
                                                        snapshot.volume_id))
        await self.after(CREATE, states.SNAPSHOT, snapshot.id)
        self.assertEqual("available", (await self.volumes.get_snapshot(ALICE, snapshot.id)).status)
        with self.assertRaises(vexc.InvalidVolume):
            await self.volumes.delete_volume(ALICE, creating.id)
        restored = await self.volumes.create_volume(ALICE, None, snapshot_id=snapshot.id)
        self.assertEqual((2, snapshot.id), (restored.size, restored.snapshot_id))
        with self.assertRaises(vexc.InvalidInput):
            await self.volumes.create_volume(ALICE, 1, snapshot_id=snapshot.id)
        self.assertEqual({"volumes": 2, "gigabytes": 6, "snapshots": 1},
                         (await self.volumes.get_quota(ALICE)).in_use)
        await self.volumes.delete_snapshot(ALICE, snapshot.id)
        await self.after(DELETE, states.SNAPSHOT, snapshot.id)
        with self.assertRaises(vexc.SnapshotNotFound):
            await self.volumes.get_snapshot(ALICE, snapshot.id)

    async def test_a_create_whose_snapshot_went_away_ends_in_error(self):
        volume = await self.available(1)
        snapshot = await self.volumes.create_snapshot(ALICE, volume.id)
        await self.after(CREATE, states.SNAPSHOT, snapshot.id)
        restoring = await self.volumes.create_volume(ALICE, None, snapshot_id=snapshot.id)
        await self.volumes.delete_snapshot(ALICE, snapshot.id)
        ended = self.driver.ended(states.VOLUME, restoring.id)
        await self.after(DELETE, states.SNAPSHOT, snapshot.id)
        self.clock.advance(CREATE)
        await ended
        failed = await self.volumes.get_volume(ALICE, restoring.id)
        self.assertEqual("error", failed.status)
        deleting = await self.volumes.delete_volume(ALICE, failed.id)
        self.assertEqual("deleting", deleting.status)

    async def test_extend_counts_against_the_quota(self):
        self.conf.set_override("gigabytes", 4, "quota")
        volume = await self.available(2)
        with self.assertRaises(vexc.VolumeSizeExceedsQuota):
            await self.volumes.extend_volume(ALICE, volume.id, 5)
        with self.assertRaises(vexc.InvalidInput):
            await self.volumes.extend_volume(ALICE, volume.id, 2)
        extending = await self.volumes.extend_volume(ALICE, volume.id, 4)
        self.assertEqual(("extending", 4), (extending.status, extending.size))
        await self.after(ATTACH, states.VOLUME, volume.id)
        self.assertEqual("available", (await self.volumes.get_volume(ALICE, volume.id)).status)

    async def test_deleting_a_server_detaches_and_deletes_what_goes_with_it(self):
        server = await self.server()
        kept = await self.available()
        dropped = await self.available()
        await self.volumes.attach_volume(ALICE, server, kept.id)
        await self.volumes.attach_volume(ALICE, server, dropped.id, delete_on_termination=True)
        await self.after(ATTACH, states.VOLUME, kept.id, dropped.id)
        deleting = await self.service.api.delete_server(ALICE, server)
        gone = self.service.driver.destroy(deleting)
        self.clock.advance(self.conf.simulated.delete_seconds)
        await gone
        left = await self.volumes.list_volumes(ALICE)
        self.assertEqual([(kept.id, "available", ())],
                         [(v.id, v.status, v.attachments) for v in left.items])

    async def test_a_listing_reads_the_attached_volumes_in_one_statement(self):
        servers = [await self.server() for _ in range(3)]
        for server in servers:
            volume = await self.available()
            await self.volumes.attach_volume(ALICE, server, volume.id)
            await self.after(ATTACH, states.VOLUME, volume.id)
        statements = []
        engine = self.service.store.engine

        def seen(connection, cursor, statement, *rest):
            statements.append(statement)
        sa.event.listen(engine, "before_cursor_execute", seen)
        self.addCleanup(sa.event.remove, engine, "before_cursor_execute", seen)
        page = await self.service.api.list_servers(ALICE, ServerQuery())
        self.assertEqual([1, 1, 1], [len(i.volumes_attached) for i in page.items])
        self.assertEqual(1, sum("volume_attachments" in text for text in statements), statements)

    async def test_volumes_are_scoped_to_their_project(self):
        volume = await self.available()
        with self.assertRaises(vexc.VolumeNotFound):
            await self.volumes.get_volume(BOB, volume.id)
        self.assertEqual([], list((await self.volumes.list_volumes(BOB)).items))
        self.assertEqual([volume.id], [v.id for v in
                                       (await self.volumes.list_volumes(ADMIN, True)).items])

    async def test_another_worker_finishes_an_abandoned_transition(self):
        volume = await self.volumes.create_volume(ALICE, 1)
        self.driver.stop()
        patient = self.make_config(volume_create_seconds=CREATE, poll_interval=1000)
        other = SimulatedVolumeDriver(patient, self.service.store, self.clock, "other",
                                      lambda uuid: None)
        other.start()
        self.addCleanup(other.stop)
        self.clock.advance(CREATE + self.conf.simulated.claim_seconds + 1)
        self.assertEqual(1, await other.resume_pending())
        ended = other.ended(states.VOLUME, volume.id)
        self.clock.advance(CREATE)
        await ended
        self.assertEqual("available", (await self.volumes.get_volume(ALICE, volume.id)).status)


class SQLiteVolumeTests(VolumeTestsMixin, TestCase):
    backend = "sqlite"


class PostgreSQLVolumeTests(VolumeTestsMixin, TestCase):
    backend = "postgresql"


class MariaDBVolumeTests(VolumeTestsMixin, TestCase):
    backend = "mysql"
