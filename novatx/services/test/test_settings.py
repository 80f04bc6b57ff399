"""L{read_settings}: what the daemon reads from its configuration, and what it refuses."""

from __future__ import annotations

import os

from twisted.trial.unittest import TestCase

from novatx.services.errors import StartupError
from novatx.services.settings import read_settings
from novatx.services.test.daemon import SOURCE_ROOT, config_file, paste_file

PRODUCTION = os.path.join(SOURCE_ROOT, "etc", "novatx", "nova.conf.production")


class SettingsTests(TestCase):
    def setUp(self):
        self.directory = os.path.abspath(self.mktemp())
        os.makedirs(self.directory)
        self.paste = paste_file(self.directory)

    def settings(self, enabled_apis=None, **options):
        return read_settings(
            ["--config-file", config_file(self.directory, self.paste, **options)], enabled_apis
        )

    def test_defaults_serve_three_apis_on_loopback_with_nova_url_limits(self):
        settings = read_settings([])
        self.assertEqual(
            [(a.name, a.host, a.port, a.url_limit) for a in settings.apis],
            [
                ("osapi_compute", "127.0.0.1", 8774, 8192),
                ("ec2", "127.0.0.1", 8773, 16384),
                ("metadata", "127.0.0.1", 8775, 8192),
            ],
        )
        self.assertEqual({a.workers for a in settings.apis}, {os.cpu_count()})
        self.assertEqual(settings.max_header_line, 16384)
        self.assertEqual(settings.client_socket_timeout, 900)
        self.assertEqual(settings.graceful_shutdown_timeout, 60)
        self.assertTrue(
            settings.paste_file.endswith(os.path.join("novatx", "etc", "api-paste.ini"))
        )

    def test_enabled_apis_override_keeps_its_order(self):
        settings = self.settings(enabled_apis=["metadata", "ec2"])
        self.assertEqual([a.name for a in settings.apis], ["metadata", "ec2"])
        self.assertEqual(settings.enabled_apis, ("metadata", "ec2"))

    def test_production_example_reads_as_keystone_on_every_interface(self):
        override = os.path.join(self.directory, "no-tls.conf")
        with open(override, "w") as f:
            f.write("[DEFAULT]\nenabled_ssl_apis =\n[wsgi]\napi_paste_config = %s\n" % self.paste)
        settings = read_settings(["--config-file", PRODUCTION, "--config-file", override])
        self.assertEqual({a.host for a in settings.apis}, {"0.0.0.0"})
        self.assertEqual([a.workers for a in settings.apis], [4, 2, 2])
        self.assertEqual(settings.conf.api.auth_strategy, "keystone")

    def test_production_example_needs_its_certificate(self):
        error = self.assertRaises(StartupError, read_settings, ["--config-file", PRODUCTION])
        self.assertIn("[ssl] cert_file /etc/nova/ssl/nova-api.crt cannot be read", str(error))

    def test_zero_workers_is_refused_with_nova_message(self):
        error = self.assertRaises(StartupError, self.settings, ec2_workers=0)
        self.assertEqual(str(error), "ec2_workers value of 0 is invalid, must be greater than 0")

    def test_unknown_ssl_api_is_named(self):
        error = self.assertRaises(StartupError, self.settings, enabled_ssl_apis="ec3")
        self.assertIn("enabled_ssl_apis: unknown API 'ec3'", str(error))

    def test_config_errors_do_not_show_oslo_location_objects(self):
        error = self.assertRaises(StartupError, self.settings, metadata_listen_port="http")
        conf = os.path.join(self.directory, "nova.conf")
        self.assertIn("metadata_listen_port in %s is not valid" % conf, str(error))
        self.assertNotIn("LocationInfo", str(error))

    def test_paste_factory_that_does_not_exist_is_refused(self):
        with open(self.paste, "a") as f:
            f.write("[app:spare]\nuse = call:novatx.services.test.apps:nothing_here\n")
        with open(self.paste) as f:
            text = f.read().replace("hello_factory\ngreeting = ec2", "nothing_here\ngreeting = ec2")
        with open(self.paste, "w") as f:
            f.write(text)
        error = self.assertRaises(StartupError, self.settings)
        self.assertIn("section for ec2", str(error))
