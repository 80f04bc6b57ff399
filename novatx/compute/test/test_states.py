"""
The state machine, table-driven on SQLite, PostgreSQL and MariaDB: every
action from every vm_state is either allowed or refused with nova's conflict
message; locks; and the multi-step flows (resize, snapshot, shelve) end where
nova's do.
"""

from __future__ import annotations

import sqlalchemy as sa
from twisted.internet.task import Clock
from twisted.trial.unittest import TestCase

from novatx.compute import exceptions as exc
from novatx.compute import states
from novatx.compute.test.support import ADMIN, ALICE, ServiceMixin, settled
from novatx.compute.transitions import VM_STATES
from novatx.db import tables as t

ALL = set(VM_STATES)

#: nova's guards (nova/compute/api.py check_instance_state), written out by hand.
ALLOWED = {
    "stop": {"active", "rescued", "error"},
    "start": {"stopped"},
    "reboot": {"active"},
    "reboot_hard": {"active", "stopped", "paused", "suspended", "error"},
    "pause": {"active"},
    "unpause": {"paused"},
    "suspend": {"active"},
    "resume": {"suspended"},
    "resize": {"active", "stopped"},
    "confirm_resize": {"resized"},
    "revert_resize": {"resized"},
    "rebuild": {"active", "stopped", "error"},
    "create_image": {"active", "stopped", "paused", "suspended"},
    "shelve": {"active", "stopped", "paused", "suspended"},
    "shelve_offload": {"shelved"},
    "unshelve": {"shelved", "shelved_offloaded"},
    "change_password": {"active"},
    "delete": ALL,
}

#: The name nova's conflict message gives each action.
METHODS = {
    "reboot_hard": "reboot", "confirm_resize": "confirmResize",
    "revert_resize": "revertResize", "create_image": "createImage",
    "shelve_offload": "shelveOffload", "change_password": "changePassword",
}


