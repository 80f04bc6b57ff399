"""
C{novatx-manage}, run as a real process on a config file: the schema commands,
the catalog commands, and EC2 credentials printed for C{eval}, on SQLite,
PostgreSQL and MariaDB; the store each command names on stderr; its help.
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys

from twisted.trial.unittest import TestCase

from sqlalchemy.engine import make_url

from novatx.cmd.manage import _parser, run
from novatx.db import migrate
from novatx.db.test.backends import temporary_database


class ManageTestsMixin:
    backend = "sqlite"

    def setUp(self):
        self.url = temporary_database(self, self.backend)
        self.config = os.path.abspath(self.mktemp())
        with open(self.config, "w") as f:
            f.write("[database]\nconnection = %s\n" % self.url)

    def manage(self, *args, code=0):
        done = subprocess.run(
            [sys.executable, "-m", "novatx.cmd.manage", "--config-file", self.config, *args],
            capture_output=True, text=True, timeout=60)
        self.assertEqual(code, done.returncode, done.stderr)
        return done.stdout, done.stderr

    def in_process(self, *args, code=0):
        """The same command through L{run}, for those that need no reactor."""
        out, err = io.StringIO(), io.StringIO()
        self.assertEqual(code, run(["--config-file", self.config, *args], out, err),
                         err.getvalue())
        return out.getvalue(), err.getvalue()

    def test_db_sync_and_version(self):
        self.assertEqual("None\n", self.in_process("db", "version")[0])
        out, _ = self.manage("db", "sync")
        self.assertIn("is at revision %s" % migrate.head(), out)
        self.assertEqual(migrate.head() + "\n", self.in_process("db", "version")[0])

    def test_flavors(self):
        self.manage("db", "sync")
        out, _ = self.manage("flavor", "create", "m1.huge", "--ram", "32768", "--vcpus", "16",
                             "--disk", "320", "--id", "6")
        self.assertEqual("Created flavor m1.huge (id 6)\n", out)
        _, err = self.manage("flavor", "create", "m1.huge", "--ram", "1", "--vcpus", "1",
                             code=1)
        self.assertIn("Flavor with name m1.huge already exists.", err)
        listing = self.manage("flavor", "list")[0].splitlines()
        self.assertEqual(["ID", "Name", "RAM", "VCPUs", "Disk", "Public"], listing[0].split())
        rows = {line.split()[1]: line.split() for line in listing[1:]}
        self.assertEqual(["6", "m1.huge", "32768", "16", "320", "True"], rows["m1.huge"])
        self.assertEqual(["1", "m1.tiny", "512", "1", "1", "True"], rows["m1.tiny"])
        self.manage("flavor", "delete", "6")
        _, err = self.manage("flavor", "delete", "6", code=1)
        self.assertIn("Flavor 6 could not be found.", err)

    def test_images(self):
        self.manage("db", "sync")
        out, _ = self.manage("image", "create", "ubuntu", "--property", "os_distro=ubuntu")
        self.assertTrue(out.startswith("Created image ubuntu (id "), out)
        image_id = out.split("(id ")[1].split(",")[0]
        listing = self.manage("image", "list")[0]
        self.assertIn(image_id, listing)
        self.assertIn("cirros", listing)
        self.assertIn("ami-00000002", listing)
        self.assertEqual("Deleted image %s\n" % image_id,
                         self.manage("image", "delete", image_id)[0])

    def test_ec2_credentials_print_for_eval(self):
        self.manage("db", "sync")
        out, _ = self.manage("ec2-credentials", "create", "--user-id", "alice",
                             "--project-id", "p1")
        lines = out.splitlines()
        self.assertEqual(["export AWS_ACCESS_KEY_ID", "export AWS_SECRET_ACCESS_KEY"],
                         [line.split("=")[0] for line in lines])
        access = lines[0].split("=", 1)[1]
        secret = lines[1].split("=", 1)[1]
        shell = subprocess.run(
            ["sh", "-c", 'eval "$0"; sh -c \'echo "$AWS_ACCESS_KEY_ID $AWS_SECRET_ACCESS_KEY"\'',
             out], capture_output=True, text=True)
        self.assertEqual("%s %s" % (access, secret), shell.stdout.strip())
        listing = self.manage("ec2-credentials", "list", "--user-id", "alice")[0]
        self.assertIn(access, listing)
        self.assertEqual("Deleted %s\n" % access, self.manage(
            "ec2-credentials", "delete", "--user-id", "alice", "--access", access)[0])

    def test_every_command_names_its_store_on_stderr(self):
        expected = "novatx-manage: using the store at %s\n" % (
            make_url(self.url).render_as_string(hide_password=True),)
        self.assertEqual(expected, self.manage("db", "sync")[1])
        self.assertEqual(expected, self.manage("flavor", "list")[1])
        self.assertEqual(expected, self.in_process("db", "version")[1])

    def test_catalog_commands_create_an_empty_store_first(self):
        listing = self.manage("flavor", "list")[0]
        self.assertIn("m1.tiny", listing)
        self.assertEqual(migrate.head() + "\n", self.in_process("db", "version")[0])

    def test_catalog_commands_refuse_a_stale_store_without_auto_migrate(self):
        with open(self.config, "a") as f:
            f.write("auto_migrate = false\n")
        _, err = self.manage("flavor", "list", code=1)
        self.assertIn("is at schema revision None", err)
        self.assertIn("run 'novatx-manage db sync'", err)
        self.assertNotIn("Traceback", err)
        self.assertEqual("None\n", self.in_process("db", "version")[0])

    def test_an_unreachable_database_is_named_without_password(self):
        with open(self.config, "w") as f:
            f.write("[database]\nconnection = mysql://root:hunter2@127.0.0.1:1/nova\n")
        _, err = self.in_process("db", "version", code=1)
        self.assertEqual(
            "novatx-manage: using the store at mysql+pymysql://root:***@127.0.0.1:1/nova",
            err.splitlines()[0])
        self.assertIn("mysql+pymysql://root:***@127.0.0.1:1/nova", err.splitlines()[1])
        self.assertNotIn("hunter2", err)


class SQLiteManageTests(ManageTestsMixin, TestCase):
    backend = "sqlite"


class PostgreSQLManageTests(ManageTestsMixin, TestCase):
    backend = "postgresql"


class MariaDBManageTests(ManageTestsMixin, TestCase):
    backend = "mysql"


class BadConnectionTests(TestCase):
    """
    A C{[database] connection} that cannot be used ends a command with one
    line naming it (password hidden) and status 1, never a traceback.
    """

    def manage(self, url, *args):
        config = os.path.abspath(self.mktemp())
        with open(config, "w") as f:
            f.write("[database]\nconnection = %s\n" % url)
        done = subprocess.run(
            [sys.executable, "-m", "novatx.cmd.manage", "--config-file", config, *args],
            capture_output=True, text=True, timeout=60)
        self.assertEqual(1, done.returncode, done.stderr)
        self.assertNotIn("Traceback", done.stderr)
        self.assertNotIn("hunter2", done.stderr)
        lines = done.stderr.splitlines(True)
        if lines[0].startswith("novatx-manage: using the store at "):
            lines.pop(0)
        self.assertEqual(1, len(lines), done.stderr)
        return lines[0]

    def test_not_a_url(self):
        for args in (("db", "version"), ("flavor", "list")):
            self.assertEqual(
                "novatx-manage: [database] connection is not a database URL "
                "(dialect+driver://user:password@host/database)\n",
                self.manage("not a url hunter2", *args))

    def test_an_unknown_driver(self):
        self.assertEqual(
            "novatx-manage: [database] connection nosuch://bob:***@h/nova: no database "
            "driver for nosuch://\n", self.manage("nosuch://bob:hunter2@h/nova", "db", "sync"))

    def test_a_database_that_does_not_exist(self):
        err = self.manage("postgresql://postgres:hunter2@127.0.0.1:5432/novatx_no_such_db",
                          "db", "sync")
        self.assertIn("postgresql+psycopg://postgres:***@127.0.0.1:5432/novatx_no_such_db", err)
        self.assertIn('database "novatx_no_such_db" does not exist', err)

    def test_a_sqlite_file_that_cannot_be_made(self):
        err = self.manage("sqlite:////proc/novatx/novatx.sqlite", "image", "list")
        self.assertIn("sqlite:////proc/novatx/novatx.sqlite", err)
        self.assertIn("unable to open database file: cannot make /proc/novatx", err)


class WhereTests(TestCase):
    """
    Without C{--config-file} the store is the default SQLite file under the
    directory the command runs in; the command says which, by its absolute path.
    """

    def test_the_default_store_is_named_by_its_absolute_path(self):
        directory = os.path.abspath(self.mktemp())
        os.makedirs(directory)
        done = subprocess.run([sys.executable, "-m", "novatx.cmd.manage", "db", "version"],
                              capture_output=True, text=True, timeout=60, cwd=directory)
        self.assertEqual(0, done.returncode, done.stderr)
        self.assertEqual(
            "novatx-manage: using the store at sqlite:///%s\n"
            % os.path.join(directory, "novatx-state", "novatx.sqlite"), done.stderr)


class HelpTests(TestCase):
    """
    C{--help} of the command and of each subcommand says what every command
    and option does, in plain text.
    """

    def help(self, *args):
        out, err = io.StringIO(), io.StringIO()
        with self.assertRaises(SystemExit) as raised:
            sys.stdout, saved = out, sys.stdout
            try:
                run([*args, "--help"], out, err)
            finally:
                sys.stdout = saved
        self.assertEqual(0, raised.exception.code)
        return out.getvalue()

    def test_every_command_and_option_has_help(self):
        parsers = [((), _parser())]
        while parsers:
            command, parser = parsers.pop()
            self.assertNotIn("C{", self.help(*command))
            for action in parser._actions:
                if isinstance(action, argparse._SubParsersAction):
                    described = {choice.dest for choice in action._choices_actions
                                 if choice.help}
                    self.assertEqual(set(action.choices), described, command)
                    parsers += [((*command, name), sub) for name, sub in action.choices.items()]
                else:
                    self.assertTrue(action.help, "%s %s" % (" ".join(command), action.dest))

    def test_credentials_create_says_it_prints_export_lines(self):
        self.assertIn("export lines", self.help("ec2-credentials"))
