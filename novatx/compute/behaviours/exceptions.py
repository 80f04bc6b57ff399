"""The failures of the behaviours' internal API, kinds the faces already map."""

from __future__ import annotations

from novatx.compute.exceptions import Conflict, Invalid, NotFound


class InvalidBehaviour(Invalid):
    """A behaviour that cannot be kept as asked; nothing is stored."""

    msg_fmt = "Invalid behaviour: %(reason)s"


class BehaviourNotFound(NotFound):
    msg_fmt = "Behaviour %(behaviour_id)s could not be found."


class ClockNotControlled(Conflict):
    """The clock was asked to move, but it is the real one."""

    msg_fmt = ("The clock is the real one: set [behaviours] clock = controlled to move it.")
