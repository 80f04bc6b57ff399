"""
The records of behaviours: what a test asks for, what the store keeps, and
what a request or an internal call looks like when it is matched against them.
"""

from __future__ import annotations

import datetime
from typing import Any

import attrs

#: The effects a behaviour may have, and where each acts.
EFFECTS = {
    "http_error": "http",
    "latency": "http",
    "drop": "http",
    "create_error": "internal",
    "hold": "internal",
    "action_error": "internal",
    "transition_time": "internal",
}

#: The states a C{hold} keeps a server in (its status as the compute API shows it).
HOLD_STATES = ("BUILD", "REBOOT", "RESIZE", "DELETING")

#: The internal failures an C{action_error} raises, by the name a test gives.
ACTION_ERRORS = ("conflict", "quota", "not_found", "unavailable")

#: How many times a behaviour fires: C{once}, C{n} (its C{times}) or C{forever}.
COUNTS = ("once", "n", "forever")

#: The APIs whose requests an HTTP effect may match.
API_NAMES = ("osapi_compute", "ec2", "metadata")


@attrs.frozen
class BehaviourSpec:
    """
    A behaviour as a test asks for it (checked by L{BehavioursAPI.create}).

    @ivar params: the effect's own parameters (C{status}, C{message},
        C{code}, C{seconds}...).
    @ivar times: the number of firings when C{count} is C{n}.
    """

    project_id: str
    effect: str
    params: dict[str, Any] = attrs.field(factory=dict)
    count: str = "once"
    times: int | None = None
    api: str | None = None
    method: str | None = None
    path: str | None = None
    ec2_action: str | None = None
    server_name: str | None = None
    not_before: datetime.datetime | None = None
    not_after: datetime.datetime | None = None


@attrs.frozen
class Behaviour:
    """
    A stored behaviour.

    @ivar remaining: how many firings are left; C{None}: it fires forever.
    @ivar fired: how many times it fired so far.
    """

    id: str
    spec: BehaviourSpec
    created_by: str
    created_at: datetime.datetime
    fired: int = 0
    remaining: int | None = None


@attrs.frozen
class Match:
    """
    What is happening, to be matched against the behaviours' scopes: a
    request to an API (C{api}, C{method}, C{path}, C{ec2_action}) or an
    internal call (C{server_name}, and the C{action} or the C{state} an
    effect's params may name). A scope's unset part matches anything; a set
    part needs a value here that it matches.
    """

    project_id: str
    effects: tuple[str, ...]
    api: str | None = None
    method: str | None = None
    path: str | None = None
    ec2_action: str | None = None
    server_name: str | None = None
    server_id: str | None = None
    action: str | None = None
    state: str | None = None
