"""
Who signed an EC2 request: the stored credential behind a L{Claim}, the clock
window, and the request context that results.

Credentials live in the store (C{novatx-manage ec2-credentials create}); the
internal API reads them off the reactor thread. A signed request is mostly a
credential look-up, so L{Authenticator} keeps the ones it found for
C{[ec2] credential_cache_seconds}. The clock is the reactor's (C{IReactorTime}),
so tests move it instead of waiting.
"""

from __future__ import annotations

from typing import Any

import attrs
from twisted.internet.defer import Deferred, fail, maybeDeferred

from novatx.compute.context import RequestContext
from novatx.compute.exceptions import NotFound
from novatx.compute.records import EC2Credential
from novatx.extensions.ec2.errors import auth_failure, request_expired
from novatx.extensions.ec2.keystone import KeystoneEC2Tokens
from novatx.extensions.ec2.signature import Claim, SignedRequest, missing_token, read_claim

#: How many credentials the cache holds before it starts over.
CACHE_SIZE = 10000


@attrs.define
class Authenticator:
    """
    Turns a signed request into the L{RequestContext} of its signer.

    @ivar compute: the internal API (for C{get_ec2_credential}).
    @ivar clock: an C{IReactorTime}.
    @ivar region: the region SigV4 scopes must name (C{[ec2] region_name}).
    @ivar window: C{[ec2] ec2_timestamp_expiry}, in seconds.
    @ivar cache_seconds: how long a found credential is reused.
    @ivar keystone: a L{KeystoneEC2Tokens} asked about keys the store lacks, or None.
    """

    compute: Any
    clock: Any
    region: str
    window: int = 300
    cache_seconds: int = 30
    keystone: Any = None
    _cache: dict[str, tuple[EC2Credential, float]] = attrs.field(factory=dict, init=False)

    @classmethod
    def from_config(cls, conf: Any, compute: Any, clock: Any) -> "Authenticator":
        keystone = None
        if conf.ec2.keystone_ec2_url and conf.api.auth_strategy == "keystone":
            keystone = KeystoneEC2Tokens(conf.ec2.keystone_ec2_url, clock)
        return cls(
            compute=compute,
            clock=clock,
            region=conf.ec2.region_name,
            window=conf.ec2.ec2_timestamp_expiry,
            cache_seconds=conf.ec2.credential_cache_seconds,
            keystone=keystone,
        )

    def authenticate(self, request: SignedRequest, request_id: str) -> Deferred:
        """
        Fire with the signer's L{RequestContext}, or fail with an EC2 error:
        C{MissingAuthenticationToken} (unsigned), C{AuthFailure} (anything wrong
        with key, signature or scope), C{RequestExpired} (outside the window).

        @param request_id: the request's id, carried by the context.
        """
        try:
            claim = read_claim(request)
        except Exception as e:
            return fail(e)
        if claim is None:
            return fail(missing_token())
        cached = self._cache.get(claim.access)
        if cached is not None and self.clock.seconds() - cached[1] < self.cache_seconds:
            return maybeDeferred(self._check, claim, cached[0], request_id)
        looked_up = self._look_up(claim.access)
        return looked_up.addCallback(self._checked, claim, request, request_id)

    def _checked(self, credential: EC2Credential | None, claim: Claim, request: SignedRequest,
                 request_id: str) -> Any:
        if credential is None and self.keystone is not None:
            self._check_scope(claim)
            self._check_clock(claim)
            return self.keystone.context(claim, request, request_id)
        return self._check(claim, credential, request_id)

    def _check(self, claim: Claim, credential: EC2Credential | None, request_id: str) -> RequestContext:
        if credential is None or not claim.verify(credential.secret):
            raise auth_failure()
        self._check_scope(claim)
        self._check_clock(claim)
        return RequestContext(
            user_id=credential.user_id,
            project_id=credential.project_id,
            roles=("member",),
            request_id=request_id,
        )

    def _check_scope(self, claim: Claim) -> None:
        if claim.version == 4 and (claim.region != self.region or claim.service != "ec2"):
            raise auth_failure()

    def _check_clock(self, claim: Claim) -> None:
        now = self.clock.seconds()
        if claim.expires is not None:
            if now > claim.expires:
                raise request_expired()
            return
        assert claim.timestamp is not None
        if claim.timestamp - now > self.window:
            raise request_expired()
        lifetime = self.window if claim.lifetime is None else claim.lifetime
        if now - claim.timestamp > lifetime:
            raise request_expired()

    def _look_up(self, access: str) -> Deferred:
        """Fire with the stored credential of C{access} (remembered), or None."""
        now = self.clock.seconds()

        def found(credential: EC2Credential) -> EC2Credential:
            if self.cache_seconds:
                if len(self._cache) >= CACHE_SIZE:
                    self._cache.clear()
                self._cache[access] = (credential, now)
            return credential

        def missing(failure: Any) -> None:
            failure.trap(NotFound)
            self._cache.pop(access, None)
            return None

        return self.compute.get_ec2_credential(access).addCallbacks(found, missing)
