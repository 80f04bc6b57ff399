"""
The simulated compute driver: transitions that take time and leave a trace.

An action's intention is written by the internal API with this worker's claim
(L{SimulatedDriver.claim}); the driver then walks the transition's task states,
writing each to the store when it is reached, and applies the end state. A
worker that dies leaves its claim to expire: L{SimulatedDriver.resume_pending}
(on start and periodically) claims such rows with a compare-and-set, so two
live workers never both finish one, and carries them on from the step the
store shows. Time comes from the injected clock.
"""

from __future__ import annotations

import socket
from typing import Any, Callable, Mapping

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from twisted.internet.defer import Deferred, succeed
from twisted.internet.task import LoopingCall
from twisted.logger import Logger
from zope.interface import implementer

from novatx.compute import actions, behaviours, claims, convert, migrations, services, states
from novatx.compute.exceptions import NovatxException
from novatx.compute.network import ports as network_ports
from novatx.compute.network import servers as network_servers
from novatx.compute.network.exceptions import NoMoreAddresses
from novatx.compute.interfaces import IComputeDriver
from novatx.compute.records import Instance
from novatx.compute.timers import TransitionTimers
from novatx.compute.transitions import DELETE, TRANSITIONS
from novatx.compute.volumes import store as volume_store
from novatx.db import generations
from novatx.db import tables as t
from novatx.db.store import Store

I = t.instances
log = Logger()


def _console_log(instance: Mapping[str, Any], host: str) -> str:
    name = instance["hostname"] or "server"
    address = instance["fixed_ip"] or "0.0.0.0"
    lines = [
        "[    0.000000] Linux version 5.15.0-simulated (novatx@%s) #1 SMP" % host,
        "[    0.000000] Command line: BOOT_IMAGE=/vmlinuz root=LABEL=cirros-rootfs ro console=ttyS0",
        "[    0.412345] Freeing unused kernel memory: 1024K",
        "further output written to /dev/ttyS0",
        "Starting network...",
        "udhcpc: sending discover",
        "udhcpc: lease of %s obtained, lease time 86400" % address,
        "checking http://169.254.169.254/2009-04-04/instance-id",
        "successful after 1/20 tries: up 2.10. iid=%s" % ("i-%08x" % instance["id"]),
        "=== system information ===",
        "Platform: OpenStack Foundation OpenStack Nova",
        "Container: none",
        "Arch: x86_64",
        "=== cirros: current=0.6.2 uptime=3.21 ===",
        "=== datasource: ec2 net ===",
        "instance-id: i-%08x" % instance["id"],
        "name: %s" % name,
        "local-hostname: %s" % name,
        "=== net: interfaces ===",
        "eth0 %s %s" % (instance["mac_address"] or "fa:16:3e:00:00:00", address),
        "  ____               ____  ____",
        " / __/ __ ____ ____ / __ \\/ __/",
        "/ /__ / // __// __// /_/ /\\ \\ ",
        "\\___//_//_/  /_/   \\____/___/ ",
        "   http://cirros-cloud.net",
        "",
        "login as 'cirros' user. default password: 'gocubsgo'. use 'sudo' for root.",
        "%s login: " % name,
    ]
    return "\n".join(lines)


#: The states a C{hold} behaviour keeps a server in, and the transitions that show each.
HOLDS = {"BUILD": ("spawn",), "REBOOT": ("reboot", "reboot_hard"),
         "RESIZE": ("resize",), "DELETING": ("delete", "force_delete")}
_HELD = {action: state for state, names in HOLDS.items() for action in names}
#: How often a held server looks whether its hold is gone, in the clock's seconds
#: (a removed hold also releases its servers at once: L{SimulatedDriver.release_held}).
HOLD_RECHECK = 60.0

#: The steps at which a snapshot's image starts saving (createImage, createBackup, shelve).
_UPLOADS = frozenset((("snapshot", states.IMAGE_UPLOADING), ("backup", states.IMAGE_UPLOADING),
                      ("shelve", states.SHELVING_IMAGE_UPLOADING)))