class StateMachineTestsMixin(ServiceMixin):
    async def setUp(self):
        self.clock = Clock()
        self.service = await self.start_service(clock=self.clock)
        self.image = await self.cirros(self.service)
        created = await self.service.api.create_servers(ALICE, _request(self.image))
        self.uuid = created[0].uuid

    async def put(self, vm_state, task_state=None):
        def run(connection):
            connection.execute(sa.update(t.instances).where(t.instances.c.uuid == self.uuid)
                               .values(vm_state=vm_state, task_state=task_state,
                                       pending_action=None, claimed_by=None,
                                       new_flavor={"flavor": None, "old_vm_state": "active"},
                                       locked=False, locked_by=None))
        await self.service.store.write(run)

    def call(self, action, context=ALICE):
        api = self.service.api
        calls = {
            "reboot": lambda: api.reboot(context, self.uuid),
            "reboot_hard": lambda: api.reboot(context, self.uuid, hard=True),
            "resize": lambda: api.resize(context, self.uuid, "2"),
            "rebuild": lambda: api.rebuild(context, self.uuid, self.image),
            "create_image": lambda: api.create_image(context, self.uuid, "snap"),
            "change_password": lambda: api.change_password(context, self.uuid, "pw"),
            "delete": lambda: api.delete_server(context, self.uuid),
        }
        if action in calls:
            return calls[action]()
        return getattr(api, action)(context, self.uuid)

    async def test_every_action_from_every_state(self):
        outcomes = {}
        for action, allowed in sorted(ALLOWED.items()):
            for vm_state in VM_STATES:
                await self.put(vm_state)
                try:
                    await self.call(action)
                except exc.InstanceInvalidState as e:
                    outcomes[action, vm_state] = False
                    self.assertEqual(
                        "Cannot '%s' instance %s while it is in vm_state %s"
                        % (METHODS.get(action, action), self.uuid, vm_state), str(e))
                    self.assertIsInstance(e, exc.Conflict)
                else:
                    outcomes[action, vm_state] = True
        expected = {(action, vm_state): vm_state in allowed
                    for action, allowed in ALLOWED.items() for vm_state in VM_STATES}
        self.assertEqual(expected, outcomes)

    async def test_a_running_task_refuses_other_actions(self):
        for action, allowed in sorted(ALLOWED.items()):
            vm_state = sorted(allowed)[0]
            await self.put(vm_state, states.POWERING_OFF)
            if action in ("delete",):
                await self.call(action)
                continue
            with self.assertRaises(exc.InstanceInvalidState, msg=action) as caught:
                await self.call(action)
            self.assertEqual(
                "Cannot '%s' instance %s while it is in task_state powering-off"
                % (METHODS.get(action, action), self.uuid), str(caught.exception))

    async def test_hard_reboot_interrupts_a_soft_one(self):
        await self.put(states.ACTIVE, states.REBOOTING)
        instance = await self.service.api.reboot(ALICE, self.uuid, hard=True)
        self.assertEqual(("HARD_REBOOT", states.REBOOTING_HARD),
                         (instance.status, instance.task_state))

    async def test_locked_servers_refuse_their_owner(self):
        await self.put(states.ACTIVE)
        locked = await self.service.api.lock(ADMIN, self.uuid, reason="maintenance")
        self.assertEqual((True, "admin", "maintenance"),
                         (locked.locked, locked.locked_by, locked.locked_reason))
        with self.assertRaises(exc.InstanceIsLocked) as caught:
            await self.service.api.stop(ALICE, self.uuid)
        self.assertEqual("Instance %s is locked" % self.uuid, str(caught.exception))
        with self.assertRaises(exc.InstanceIsLocked):
            await self.service.api.delete_server(ALICE, self.uuid)
        with self.assertRaises(exc.NotAuthorized):
            await self.service.api.unlock(ALICE, self.uuid)
        stopping = await self.service.api.stop(ADMIN, self.uuid)
        self.assertEqual(states.POWERING_OFF, stopping.task_state)
        await self.service.api.unlock(ADMIN, self.uuid)
        await self.put(states.ACTIVE)
        own = await self.service.api.lock(ALICE, self.uuid)
        self.assertEqual("owner", own.locked_by)
        unlocked = await self.service.api.unlock(ALICE, self.uuid)
        self.assertFalse(unlocked.locked)

    async def test_status_follows_nova_table(self):
        self.assertEqual("ACTIVE", states.status_from_state("active", "powering-off"))
        self.assertEqual("REBOOT", states.status_from_state("active", "rebooting"))
        self.assertEqual("SHUTOFF", states.status_from_state("stopped"))
        self.assertEqual("VERIFY_RESIZE", states.status_from_state("resized"))
        self.assertEqual("REVERT_RESIZE", states.status_from_state("resized", "resize_reverting"))
        self.assertEqual("UNKNOWN", states.status_from_state("no-such-state"))
        await self.put(states.ACTIVE, states.REBOOTING)
        instance = await self.service.api.get_server(ALICE, self.uuid)
        self.assertEqual("REBOOT", instance.status)


class SQLiteStateMachineTests(StateMachineTestsMixin, TestCase):
    backend = "sqlite"


class PostgreSQLStateMachineTests(StateMachineTestsMixin, TestCase):
    backend = "postgresql"


class MariaDBStateMachineTests(StateMachineTestsMixin, TestCase):
    backend = "mysql"


def _request(image, **fields):
    from novatx.compute.interfaces import CreateRequest
    return CreateRequest(name=fields.pop("name", "vm"), flavor_id=fields.pop("flavor_id", "1"),
                         image_id=image, **fields)


