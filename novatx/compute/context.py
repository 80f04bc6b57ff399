"""
Who is asking: the request context that every internal-API call takes.

The auth filters (noauth2, keystonecontext) build one per request; the internal
API uses it for project isolation and admin checks. It carries no HTTP.
"""

from __future__ import annotations

import uuid

import attrs


def generate_request_id() -> str:
    """A nova-style request id: C{req-<uuid4>}."""
    return "req-" + str(uuid.uuid4())


@attrs.frozen
class RequestContext:
    """
    The caller of an internal-API method.

    @ivar user_id: the user making the call.
    @ivar project_id: the project the call acts in.
    @ivar is_admin: whether admin-only operations and other projects are allowed.
    @ivar roles: role names (keystone) or C{("admin",)} / C{("member",)} (noauth2).
    @ivar request_id: C{req-<uuid4>}, recorded in instance actions and logs.
    @ivar auth_token: the token the request came with, if any.
    """

    user_id: str
    project_id: str
    is_admin: bool = False
    roles: tuple[str, ...] = ()
    request_id: str = attrs.field(factory=generate_request_id)
    auth_token: str | None = None

    def elevated(self) -> "RequestContext":
        """The same caller with admin rights, for the system's own work."""
        return attrs.evolve(self, is_admin=True, roles=tuple(set(self.roles) | {"admin"}))


def has_admin_role(roles: tuple[str, ...]) -> bool:
    """
    Whether keystone roles make their holder an admin: oslo.policy compares
    role names without case, as nova's C{context_is_admin} check does, so
    C{Admin} is one too.
    """
    return any(role.lower() == "admin" for role in roles)


def get_admin_context() -> RequestContext:
    """A context for the daemon's own work (periodic tasks, metadata lookups)."""
    return RequestContext(user_id="novatx", project_id="novatx", is_admin=True, roles=("admin",))
