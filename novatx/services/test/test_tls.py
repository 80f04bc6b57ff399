"""L{server_tls}: the C{[ssl]} files become TLS options, or a one-line error."""

from __future__ import annotations

import os

from twisted.trial.unittest import TestCase

from novatx.services.errors import StartupError
from novatx.services.settings import TLSFiles
from novatx.services.test.certs import self_signed
from novatx.services.tls import server_tls


class ServerTLSTests(TestCase):
    def setUp(self):
        self.directory = os.path.abspath(self.mktemp())
        os.makedirs(self.directory)
        self.cert, self.key, _ = self_signed(self.directory)

    def test_certificate_and_key_make_options_that_do_not_ask_for_client_certificates(self):
        options = server_tls(TLSFiles(self.cert, self.key))
        self.assertFalse(options.verify)

    def test_ca_file_makes_clients_present_a_certificate(self):
        options = server_tls(TLSFiles(self.cert, self.key, ca_file=self.cert))
        self.assertTrue(options.verify)
        self.assertTrue(options.requireCertificate)

    def test_key_file_that_is_not_a_key_is_named(self):
        error = self.assertRaises(StartupError, server_tls, TLSFiles(self.cert, self.cert))
        self.assertEqual(str(error), "[ssl] key_file %s holds no usable PEM key" % self.cert)

    def test_cert_file_without_a_certificate_is_named(self):
        error = self.assertRaises(StartupError, server_tls, TLSFiles(self.key, self.key))
        self.assertEqual(str(error), "[ssl] cert_file %s holds no PEM certificate" % self.key)

    def test_key_that_does_not_match_the_certificate_is_refused(self):
        other = os.path.join(self.directory, "other")
        os.makedirs(other)
        _, other_key, _ = self_signed(other)
        error = self.assertRaises(StartupError, server_tls, TLSFiles(self.cert, other_key))
        self.assertIn("do not make a TLS identity", str(error))
