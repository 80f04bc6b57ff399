"""
C{/behaviours}: the control API of behaviours, failures tests inject on cue.

Served only with C{[behaviours] enabled = true}; otherwise the extension has
no routes, so C{/behaviours} is a 404 like any unknown path. Its rules are
admin-only by default: a behaviour names the project it acts on
(C{project_id}, the caller's own by default).
"""

from __future__ import annotations

import datetime
from typing import Any

from novatx.compute.behaviours import Behaviour, BehaviourSpec
from novatx.compute.exceptions import Invalid
from novatx.extensions.compute import _listing
from novatx.extensions.compute._extension import ComputeResource, deferred
from novatx.extensions.compute.policies import behaviours as policies
from novatx.extensions.compute.schemas import behaviours as schemas
from novatx.extensions.interfaces import Response, Route

_SCOPE = ("api", "method", "path", "ec2_action", "server_name")


def _time(value: datetime.datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_time(name: str, value: str | None) -> datetime.datetime | None:
    """An ISO 8601 time of the body (C{Z} or an offset; none: UTC)."""
    if value is None:
        return None
    try:
        when = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise Invalid("Invalid input for field/attribute %s. Value: %s. It is no ISO 8601 "
                      "date and time." % (name, value)) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone.utc)
    return when


def clock_document(seconds: float, controlled: bool) -> dict[str, Any]:
    """The clock as C{/behaviours/clock} shows it."""
    now = datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc)
    text = now.strftime("%Y-%m-%dT%H:%M:%S")
    if now.microsecond:
        text += ".%06d" % (now.microsecond,)
    return {"clock": {"mode": "controlled" if controlled else "real", "now": text + "Z",
                      "seconds": seconds}}


def behaviour_document(behaviour: Behaviour) -> dict[str, Any]:
    """A behaviour as the control API shows it, with its firings."""
    spec = behaviour.spec
    document: dict[str, Any] = {
        "id": behaviour.id,
        "project_id": spec.project_id,
        "effect": spec.effect,
        "params": spec.params,
        "count": spec.count,
        "times": spec.times,
        "fired": behaviour.fired,
        "remaining": behaviour.remaining,
        "not_before": _time(spec.not_before),
        "not_after": _time(spec.not_after),
        "created_by": behaviour.created_by,
        "created_at": _time(behaviour.created_at),
    }
    document.update({name: getattr(spec, name) for name in _SCOPE})
    return document


class Behaviours(ComputeResource):
    """Make, list and remove behaviours."""

    name = "Behaviours"
    alias = "behaviours"
    policy_defaults = policies.RULES

    @property
    def listed(self) -> bool:
        """Shown by C{/extensions} only when enabled, as its routes are."""
        return bool(self.config.behaviours.enabled)

    def routes(self) -> list[Route]:
        if not self.config.behaviours.enabled:
            return []
        return [
            Route("/behaviours", ("POST",), self.create, "behaviours.create",
                  schema=schemas.create, policy=policies.CREATE, status=201),
            Route("/behaviours", ("GET",), self.index, "behaviours.index",
                  policy=policies.LIST),
            Route("/behaviours", ("DELETE",), self.clear, "behaviours.clear",
                  policy=policies.DELETE),
            Route("/behaviours/<behaviour_id>", ("DELETE",), self.delete,
                  "behaviours.delete", policy=policies.DELETE),
            Route("/behaviours/clock", ("GET",), self.show_clock, "behaviours.clock.show",
                  policy=policies.CLOCK_SHOW),
            Route("/behaviours/clock", ("POST",), self.move_clock, "behaviours.clock.move",
                  schema=schemas.clock, policy=policies.CLOCK_MOVE),
        ]

    @deferred
    async def create(self, request: Any) -> Response:
        body = request.body["behaviour"]
        spec = BehaviourSpec(
            project_id=body.get("project_id", request.context.project_id),
            effect=body["effect"],
            params=body.get("params", {}),
            count=body.get("count", "once"),
            times=body.get("times"),
            not_before=_parse_time("not_before", body.get("not_before")),
            not_after=_parse_time("not_after", body.get("not_after")),
            **{name: body.get(name) for name in _SCOPE},
        )
        behaviour = await self.compute.behaviours.create(request.context, spec)
        return Response({"behaviour": behaviour_document(behaviour)}, status=201)

    @deferred
    async def index(self, request: Any) -> dict[str, Any]:
        project_id = _listing.query_value(request, "project_id")
        behaviours = await self.compute.behaviours.list(project_id)
        return {"behaviours": [behaviour_document(b) for b in behaviours]}

    @deferred
    async def delete(self, request: Any, behaviour_id: str) -> Response:
        await self.compute.behaviours.delete(behaviour_id)
        return Response(None, status=204)

    @deferred
    async def clear(self, request: Any) -> Response:
        project_id = _listing.query_value(request, "project_id") or request.context.project_id
        await self.compute.behaviours.clear(project_id)
        return Response(None, status=204)

    @deferred
    async def show_clock(self, request: Any) -> dict[str, Any]:
        behaviours = self.compute.behaviours
        return clock_document(await behaviours.clock_now(), behaviours.controlled)

    @deferred
    async def move_clock(self, request: Any) -> dict[str, Any]:
        """
        Move the controlled clock; answers once the transitions that fell
        due are done. Backwards is refused (400), a real clock too (409).
        """
        behaviours = self.compute.behaviours
        if "advance" in request.body:
            seconds = await behaviours.advance_clock(request.body["advance"])
        else:
            when = _parse_time("set", request.body["set"])
            seconds = await behaviours.set_clock(when.timestamp())
        return clock_document(seconds, True)
