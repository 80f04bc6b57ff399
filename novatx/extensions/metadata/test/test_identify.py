"""Who is asking: source address, X-Forwarded-For, neutron's proxy headers."""

from __future__ import annotations

from twisted.internet.address import IPv4Address, IPv6Address
from twisted.trial.unittest import TestCase
from twisted.web.test.requesthelper import DummyRequest

from novatx.config import make_config
from novatx.extensions.metadata.identify import (
    IdentifySettings,
    Refused,
    canonical_address,
    identify,
    proxy_signature,
)

UUID = "0b8e3f6c-7d1a-4a55-9a8e-3f6d2c1b0a99"


def _request(headers=None, client=None) -> DummyRequest:
    request = DummyRequest([b""])
    request.client = client or IPv4Address("TCP", "10.0.0.5", 40000)
    for name, values in (headers or {}).items():
        request.requestHeaders.setRawHeaders(name, values)
    return request


class _Base(TestCase):
    def who(self, request: DummyRequest):
        return identify(request, IdentifySettings.from_config(self.conf))


class AddressTests(_Base):
    def setUp(self) -> None:
        self.conf = make_config([])

    def test_source_address(self) -> None:
        self.assertEqual(self.who(_request()).address, "10.0.0.5")

    def test_forwarded_for_ignored_unless_configured(self) -> None:
        asker = self.who(_request({b"x-forwarded-for": [b"10.0.0.9"]}))
        self.assertEqual(asker.address, "10.0.0.5")
        self.assertTrue(asker.forwarded)

    def test_forwarded_list_takes_the_address_the_proxy_saw(self) -> None:
        self.conf.set_override("use_forwarded_for", True, "api")
        asker = self.who(_request({b"x-forwarded-for": [b"10.0.0.66, 10.0.0.7"]}))
        self.assertEqual(asker.address, "10.0.0.7")

    def test_forwarded_garbage_is_a_bad_request(self) -> None:
        self.conf.set_override("use_forwarded_for", True, "api")
        error = self.assertRaises(
            Refused, self.who, _request({b"x-forwarded-for": [b"a, b"]})
        )
        self.assertEqual(error.status, 400)

    def test_ipv6_source_and_mapped_ipv4(self) -> None:
        asker = self.who(_request(client=IPv6Address("TCP", "fd00::5", 1)))
        self.assertEqual(asker.address, "fd00::5")
        self.assertEqual(canonical_address("::ffff:10.0.0.5"), "10.0.0.5")
        self.assertIsNone(canonical_address("10.0.0.256"))


class ProxyTests(_Base):
    def setUp(self) -> None:
        self.conf = make_config([])
        self.conf.set_override("service_metadata_proxy", True, "neutron")
        self.conf.set_override("metadata_proxy_shared_secret", "sharedsecret", "neutron")

    def _headers(self, drop: bytes = b""):
        headers = {
            b"x-instance-id": [UUID.encode()],
            b"x-tenant-id": [b"p1"],
            b"x-instance-id-signature": [proxy_signature("sharedsecret", UUID).encode()],
        }
        headers.pop(drop, None)
        return headers

    def test_signed_request_names_instance_and_tenant(self) -> None:
        asker = self.who(_request(self._headers()))
        self.assertEqual((asker.instance_uuid, asker.tenant_id), (UUID, "p1"))

    def test_missing_headers_are_bad_requests_with_nova_messages(self) -> None:
        for header, message in (
            (b"x-instance-id", "X-Instance-ID header is missing from request."),
            (b"x-instance-id-signature", "X-Instance-ID-Signature header is missing from request."),
            (b"x-tenant-id", "X-Tenant-ID header is missing from request."),
        ):
            error = self.assertRaises(
                Refused, self.who, _request(self._headers(drop=header))
            )
            self.assertEqual((error.status, error.message), (400, message))

    def test_bad_signatures_are_forbidden(self) -> None:
        good = proxy_signature("sharedsecret", UUID)
        for signature in (good[:-1], good + "0", "zz" * 32, "", "é" * 64, good.upper()):
            headers = self._headers()
            headers[b"x-instance-id-signature"] = [signature.encode("utf-8")]
            error = self.assertRaises(Refused, self.who, _request(headers))
            self.assertEqual((error.status, error.message), (403, "Invalid proxy request signature."))

    def test_repeated_instance_header_is_a_bad_request(self) -> None:
        headers = self._headers()
        headers[b"x-instance-id"] = [UUID.encode(), b"other"]
        error = self.assertRaises(Refused, self.who, _request(headers))
        self.assertEqual(error.status, 400)
