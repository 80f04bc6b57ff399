"""
C{POST /os-server-external-events} (admins; neutron and cinder call it):
each event is accepted for a server that is on a host (code 200), refused
for one that is not yet (422) or does not exist (404). The answer is 200
when all were accepted, 207 when some were, and 404 when none was. The
simulated hosts wait for no event, so an accepted one changes nothing.
"""

from __future__ import annotations

from typing import Any

from novatx.compute.exceptions import InstanceNotFound, NotFound
from novatx.extensions.compute._extension import ComputeResource, deferred
from novatx.extensions.compute.policies import server_extras as policies
from novatx.extensions.compute.schemas import external_events as schemas
from novatx.extensions.interfaces import Response, Route


class ServerExternalEvents(ComputeResource):
    """Events from the services around compute."""

    name = "ServerExternalEvents"
    alias = "os-server-external-events"
    policy_defaults = policies.EXTERNAL_EVENTS_RULES

    def routes(self) -> list[Route]:
        return [
            Route("/os-server-external-events", ("POST",), self.create,
                  "os-server-external-events.create", schema=schemas.create,
                  policy=policies.EXTERNAL_EVENTS),
        ]

    @deferred
    async def create(self, request: Any) -> Response:
        context = request.context.elevated()
        answered = []
        for event in request.body["events"]:
            result = dict(event, status=event.get("status", "completed"))
            try:
                instance = await self.compute.get_server(context, event["server_uuid"])
            except InstanceNotFound:
                result.update(code=404, status="failed")
            else:
                if instance.host:
                    result["code"] = 200
                else:
                    result.update(code=422, status="failed")
            answered.append(result)
        accepted = sum(1 for result in answered if result["code"] == 200)
        if not accepted:
            raise NotFound("No instances found for any event")
        return Response({"events": answered}, status=200 if accepted == len(answered) else 207)
