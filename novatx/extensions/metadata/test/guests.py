"""
Guests for the tests: cloud-init's readers as separate processes, optionally
inside a network namespace whose address is an instance's fixed IP.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from typing import Any

from twisted.internet import reactor
from twisted.internet.utils import getProcessOutputAndValue
from twisted.trial.unittest import SkipTest

READER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cloudinit_reader.py")


def cloudinit_path() -> str:
    """
    Where cloud-init's package is (C{NOVATX_CLOUDINIT_PATH}: the unpacked tree
    or its C{dist-packages}); skips only when C{NOVATX_TEST_SKIP_CLOUDINIT=1}.
    """
    path = os.environ.get("NOVATX_CLOUDINIT_PATH")
    if not path:
        if os.environ.get("NOVATX_TEST_SKIP_CLOUDINIT") == "1":
            raise SkipTest("NOVATX_TEST_SKIP_CLOUDINIT=1: cloud-init's readers not run")
        raise RuntimeError(
            "NOVATX_CLOUDINIT_PATH is unset: run "
            "novatx/extensions/metadata/test/fetch_cloudinit.sh DEST and export what it prints "
            "(or set NOVATX_TEST_SKIP_CLOUDINIT=1 to skip these tests)"
        )
    nested = os.path.join(path, "usr", "lib", "python3", "dist-packages")
    if not os.path.isdir(os.path.join(path, "cloudinit")) and os.path.isdir(nested):
        path = nested
    if not os.path.isdir(os.path.join(path, "cloudinit")):
        raise RuntimeError("NOVATX_CLOUDINIT_PATH=%s holds no cloudinit package" % path)
    return path


async def run_reader(args: list[str], namespace: "Namespace | None" = None) -> Any:
    """Run L{READER} with C{args}; what it printed, parsed."""
    env = dict(os.environ, PYTHONPATH=cloudinit_path())
    command = [sys.executable, READER] + args
    if namespace is not None:
        command = [shutil.which("ip") or "ip", "netns", "exec", namespace.name] + command
    out, err, code = await getProcessOutputAndValue(command[0], command[1:], env=env, reactor=reactor)
    if code != 0:
        raise AssertionError("reader exited %d: %s" % (code, err.decode("utf-8", "replace")))
    return json.loads(out)


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, timeout=10)


class Namespace:
    """
    A network namespace joined to the host by a veth pair, both ends on a /24
    of its own, free on this host: the host end is C{.1} (the gateway; the
    server listens there), the guest end the address given to L{create} (an
    instance's fixed IP). Names are unique per run; L{destroy} removes
    everything.
    """

    def __init__(self) -> None:
        tag = "%05d" % random.randrange(100000)
        self.name = "nxmd" + tag
        self._host_link = "nxh" + tag
        self._guest_link = "nxg" + tag
        routes = subprocess.run(["ip", "-4", "route"], capture_output=True, text=True).stdout
        while True:
            prefix = "10.%d.%d" % (random.randrange(100, 250), random.randrange(256))
            if prefix + "." not in routes:
                break
        self.network = prefix + ".0/24"
        self.host_address = prefix + ".1"
        self.guest_address = ""

    def create(self, guest_address: str) -> None:
        if os.geteuid() != 0 or shutil.which("ip") is None:
            if os.environ.get("NOVATX_TEST_SKIP_NETNS") == "1":
                raise SkipTest("NOVATX_TEST_SKIP_NETNS=1: no network namespace test")
            raise RuntimeError("network namespaces need root and iproute2 (NOVATX_TEST_SKIP_NETNS=1 skips)")
        self.guest_address = guest_address
        _ip("netns", "add", self.name)
        _ip("link", "add", self._host_link, "type", "veth", "peer", "name", self._guest_link)
        _ip("link", "set", self._guest_link, "netns", self.name)
        _ip("addr", "add", self.host_address + "/24", "dev", self._host_link)
        _ip("link", "set", self._host_link, "up")
        inside = ("netns", "exec", self.name, "ip")
        _ip(*inside, "addr", "add", self.guest_address + "/24", "dev", self._guest_link)
        _ip(*inside, "link", "set", self._guest_link, "up")
        _ip(*inside, "link", "set", "lo", "up")

    def destroy(self) -> None:
        subprocess.run(["ip", "netns", "del", self.name], capture_output=True, timeout=10)
        subprocess.run(["ip", "link", "del", self._host_link], capture_output=True, timeout=10)
