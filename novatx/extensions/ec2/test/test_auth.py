"""
The authenticator: stored credentials, the clock window, the region, the cache.
Time is a L{Clock}; requests are signed by botocore at the clock's time.
"""

from __future__ import annotations

import datetime

from twisted.internet.defer import Deferred, fail, succeed
from twisted.internet.task import Clock
from twisted.trial.unittest import SynchronousTestCase

from novatx.compute.exceptions import NotFound
from novatx.compute.records import EC2Credential
from novatx.extensions.ec2.auth import DELETION_BOUND, Authenticator
from novatx.extensions.ec2.errors import EC2Error
from novatx.extensions.ec2.test.signing import as_signed_request, sign, sign_v2_expires

PARAMS = {"Action": "DescribeRegions", "Version": "2016-11-15"}
NOW = datetime.datetime(2026, 11, 25, 15, 0, 0, tzinfo=datetime.timezone.utc)


class FakeCredentials:
    """The credential half of the internal API, counting its look-ups."""

    def __init__(self) -> None:
        self.credentials = {"AKID": EC2Credential("AKID", "secret", "alice", "p1")}
        self.lookups = 0
        self.generation = 0
        self.generation_reads = 0

    def get_ec2_credential(self, access: str):
        self.lookups += 1
        if access in self.credentials:
            return succeed(self.credentials[access])
        return fail(NotFound())

    def ec2_credential_generation(self):
        self.generation_reads += 1
        return succeed(self.generation)

    def delete(self, access: str) -> None:
        del self.credentials[access]
        self.generation += 1


class AuthenticatorTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.clock = Clock()
        self.clock.advance(NOW.timestamp())
        self.compute = FakeCredentials()
        self.authenticator = Authenticator(self.compute, self.clock, "RegionOne", 300, 30)

    def authenticate(self, prepared):
        return self.authenticator.authenticate(as_signed_request(prepared), "req-x")

    def signed(self, access: str = "AKID", secret: str = "secret", offset: float = 0, **kwargs):
        """Authenticate a request botocore signed C{offset} seconds from NOW."""
        at = NOW + datetime.timedelta(seconds=offset)
        return self.authenticate(sign(access, secret, PARAMS, at=at, **kwargs))

    def assertError(self, d, code: str) -> None:
        error = self.failureResultOf(d, EC2Error).value
        self.assertEqual(error.code, code)

    def test_context_of_signer(self) -> None:
        for form in ("header", "query", "v2"):
            context = self.successResultOf(self.signed(form=form))
            self.assertEqual(
                (context.user_id, context.project_id, context.is_admin), ("alice", "p1", False)
            )
            self.assertEqual(context.request_id, "req-x")

    def test_wrong_secret(self) -> None:
        self.assertError(self.signed(secret="wrong"), "AuthFailure")

    def test_unknown_key_reads_like_wrong_secret(self) -> None:
        unknown = self.failureResultOf(self.signed(access="NOPE")).value
        wrong = self.failureResultOf(self.signed(secret="wrong")).value
        self.assertEqual(
            (unknown.code, unknown.message, unknown.status), (wrong.code, wrong.message, wrong.status)
        )

    def test_other_region(self) -> None:
        self.assertError(self.signed(region="us-east-1"), "AuthFailure")

    def test_other_service(self) -> None:
        self.assertError(self.signed(service="s3"), "AuthFailure")

    def test_window_edges(self) -> None:
        for form in ("header", "v2"):
            self.successResultOf(self.signed(form=form, offset=-300))
            self.successResultOf(self.signed(form=form, offset=300))
            self.assertError(self.signed(form=form, offset=-301), "RequestExpired")
            self.assertError(self.signed(form=form, offset=301), "RequestExpired")

    def test_replay_expires_with_the_clock(self) -> None:
        prepared = sign("AKID", "secret", PARAMS, at=NOW)
        self.successResultOf(self.authenticate(prepared))
        self.clock.advance(301)
        self.assertError(self.authenticate(prepared), "RequestExpired")

    def test_presigned_lifetime(self) -> None:
        prepared = sign("AKID", "secret", PARAMS, form="query", method="GET", at=NOW, expires=60)
        self.clock.advance(60)
        self.successResultOf(self.authenticate(prepared))
        self.clock.advance(1)
        self.assertError(self.authenticate(prepared), "RequestExpired")

    def test_expired_but_wrong_secret_is_auth_failure(self) -> None:
        self.assertError(self.signed(secret="wrong", offset=-3600), "AuthFailure")

    def test_unsigned(self) -> None:
        prepared = sign("AKID", "secret", PARAMS, at=NOW)
        del prepared.headers["Authorization"]
        error = self.failureResultOf(self.authenticate(prepared), EC2Error).value
        self.assertEqual((error.code, error.status), ("MissingAuthenticationToken", 403))

    def test_credentials_are_cached_for_a_while(self) -> None:
        for _ in range(3):
            self.successResultOf(self.signed())
        self.assertEqual(self.compute.lookups, 1)
        self.clock.advance(30)
        self.successResultOf(self.signed(offset=30))
        self.assertEqual(self.compute.lookups, 2)

    def test_deleted_credential_stops_after_cache(self) -> None:
        self.successResultOf(self.signed())
        del self.compute.credentials["AKID"]
        self.clock.advance(30)
        self.assertError(self.signed(offset=30), "AuthFailure")

    def test_deletion_is_seen_within_the_bound(self) -> None:
        self.successResultOf(self.signed())
        self.compute.delete("AKID")
        self.clock.advance(DELETION_BOUND / 2)
        self.successResultOf(self.signed())
        self.clock.advance(DELETION_BOUND / 2)
        self.assertError(self.signed(), "AuthFailure")
        self.assertEqual(self.compute.lookups, 2)

    def test_one_generation_read_a_second(self) -> None:
        for _ in range(5):
            self.successResultOf(self.signed())
        self.assertEqual((self.compute.lookups, self.compute.generation_reads), (1, 1))
        self.clock.advance(DELETION_BOUND)
        for _ in range(5):
            self.successResultOf(self.signed(offset=DELETION_BOUND))
        self.assertEqual((self.compute.lookups, self.compute.generation_reads), (1, 2))

    def test_concurrent_requests_share_one_generation_read(self) -> None:
        self.successResultOf(self.signed())
        pending = Deferred()
        self.compute.ec2_credential_generation = lambda: pending
        self.clock.advance(DELETION_BOUND)
        waiting = [self.signed(offset=DELETION_BOUND) for _ in range(3)]
        self.assertEqual([self.successResultOf(d) for d in waiting if d.called], [])
        pending.callback(0)
        self.assertEqual(len([self.successResultOf(d) for d in waiting]), 3)

    def test_a_refreshed_entry_sees_later_deletions(self) -> None:
        self.successResultOf(self.signed())
        self.clock.advance(30)
        self.successResultOf(self.signed(offset=30))
        self.compute.delete("AKID")
        self.clock.advance(DELETION_BOUND)
        self.assertError(self.signed(offset=30 + DELETION_BOUND), "AuthFailure")

    def test_sigv2_expires_at_most_a_week_ahead(self) -> None:
        week = datetime.timedelta(days=7)
        second = datetime.timedelta(seconds=1)
        self.successResultOf(self.authenticate(sign_v2_expires("AKID", "secret", NOW + week)))
        self.assertError(self.authenticate(sign_v2_expires("AKID", "secret", NOW + week + second)),
                         "AuthFailure")

    def test_sigv2_refused_when_not_allowed(self) -> None:
        self.authenticator.allow_sigv2 = False
        self.assertError(self.signed(form="v2"), "AuthFailure")
        self.successResultOf(self.signed(form="header"))
