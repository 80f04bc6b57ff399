"""
What a process imports, which is most of what it weighs: the reactor leaves
its TLS support out unless the process serves TLS, and a supervising daemon
(every API in workers) imports none of what only workers need.

Each check runs in a fresh Python process, since this one has imported
everything already.
"""

from __future__ import annotations

import json
import os
import sys

from twisted.internet.utils import getProcessOutputAndValue
from twisted.trial.unittest import TestCase

from novatx.services.test.daemon import SOURCE_ROOT

_REACTOR = """
import json, sys
from twisted.internet.interfaces import IReactorSSL
from novatx.services.reactor import install_reactor
reactor = install_reactor(sys.argv[1] == "tls")
before = "OpenSSL" in sys.modules
from twisted.protocols.tls import TLSMemoryBIOFactory
print(json.dumps([IReactorSSL.providedBy(reactor), before, "OpenSSL" in sys.modules]))
"""

_SUPERVISOR = """
import json, sys
from novatx.services.daemon import build_daemon
from novatx.services.reactor import install_reactor
from novatx.services.settings import read_settings
settings = read_settings(["--config-file", sys.argv[1]], ["osapi_compute", "metadata"])
daemon = build_daemon(settings, install_reactor(False))
heavy = ["alembic", "klein", "OpenSSL", "oslo_middleware", "oslo_policy.policy",
         "novatx.compute.api", "novatx.extensions.loading", "novatx.services.channel"]
print(json.dumps([name for name in heavy if name in sys.modules]))
"""


class FootprintTests(TestCase):
    async def python(self, script: str, *args: str) -> object:
        env = dict(os.environ, PYTHONPATH=SOURCE_ROOT)
        out, err, code = await getProcessOutputAndValue(
            sys.executable, ["-c", script, *args], env=env
        )
        self.assertEqual(0, code, err.decode())
        return json.loads(out)

    async def test_reactor_without_tls_until_a_process_serves_tls(self):
        """
        Without TLS to serve, the reactor is installed without pyOpenSSL,
        which is importable again right after; with it, the reactor has its
        TLS support.
        """
        self.assertEqual([False, False, True], await self.python(_REACTOR, "plain"))
        self.assertEqual([True, True, True], await self.python(_REACTOR, "tls"))

    async def test_a_supervising_daemon_imports_nothing_of_the_apis(self):
        directory = os.path.abspath(self.mktemp())
        os.makedirs(directory)
        conf = os.path.join(directory, "nova.conf")
        with open(conf, "w") as f:
            f.write(
                "[DEFAULT]\nstate_path = %s\nosapi_compute_listen_port = 0\n"
                "metadata_listen_port = 0\nosapi_compute_workers = 2\n"
                "metadata_workers = 2\n" % directory
            )
        self.assertEqual([], await self.python(_SUPERVISOR, conf))
