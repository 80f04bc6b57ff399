"""
Internal-API exceptions to faults, decided in one place.
"""

from __future__ import annotations

import json

from twisted.trial.unittest import TestCase

from novatx.compute import exceptions
from novatx.resources.faults import Fault, fault_for_exception


class FaultForExceptionTests(TestCase):
    def test_each_kind_has_its_status(self):
        cases = [
            (exceptions.MarkerNotFound(marker="m"), 400),
            (exceptions.NotAuthorized(), 403),
            (exceptions.KeypairNotFound(name="k", user_id="u"), 404),
            (exceptions.KeyPairExists(key_name="k"), 409),
            (exceptions.QuotaExceeded(overs="cores", req=1, used=2, allowed=2), 403),
            (exceptions.NotSupported(reason="r"), 501),
            (exceptions.ServiceUnavailable(reason="r"), 503),
        ]
        for error, status in cases:
            self.assertEqual(fault_for_exception(error), Fault(status, str(error)))

    def test_not_a_kind_is_left_alone(self):
        self.assertIsNone(fault_for_exception(exceptions.NoValidHost(reason="none")))
        self.assertIsNone(fault_for_exception(KeyError("x")))

    def test_rate_limit_carries_retry_after(self):
        fault = fault_for_exception(exceptions.OverLimit(reason="r", retry_after=30))
        self.assertEqual(fault, Fault(413, "Quota exceeded: r", 30))
        body, content_type, headers = fault.render("osapi_compute")
        self.assertEqual(
            json.loads(body),
            {"overLimit": {"code": 413, "message": "Quota exceeded: r", "retryAfter": "30"}})
        self.assertEqual((content_type, headers), (b"application/json", {b"Retry-After": b"30"}))

    def test_too_many_requests_is_over_limit_with_retry_after(self):
        body, _, headers = Fault(429, "slow down", 12).render("osapi_compute")
        self.assertEqual(json.loads(body), {"overLimit": {"code": 429, "message": "slow down", "retryAfter": "12"}})
        self.assertEqual(headers, {b"Retry-After": b"12"})

    def test_retry_after_only_where_nova_sends_it(self):
        for status in (403, 503):
            body, _, headers = Fault(status, "no", 12).render("osapi_compute")
            self.assertNotIn("retryAfter", list(json.loads(body).values())[0])
            self.assertEqual(headers, {})

    def test_every_status_has_novas_name(self):
        names = {
            400: "badRequest", 401: "unauthorized", 403: "forbidden", 404: "itemNotFound",
            405: "badMethod", 409: "conflictingRequest", 413: "overLimit", 415: "badMediaType",
            429: "overLimit", 501: "notImplemented", 503: "serviceUnavailable",
            406: "computeFault", 500: "computeFault", 502: "computeFault",
        }
        for status, name in names.items():
            body, content_type, _ = Fault(status, "m").render("osapi_compute")
            self.assertEqual(json.loads(body), {name: {"code": status, "message": "m"}})
            self.assertEqual(content_type, b"application/json")

    def test_render_in_each_api_format(self):
        fault = Fault(404, "No such thing & more")
        body, content_type, _ = fault.render("osapi_compute")
        self.assertEqual(json.loads(body), {"itemNotFound": {"code": 404, "message": "No such thing & more"}})
        body, content_type, _ = fault.render("ec2", "req-1")
        self.assertEqual(content_type, b"text/xml")
        self.assertIn(b"<Message>No such thing &amp; more</Message>", body)
        self.assertIn(b"<RequestID>req-1</RequestID>", body)
        body, content_type, _ = fault.render("metadata")
        self.assertEqual((body, content_type), (b"No such thing & more\n", b"text/plain; charset=UTF-8"))

    def test_unnamed_statuses_are_compute_faults(self):
        body, _, _ = Fault(406, "no").render("osapi_compute")
        self.assertEqual(json.loads(body), {"computeFault": {"code": 406, "message": "no"}})
        body, _, _ = Fault(500, "bad").render("osapi_compute")
        self.assertEqual(json.loads(body), {"computeFault": {"code": 500, "message": "bad"}})
