"""
C{novatx-manage}, run as a real process on a config file: the schema commands,
the catalog commands, and EC2 credentials printed for C{eval}.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys

from twisted.trial.unittest import TestCase

from novatx.cmd.manage import run
from novatx.db import migrate
from novatx.db.test.backends import temporary_database


class ManageTests(TestCase):
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
        self.assertEqual(["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"],
                         [line.split("=")[0] for line in lines])
        access = lines[0].split("=", 1)[1]
        shell = subprocess.run(["sh", "-c", 'eval "$0"; echo "$AWS_ACCESS_KEY_ID"', out],
                               capture_output=True, text=True)
        self.assertEqual(access, shell.stdout.strip())
        listing = self.manage("ec2-credentials", "list", "--user-id", "alice")[0]
        self.assertIn(access, listing)
        self.assertEqual("Deleted %s\n" % access, self.manage(
            "ec2-credentials", "delete", "--user-id", "alice", "--access", access)[0])

    def test_an_unreachable_database_is_named_without_password(self):
        with open(self.config, "w") as f:
            f.write("[database]\nconnection = mysql://root:hunter2@127.0.0.1:1/nova\n")
        _, err = self.in_process("db", "version", code=1)
        self.assertIn("mysql+pymysql://root:***@127.0.0.1:1/nova", err)
        self.assertNotIn("hunter2", err)
