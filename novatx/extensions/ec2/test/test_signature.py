"""
Signatures as botocore makes them: SigV4 in the header and in the query string,
SigV2, for GET and POST, checked against the right and a wrong secret.
"""

from __future__ import annotations

import attrs
from twisted.trial.unittest import SynchronousTestCase

from novatx.extensions.ec2.errors import EC2Error
from novatx.extensions.ec2.signature import read_claim
from novatx.extensions.ec2.test.signing import as_signed_request, sign

PARAMS = {
    "Action": "DescribeInstances",
    "Version": "2016-11-15",
    "Filter.1.Name": "tag:a b",
    "Filter.1.Value.1": "x/y~*+ é",
}


class BotocoreSignaturesTests(SynchronousTestCase):
    def check(self, form: str, method: str) -> None:
        prepared = sign("AKID", "secret", PARAMS, method=method, form=form)
        claim = read_claim(as_signed_request(prepared))
        self.assertEqual(claim.access, "AKID")
        self.assertTrue(claim.verify("secret"))
        self.assertFalse(claim.verify("secreT"))

    def test_v4_header_post(self) -> None:
        self.check("header", "POST")

    def test_v4_header_get(self) -> None:
        self.check("header", "GET")

    def test_v4_query_get(self) -> None:
        self.check("query", "GET")

    def test_v4_query_post(self) -> None:
        self.check("query", "POST")

    def test_v2_post(self) -> None:
        self.check("v2", "POST")

    def test_v2_get(self) -> None:
        self.check("v2", "GET")

    def test_v4_scope_is_read(self) -> None:
        prepared = sign("AKID", "secret", PARAMS, region="us-east-1")
        claim = read_claim(as_signed_request(prepared))
        self.assertEqual((claim.version, claim.region, claim.service), (4, "us-east-1", "ec2"))

    def test_v4_query_lifetime_is_read(self) -> None:
        prepared = sign("AKID", "secret", PARAMS, form="query", method="GET", expires=120)
        self.assertEqual(read_claim(as_signed_request(prepared)).lifetime, 120)

    def test_other_host_fails(self) -> None:
        prepared = sign("AKID", "secret", PARAMS, url="http://other.example:8773/")
        signed = attrs.evolve(
            as_signed_request(prepared),
            headers={**as_signed_request(prepared).headers, "host": ["127.0.0.1:8773"]},
        )
        self.assertFalse(read_claim(signed).verify("secret"))

    def test_other_port_fails_v2(self) -> None:
        prepared = sign("AKID", "secret", PARAMS, form="v2", url="http://127.0.0.1:9999/")
        signed = attrs.evolve(as_signed_request(prepared), host="127.0.0.1:8773")
        self.assertFalse(read_claim(signed).verify("secret"))

    def test_changed_body_fails(self) -> None:
        prepared = sign("AKID", "secret", PARAMS)
        signed = as_signed_request(prepared)
        tampered = attrs.evolve(signed, body=signed.body.replace(b"DescribeInstances", b"RunInstances"))
        self.assertFalse(read_claim(tampered).verify("secret"))

    def test_unsigned_request_has_no_claim(self) -> None:
        prepared = sign("AKID", "secret", PARAMS)
        signed = as_signed_request(prepared)
        headers = {k: v for k, v in signed.headers.items() if k != "authorization"}
        self.assertIsNone(read_claim(attrs.evolve(signed, headers=headers)))


class MalformedSignaturesTests(SynchronousTestCase):
    def signed_with(self, authorization: str):
        signed = as_signed_request(sign("AKID", "secret", PARAMS))
        return attrs.evolve(signed, headers={**signed.headers, "authorization": [authorization]})

    def assertAuthFailure(self, signed) -> None:
        error = self.assertRaises(EC2Error, read_claim, signed)
        self.assertEqual((error.code, error.status), ("AuthFailure", 401))

    def test_header_cut_in_half(self) -> None:
        whole = as_signed_request(sign("AKID", "secret", PARAMS)).header("authorization")
        self.assertAuthFailure(self.signed_with(whole[: len(whole) // 2]))

    def test_unknown_algorithm(self) -> None:
        self.assertAuthFailure(self.signed_with("AWS4-HMAC-MD5 Credential=a/b/c/d/aws4_request"))

    def test_short_credential(self) -> None:
        self.assertAuthFailure(
            self.signed_with(
                "AWS4-HMAC-SHA256 Credential=AKID/20261125/RegionOne, SignedHeaders=host, Signature=00"
            )
        )

    def test_host_not_signed(self) -> None:
        self.assertAuthFailure(
            self.signed_with(
                "AWS4-HMAC-SHA256 Credential=AKID/20261125/RegionOne/ec2/aws4_request, "
                "SignedHeaders=x-amz-date, Signature=00"
            )
        )

    def test_v2_without_timestamp(self) -> None:
        signed = as_signed_request(sign("AKID", "secret", PARAMS, form="v2"))
        params = [(k, v) for k, v in signed.params if k != "Timestamp"]
        self.assertAuthFailure(attrs.evolve(signed, params=params))

    def test_v2_unknown_method(self) -> None:
        signed = as_signed_request(sign("AKID", "secret", PARAMS, form="v2"))
        params = [(k, "HmacMD5" if k == "SignatureMethod" else v) for k, v in signed.params]
        self.assertAuthFailure(attrs.evolve(signed, params=params))

    def test_query_form_missing_part(self) -> None:
        signed = as_signed_request(sign("AKID", "secret", PARAMS, form="query", method="GET"))
        params = [(k, v) for k, v in signed.params if k != "X-Amz-Date"]
        self.assertAuthFailure(attrs.evolve(signed, params=params))

    def test_declared_payload_hash_must_match(self) -> None:
        signed = as_signed_request(sign("AKID", "secret", PARAMS))
        headers = {**signed.headers, "x-amz-content-sha256": ["UNSIGNED-PAYLOAD"]}
        self.assertAuthFailure(attrs.evolve(signed, headers=headers))
