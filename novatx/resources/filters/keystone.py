"""
C{authtoken} and C{keystonecontext}: authentication by keystone.

C{authtoken} is keystonemiddleware's own C{AuthProtocol}, a WSGI middleware,
reading C{[keystone_authtoken]} from the process's config. It validates the
C{X-Auth-Token} (401 if it is not valid) and passes the caller on in headers
(C{X-User-Id}, C{X-Project-Id}, C{X-Roles}...), having first removed any such
header the client sent. C{keystonecontext} (native, after it) builds the
request context from those headers, as nova's C{NovaKeystoneContext}.

As with nova, where the version documents had their own unauthenticated
pipelines (C{/v2.1} apart from C{/v2.1/+}), a request for an API's root
without a token is passed on without authentication: clients discover
versions before they have a token.
"""

from __future__ import annotations

from typing import Any

from keystonemiddleware.auth_token import AuthProtocol
from twisted.web import http

from novatx.compute.context import RequestContext, has_admin_role
from novatx.resources.filters.base import Filter, is_api_root
from novatx.resources.pipeline import as_wsgi, native_filter_factory
from novatx.resources.requestid import get_request_id
from novatx.resources.runtime import Runtime, set_request_context
from novatx.resources.wsgi import wsgi_resource


class AuthTokenFilter(Filter):
    """
    keystonemiddleware's C{AuthProtocol} around the next part.

    @ivar authtoken: the middleware, mounted as a resource.
    """

    def __init__(self, next: Any, runtime: Runtime, **local_conf: str) -> None:
        super().__init__(next, runtime, **local_conf)
        conf = dict(local_conf, oslo_config_config=runtime.config)
        self.authtoken = wsgi_resource(AuthProtocol(as_wsgi(next, runtime), conf), runtime)

    def render(self, request: Any) -> Any:
        if request.getHeader(b"x-auth-token") is None and is_api_root(request):
            return self.render_next(request)
        return self.authtoken.render(request)


def _header(request: Any, *names: bytes) -> str | None:
    for name in names:
        value = request.getHeader(name)
        if value:
            return value.decode("utf-8")
    return None


class KeystoneContextFilter(Filter):
    """Makes the request context from the headers C{authtoken} set."""

    def render(self, request: Any) -> Any:
        user_id = _header(request, b"x-user-id", b"x-user")
        if user_id is None:
            if is_api_root(request):
                return self.render_next(request)
            return self.fail(request, http.UNAUTHORIZED, "Authentication required")
        project_id = _header(request, b"x-project-id", b"x-tenant-id", b"x-tenant") or ""
        roles = tuple(
            role.strip() for role in (_header(request, b"x-roles") or "").split(",") if role.strip()
        )
        set_request_context(
            request,
            RequestContext(
                user_id=user_id,
                project_id=project_id,
                is_admin=has_admin_role(roles),
                roles=roles,
                request_id=get_request_id(request),
                auth_token=_header(request, b"x-auth-token"),
            ),
        )
        return self.render_next(request)


authtoken_filter_factory = native_filter_factory(AuthTokenFilter)
filter_factory = native_filter_factory(KeystoneContextFilter)
