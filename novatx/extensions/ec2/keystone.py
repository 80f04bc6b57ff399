"""
Keys that keystone knows: its C{ec2tokens} API checks a signature for us.

Under C{[api] auth_strategy = keystone}, EC2 credentials usually live in
keystone (C{openstack ec2 credentials create}), not in novatx's store. When
C{[ec2] keystone_ec2_url} is set, a key the store does not have is sent to
keystone with what the signature covers, as nova's EC2 API did; keystone
answers with a token naming the signer's user, project and roles, or refuses.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import treq
from twisted.internet.defer import Deferred
from twisted.web.client import Agent, HTTPConnectionPool

from novatx.compute.context import RequestContext, has_admin_role
from novatx.extensions.ec2.errors import EC2Error, auth_failure
from novatx.extensions.ec2.signature import Claim, SignedRequest

#: Seconds to wait for keystone.
TIMEOUT = 10


def _header_name(name: str) -> str:
    return "-".join(part.capitalize() for part in name.split("-"))


def credentials_document(claim: Claim, request: SignedRequest) -> dict[str, Any]:
    """The body of an C{ec2tokens} request: the signature and what it covers."""
    params = dict(request.params)
    if claim.version == 4 and "X-Amz-Signature" not in params:
        params = {}
        for chunk in request.query.decode("ascii", "replace").split("&"):
            key, _, value = chunk.partition("=")
            if key:
                params[key] = value
    return {
        "credentials": {
            "access": claim.access,
            "signature": claim.signature,
            "host": request.host,
            "verb": request.method,
            "path": request.path.decode("ascii", "replace") or "/",
            "params": params,
            "headers": {_header_name(k): ",".join(v) for k, v in request.headers.items()},
            "body_hash": hashlib.sha256(request.body).hexdigest(),
        }
    }


def unavailable() -> EC2Error:
    return EC2Error("Unavailable", "The identity service is unavailable; try again.", 503)


class KeystoneEC2Tokens:
    """
    Asks keystone's C{ec2tokens} who signed a request.

    @ivar url: the C{ec2tokens} URL.
    """

    def __init__(self, url: str, reactor: Any) -> None:
        self.url = url
        self._reactor = reactor
        self._client = treq.client.HTTPClient(
            Agent(reactor, pool=HTTPConnectionPool(reactor, persistent=False))
        )

    def context(self, claim: Claim, request: SignedRequest, request_id: str) -> Deferred:
        """
        Fire with the signer's L{RequestContext}; fail with C{AuthFailure} when
        keystone refuses, C{Unavailable} when it cannot be asked.
        """
        d = self._client.post(
            self.url,
            data=json.dumps(credentials_document(claim, request)).encode("utf-8"),
            headers={"Content-Type": ["application/json"], "Accept": ["application/json"]},
            timeout=TIMEOUT,
        )

        def answered(response: Any) -> Any:
            if response.code not in (200, 201):
                return treq.content(response).addCallback(lambda _: _refuse())
            token = response.headers.getRawHeaders(b"x-subject-token", [b""])[0].decode("ascii", "replace")
            return treq.json_content(response).addCallback(_context, token, request_id)

        def failed(failure: Any) -> Any:
            if isinstance(failure.value, EC2Error):
                return failure
            raise unavailable()

        return d.addCallback(answered).addErrback(failed)


def _refuse() -> None:
    raise auth_failure()


def _context(document: Any, token: str, request_id: str) -> RequestContext:
    try:
        body = document["token"]
        roles = tuple(role["name"] for role in body.get("roles", ()))
        return RequestContext(
            user_id=body["user"]["id"],
            project_id=body["project"]["id"],
            is_admin=has_admin_role(roles),
            roles=roles,
            request_id=request_id,
            auth_token=token or None,
        )
    except (KeyError, TypeError):
        raise auth_failure() from None
