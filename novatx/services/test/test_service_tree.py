"""
The service tree in this process: one named L{APIService} per enabled API,
started after the store, serving on the port it bound, rebuilt by a reload,
and drained by a stop.
"""

from __future__ import annotations

import json
import os

from twisted.application.service import IService, IServiceCollection
from twisted.internet import reactor
from twisted.internet.defer import inlineCallbacks
from twisted.trial.unittest import TestCase
from zope.interface.verify import verifyObject

from novatx.services.api import APIService
from novatx.services.daemon import build_daemon
from novatx.services.errors import StartupError
from novatx.services.settings import read_settings
from novatx.services.test.daemon import HTTP, config_file, paste_file


class ServiceTreeTests(TestCase):
    def setUp(self):
        self.directory = os.path.abspath(self.mktemp())
        os.makedirs(self.directory)
        self.paste = paste_file(self.directory)
        self.conf = config_file(self.directory, self.paste)

    def daemon(self, enabled_apis=None):
        settings = read_settings(["--config-file", self.conf], enabled_apis)
        return build_daemon(settings, reactor)

    @inlineCallbacks
    def started(self, enabled_apis=None):
        daemon = self.daemon(enabled_apis)
        daemon.startService()
        self.addCleanup(lambda: daemon.running and daemon.stopService())
        yield daemon.serving
        return daemon

    @inlineCallbacks
    def get(self, daemon, api):
        service = daemon.getServiceNamed(api)
        code, body = yield HTTP(self).get(("%s/" % service.url).encode())
        self.assertEqual(code, 200)
        return json.loads(body)

    def test_one_named_api_service_per_enabled_api(self):
        daemon = self.daemon(["ec2", "metadata"])
        self.addCleanup(
            lambda: [daemon.getServiceNamed(n).listener.close() for n in ("ec2", "metadata")]
        )
        verifyObject(IServiceCollection, daemon)
        for name in ("ec2", "metadata"):
            service = daemon.getServiceNamed(name)
            self.assertIsInstance(service, APIService)
            verifyObject(IService, service)
            self.assertNotEqual(service.port, 0)
        self.assertRaises(KeyError, daemon.getServiceNamed, "osapi_compute")
        self.assertEqual(daemon.getServiceNamed("compute").name, "compute")

    @inlineCallbacks
    def test_every_api_serves_its_own_tree(self):
        daemon = yield self.started()
        for api in ("osapi_compute", "ec2", "metadata"):
            document = yield self.get(daemon, api)
            self.assertEqual(document["api"], api)

    @inlineCallbacks
    def test_reload_rebuilds_the_trees_in_place(self):
        daemon = yield self.started(["metadata"])
        port = daemon.getServiceNamed("metadata").port
        paste_file(self.directory, greeting_suffix="-2")
        yield daemon.reload()
        document = yield self.get(daemon, "metadata")
        self.assertEqual(document["greeting"], "metadata-2")
        self.assertEqual(daemon.getServiceNamed("metadata").port, port)

    @inlineCallbacks
    def test_reload_with_a_broken_paste_file_keeps_the_old_tree(self):
        daemon = yield self.started(["metadata"])
        with open(self.paste, "w") as f:
            f.write("[app:osapi_compute]\nuse = call:novatx.services.test.apps:hello_factory\n")
        yield daemon.reload()
        document = yield self.get(daemon, "metadata")
        self.assertEqual(document["greeting"], "metadata")

    @inlineCallbacks
    def test_stop_sets_draining_and_closes_the_socket(self):
        daemon = yield self.started(["metadata"])
        service = daemon.getServiceNamed("metadata")
        yield daemon.stopService()
        self.assertTrue(service.runtime.draining)
        self.assertEqual(service.listener.fileno(), -1)

    def test_port_in_use_is_refused_naming_the_api_and_port(self):
        first = self.daemon(["metadata"])
        taken = first.getServiceNamed("metadata")
        self.addCleanup(taken.listener.close)
        with open(self.conf, "a") as f:
            f.write("[DEFAULT]\nmetadata_listen_port = %d\n" % taken.port)
        error = self.assertRaises(StartupError, self.daemon, ["ec2", "metadata"])
        self.assertIn("metadata API on 127.0.0.1 port %d" % taken.port, str(error))
