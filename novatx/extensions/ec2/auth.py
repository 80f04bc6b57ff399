"""
Who signed an EC2 request: the stored credential behind a L{Claim}, the clock
window, and the request context that results.

Credentials live in the store (C{novatx-manage ec2-credentials create}); the
internal API reads them off the reactor thread. A signed request is mostly a
credential look-up, so L{Authenticator} keeps the ones it found for
C{[ec2] credential_cache_seconds}.

The guarantee the cache keeps: a credential deleted from the store (by
C{novatx-manage ec2-credentials delete}, in another process) is refused by
every worker from at most L{DELETION_BOUND} seconds after the deletion. Every
deletion adds to a generation in the store; a cached credential is used only
while the generation it was found under is the one read within the last
L{DELETION_BOUND} seconds, and that read is shared by all requests of that
second. The clock is the reactor's (C{IReactorTime}), so tests move it instead
of waiting.
"""

from __future__ import annotations

from typing import Any

import attrs
from twisted.internet.defer import Deferred, fail, maybeDeferred, succeed
from twisted.python.failure import Failure

from novatx.compute.context import RequestContext
from novatx.compute.exceptions import NotFound
from novatx.compute.records import EC2Credential
from novatx.extensions.ec2.errors import auth_failure, request_expired
from novatx.extensions.ec2.keystone import KeystoneEC2Tokens
from novatx.extensions.ec2.signature import (
    MAX_QUERY_EXPIRES,
    Claim,
    SignedRequest,
    missing_token,
    read_claim,
)

#: How many credentials the cache holds before it starts over.
CACHE_SIZE = 10000

#: Seconds after which a credential deleted in the store is refused everywhere.
DELETION_BOUND = 1.0


@attrs.frozen
class _Cached:
    """A credential found in the store, when, and under which deletion generation."""

    credential: EC2Credential
    found_at: float
    generation: int | None


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
    @ivar allow_sigv2: whether Signature Version 2 is accepted (C{[ec2] allow_sigv2}).
    """

    compute: Any
    clock: Any
    region: str
    window: int = 300
    cache_seconds: int = 30
    keystone: Any = None
    allow_sigv2: bool = True
    _cache: dict[str, _Cached] = attrs.field(factory=dict, init=False)
    _generation: int | None = attrs.field(default=None, init=False)
    _generation_read_at: float | None = attrs.field(default=None, init=False)
    _generation_waiters: list[Deferred] | None = attrs.field(default=None, init=False)

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
            allow_sigv2=conf.ec2.allow_sigv2,
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
        if claim.version == 2 and not self.allow_sigv2:
            return fail(auth_failure())
        cached = self._cache.get(claim.access)
        if cached is None or self.clock.seconds() - cached.found_at >= self.cache_seconds:
            looked_up = self._look_up(claim.access)
            return looked_up.addCallback(self._checked, claim, request, request_id)
        return self._current_generation().addCallback(
            self._from_cache, cached, claim, request, request_id)

    def _from_cache(self, generation: int, cached: _Cached, claim: Claim,
                    request: SignedRequest, request_id: str) -> Any:
        if cached.generation != generation:
            self._cache.pop(claim.access, None)
            looked_up = self._look_up(claim.access)
            return looked_up.addCallback(self._checked, claim, request, request_id)
        return self._check(claim, cached.credential, request_id)

    def _current_generation(self) -> Deferred:
        """
        Fire with the store's deletion generation as read at most
        L{DELETION_BOUND} seconds ago; one read serves every request that
        asks while it is under way.
        """
        read_at = self._generation_read_at
        if read_at is not None and self.clock.seconds() - read_at < DELETION_BOUND:
            return succeed(self._generation)
        waiter: Deferred = Deferred()
        if self._generation_waiters is not None:
            self._generation_waiters.append(waiter)
            return waiter
        self._generation_waiters = [waiter]
        started = self.clock.seconds()

        def done(result: Any) -> None:
            waiters, self._generation_waiters = self._generation_waiters or [], None
            if isinstance(result, Failure):
                for each in waiters:
                    each.errback(result)
                return
            self._generation, self._generation_read_at = result, started
            for each in waiters:
                each.callback(result)

        maybeDeferred(self.compute.ec2_credential_generation).addBoth(done)
        return waiter

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
            # Like a presigned SigV4 URL, a SigV2 request may not stay
            # replayable for longer than a week.
            if claim.expires - now > MAX_QUERY_EXPIRES:
                raise auth_failure()
            return
        assert claim.timestamp is not None
        if claim.timestamp - now > self.window:
            raise request_expired()
        lifetime = self.window if claim.lifetime is None else claim.lifetime
        if now - claim.timestamp > lifetime:
            raise request_expired()

    def _look_up(self, access: str) -> Deferred:
        """Fire with the stored credential of C{access} (remembered), or None."""
        if self.cache_seconds and self._generation is None:
            # What is remembered carries the generation it was read under.
            return self._current_generation().addCallback(lambda _: self._read(access))
        return self._read(access)

    def _read(self, access: str) -> Deferred:
        now = self.clock.seconds()
        # The generation known before the read: if a deletion lands while it
        # is under way, the next generation read tells this entry is stale.
        generation = self._generation

        def found(credential: EC2Credential) -> EC2Credential:
            if self.cache_seconds:
                if len(self._cache) >= CACHE_SIZE:
                    self._cache.clear()
                self._cache[access] = _Cached(credential, now, generation)
            return credential

        def missing(failure: Any) -> None:
            failure.trap(NotFound)
            self._cache.pop(access, None)
            return None

        return self.compute.get_ec2_credential(access).addCallbacks(found, missing)
