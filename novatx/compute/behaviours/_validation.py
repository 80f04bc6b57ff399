"""
Checking a L{BehaviourSpec} before anything is stored: each refusal names what
is wrong, so a test that asked for the impossible reads why.
"""

from __future__ import annotations

import re
from typing import Any

from novatx.compute.behaviours._globs import glob_error
from novatx.compute.behaviours._records import (
    ACTION_ERRORS, API_NAMES, COUNTS, EFFECTS, HOLD_STATES, BehaviourSpec)
from novatx.compute.behaviours.exceptions import InvalidBehaviour
from novatx.compute.transitions import TRANSITIONS

_METHOD = re.compile(r"^[A-Z]{1,16}$")
_EC2_ACTION = re.compile(r"^[A-Za-z0-9]{1,64}$")
_EC2_CODE = re.compile(r"^[A-Za-z0-9.]{1,64}$")
#: The longest delay a latency effect may add: longer is a hang, not a delay.
MAX_LATENCY = 3600.0
#: The longest a transition_time may make a transition (a day).
MAX_TRANSITION = 86400.0
_HTTP_SCOPE = ("api", "method", "path", "ec2_action")


def _refuse(reason: str) -> InvalidBehaviour:
    return InvalidBehaviour(reason=reason)


def _status(params: dict[str, Any], name: str, default: int | None) -> None:
    value = params.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or not 400 <= value <= 599:
        raise _refuse("%s must be an HTTP error status from 400 to 599, not %r" % (name, value))


def _text(params: dict[str, Any], name: str, required: bool = False) -> None:
    value = params.get(name)
    if value is None and not required:
        return
    if not isinstance(value, str) or not value:
        raise _refuse("%s must be a non-empty string, not %r" % (name, value))


def _check_http_error(params: dict[str, Any]) -> None:
    _status(params, "status", None)
    _text(params, "message")
    _text(params, "code")
    if "code" in params and not _EC2_CODE.match(params["code"]):
        raise _refuse("code %r is no EC2 error code (letters, digits and dots)" % (params["code"],))


def _seconds(params: dict[str, Any], most: float) -> None:
    seconds = params.get("seconds")
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        raise _refuse("seconds must be a number, not %r" % (seconds,))
    if not 0 <= seconds <= most:
        raise _refuse("seconds must be from 0 to %d, not %r" % (most, seconds))


def _check_latency(params: dict[str, Any]) -> None:
    _seconds(params, MAX_LATENCY)


def _one_of(params: dict[str, Any], name: str, known: Any, required: bool) -> None:
    value = params.get(name)
    if value is None and not required:
        return
    if value not in known:
        raise _refuse("%s must be one of %s, not %r" % (name, ", ".join(sorted(known)), value))


def _server(params: dict[str, Any]) -> None:
    _text(params, "server_id")


def _check_hold(params: dict[str, Any]) -> None:
    _one_of(params, "state", HOLD_STATES, required=True)
    _server(params)


def _check_action_error(params: dict[str, Any]) -> None:
    _one_of(params, "error", ACTION_ERRORS, required=True)
    _one_of(params, "action", TRANSITIONS, required=False)
    _text(params, "message")
    _server(params)


def _check_transition_time(params: dict[str, Any]) -> None:
    _seconds(params, MAX_TRANSITION)
    _one_of(params, "action", TRANSITIONS, required=False)
    _server(params)


def _check_create_error(params: dict[str, Any]) -> None:
    _text(params, "message", required=True)
    _status(params, "code", 500)
    _server(params)


_PARAMS = {
    "http_error": (_check_http_error, {"status", "message", "code"}),
    "latency": (_check_latency, {"seconds"}),
    "drop": (lambda params: None, set()),
    "create_error": (_check_create_error, {"message", "code", "server_id"}),
    "hold": (_check_hold, {"state", "server_id"}),
    "action_error": (_check_action_error, {"error", "action", "message", "server_id"}),
    "transition_time": (_check_transition_time, {"seconds", "action", "server_id"}),
}


def check(spec: BehaviourSpec) -> None:
    """
    Refuse (L{InvalidBehaviour}) a spec that could not act as asked.
    """
    if spec.effect not in EFFECTS:
        raise _refuse("unknown effect %r; known effects: %s" % (
            spec.effect, ", ".join(sorted(EFFECTS))))
    checker, known = _PARAMS[spec.effect]
    unknown = sorted(set(spec.params) - known)
    if unknown:
        raise _refuse("effect %s takes no %s" % (spec.effect, ", ".join(unknown)))
    checker(spec.params)
    _check_count(spec)
    _check_scope(spec)
    if spec.not_before is not None and spec.not_after is not None \
            and spec.not_after <= spec.not_before:
        raise _refuse("the window ends (not_after %s) before it starts (not_before %s)" % (
            spec.not_after.isoformat(), spec.not_before.isoformat()))


def _check_count(spec: BehaviourSpec) -> None:
    if spec.count not in COUNTS:
        raise _refuse("count must be one of %s, not %r" % (", ".join(COUNTS), spec.count))
    if spec.count == "n":
        if isinstance(spec.times, bool) or not isinstance(spec.times, int) or spec.times < 1:
            raise _refuse("count n needs times, a whole number of at least 1, not %r"
                          % (spec.times,))
    elif spec.times is not None:
        raise _refuse("times only goes with count n, not %s" % (spec.count,))


def _check_scope(spec: BehaviourSpec) -> None:
    if not spec.project_id:
        raise _refuse("a behaviour needs a project")
    if EFFECTS[spec.effect] == "internal":
        named = [name for name in _HTTP_SCOPE if getattr(spec, name) is not None]
        if named:
            raise _refuse("effect %s acts in the internal API, not on requests: drop %s" % (
                spec.effect, ", ".join(named)))
    elif spec.server_name is not None:
        raise _refuse("effect %s acts on requests, not on servers: drop server_name"
                      % (spec.effect,))
    if spec.api is not None and spec.api not in API_NAMES:
        raise _refuse("api must be one of %s, not %r" % (", ".join(API_NAMES), spec.api))
    if spec.method is not None and not _METHOD.match(spec.method):
        raise _refuse("method %r is no HTTP method (GET, POST...)" % (spec.method,))
    if spec.ec2_action is not None and not _EC2_ACTION.match(spec.ec2_action):
        raise _refuse("ec2_action %r is no EC2 action name" % (spec.ec2_action,))
    if spec.path is not None:
        if not spec.path.startswith("/"):
            raise _refuse("path %r must start with /" % (spec.path,))
        _check_glob("path", spec.path)
    if spec.server_name is not None:
        _check_glob("server_name", spec.server_name)


def _check_glob(name: str, pattern: str) -> None:
    reason = glob_error(pattern)
    if reason is not None:
        raise _refuse("%s is no glob: %s" % (name, reason))
