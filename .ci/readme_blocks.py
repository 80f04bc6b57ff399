"""
Run the code blocks of README.md (and of the docs named after it) as a reader
would: in a fresh copy of the repository, one block after another in one shell
session, against the daemon the README itself starts.

    python3 .ci/readme_blocks.py README.md docs/ec2.md

- The block that starts the daemon (the one running C{twistd -n nova}) runs in
  the background; the next block starts once the daemon logged that every API
  serves.
- The APIs listen on free ports: the daemon reads them from oslo.config's
  environment (C{OS_DEFAULT__OSAPI_COMPUTE_LISTEN_PORT}, ...) and every block has
  C{127.0.0.1:8774}, C{:8773} and C{:8775} replaced by them. Nothing else of a
  block is changed.
- A C{yaml} block is written where the text before it says (C{clouds.yaml});
  C{sh} blocks run with C{bash -e}, C{python} blocks with the session's
  C{python3}; the environment a block exports is the next one's.
- A block after C{<!-- readme-test: skip -->} is not run (it restarts the daemon
  or runs this script).

Every block run counts as one test. The last line is C{readme blocks: N passed,
M failed}; the exit status is 0 only when none failed.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_PORTS = {"osapi_compute": 8774, "ec2": 8773, "metadata": 8775}
SKIP = "<!-- readme-test: skip -->"
FENCE = re.compile(r"^```(\w*)\s*$")
#: How long the daemon's block may take to install and start (a fresh venv).
START_SECONDS = 1200
#: How long any other block may run.
BLOCK_SECONDS = 900


def blocks(path: str) -> list[tuple[int, str, str]]:
    """C{(line, language, text)} of every fenced block of C{path} not marked to skip."""
    found = []
    with open(path) as f:
        lines = f.read().splitlines()
    index = 0
    previous = ""
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if opening is None or not opening.group(1):
            if lines[index].strip():
                previous = lines[index].strip()
            index += 1
            continue
        start = index
        index += 1
        body = []
        while index < len(lines) and lines[index].strip() != "```":
            body.append(lines[index])
            index += 1
        index += 1
        if previous != SKIP:
            found.append((start + 1, opening.group(1), "\n".join(body) + "\n"))
        previous = "```"
    return found


def free_ports() -> dict[str, int]:
    """A port nothing listens on for each API (held until all are chosen)."""
    sockets = []
    ports = {}
    for api in DEFAULT_PORTS:
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        sockets.append(s)
        ports[api] = s.getsockname()[1]
    for s in sockets:
        s.close()
    return ports


def fresh_copy(destination: str) -> None:
    """The files git tracks, as a clone would have them (the working tree's content)."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True)
    for name in listed.stdout.decode().split("\0"):
        if not name or not os.path.exists(os.path.join(ROOT, name)):
            continue
        target = os.path.join(destination, name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copy2(os.path.join(ROOT, name), target)


class Session:
    """One reader's shell session in C{directory}: the environment carries over."""

    def __init__(self, directory: str, ports: dict[str, int]) -> None:
        self.directory = directory
        self.ports = ports
        self.state = os.path.join(directory, ".readme-session")
        env = {key: value for key, value in os.environ.items()
               if not key.startswith(("AWS_", "OS_", "VIRTUAL_ENV"))}
        env["PATH"] = os.pathsep.join(
            p for p in env.get("PATH", "").split(os.pathsep)
            if not p.startswith(os.path.join(ROOT, ".venv")))
        for api, port in ports.items():
            env["OS_DEFAULT__%s_LISTEN_PORT" % api.upper()] = str(port)
        self.env = env
        with open(self.state, "w") as f:
            f.write("")
        self.daemon: subprocess.Popen | None = None

    def localize(self, text: str) -> str:
        for api, port in DEFAULT_PORTS.items():
            text = text.replace("127.0.0.1:%d" % port, "127.0.0.1:%d" % self.ports[api])
        return text

    def script(self, text: str) -> str:
        """C{text} run after the session's environment, which it then saves."""
        return "source %s\nset -e\n%s\nexport -p > %s\n" % (
            shlex.quote(self.state), text, shlex.quote(self.state))

    def run(self, language: str, text: str, previous: str) -> bool:
        text = self.localize(text)
        if language == "yaml":
            name = re.findall(r"[\w.-]+\.ya?ml", previous)
            target = name[-1] if name else "clouds.yaml"
            with open(os.path.join(self.directory, target), "w") as f:
                f.write(text)
            return True
        if language == "python":
            text = "python3 - <<'README_PYTHON'\n%sREADME_PYTHON\n" % (text,)
        elif language not in ("sh", "bash", "shell"):
            return True
        if "twistd -n nova" in text:
            return self.start_daemon(text)
        done = subprocess.run(["bash", "-c", self.script(text)], cwd=self.directory,
                              env=self.env, timeout=BLOCK_SECONDS)
        return done.returncode == 0

    def start_daemon(self, text: str) -> bool:
        """
        Run the daemon's block in the background and wait until it logged that
        every API serves (its output is echoed as it comes).
        """
        self.daemon = subprocess.Popen(
            ["bash", "-c", self.script(text)], cwd=self.directory, env=self.env,
            start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        serving = {api: threading.Event() for api in self.ports}
        ended = threading.Event()

        def echo() -> None:
            """The daemon's output until it serves; its log file after that."""
            assert self.daemon is not None and self.daemon.stdout is not None
            log = open(os.path.join(self.directory, "twistd-readme.log"), "w")
            for line in self.daemon.stdout:
                if all(event.is_set() for event in serving.values()):
                    log.write(line)
                    continue
                sys.stdout.write(line)
                for api, event in serving.items():
                    if "] %s serving on " % (api,) in line:
                        event.set()
            log.close()
            ended.set()
            for event in serving.values():
                event.set()

        threading.Thread(target=echo, daemon=True).start()
        deadline = time.monotonic() + START_SECONDS
        for event in serving.values():
            event.wait(max(0.0, deadline - time.monotonic()))
        if ended.is_set():
            print("the daemon's block ended with status %s" % (self.daemon.wait(),))
            return False
        return all(event.is_set() for event in serving.values())

    def stop(self) -> None:
        if self.daemon is not None and self.daemon.poll() is None:
            os.killpg(self.daemon.pid, signal.SIGTERM)
            try:
                self.daemon.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(self.daemon.pid, signal.SIGKILL)
                self.daemon.wait()


def main(paths: list[str]) -> int:
    passed = failed = 0
    with tempfile.TemporaryDirectory(prefix="novatx-readme-") as directory:
        fresh_copy(directory)
        session = Session(directory, free_ports())
        try:
            for path in paths:
                previous_text = ""
                with open(os.path.join(ROOT, path)) as f:
                    source = f.read().splitlines()
                for line, language, text in blocks(os.path.join(ROOT, path)):
                    previous_text = "\n".join(source[max(0, line - 4):line - 1])
                    print("\n== %s:%d (%s)" % (path, line, language), flush=True)
                    try:
                        ok = session.run(language, text, previous_text)
                    except subprocess.TimeoutExpired:
                        ok = False
                    print("\n== %s:%d %s" % (path, line, "ok" if ok else "FAILED"), flush=True)
                    passed, failed = passed + ok, failed + (not ok)
        finally:
            session.stop()
    print("readme blocks: %d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["README.md"]))
