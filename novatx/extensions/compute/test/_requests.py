"""Requests as handlers see them, for view-builder tests that need no server."""

from __future__ import annotations

from typing import Any

from twisted.web.http_headers import Headers

from novatx.compute.context import RequestContext
from novatx.extensions.interfaces import APIVersion
from novatx.resources.request import APIRequest


def api_request(
    version: str | None = "2.1",
    args: dict[str, list[str]] | None = None,
    admin: bool = False,
    root: str = "http://compute.example:8774/v2.1",
    project_id: str | None = None,
    path: str = "/v2.1/",
) -> APIRequest:
    """An L{APIRequest} at C{version} (C{"2.0"}: the legacy C{/v2} root)."""
    context = RequestContext(
        user_id="admin" if admin else "alice",
        project_id="p1",
        is_admin=admin,
        roles=("admin",) if admin else ("member",),
    )
    return APIRequest(
        context=context,
        version=APIVersion.parse(version) if version else None,
        body=None,
        args=args or {},
        method="GET",
        path=path,
        headers=Headers(),
        raw=None,
        root=root,
        project_id=project_id,
        policy=None,
    )


def noop(*args: Any) -> None:
    """A policy check that allows everything."""
