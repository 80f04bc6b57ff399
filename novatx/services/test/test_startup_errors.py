"""
A configuration that cannot be served stops C{twistd nova} at once: one line
naming the culprit, a non-zero exit status, no traceback, nothing left running.
"""

from __future__ import annotations

import os
import socket

from twisted.internet.defer import inlineCallbacks

from novatx.services.test.daemon import (
    SOURCE_ROOT,
    DaemonProcess,
    config_file,
    paste_file,
    process_gone,
)
from novatx.services.test.test_daemon import DaemonTestCase


class StartupErrorTests(DaemonTestCase):
    timeout = 60

    @inlineCallbacks
    def assert_refused(self, message, env=None, args=(), **options):
        daemon = self.start(env=env, args=args, **options)
        status = yield daemon.ended(timeout=30)
        text = daemon.text()
        self.assertNotEqual(status.exitCode, 0, text)
        self.assertIn(message, "\n".join(daemon.stderr), text)
        self.assertNotIn("Traceback", text)
        self.assertEqual(daemon.ports, {})
        return text

    def test_zero_workers(self):
        return self.assert_refused(
            "osapi_compute_workers value of 0 is invalid, must be greater than 0",
            osapi_compute_workers=0,
        )

    def test_negative_workers(self):
        return self.assert_refused(
            "metadata_workers value of -1 is invalid, must be greater than 0",
            metadata_workers=-1,
        )

    def test_workers_not_a_number(self):
        return self.assert_refused("ec2_workers", ec2_workers="abc")

    @inlineCallbacks
    def test_unknown_api_in_the_config_file_is_named(self):
        text = yield self.assert_refused("enabled_apis", enabled_apis="osapi_compute,bogus")
        self.assertIn("bogus", text)

    def test_unknown_api_on_the_command_line_is_named(self):
        return self.assert_refused(
            "--enabled-apis: unknown API 'nope'", args=("--enabled-apis", "ec2,nope")
        )

    def test_port_in_use_names_the_api_and_the_port(self):
        taken = socket.socket()
        self.addCleanup(taken.close)
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        return self.assert_refused(
            "cannot listen for the ec2 API on 127.0.0.1 port %d: address already in use" % port,
            ec2_listen_port=port,
        )

    def test_missing_paste_file(self):
        missing = os.path.abspath(os.path.join(self.mktemp(), "api-paste.ini"))
        return self.assert_refused("no paste file at %s" % missing, paste=missing)

    def test_paste_file_without_a_section_for_an_enabled_api(self):
        directory = self.directory()
        path = paste_file(directory)
        with open(path) as f:
            text = f.read()
        with open(path, "w") as f:
            f.write(text.split("[app:ec2]")[0])
        return self.assert_refused("has no section for the ec2 API ([composite:ec2])", paste=path)

    def test_ssl_api_without_a_certificate(self):
        return self.assert_refused(
            "ec2 is in enabled_ssl_apis but [ssl] cert_file is not set", enabled_ssl_apis="ec2"
        )

    def test_missing_config_file(self):
        directory = self.directory()
        missing = os.path.join(directory, "absent.conf")
        return self.assert_refused("absent.conf", args=("--config-file", missing))

    @inlineCallbacks
    def test_unreachable_database_stops_the_start_with_one_line(self):
        daemon = self.start(
            database__connection="postgresql+psycopg://nova:secret@127.0.0.1:1/nova",
            database__connect_timeout=2,
        )
        status = yield daemon.ended(timeout=30)
        text = daemon.text()
        self.assertEqual(status.exitCode, 1, text)
        self.assertIn("novatx cannot start: ", text)
        self.assertIn("127.0.0.1:1", text)
        self.assertNotIn("secret", text)
        self.assertEqual(daemon.ports, {})
        self.assertNotIn("Traceback", text)

    @inlineCallbacks
    def test_a_database_url_no_driver_serves_is_one_line_in_either_process_model(self):
        for workers in (1, 2):
            text = yield self.assert_refused(
                "no database driver for nosuch://",
                database__connection="nosuch://nova:secret@127.0.0.1/nova",
                osapi_compute_workers=workers,
            )
            self.assertNotIn("secret", text)


BROKEN_PLUGIN = "raise ImportError('no module named novatx_missing_dependency')\n"


class WorkerStartupErrorTests(DaemonTestCase):
    """
    A configuration that only fails when an API is built (a value read by a
    filter, the extension lists, a plugin) stops the start the same way
    whether the API is served in the daemon or by workers: one line naming
    the culprit, exit status 1, and no worker started again.
    """

    timeout = 120

    def broken_plugin_path(self):
        """A directory holding a compute extension whose module cannot be imported."""
        root = self.directory()
        info = os.path.join(root, "novatx_broken_import-1.0.dist-info")
        os.makedirs(info)
        with open(os.path.join(root, "novatx_broken_import.py"), "w") as f:
            f.write(BROKEN_PLUGIN)
        with open(os.path.join(info, "METADATA"), "w") as f:
            f.write("Metadata-Version: 2.1\nName: novatx-broken-import\nVersion: 1.0\n")
        with open(os.path.join(info, "entry_points.txt"), "w") as f:
            f.write(
                "[novatx.api.osapi_compute.extensions]\n"
                "broken-import = novatx_broken_import:Extension\n"
            )
        return root

    @inlineCallbacks
    def assert_one_line_exit_1(self, expected, env=None, **options):
        for workers in (1, 2):
            daemon = self.start(
                env=env,
                paste=None,
                args=("--enabled-apis", "osapi_compute"),
                osapi_compute_workers=workers,
                **options,
            )
            status = yield daemon.ended(timeout=60)
            text = daemon.text()
            self.assertEqual(status.exitCode, 1, text)
            self.assertEqual(len(daemon.stderr), 1, text)
            line = daemon.stderr[0]
            for part in expected:
                self.assertIn(part, line)
            self.assertNotIn("LocationInfo", line)
            self.assertNotIn("Traceback", text)
            self.assertNotIn("Forking too fast", text)
            self.assertLessEqual(len(daemon.worker_pids("osapi_compute")), workers)
            for pid in daemon.worker_pids("osapi_compute"):
                self.assertTrue(process_gone(pid), text)

    def start(self, env=None, args=(), paste=None, **options):
        if paste is not None:
            options["paste"] = paste
            return super().start(env=env, args=args, **options)
        directory = self.directory()
        conf = config_file(directory, None, **options)
        self.conf_path = conf
        return DaemonProcess(self, directory, ["--config-file", conf, *args], env=env)

    def test_a_value_read_when_the_api_is_built_names_the_option_and_the_file(self):
        return self.assert_one_line_exit_1(
            ("use_forwarded_for", "nova.conf", "'maybe'"), api__use_forwarded_for="maybe"
        )

    def test_a_core_extension_listed_out_is_named(self):
        return self.assert_one_line_exit_1(
            ("Missing core API extensions: flavors",), osapi_v21__extensions_blacklist="flavors"
        )

    def test_a_plugin_that_cannot_be_imported_is_named(self):
        env = {"PYTHONPATH": os.pathsep.join([self.broken_plugin_path(), SOURCE_ROOT])}
        return self.assert_one_line_exit_1(
            ("broken-import", "novatx_missing_dependency"), env=env
        )
