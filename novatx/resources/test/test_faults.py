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
        self.assertEqual(json.loads(body), {"overLimit": {"code": 413, "message": "Quota exceeded: r", "retryAfter": "30"}})
        self.assertEqual((content_type, headers), (b"application/json", {b"Retry-After": b"30"}))

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
