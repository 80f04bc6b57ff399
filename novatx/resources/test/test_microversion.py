"""
Microversion negotiation: the parser on its own, then what a client sees over HTTP.
"""

from __future__ import annotations

from twisted.internet.defer import inlineCallbacks
from twisted.trial.unittest import TestCase
from twisted.web.http_headers import Headers

from novatx.extensions.interfaces import APIVersion, Route
from novatx.resources import microversion
from novatx.resources.test._routerkit import Resourceful, serve, user_headers

INVALID = "API Version String %s is of invalid format. Must be of format MajorNum.MinorNum."
UNSUPPORTED = "Version %s is not supported by the API. Minimum is 2.1 and maximum is 2.104."


class NegotiateTests(TestCase):
    def _negotiate(self, **headers):
        return microversion.negotiate(Headers({k.replace("_", "-"): [v] for k, v in headers.items()}))

    def test_no_header_is_the_minimum(self):
        self.assertEqual(self._negotiate(), APIVersion(2, 1))

    def test_standard_header(self):
        self.assertEqual(self._negotiate(OpenStack_API_Version="compute 2.47"), APIVersion(2, 47))

    def test_legacy_header(self):
        self.assertEqual(self._negotiate(X_OpenStack_Nova_API_Version="2.30"), APIVersion(2, 30))

    def test_standard_header_wins_over_legacy(self):
        version = self._negotiate(OpenStack_API_Version="compute 2.3", X_OpenStack_Nova_API_Version="2.30")
        self.assertEqual(version, APIVersion(2, 3))

    def test_latest_is_the_maximum(self):
        self.assertEqual(self._negotiate(OpenStack_API_Version="compute latest"), microversion.MAX_VERSION)
        self.assertEqual(self._negotiate(X_OpenStack_Nova_API_Version="latest"), APIVersion(2, 104))

    def test_other_services_are_ignored(self):
        self.assertEqual(self._negotiate(OpenStack_API_Version="volume 3.0"), APIVersion(2, 1))
        self.assertEqual(
            self._negotiate(OpenStack_API_Version="volume 3.0, compute 2.12"), APIVersion(2, 12)
        )

    def test_invalid_strings(self):
        for value in ("2", "2.1.1", "2.x", "x.1", "2.01", "02.1", " "):
            error = self.assertRaises(
                microversion.InvalidVersionString, microversion.parse_version, value
            )
            self.assertEqual(str(error), INVALID % value)

    def test_out_of_range(self):
        for value in ("3.0", "2.999", "2.0", "1.1", "2.1234567890", "2." + "9" * 5000, "9" * 5000 + ".1"):
            error = self.assertRaises(microversion.VersionNotSupported, microversion.parse_version, value)
            self.assertEqual(str(error), UNSUPPORTED % value)


class NegotiationOverHTTPTests(TestCase):
    """The issue's bad version strings, sent in both headers."""

    def setUp(self):
        route = Route("/v", ("GET",), lambda r: {"version": str(r.version)}, "v.get")
        self.served = serve(self, [Resourceful("v", [route])])

    @inlineCallbacks
    def _get(self, headers, path="/v2.1/v"):
        response = yield self.served.client.get(self.served.url + path, headers=user_headers(**headers))
        return response, (yield response.json())

    @inlineCallbacks
    def test_bad_format_is_400_in_nova_words(self):
        cases = [
            ({"OpenStack-API-Version": "compute 2"}, "2"),
            ({"OpenStack-API-Version": "compute 2.1.1"}, "2.1.1"),
            ({"OpenStack-API-Version": "compute"}, "compute"),
            ({"OpenStack-API-Version": "2"}, "2"),
            ({"OpenStack-API-Version": "compute 2.x"}, "2.x"),
            ({"X-OpenStack-Nova-API-Version": "2"}, "2"),
            ({"X-OpenStack-Nova-API-Version": "2.1.1"}, "2.1.1"),
            ({"X-OpenStack-Nova-API-Version": "compute 2.5"}, "compute 2.5"),
        ]
        for headers, shown in cases:
            response, body = yield self._get(headers)
            self.assertEqual(response.code, 400, headers)
            self.assertEqual(body, {"badRequest": {"code": 400, "message": INVALID % shown}})

    @inlineCallbacks
    def test_out_of_range_is_406(self):
        for headers, shown in [
            ({"OpenStack-API-Version": "compute 3.0"}, "3.0"),
            ({"OpenStack-API-Version": "compute 2.999"}, "2.999"),
            ({"X-OpenStack-Nova-API-Version": "2.105"}, "2.105"),
            ({"OpenStack-API-Version": "compute 2." + "9" * 5000}, "2." + "9" * 5000),
        ]:
            response, body = yield self._get(headers)
            self.assertEqual(response.code, 406, headers)
            self.assertEqual(body, {"computeFault": {"code": 406, "message": UNSUPPORTED % shown}})

    @inlineCallbacks
    def test_empty_and_foreign_headers_are_the_minimum(self):
        for headers in ({"OpenStack-API-Version": ""}, {"X-OpenStack-Nova-API-Version": ""},
                        {"OpenStack-API-Version": "volume 3.0"}):
            response, body = yield self._get(headers)
            self.assertEqual((response.code, body), (200, {"version": "2.1"}), headers)
            self.assertEqual(response.headers.getRawHeaders("OpenStack-API-Version"), ["compute 2.1"])

    @inlineCallbacks
    def test_another_service_beside_compute_is_ignored(self):
        for value in (["volume 3.0", "compute 2.12"], ["compute 2.12", "volume 3.0"], ["volume 3.0, compute 2.12"]):
            response = yield self.served.client.get(
                self.served.url + "/v2.1/v", headers={**user_headers(), "OpenStack-API-Version": value}
            )
            self.assertEqual((yield response.json()), {"version": "2.12"}, value)
            self.assertEqual(response.headers.getRawHeaders("OpenStack-API-Version"), ["compute 2.12"])
        response, body = yield self._get(
            {"OpenStack-API-Version": "volume 3.0", "X-OpenStack-Nova-API-Version": "2.15"}
        )
        self.assertEqual(body, {"version": "2.15"})

    @inlineCallbacks
    def test_latest_and_explicit_versions_are_named_back(self):
        response, body = yield self._get({"OpenStack-API-Version": "compute latest"})
        self.assertEqual(body, {"version": "2.104"})
        self.assertEqual(response.headers.getRawHeaders("OpenStack-API-Version"), ["compute 2.104"])
        self.assertEqual(response.headers.getRawHeaders("X-OpenStack-Nova-API-Version"), ["2.104"])
        response, body = yield self._get({"X-OpenStack-Nova-API-Version": "2.42"})
        self.assertEqual(body, {"version": "2.42"})
        self.assertEqual(
            response.headers.getRawHeaders("Vary"), ["OpenStack-API-Version, X-OpenStack-Nova-API-Version"]
        )

    @inlineCallbacks
    def test_legacy_v2_ignores_version_headers(self):
        response, body = yield self._get({"OpenStack-API-Version": "compute 2.999"}, path="/v2/v")
        self.assertEqual((response.code, body), (200, {"version": "2.0"}))
        self.assertIsNone(response.headers.getRawHeaders("X-OpenStack-Nova-API-Version"))
