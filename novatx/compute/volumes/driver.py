"""
The simulated block storage backend: volume and snapshot transitions that
take time and are kept in the store.

The internal API writes a transition's start (its status, C{pending_action}
and this worker's claim, L{SimulatedVolumeDriver.claim}); the driver applies
its end once its time has passed. A worker that dies leaves its claims to
expire, and L{SimulatedVolumeDriver.resume_pending} (on start and
periodically) takes them over with a compare-and-set, as the compute driver
does for servers, so that every transition ends exactly once.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from twisted.internet.defer import Deferred, succeed
from twisted.internet.task import LoopingCall
from twisted.logger import Logger

from novatx.compute import actions, claims, convert
from novatx.compute.timers import TransitionTimers
from novatx.compute.volumes import states
from novatx.db import tables as t
from novatx.db.store import Store, StoreUnavailable

log = Logger()

TABLES = {states.VOLUME: t.volumes, states.SNAPSHOT: t.volume_snapshots}
A = t.volume_attachments


def _source_left(connection: Connection, row: Mapping[str, Any]) -> bool:
    """
    Whether what a volume is being made of (a snapshot, an image) is still
    there: cinder's create fails, leaving the volume in C{error}, when its
    source went away meanwhile.
    """
    S, I = t.volume_snapshots, t.images
    if row["snapshot_id"] is not None and connection.execute(sa.select(S.c.id).where(
            S.c.uuid == row["snapshot_id"], S.c.deleted == sa.false())).first() is None:
        return False
    if row["image_id"] is not None and connection.execute(sa.select(I.c.id).where(
            I.c.uuid == row["image_id"], I.c.deleted == sa.false())).first() is None:
        return False
    return True


class SimulatedVolumeDriver(TransitionTimers):
    """
    A block storage backend that exists only in the store.

    @param notify: called with a server's uuid when a transition changed what
        the server shows (its attached volumes).
    """

    poll_name = "pending volume transitions"

    def __init__(self, conf: Any, store: Store, clock: Any, worker_id: str,
                 notify: Callable[[str], None]) -> None:
        self._conf = conf
        self._store = store
        self._clock = clock
        self.worker_id = worker_id
        self._notify = notify
        self._calls: dict[tuple[str, str], Any] = {}
        self._waiters: dict[tuple[str, str], list[Deferred]] = {}
        self._loop: LoopingCall | None = None
        self._running = False

    def duration(self, action: str) -> float:
        """The time of C{action}, from C{[simulated]}."""
        return float(getattr(self._conf.simulated, states.TRANSITIONS[action].duration))

    def claim(self, action: str, now: float, **params: Any) -> dict[str, Any]:
        """The columns that start C{action} (its status included), claimed by this worker."""
        return {
            "status": states.TRANSITIONS[action].status,
            "pending_action": action,
            "pending_params": params,
            "step_started": now,
            "claimed_by": self.worker_id,
            "claim_expires": now + self.duration(action) + self._conf.simulated.claim_seconds,
        }

    def follow(self, action: str, uuid: str) -> Deferred:
        """End C{action} of C{uuid} when its time has passed; fires when it has."""
        key = (states.TRANSITIONS[action].kind, uuid)
        waiter: Deferred = Deferred()
        self._waiters.setdefault(key, []).append(waiter)
        self._schedule(key, self.duration(action))
        return waiter

    def ended(self, kind: str, uuid: str) -> Deferred:
        """
        Fires when this worker next ends a transition of C{uuid} (a L{states.VOLUME}
        or L{states.SNAPSHOT}): an event to wait for instead of time.
        """
        waiter: Deferred = Deferred()
        self._waiters.setdefault((kind, uuid), []).append(waiter)
        return waiter

    # -- running -------------------------------------------------------------------------

    def _schedule(self, key: tuple[str, str], delay: float) -> None:
        if not self._running:
            return
        old = self._calls.pop(key, None)
        if old is not None and old.active():
            old.cancel()
        self._calls[key] = self._clock.callLater(max(0.0, delay), self._end, key)

    def _end(self, key: tuple[str, str]) -> Deferred:
        self._calls.pop(key, None)
        d = self._store.write(self._finish, key[0], key[1], self._clock.seconds())

        def ended(server_uuid: str | None) -> None:
            if server_uuid is not None:
                self._notify(server_uuid)
            for waiter in self._waiters.pop(key, []):
                waiter.callback(None)

        def failed(failure: Any) -> None:
            log.failure("volume transition of {uuid} failed; retrying", failure, uuid=key[1])
            self._schedule(key, 1.0)

        return d.addCallbacks(ended, failed)

    def _finish(self, connection: Connection, kind: str, uuid: str,
                now: float) -> str | None:
        """
        End the transition of C{uuid} if this worker holds its claim; returns
        the server whose attachments it changed, if any.
        """
        table = TABLES[kind]
        row = connection.execute(
            sa.select(table).where(table.c.uuid == uuid).with_for_update()).mappings().first()
        if row is None or row["claimed_by"] != self.worker_id or not row["pending_action"]:
            return None
        transition = states.TRANSITIONS[row["pending_action"]]
        params: Mapping[str, Any] = row["pending_params"] or {}
        stamp = convert.naive(now)
        changes = dict(transition.finish(row, params))
        if transition.name == "create" and not _source_left(connection, row):
            changes["status"] = states.ERROR
        changes.update(pending_action=None, pending_params=None, step_started=None,
                       claimed_by=None, claim_expires=None, updated_at=stamp)
        if changes.get("deleted"):
            changes["deleted_at"] = stamp
        server_uuid = params.get("server_id")
        if transition.name == "attach":
            connection.execute(sa.update(A).where(A.c.volume_uuid == uuid)
                               .values(attached_at=stamp, updated_at=stamp))
        elif transition.name == "detach":
            connection.execute(sa.delete(A).where(A.c.volume_uuid == uuid))
        connection.execute(sa.update(table).where(table.c.id == row["id"]).values(**changes))
        actions.finish(connection, params.get("action_id"), stamp)
        return server_uuid

    # -- picking up what others left -------------------------------------------------------

    def resume_pending(self, limit: int = 100) -> Deferred:
        """Claim transitions whose worker is gone and end them; fires with their count."""
        if not self._running:
            return succeed(0)
        now = self._clock.seconds()
        d = self._store.read(self._any_abandoned, now)
        d.addCallback(lambda found: self._store.write(self._claim_abandoned, now, limit)
                      if found else [])

        def claimed(found: list[tuple[tuple[str, str], float]]) -> int:
            for key, delay in found:
                self._schedule(key, delay)
            return len(found)

        def unavailable(failure: Any) -> int:
            if failure.check(StoreUnavailable):
                log.warn("looking for pending volume transitions: {error}", error=failure.value)
            else:
                log.failure("looking for pending volume transitions failed", failure)
            return 0

        return d.addCallbacks(claimed, unavailable)

    def take_due(self, until: float) -> Deferred:
        """
        Claim the transitions other workers follow that are due by C{until}
        (the controlled clock moved past them) and schedule them here; fires
        with how many.
        """
        if not self._running:
            return succeed(0)

        def claimed(found: list[tuple[tuple[str, str], float]]) -> int:
            for key, delay in found:
                self._schedule(key, delay)
            return len(found)
        return self._store.write(self._claim_due, self._clock.seconds(), until).addCallback(
            claimed)

    def _claim_due(self, connection: Connection, now: float,
                   until: float) -> list[tuple[tuple[str, str], float]]:
        found = []
        for kind, table in TABLES.items():
            rows = connection.execute(
                sa.select(table.c.id, table.c.uuid, table.c.pending_action, table.c.step_started,
                          table.c.claimed_by).where(table.c.pending_action.is_not(None))).all()
            for row in rows:
                if row.pending_action not in states.TRANSITIONS \
                        or row.claimed_by == self.worker_id:
                    continue
                due = (row.step_started or now) + self.duration(row.pending_action)
                if due > until:
                    continue
                if claims.claim(connection, table, row.id, row.pending_action,
                                claims.held_by(table, row.claimed_by), self.worker_id,
                                now + self.duration(row.pending_action)
                                + self._conf.simulated.claim_seconds):
                    found.append(((kind, row.uuid), max(0.0, due - now)))
        return found

    def _any_abandoned(self, connection: Connection, now: float) -> bool:
        """A cheap read first, so an idle poll never takes a write lock."""
        return any(connection.execute(
            sa.select(table.c.id).where(claims.abandoned(table, now)).limit(1)).first() is not None
            for table in TABLES.values())

    def _claim_abandoned(self, connection: Connection, now: float,
                         limit: int) -> list[tuple[tuple[str, str], float]]:
        found = []
        for kind, table in TABLES.items():
            abandoned = claims.abandoned(table, now)
            rows = connection.execute(
                sa.select(table.c.id, table.c.uuid, table.c.pending_action, table.c.step_started)
                .where(abandoned).limit(limit)).all()
            for row_id, uuid, action, step_started in rows:
                if action not in states.TRANSITIONS:
                    continue
                if claims.claim(connection, table, row_id, action, abandoned,
                                self.worker_id, now + self.duration(action)
                                + self._conf.simulated.claim_seconds):
                    elapsed = now - (step_started or now)
                    found.append(((kind, uuid), max(0.0, self.duration(action) - elapsed)))
        return found
