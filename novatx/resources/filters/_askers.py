"""
Who a request is from, as the behaviours filter needs it: the project a
behaviour must belong to, for each API (and EC2's action).

The compute API's auth filters put the context on the request before the
behaviours filter runs. EC2 carries its own credentials, checked by the EC2
front; the filter checks them the same way (a request the front will refuse
is left for it to refuse). The metadata API knows the instance by its
address or the proxy's headers, and the instance's project from the store.
"""

from __future__ import annotations

from typing import Any, Callable

import attrs
from twisted.internet.defer import Deferred, succeed

from novatx.compute.context import get_admin_context
from novatx.extensions.ec2 import params as P
from novatx.extensions.ec2.auth import Authenticator
from novatx.extensions.ec2.errors import EC2Error
from novatx.extensions.ec2.front import signed_request
from novatx.extensions.metadata.identify import IdentifySettings, Refused, identify
from novatx.resources.requestid import get_request_id
from novatx.resources.runtime import Runtime, get_request_context


@attrs.frozen
class Asker:
    """The project a request acts for, and its EC2 action when it has one."""

    project_id: str
    ec2_action: str | None = None


#: C{ask(request)} -> Deferred firing with an L{Asker}, or C{None} when the
#: request is from nobody a behaviour could belong to (it then goes on as is).
Ask = Callable[[Any], "Deferred[Asker | None]"]


def compute_asker(runtime: Runtime) -> Ask:
    def ask(request: Any) -> "Deferred[Asker | None]":
        context = get_request_context(request)
        return succeed(Asker(context.project_id) if context and context.project_id else None)
    return ask


def ec2_asker(runtime: Runtime) -> Ask:
    authenticator = Authenticator.from_config(runtime.config, runtime.compute, runtime.reactor)

    def ask(request: Any) -> "Deferred[Asker | None]":
        try:
            signed = signed_request(request)
        except EC2Error:
            return succeed(None)
        action = P.to_dict(signed.params).get("Action")
        d = authenticator.authenticate(signed, get_request_id(request))
        d.addCallback(lambda context: Asker(context.project_id, action))
        return d.addErrback(lambda _: None)
    return ask


def metadata_asker(runtime: Runtime) -> Ask:
    settings = IdentifySettings.from_config(runtime.config)
    compute = runtime.compute

    def ask(request: Any) -> "Deferred[Asker | None]":
        try:
            asker = identify(request, settings)
        except Refused:
            return succeed(None)
        if asker.tenant_id is not None:
            return succeed(Asker(asker.tenant_id))
        if asker.instance_uuid is not None:
            d = compute.get_server(get_admin_context(), asker.instance_uuid)
        else:
            d = compute.get_server_by_address(asker.address)
        d.addCallback(lambda instance: Asker(instance.project_id))
        return d.addErrback(lambda _: None)
    return ask


ASKERS: dict[str, Callable[[Runtime], Ask]] = {
    "osapi_compute": compute_asker,
    "ec2": ec2_asker,
    "metadata": metadata_asker,
}
