"""
C{noauth2}: nova's test-only authentication, trusting the token as it reads.

The token C{user:project} names the caller (C{user} alone: the project is the
user's name); the user C{admin} is an administrator, anyone else a member.
C{user:project:role1,role2} names the roles too (C{admin} among them makes an
administrator), so that a policy's reader, member and admin rules can be tried
without keystone. The openstack CLI's C{auth_type: none} sends the token
C{notused}, a plain user. A request for the API's root (C{/v2.1}, C{/v2.1/}:
version discovery) needs no token, as in nova, whose version documents had
their own pipelines. Other requests without a token get nova's legacy auth
reply: 204 with C{X-Auth-Token} (from C{X-Auth-User} and C{X-Auth-Project-Id},
both defaulting to C{admin}) and C{X-Server-Management-Url}, the URL the
request came to followed by the project (nova's C{NoAuthMiddleware} puts the
project in the path). A token with more than two colons, an empty user or an
empty role is refused with a 401 fault.
"""

from __future__ import annotations

from typing import Any

from twisted.web import http

from novatx.compute.context import RequestContext
from novatx.resources.filters.base import Filter, is_api_root
from novatx.resources.origin import origin
from novatx.resources.pipeline import native_filter_factory
from novatx.resources.requestid import get_request_id
from novatx.resources.runtime import set_request_context

_FORMS = "'user', 'user:project' or 'user:project:role1,role2'"


class InvalidToken(ValueError):
    """A token noauth2 cannot read as C{user[:project[:roles]]}."""


def parse_token(token: str) -> tuple[str, str, tuple[str, ...]]:
    """
    C{"user:project:role1,role2"}, C{"user:project"} or C{"user"} -> C{(user,
    project, roles)}. Without roles, C{admin} is the user C{admin}'s role and
    C{member} everyone else's.
    """
    if not token:
        raise InvalidToken("Empty X-Auth-Token: expected %s." % (_FORMS,))
    parts = token.split(":")
    if len(parts) > 3:
        raise InvalidToken("Invalid X-Auth-Token %r: expected %s." % (token, _FORMS))
    user = parts[0]
    project = parts[1] if len(parts) >= 2 and parts[1] else user
    if not user:
        raise InvalidToken("Invalid X-Auth-Token %r: the user is empty." % (token,))
    if len(parts) < 3:
        return user, project, ("admin",) if user == "admin" else ("member",)
    roles = tuple(role.strip() for role in parts[2].split(","))
    if not all(roles):
        raise InvalidToken("Invalid X-Auth-Token %r: a role is empty." % (token,))
    return user, project, roles


class NoAuthFilter(Filter):
    """Makes the request context from a C{user:project[:roles]} token."""

    def render(self, request: Any) -> Any:
        token = request.getHeader(b"x-auth-token")
        if token is None:
            if is_api_root(request):
                return self.render_next(request)
            return self._legacy_auth_reply(request)
        try:
            user, project, roles = parse_token(token.decode("utf-8"))
        except (InvalidToken, UnicodeDecodeError) as e:
            message = str(e) if isinstance(e, InvalidToken) else "X-Auth-Token is not UTF-8."
            return self.fail(request, http.UNAUTHORIZED, message)
        set_request_context(
            request,
            RequestContext(
                user_id=user,
                project_id=project,
                is_admin="admin" in roles,
                roles=roles,
                request_id=get_request_id(request),
                auth_token=token.decode("utf-8"),
            ),
        )
        return self.render_next(request)

    @staticmethod
    def _legacy_auth_reply(request: Any) -> bytes:
        user = request.getHeader(b"x-auth-user") or b"admin"
        project = request.getHeader(b"x-auth-project-id") or b"admin"
        request.setResponseCode(http.NO_CONTENT)
        request.setHeader(b"X-Auth-Token", user + b":" + project)
        url = (origin(request) + request.path.decode("latin-1")).rstrip("/")
        request.setHeader(b"X-Server-Management-Url", url.encode("latin-1") + b"/" + project)
        request.setHeader(b"Content-Type", b"text/plain; charset=UTF-8")
        return b""


filter_factory = native_filter_factory(NoAuthFilter)
