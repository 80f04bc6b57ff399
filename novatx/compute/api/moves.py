"""
Moving a server to another host: cold migration, live migration and
evacuation (admins). The simulated deployment has one compute host, so
there is never another host to move to, and each move ends as nova's ends
on a one-host deployment: a cold migration is refused (NoValidHost, 400), a
live migration is accepted and fails in the background (its migration
record in C{error}, the server still ACTIVE), an evacuation is refused while
the server's host is up and otherwise fails in the background likewise.
Each is recorded as an instance action whose event is an error.
"""

from __future__ import annotations

from typing import Any, Mapping

from sqlalchemy.engine import Connection
from twisted.internet.defer import Deferred, fail

from novatx.compute import actions, instances, migrations, services, states
from novatx.compute.api._base import ComputeAPIBase
from novatx.compute.context import RequestContext
from novatx.compute.exceptions import (
    Invalid, InstanceInvalidState, NotAuthorized, NotFound,
)

#: The vm states each move is allowed from (nova's guards).
_ALLOWED = {
    "migrate": (states.ACTIVE, states.STOPPED),
    "live-migration": (states.ACTIVE, states.PAUSED),
    "evacuate": (states.ACTIVE, states.STOPPED, states.ERROR),
}

#: The method names nova's conflict messages use.
_METHODS = {"migrate": "migrate", "live-migration": "live_migrate", "evacuate": "evacuate"}

NO_VALID_HOST = "No valid host was found. There are not enough hosts available."


class ComputeHostNotFound(NotFound):
    msg_fmt = "Compute host %(host)s could not be found."


class NoValidHost(Invalid):
    msg_fmt = "No valid host was found. %(reason)s"


class ComputeServiceInUse(Invalid):
    msg_fmt = "Compute service of %(host)s is still in use."


class MovesAPI(ComputeAPIBase):
    """Cold and live migration, evacuation. One part of L{novatx.compute.api.ComputeAPI}."""

    def _move(self, context: RequestContext, server_uuid: str, kind: str, host: str | None,
              check: Any) -> Deferred:
        """
        Check the move of C{kind} on the locked row with C{check(connection,
        row)} (it raises the refusals), record its failed action and, for an
        accepted move, its failed migration. Refusals after the guard are
        raised once the action is recorded.
        """
        if not context.is_admin:
            return fail(NotAuthorized("Policy doesn't allow %s to be performed." % kind))

        def run(connection: Connection) -> Exception | None:
            row = instances.get_row(connection, context, server_uuid, for_update=True)
            if row["vm_state"] not in _ALLOWED[kind] or row["task_state"] is not None:
                attr = "vm_state" if row["vm_state"] not in _ALLOWED[kind] else "task_state"
                raise InstanceInvalidState(method=_METHODS[kind], instance_uuid=server_uuid,
                                           attr=attr, state=row[attr])
            now = self._now()
            action_id = actions.start(connection, context, server_uuid, kind, now, row["host"])
            try:
                check(connection, row)
            except Invalid as refusal:
                actions.finish(connection, action_id, now, result="Error", message=str(refusal))
                return refusal
            migrations.start(connection, row, context.user_id, kind,
                             (row["flavor"] or {}).get("id"), now, status="error", dest=host)
            actions.finish(connection, action_id, now, result="Error", message=NO_VALID_HOST)
            return None

        def answered(refusal: Exception | None) -> None:
            if refusal is not None:
                raise refusal

        return self._write(run).addCallback(answered)

    def _known(self, host: str | None) -> None:
        if host is not None and host != self.driver.host_info()["host"]:
            raise ComputeHostNotFound(host=host)

    def migrate_server(self, context: RequestContext, server_uuid: str,
                       host: str | None = None) -> Deferred:
        """Cold migration: there is no other host (400)."""
        try:
            self._known(host)
        except ComputeHostNotFound as error:
            return fail(Invalid(str(error)))

        def check(connection: Connection, row: Mapping[str, Any]) -> None:
            raise NoValidHost(reason="No valid host found for cold migrate")
        return self._move(context, server_uuid, "migrate", host, check)

    def live_migrate_server(self, context: RequestContext, server_uuid: str,
                            host: str | None = None) -> Deferred:
        """Accepted, then failed in the background: no other host takes it."""
        try:
            self._known(host)
        except ComputeHostNotFound as error:
            return fail(Invalid(str(error)))

        def check(connection: Connection, row: Mapping[str, Any]) -> None:
            if host is not None and host == row["host"]:
                raise Invalid("Unable to migrate instance (%s) to current host (%s)."
                              % (row["uuid"], host))
        return self._move(context, server_uuid, "live-migration", host, check)

    def evacuate_server(self, context: RequestContext, server_uuid: str,
                        host: str | None = None) -> Deferred:
        """Refused while the server's host is up; else accepted and failed."""
        try:
            self._known(host)
        except Exception:
            return fail()

        def check(connection: Connection, row: Mapping[str, Any]) -> None:
            state = services.states(connection).get((row["host"], "nova-compute"))
            if state is None or not state.forced_down:
                raise ComputeServiceInUse(host=row["host"])
            if host is not None and host == row["host"]:
                raise Invalid("The target host can't be the same one.")
        return self._move(context, server_uuid, "evacuate", host, check)