@implementer(IComputeDriver)
class SimulatedDriver(TransitionTimers):
    """
    A compute host that exists only in the store.

    @ivar worker_id: what this worker writes in C{claimed_by}.
    """

    name = "simulated"

    def __init__(self, conf: Any, store: Store, clock: Any, worker_id: str,
                 notify: Callable[[str], None]) -> None:
        self._conf = conf
        self._store = store
        self._clock = clock
        self.worker_id = worker_id
        self._notify = notify
        self.host = conf.simulated.host or socket.gethostname()
        self._calls: dict[str, Any] = {}
        self._waiters: dict[str, list[Deferred]] = {}
        self._loop: LoopingCall | None = None
        self._running = False

    # -- timing and claims --------------------------------------------------------

    def duration(self, action: str) -> float:
        """The total time of C{action}, from C{[simulated]}."""
        return float(getattr(self._conf.simulated, TRANSITIONS[action].duration))

    def _step_seconds(self, action: str, params: Mapping[str, Any] | None = None) -> float:
        """
        One step of C{action}: its duration (a C{transition_time}'s, if one
        fired for it) over its steps.
        """
        steps = max(1, len(TRANSITIONS[action].steps))
        duration = (params or {}).get("duration")
        return (self.duration(action) if duration is None else float(duration)) / steps

    def claim(self, action: str, now: float) -> dict[str, Any]:
        """The columns that record C{action} as begun and claimed by this worker."""
        return {
            "pending_action": action,
            "step_started": now,
            "claimed_by": self.worker_id,
            "claim_expires": now + self.duration(action) + self._conf.simulated.claim_seconds,
        }

    # -- IComputeDriver ----------------------------------------------------------------

    def spawn(self, instance: Instance, extra_fields: Mapping[str, Any]) -> Deferred:
        return self._follow(instance.uuid, "spawn")

    def transition(self, instance: Instance, action: str, **params: Any) -> Deferred:
        return self._follow(instance.uuid, action)

    def destroy(self, instance: Instance) -> Deferred:
        return self._follow(instance.uuid, "delete")

    def get_console_output(self, instance: Instance) -> str:
        return _console_log({"hostname": instance.hostname, "fixed_ip": instance.fixed_ip,
                             "id": instance.id, "mac_address": instance.mac_address},
                            instance.host or self.host)

    def host_info(self) -> dict[str, Any]:
        return {
            "hypervisor_hostname": self.host, "hypervisor_type": "simulated",
            "vcpus": 64, "memory_mb": 262144, "local_gb": 4096, "state": "up",
            "status": "enabled", "host": self.host,
            "availability_zone": self._conf.default_availability_zone,
        }

    # -- running transitions ------------------------------------------------------------

    def _follow(self, uuid: str, action: str) -> Deferred:
        """Schedule the next step of C{uuid}; fires when this worker is done with it."""
        waiter: Deferred = Deferred()
        self._waiters.setdefault(uuid, []).append(waiter)
        self._schedule(uuid, self._step_seconds(action))
        return waiter

    def _schedule(self, uuid: str, delay: float) -> None:
        if not self._running:
            return
        old = self._calls.pop(uuid, None)
        if old is not None and old.active():
            old.cancel()
        self._calls[uuid] = self._clock.callLater(max(0.0, delay), self._advance, uuid)

    def _done(self, uuid: str) -> None:
        for waiter in self._waiters.pop(uuid, []):
            waiter.callback(None)

    def _advance(self, uuid: str) -> Deferred:
        self._calls.pop(uuid, None)
        now = self._clock.seconds()
        d = self._store.write(self._step, uuid, now)

        def stepped(delay: float | None) -> None:
            self._notify(uuid)
            if uuid in self._calls:
                # A transition that began while this step was in the store
                # (a delete during a boot) scheduled its own next step.
                return
            if delay is None:
                self._done(uuid)
            else:
                self._schedule(uuid, delay)

        def failed(failure: Any) -> None:
            log.failure("transition of {uuid} failed; retrying", failure, uuid=uuid)
            self._schedule(uuid, 1.0)

        return d.addCallbacks(stepped, failed)

    def _step(self, connection: Connection, uuid: str, now: float) -> float | None:
        """
        One step of C{uuid}'s transition, if this worker holds its claim: enter
        the next task state, or finish. Returns the delay to the next step, or
        None when there is nothing more for this worker to do.
        """
        row = connection.execute(
            sa.select(I).where(I.c.uuid == uuid).with_for_update()).mappings().first()
        if row is None or row["claimed_by"] != self.worker_id or not row["pending_action"]:
            return None
        generations.attribute(connection, row["project_id"])
        action = row["pending_action"]
        params = dict(row["pending_params"] or {})
        if self._conf.behaviours.enabled and "duration" not in params:
            params["duration"] = self._injected_duration(connection, row, action, now)
            connection.execute(sa.update(I).where(I.c.id == row["id"]).values(
                pending_params=params, claim_expires=now + self._step_seconds(action, params)
                * max(1, len(TRANSITIONS[action].steps)) + self._conf.simulated.claim_seconds))
        due = (row["step_started"] or now) + self._step_seconds(action, params)
        if now < due - 0.001:
            # The transition began after this call was scheduled (a delete
            # during a boot's step), or a behaviour made it longer: its step
            # is not due yet.
            return due - now
        transition = TRANSITIONS[action]
        stamp = convert.naive(now)
        steps = transition.steps
        index = steps.index(row["task_state"]) if row["task_state"] in steps else len(steps) - 1
        if index + 1 < len(steps):
            next_state = steps[index + 1]
            changes = {"task_state": next_state, "step_started": now, "updated_at": stamp,
                       "claim_expires": now + self.duration(action)
                       + self._conf.simulated.claim_seconds}
            error = self._enter(connection, row, action, next_state, params, stamp, changes)
            if error is None:
                connection.execute(sa.update(I).where(I.c.id == row["id"]).values(**changes))
                return self._step_seconds(action, params)
            return None
        if self._held(connection, row, action, params, now):
            return HOLD_RECHECK
        self._finish(connection, row, action, params, stamp)
        return None

    def _enter(self, connection: Connection, row: Mapping[str, Any], action: str,
               task_state: str, params: dict, stamp: Any, changes: dict) -> str | None:
        """Side effects of reaching a task state; returns an error when it failed."""
        if action == "spawn" and task_state == states.NETWORKING:
            injected = self._injected_failure(connection, row, stamp)
            if injected is not None:
                self._fail(connection, row, params, stamp, *injected)
                return injected[1]
            if not self._schedulable(connection):
                reason = "No valid host was found. There are not enough hosts available."
                self._fail(connection, row, params, stamp, 500, reason)
                return reason
            changes.update(host=self.host, node=self.host)
            try:
                with connection.begin_nested():
                    address, mac = network_servers.allocate(
                        connection, self._conf, row, params.get("security_groups") or (),
                        stamp)
            except NoMoreAddresses as e:
                reason = ("No valid host was found. There are not enough hosts available. "
                          "(no free fixed IP address in %s)" % e.kwargs.get("cidr"))
                self._fail(connection, row, params, stamp, 500, reason)
                return reason
            except NovatxException as e:
                reason = "Build of instance %s aborted: %s" % (row["uuid"], e)
                self._fail(connection, row, params, stamp, 500, reason)
                return reason
            changes.update(fixed_ip=address, mac_address=mac)
        elif (action, task_state) in _UPLOADS and params.get("image_id"):
            connection.execute(sa.update(t.images).where(t.images.c.uuid == params["image_id"])
                               .values(status="saving", updated_at=stamp))
        elif action == "unshelve" and task_state == states.SPAWNING:
            changes.update(host=self.host, node=self.host)
        return None

    def _injected_failure(self, connection: Connection, row: Mapping[str, Any],
                          stamp: Any) -> tuple[int, str] | None:
        """
        The fault a C{create_error} behaviour of the server's project gives
        its create, if one is in scope (behaviours on only). Its firing is
        taken in this transaction, so it counts only if the failure is kept.
        """
        if not self._conf.behaviours.enabled:
            return None
        behaviour = behaviours.fire_in_transaction(connection, behaviours.Match(
            project_id=row["project_id"], effects=("create_error",), server_name=row["name"],
            server_id=row["uuid"]), stamp)
        if behaviour is None:
            return None
        log.info("behaviour {id} (create_error) of project {project} fired for server {uuid}",
                 id=behaviour.id, project=row["project_id"], uuid=row["uuid"])
        params = behaviour.spec.params
        return params.get("code", 500), params["message"]

    def _injected_duration(self, connection: Connection, row: Mapping[str, Any], action: str,
                           now: float) -> float | None:
        """The time a C{transition_time} behaviour gives this transition, if one fires."""
        behaviour = behaviours.fire_in_transaction(connection, behaviours.Match(
            project_id=row["project_id"], effects=("transition_time",),
            server_name=row["name"], server_id=row["uuid"], action=action), convert.naive(now))
        if behaviour is None:
            return None
        log.info("behaviour {id} (transition_time) of project {project} fired for {action} "
                 "of server {uuid}", id=behaviour.id, project=row["project_id"],
                 action=action, uuid=row["uuid"])
        return float(behaviour.spec.params["seconds"])

    def _held(self, connection: Connection, row: Mapping[str, Any], action: str,
              params: dict, now: float) -> bool:
        """
        Whether a C{hold} behaviour keeps this transition from ending. A
        server is caught once (which takes a firing) and stays held while
        that behaviour exists; its transition ends once it is removed.
        """
        if not self._conf.behaviours.enabled or action not in _HELD:
            return False
        held_by = params.get("held_by")
        if held_by is not None:
            if connection.execute(sa.select(t.behaviours.c.id).where(
                    t.behaviours.c.id == held_by)).first() is None:
                return False
        else:
            behaviour = behaviours.fire_in_transaction(connection, behaviours.Match(
                project_id=row["project_id"], effects=("hold",), server_name=row["name"],
                server_id=row["uuid"], state=_HELD[action]), convert.naive(now))
            if behaviour is None:
                return False
            log.info("behaviour {id} (hold) of project {project} holds server {uuid} in "
                     "{state}", id=behaviour.id, project=row["project_id"], uuid=row["uuid"],
                     state=_HELD[action])
            params["held_by"] = behaviour.id
        connection.execute(sa.update(I).where(I.c.id == row["id"]).values(
            pending_params=params,
            claim_expires=now + HOLD_RECHECK + self._conf.simulated.claim_seconds))
        return True

    def _schedulable(self, connection: Connection) -> bool:
        """
        Whether the scheduler may place a server on this host: nova's
        ComputeFilter passes only a compute service that is enabled and up.
        """
        state = services.states(connection).get((self.host, "nova-compute"))
        return state is None or not (state.disabled or state.forced_down)

    def _fail(self, connection: Connection, row: Mapping[str, Any], params: dict, stamp: Any,
              code: int, message: str) -> None:
        connection.execute(sa.update(I).where(I.c.id == row["id"]).values(
            vm_state=states.ERROR, task_state=None, power_state=states.NOSTATE,
            pending_action=None, pending_params=None, claimed_by=None, claim_expires=None,
            updated_at=stamp))
        connection.execute(sa.insert(t.instance_faults).values(
            instance_id=row["id"], code=code, message=message[:255], details=message,
            created_at=stamp))
        actions.finish(connection, params.get("action_id"), stamp, result="Error",
                       message=message)

    def _finish(self, connection: Connection, row: Mapping[str, Any], action: str,
                params: dict, stamp: Any) -> None:
        transition = TRANSITIONS[action]
        changes = dict(transition.finish(row, params))
        changes.update(task_state=None, pending_action=None, pending_params=None,
                       step_started=None, claimed_by=None, claim_expires=None,
                       updated_at=stamp)
        if action in ("spawn", "unshelve", "rebuild"):
            changes["launched_at"] = stamp
        if action == "revert_resize":
            changes["new_flavor"] = None
        if action == "resize":
            migrations.advance(connection, row["uuid"], "migrating", "finished", stamp)
        if action == "shelve" or action == "shelve_offload":
            changes.update(host=None, node=None)
        if action in ("snapshot", "backup", "shelve") and params.get("image_id"):
            connection.execute(sa.update(t.images).where(t.images.c.uuid == params["image_id"])
                               .values(status="active", updated_at=stamp))
        if transition.duration == DELETE:
            changes.update(deleted=True, deleted_at=stamp, terminated_at=stamp, fixed_ip=None)
            network_ports.release_server(connection, row["uuid"])
            volume_store.release_server(connection, row["uuid"], stamp)
            connection.execute(sa.delete(t.server_group_members).where(
                t.server_group_members.c.instance_uuid == row["uuid"]))
        connection.execute(sa.update(I).where(I.c.id == row["id"]).values(**changes))
        actions.finish(connection, params.get("action_id"), stamp)

    # -- picking up what others left -----------------------------------------------------

    def resume_pending(self, limit: int = 100) -> Deferred:
        """
        Claim transitions whose worker is gone and carry them on, and reclaim
        soft-deleted servers whose time is up; fires with the count carried on.
        """
        if not self._running:
            return succeed(0)
        now = self._clock.seconds()
        d = self._reclaim(now)
        d.addCallback(lambda _: self._store.read(self._any_abandoned, now))
        d.addCallback(lambda found: self._store.write(self._claim_abandoned, now, limit)
                      if found else [])

        def claimed(found: list[tuple[str, float]]) -> int:
            for uuid, delay in found:
                self._schedule(uuid, delay)
            return len(found)

        def unavailable(failure: Any) -> int:
            log.failure("looking for pending transitions failed", failure)
            return 0

        return d.addCallbacks(claimed, unavailable)

    def _reclaim(self, now: float) -> Deferred:
        """
        Delete the servers soft-deleted longer than C{[DEFAULT]
        reclaim_instance_interval} ago, as nova's periodic task does.
        """
        interval = self._conf.reclaim_instance_interval
        if interval <= 0:
            return succeed([])

        due = (I.c.vm_state == states.SOFT_DELETED, I.c.task_state.is_(None),
               I.c.deleted == sa.false(), I.c.updated_at <= convert.naive(now - interval))

        def any_due(connection: Connection) -> bool:
            return connection.execute(sa.select(I.c.id).where(*due).limit(1)).first() is not None

        def reclaim(connection: Connection) -> list[str]:
            rows = list(connection.execute(sa.select(I).where(*due).with_for_update()).mappings())
            for row in rows:
                self._finish(connection, row, "force_delete", {}, convert.naive(now))
            return [row["uuid"] for row in rows]

        def reclaimed(uuids: list[str]) -> None:
            for uuid in uuids:
                self._notify(uuid)

        def unavailable(failure: Any) -> None:
            log.failure("reclaiming soft-deleted servers failed", failure)

        d = self._store.read(any_due)
        d.addCallback(lambda found: self._store.write(reclaim) if found else [])
        return d.addCallbacks(reclaimed, unavailable)

    def take_due(self, until: float) -> Deferred:
        """
        Reclaim the soft-deleted servers whose time is up by C{until}, claim
        the transitions other workers follow whose next step is due by then
        (the controlled clock moved past it) and schedule them here; fires
        with how many. Held servers are left to L{release_held}.
        """
        if not self._running:
            return succeed(0)
        d = self._reclaim(until)
        return d.addCallback(lambda _: self._take(self._claim_due, until))

    def release_held(self) -> Deferred:
        """Claim and carry on at once the held servers whose hold was removed."""
        return self._take(self._claim_released)

    def _take(self, claim: Callable[..., list[tuple[str, float]]], *args: Any) -> Deferred:
        if not self._running:
            return succeed(0)

        def claimed(found: list[tuple[str, float]]) -> int:
            for uuid, delay in found:
                self._schedule(uuid, delay)
            return len(found)
        return self._store.write(claim, self._clock.seconds(), *args).addCallback(claimed)

    def _claim_pending(self, connection: Connection, now: float,
                       wanted: Callable[[Any, dict], float | None]) -> list[tuple[str, float]]:
        """Claim the pending rows for which C{wanted} gives a delay (compare-and-set)."""
        rows = connection.execute(
            sa.select(I.c.id, I.c.uuid, I.c.pending_action, I.c.pending_params,
                      I.c.step_started, I.c.claimed_by)
            .where(I.c.pending_action.is_not(None))).all()
        found = []
        for row in rows:
            if row.pending_action not in TRANSITIONS:
                continue
            delay = wanted(row, dict(row.pending_params or {}))
            if delay is None:
                continue
            if claims.claim(connection, I, row.id, row.pending_action,
                            claims.held_by(I, row.claimed_by), self.worker_id,
                            now + self.duration(row.pending_action)
                            + self._conf.simulated.claim_seconds):
                found.append((row.uuid, delay))
        return found

    def _claim_due(self, connection: Connection, now: float,
                   until: float) -> list[tuple[str, float]]:
        def due(row: Any, params: dict) -> float | None:
            if row.claimed_by == self.worker_id or params.get("held_by"):
                return None
            at = (row.step_started or now) + self._step_seconds(row.pending_action, params)
            return max(0.0, at - now) if at <= until else None
        return self._claim_pending(connection, now, due)

    def _claim_released(self, connection: Connection, now: float) -> list[tuple[str, float]]:
        holds = {row.id for row in connection.execute(sa.select(t.behaviours.c.id))}

        def released(row: Any, params: dict) -> float | None:
            held_by = params.get("held_by")
            return 0.0 if held_by is not None and held_by not in holds else None
        return self._claim_pending(connection, now, released)

    def _any_abandoned(self, connection: Connection, now: float) -> bool:
        """A cheap read first, so an idle poll never takes a write lock."""
        return connection.execute(
            sa.select(I.c.id).where(claims.abandoned(I, now)).limit(1)
        ).first() is not None

    def _claim_abandoned(self, connection: Connection, now: float,
                         limit: int) -> list[tuple[str, float]]:
        abandoned = claims.abandoned(I, now)
        rows = connection.execute(
            sa.select(I.c.id, I.c.uuid, I.c.pending_action, I.c.step_started)
            .where(abandoned).limit(limit)
        ).all()
        found = []
        for instance_id, uuid, action, step_started in rows:
            if action not in TRANSITIONS:
                continue
            if claims.claim(connection, I, instance_id, action, abandoned, self.worker_id,
                            now + self.duration(action) + self._conf.simulated.claim_seconds):
                elapsed = now - (step_started or now)
                found.append((uuid, max(0.0, self._step_seconds(action) - elapsed)))
        return found
