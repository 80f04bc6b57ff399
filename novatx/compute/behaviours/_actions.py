"""
The C{action_error} effect: a server action that fails with the internal
failure a test named, as each face shows that failure (409, 403 over quota,
404, 503 on the compute API; EC2's own codes).
"""

from __future__ import annotations

from typing import Any, Mapping

from sqlalchemy.engine import Connection

from novatx.compute import convert
from novatx.compute import exceptions as exc
from novatx.compute.behaviours._queries import fire
from novatx.compute.behaviours._records import Match
from novatx.compute.transitions import TRANSITIONS


def _failure(kind: str, message: str | None, row: Mapping[str, Any], action: str,
             behaviour_id: str) -> exc.NovatxException:
    injected = "(injected by behaviour %s)" % (behaviour_id,)
    if kind == "not_found":
        return exc.InstanceNotFound(message, instance_id=row["uuid"])
    if kind == "conflict":
        return exc.InstanceInvalidState(
            message, method=TRANSITIONS[action].method, instance_uuid=row["uuid"],
            attr="vm_state", state="%s %s" % (row["vm_state"], injected))
    if kind == "quota":
        return exc.QuotaExceeded(message or "Quota exceeded %s" % (injected,))
    return exc.ServiceUnavailable(message, reason=injected)


def action_error(connection: Connection, row: Mapping[str, Any], action: str,
                 now: float) -> exc.NovatxException | None:
    """
    The failure an C{action_error} behaviour in scope gives C{action} of the
    server C{row}, its firing taken in this transaction; C{None} when none is.
    The caller keeps the transaction (the firing) and raises the failure.
    """
    behaviour = fire(connection, Match(
        project_id=row["project_id"], effects=("action_error",), server_name=row["name"],
        server_id=row["uuid"], action=action), convert.naive(now))
    if behaviour is None:
        return None
    params = behaviour.spec.params
    return _failure(params["error"], params.get("message"), row, action, behaviour.id)