class FlowTests(ServiceMixin, TestCase):
    """Transitions that run to their end, on the real reactor with short times."""

    async def setUp(self):
        self.service = await self.start_service()
        self.instance = await self.boot(self.service)
        self.api = self.service.api

    async def test_stop_start_pause_suspend(self):
        uuid = self.instance.uuid
        for action, status, power in [("stop", "SHUTOFF", states.SHUTDOWN),
                                      ("start", "ACTIVE", states.RUNNING),
                                      ("pause", "PAUSED", states.POWER_PAUSED),
                                      ("unpause", "ACTIVE", states.RUNNING),
                                      ("suspend", "SUSPENDED", states.POWER_SUSPENDED),
                                      ("resume", "ACTIVE", states.RUNNING)]:
            await getattr(self.api, action)(ALICE, uuid)
            instance = await settled(self.service, ALICE, uuid)
            self.assertEqual((status, power), (instance.status, instance.power_state), action)

    async def test_resize_confirm_and_revert(self):
        uuid = self.instance.uuid
        resizing = await self.api.resize(ALICE, uuid, "2")
        self.assertEqual("RESIZE", resizing.status)
        verify = await settled(self.service, ALICE, uuid)
        self.assertEqual(("VERIFY_RESIZE", "m1.small"), (verify.status, verify.flavor.name))
        confirmed = await self.api.confirm_resize(ALICE, uuid)
        self.assertEqual(("ACTIVE", "m1.small"), (confirmed.status, confirmed.flavor.name))
        usage = await self.api.get_quotas(ALICE, "p1", usages=True)
        self.assertEqual((1, 2048), (usage.in_use["cores"], usage.in_use["ram"]))
        with self.assertRaises(exc.Invalid) as caught:
            await self.api.resize(ALICE, uuid, "2")
        self.assertEqual("When resizing, instances must change flavor!", str(caught.exception))
        await self.api.resize(ALICE, uuid, "1")
        verify = await settled(self.service, ALICE, uuid)
        self.assertEqual(("VERIFY_RESIZE", "m1.tiny"), (verify.status, verify.flavor.name))
        reverting = await self.api.revert_resize(ALICE, uuid)
        self.assertEqual("REVERT_RESIZE", reverting.status)
        reverted = await settled(self.service, ALICE, uuid)
        self.assertEqual(("ACTIVE", "m1.small"), (reverted.status, reverted.flavor.name))
        usage = await self.api.get_quotas(ALICE, "p1", usages=True)
        self.assertEqual(2048, usage.in_use["ram"])

    async def test_resize_past_the_quota_is_refused(self):
        await self.api.update_quotas(ADMIN, "p1", {"cores": 4})
        with self.assertRaises(exc.QuotaExceeded) as caught:
            await self.api.resize(ALICE, self.instance.uuid, "5")
        self.assertEqual("Quota exceeded for cores: Requested 7, but already used 1 of 4 cores",
                         str(caught.exception))
        instance = await self.api.get_server(ALICE, self.instance.uuid)
        self.assertEqual(("ACTIVE", "m1.tiny"), (instance.status, instance.flavor.name))

    async def test_snapshot_becomes_an_active_image(self):
        image = await self.api.create_image(ALICE, self.instance.uuid, "snap",
                                            metadata={"k": "v"})
        self.assertEqual(("snap", "queued", "private"), (image.name, image.status,
                                                         image.visibility))
        instance = await self.api.get_server(ALICE, self.instance.uuid)
        self.assertEqual(states.IMAGE_SNAPSHOT, instance.task_state)
        await settled(self.service, ALICE, self.instance.uuid)
        done = await self.api.get_image(ALICE, image.id)
        self.assertEqual("active", done.status)
        self.assertEqual({"k": "v", "instance_uuid": self.instance.uuid,
                          "image_type": "snapshot", "user_id": "alice",
                          "base_image_ref": self.instance.image_id}, done.properties)

    async def test_shelve_and_unshelve(self):
        uuid = self.instance.uuid
        await self.api.shelve(ALICE, uuid)
        shelved = await settled(self.service, ALICE, uuid)
        self.assertEqual(("SHELVED_OFFLOADED", None), (shelved.status, shelved.host))
        await self.api.unshelve(ALICE, uuid)
        back = await settled(self.service, ALICE, uuid)
        self.assertEqual("ACTIVE", back.status)
        self.assertIsNotNone(back.host)

    async def test_rebuild_keeps_a_stopped_server_stopped(self):
        uuid = self.instance.uuid
        await self.api.stop(ALICE, uuid)
        await settled(self.service, ALICE, uuid)
        rebuilding = await self.api.rebuild(ALICE, uuid, self.instance.image_id, name="new",
                                            metadata={"a": "b"})
        self.assertEqual(("REBUILD", "new", {"a": "b"}),
                         (rebuilding.status, rebuilding.name, rebuilding.metadata))
        rebuilt = await settled(self.service, ALICE, uuid)
        self.assertEqual("SHUTOFF", rebuilt.status)

    async def test_change_password_is_recorded_not_shown(self):
        changing = await self.api.change_password(ALICE, self.instance.uuid, "pw")
        self.assertEqual("PASSWORD", changing.status)
        done = await settled(self.service, ALICE, self.instance.uuid)
        self.assertEqual("ACTIVE", done.status)
        self.assertNotIn("pw", repr(done))
