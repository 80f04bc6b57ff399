"""
C{/os-keypairs}: a user's key pairs.

The microversions change this resource more than most: 2.2 adds C{type} and
answers create with 201 and delete with 204; 2.10 lets admins act for another
C{user_id}; 2.35 pages the listing; 2.92 stops generating keys (a
C{public_key} is required) and widens the names allowed.
"""

from __future__ import annotations

import json
from typing import Any

from novatx.compute.records import KeyPair
from novatx.extensions.compute import _listing
from novatx.extensions.compute._extension import ComputeResource, deferred
from novatx.extensions.compute._read_encodings import ReadEncodings
from novatx.extensions.compute.policies import keypairs as policies
from novatx.extensions.compute.schemas import keypairs as schemas
from novatx.extensions.interfaces import APIVersion, Response, Route

V2_2 = APIVersion(2, 2)
V2_10 = APIVersion(2, 10)
V2_35 = APIVersion(2, 35)


def _version(request: Any) -> APIVersion:
    return request.version or APIVersion(2, 1)


def _timestamp(value: Any) -> str | None:
    return value.replace(tzinfo=None).isoformat() if value is not None else None


def keypair_document(request: Any, keypair: KeyPair, created: bool = False) -> dict[str, Any]:
    """A key pair as create (C{created}) and the listing show it."""
    document: dict[str, Any] = {
        "name": keypair.name,
        "public_key": keypair.public_key,
        "fingerprint": keypair.fingerprint,
    }
    if created:
        document["user_id"] = keypair.user_id
        if keypair.private_key is not None:
            document["private_key"] = keypair.private_key
    if _version(request) >= V2_2:
        document["type"] = keypair.type
    return document


def keypair_detail(request: Any, keypair: KeyPair) -> dict[str, Any]:
    """A key pair as C{GET /os-keypairs/{name}} shows it."""
    document = keypair_document(request, keypair)
    document.update(
        {
            "user_id": keypair.user_id,
            "deleted": False,
            "created_at": _timestamp(keypair.created_at),
            "updated_at": None,
            "deleted_at": None,
            "id": keypair.id,
        }
    )
    return document


class Keypairs(ComputeResource):
    """A user's key pairs."""

    name = "Keypairs"
    alias = "os-keypairs"
    policy_defaults = policies.RULES

    def __init__(self) -> None:
        super().__init__()
        self._encodings = ReadEncodings()

    def routes(self) -> list[Route]:
        return [
            Route("/os-keypairs", ("GET",), self.index, "os-keypairs.index", policy=policies.INDEX),
            Route("/os-keypairs", ("POST",), self.create, "os-keypairs.create",
                  schema=schemas.BY_VERSION, policy=policies.CREATE),
            Route("/os-keypairs/<name>", ("GET",), self.show, "os-keypairs.show", policy=policies.SHOW),
            Route("/os-keypairs/<name>", ("DELETE",), self.delete, "os-keypairs.delete",
                  policy=policies.DELETE),
        ]

    def _user_id(self, request: Any, rule: str, requested: str | None) -> str | None:
        """
        The user whose key pairs are meant (2.10: C{user_id}); asking for
        another user's is for admins (the rule decides, on that user).
        """
        if requested is None or _version(request) < V2_10:
            return None
        if requested != request.context.user_id:
            request.authorize(rule, {"user_id": requested, "project_id": request.context.project_id})
        return requested

    @deferred
    async def index(self, request: Any) -> dict[str, Any] | bytes:
        version = _version(request)
        user_id = self._user_id(request, policies.INDEX, _listing.query_value(request, "user_id"))
        limit: int | None = None
        marker: str | None = None
        if version >= V2_35:
            limit, marker = _listing.page_size(request, self.max_limit)
        result = await self.compute.list_key_pairs(
            request.context, user_id=user_id, limit=limit, marker=marker
        )
        if self.is_extended():
            return self._listing(request, result, limit)
        # The internal API answers with the same page while the user's key
        # pairs are unchanged; it is encoded once per shape.
        args = request.args
        shape = (version.major, version.minor, request.root, request.project_id,
                 tuple((name, tuple(values)) for name, values in sorted(args.items())) if args else ())
        body = self._encodings.get(result, shape)
        if body is None:
            body = json.dumps(self._listing(request, result, limit)).encode("utf-8")
            self._encodings.keep(result, shape, body)
        return body

    def _listing(self, request: Any, result: Any, limit: int | None) -> dict[str, Any]:
        keypairs = list(getattr(result, "items", result))
        document: dict[str, Any] = {
            "keypairs": [{"keypair": keypair_document(request, k)} for k in keypairs]
        }
        if limit is not None:
            links = _listing.next_links(request, keypairs, "os-keypairs", lambda k: k.name, limit)
            if links:
                document["keypairs_links"] = links
        return document

    @deferred
    async def create(self, request: Any) -> Response:
        version = _version(request)
        body = request.body["keypair"]
        user_id = self._user_id(request, policies.CREATE, body.get("user_id"))
        key_type = body.get("type", "ssh")
        if "public_key" in body:
            keypair = await self.compute.import_key_pair(
                request.context, body["name"], body["public_key"], key_type=key_type, user_id=user_id
            )
        else:
            keypair = await self.compute.create_key_pair(
                request.context, body["name"], key_type=key_type, user_id=user_id
            )
        return Response(
            {"keypair": keypair_document(request, keypair, created=True)},
            status=201 if version >= V2_2 else 200,
        )

    @deferred
    async def show(self, request: Any, name: str) -> dict[str, Any]:
        user_id = self._user_id(request, policies.SHOW, _listing.query_value(request, "user_id"))
        keypair = await self.compute.get_key_pair(request.context, name, user_id=user_id)
        return {"keypair": keypair_detail(request, keypair)}

    @deferred
    async def delete(self, request: Any, name: str) -> Response:
        user_id = self._user_id(request, policies.DELETE, _listing.query_value(request, "user_id"))
        await self.compute.delete_key_pair(request.context, name, user_id=user_id)
        return Response(status=204 if _version(request) >= V2_2 else 202)
