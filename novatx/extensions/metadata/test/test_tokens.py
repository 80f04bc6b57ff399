"""IMDSv2 tokens: lifetimes, signatures, expiry."""

from __future__ import annotations

import os

from twisted.trial.unittest import TestCase

from novatx.extensions.metadata.tokens import InvalidTTL, TokenSigner, host_key, parse_ttl


class ParseTTLTests(TestCase):
    def test_bounds_are_accepted(self) -> None:
        self.assertEqual(parse_ttl(b"1"), 1)
        self.assertEqual(parse_ttl(b"21600"), 21600)

    def test_out_of_bounds_and_garbage_are_refused(self) -> None:
        for value in (b"0", b"21601", b"abc", b"-1", b"", b"1.5", b"99999999", None):
            self.assertRaises(InvalidTTL, parse_ttl, value)


class TokenSignerTests(TestCase):
    def test_token_is_valid_for_its_instance_until_it_expires(self) -> None:
        signer = TokenSigner(b"s3cret")
        token = signer.issue("uuid-a", 1000.0, 60).encode()
        self.assertTrue(signer.valid(token, "uuid-a", 1000.0))
        self.assertTrue(signer.valid(token, "uuid-a", 1059.9))
        self.assertFalse(signer.valid(token, "uuid-a", 1060.0))

    def test_other_instance_is_refused(self) -> None:
        signer = TokenSigner(b"s3cret")
        token = signer.issue("uuid-a", 1000.0, 60).encode()
        self.assertFalse(signer.valid(token, "uuid-b", 1000.0))

    def test_same_secret_accepts_another_signers_token(self) -> None:
        token = TokenSigner(b"shared").issue("uuid-a", 0.0, 60).encode()
        self.assertTrue(TokenSigner(b"shared").valid(token, "uuid-a", 1.0))
        self.assertFalse(TokenSigner(b"other").valid(token, "uuid-a", 1.0))

    def test_forged_and_garbage_tokens_are_refused(self) -> None:
        signer = TokenSigner(b"s3cret")
        payload, mac = signer.issue("uuid-a", 0.0, 60).split(".")
        forged = TokenSigner(b"s3cret").issue("uuid-a", 0.0, 21600).split(".")[0] + "." + mac
        for token in (forged.encode(), b"", b"abc", b"a.b.c", payload.encode(), b"\xff\xfe.x"):
            self.assertFalse(signer.valid(token, "uuid-a", 1.0))


class HostKeyTests(TestCase):
    def test_first_call_makes_the_key_later_calls_read_it(self) -> None:
        path = self.mktemp()
        key = host_key(path)
        self.assertEqual(len(key), 32)
        self.assertEqual(host_key(path), key)
        self.assertEqual(os.stat(path).st_mode & 0o777, 0o600)
        self.assertEqual(os.listdir(os.path.dirname(path)), [os.path.basename(path)])

    def test_unwritable_place_raises(self) -> None:
        self.assertRaises(OSError, host_key, os.path.join(self.mktemp(), "missing", "key"))
