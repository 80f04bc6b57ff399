"""
C{/os-services}: the nova services of the simulated deployment (admins).

C{GET} lists them: C{forced_down} appears at 2.11 and the ids become UUIDs at
2.53, as in nova. C{PUT} changes a compute service's state, which the store
keeps (every worker shows it, a restart keeps it): before 2.53 the path names
the action (C{enable}, C{disable}, C{disable-log-reason}, from 2.11
C{force-down}) and the body the service by host and binary; from 2.53 the path
names the service by id and the body says what changes.
"""

from __future__ import annotations

from typing import Any

from novatx.compute.exceptions import Invalid, NotFound
from novatx.extensions.compute import _hosts, _listing
from novatx.extensions.compute._extension import ComputeResource, deferred
from novatx.extensions.compute.policies import hosts as policies
from novatx.extensions.compute.schemas import services as schemas
from novatx.extensions.compute.server_support import as_bool
from novatx.extensions.interfaces import APIVersion, Route

V2_11 = APIVersion(2, 11)

#: The one binary whose state an admin may change, as in nova.
COMPUTE = "nova-compute"


class UnknownAction(NotFound):
    msg_fmt = "Unknown action"


class HostMappingNotFound(NotFound):
    msg_fmt = "Host '%(name)s' is not mapped to any cell"


class ServiceNotFound(NotFound):
    msg_fmt = "Service %(service_id)s could not be found."


class NotUpdatable(Invalid):
    msg_fmt = "Updating a %(binary)s service is not supported. Only nova-compute services can be updated."


def document(service: _hosts.Service, version: APIVersion, updated: str) -> dict[str, Any]:
    """One service as C{os-services} shows it at C{version}."""
    shown: dict[str, Any] = {
        "id": service.id_at(version),
        "binary": service.binary,
        "host": service.host,
        "zone": service.zone,
        "status": service.status,
        "state": service.state,
        "disabled_reason": service.disabled_reason,
        "updated_at": updated,
    }
    if version >= V2_11:
        shown["forced_down"] = service.forced_down
    return shown


class Services(ComputeResource):
    """The deployment's services."""

    name = "Services"
    alias = "os-services"
    policy_defaults = policies.SERVICES

    def routes(self) -> list[Route]:
        return [
            Route("/os-services", ("GET",), self.index, "os-services.index",
                  policy=policies.SERVICES_LIST),
            Route("/os-services/<action>", ("PUT",), self.act, "os-services.action",
                  schema=[("2.1", "2.10", schemas.action), ("2.11", "2.52", schemas.action_211)],
                  policy=policies.SERVICES_UPDATE, max_version="2.52"),
            # The policy is checked by the handler, after the id: nova answers
            # a malformed id with 400 whoever asks.
            Route("/os-services/<service_id>", ("PUT",), self.update, "os-services.update",
                  schema=schemas.update_253, min_version=str(_hosts.V2_53)),
        ]

    @deferred
    async def index(self, request: Any) -> dict[str, Any]:
        version = request.version or APIVersion(2, 1)
        _, found = await _hosts.deployment(self.compute, request.context)
        host = _listing.query_value(request, "host")
        binary = _listing.query_value(request, "binary")
        updated = _hosts.timestamp(self.reactor)
        return {
            "services": [
                document(service, version, updated)
                for service in found
                if (host is None or service.host == host) and (binary is None or service.binary == binary)
            ]
        }

    @deferred
    async def act(self, request: Any, action: str) -> dict[str, Any]:
        """C{PUT /os-services/<action>} (to 2.52): the body names the service."""
        version = request.version or APIVersion(2, 1)
        body = request.body
        actions = ("enable", "disable", "disable-log-reason") + (("force-down",) if version >= V2_11 else ())
        if action not in actions:
            raise UnknownAction()
        if action == "disable-log-reason" and "disabled_reason" not in body:
            raise Invalid("Missing disabled reason field")
        if action == "force-down" and "forced_down" not in body:
            raise Invalid("Missing forced_down field")
        host, binary = body["host"], body["binary"]
        if binary != COMPUTE:
            raise NotUpdatable(binary=binary)
        hosts = await self.compute.list_hosts(request.context)
        if host not in {info["host"] for info in hosts}:
            raise HostMappingNotFound(name=host)
        shown: dict[str, Any] = {"host": host, "binary": binary}
        if action == "force-down":
            forced_down = as_bool(body["forced_down"])
            await self.compute.update_service(request.context, host, binary, forced_down=forced_down)
            shown["forced_down"] = forced_down
            return {"service": shown}
        reason = body["disabled_reason"] if action == "disable-log-reason" else None
        disabled = action != "enable"
        await self.compute.update_service(request.context, host, binary, disabled=disabled, disabled_reason=reason)
        shown["status"] = "disabled" if disabled else "enabled"
        if reason:
            shown["disabled_reason"] = reason
        return {"service": shown}

    @deferred
    async def update(self, request: Any, service_id: str) -> dict[str, Any]:
        """C{PUT /os-services/<id>} (from 2.53): the body says what changes."""
        version = request.version or APIVersion(2, 1)
        wanted = _hosts.uuid_or_invalid(service_id)
        request.authorize(policies.SERVICES_UPDATE)
        _, found = await _hosts.deployment(self.compute, request.context)
        for service in found:
            if service.uuid == wanted:
                break
        else:
            raise ServiceNotFound(service_id=service_id)
        if service.binary != COMPUTE:
            raise NotUpdatable(binary=service.binary)
        body = request.body
        changes: dict[str, Any] = {}
        if body.get("status") == "enabled":
            if body.get("disabled_reason"):
                raise Invalid("Specifying 'disabled_reason' with status 'enabled' is invalid.")
            changes.update(disabled=False, disabled_reason=None)
        elif body.get("status") == "disabled":
            changes.update(disabled=True, disabled_reason=body.get("disabled_reason"))
        if "forced_down" in body:
            changes["forced_down"] = as_bool(body["forced_down"])
        if not changes:
            raise Invalid("No updates were requested. Fields 'status' or 'forced_down' should be specified.")
        state = await self.compute.update_service(request.context, service.host, service.binary, **changes)
        updated = _hosts.with_state(service, state)
        return {"service": document(updated, version, _hosts.timestamp(self.reactor))}
