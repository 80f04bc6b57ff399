"""The C{twistd nova} plugin: its options, and what twistd finds."""

from __future__ import annotations

import ast
import os

from twisted.internet.defer import inlineCallbacks
from twisted.internet.utils import getProcessOutputAndValue
from twisted.python.usage import UsageError
from twisted.trial.unittest import TestCase

from novatx.services.tap import Options
from novatx.services.test.daemon import SOURCE_ROOT, TWISTD


class OptionsTests(TestCase):
    def parse(self, *argv):
        options = Options()
        options.parseOptions(list(argv))
        return options

    def test_config_files_and_dirs_repeat_in_order(self):
        options = self.parse(
            "--config-file", "a.conf", "--config-dir", "d", "--config-file", "b.conf"
        )
        self.assertEqual(
            options.config_args(),
            ["--config-file", "a.conf", "--config-file", "b.conf", "--config-dir", "d"],
        )

    def test_enabled_apis_is_a_comma_separated_override(self):
        self.assertEqual(
            self.parse("--enabled-apis", "ec2, metadata").enabled_apis(), ["ec2", "metadata"]
        )
        self.assertIsNone(self.parse().enabled_apis())

    def test_unknown_option_is_a_usage_error(self):
        self.assertRaises(UsageError, self.parse, "--workers", "2")


class PluginTests(TestCase):
    """
    C{twistd} finds the plugin where an install puts it: C{twisted/plugins/}
    next to C{novatx/} on C{sys.path} (an editable install needs
    C{--config-settings editable_mode=compat} for that).
    """

    @inlineCallbacks
    def twistd(self, *argv):
        env = dict(os.environ, PYTHONPATH=SOURCE_ROOT)
        out, err, code = yield getProcessOutputAndValue(TWISTD, list(argv), env=env)
        self.assertEqual(code, 0, err)
        return out.decode()

    @inlineCallbacks
    def test_twistd_lists_nova(self):
        out = yield self.twistd("--help")
        self.assertRegex(out, r"\n\s+nova\s+Nova's compute, EC2 and metadata APIs on Twisted\n")

    @inlineCallbacks
    def test_twistd_nova_help_shows_the_options(self):
        out = yield self.twistd("nova", "--help")
        for option in ("--config-file=", "--config-dir=", "--enabled-apis="):
            self.assertIn(option, out)

    @inlineCallbacks
    def test_twistd_nova_version_names_novatx(self):
        from twisted import version as twisted_version

        from novatx import __version__

        out = yield self.twistd("nova", "--version")
        self.assertEqual("novatx %s (Twisted %s)\n" % (__version__, twisted_version.short()), out)

    def test_the_plugin_module_imports_nothing_of_novatx(self):
        path = os.path.join(SOURCE_ROOT, "twisted", "plugins", "nova_plugin.py")
        with open(path) as f:
            tree = ast.parse(f.read())
        imported = [
            node.module if isinstance(node, ast.ImportFrom) else alias.name
            for node in ast.walk(tree)
            if isinstance(node, (ast.Import, ast.ImportFrom))
            for alias in node.names
        ]
        self.assertEqual(imported, ["twisted.application.service"])
