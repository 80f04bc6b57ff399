"""
Benchmark: a SigV4-signed C{DescribeInstances} of 12 instances under wrk,
novatx's EC2 API against moto_server, in the same run.

Runs, in one go (about a minute with the defaults):
 1. C{twistd -n nova --enabled-apis ec2} over a fresh SQLite store, an EC2
    credential from C{novatx-manage ec2-credentials create}, 12 instances made
    with boto3 (waited to C{running});
 2. C{moto_server} with 12 C{m1.small} instances in C{us-east-1};
 3. one C{GET /?Action=DescribeInstances&Version=2016-11-15} per server, signed
    once with botocore (SigV4, headers) and replayed by wrk inside the 300 s
    window, novatx and moto_server in alternating rounds: each run's ratio is
    novatx / moto_server of that run's round pair, printed with the median
    (goal >= 100) and the CPU time each side spent per request, whose ratio
    depends much less on what else the machine runs;
 4. the cost per extra instance: both again with more instances, as the extra
    milliseconds per request divided by the extra instances.

Usage: C{python bench/ec2_describe.py [--runs 3] [--duration 5] [--connections 10]
[--workers 1] [--extra 88]}
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

import boto3
from botocore import auth as botocore_auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

from _support import SOURCE_ROOT, TWISTD, Load, free_port, wrk

BIN = os.path.dirname(sys.executable)
QUERY = "Action=DescribeInstances&Version=2016-11-15"


def wait_for_port(port: int, process: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("%s exited with %s" % (what, process.returncode))
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit("%s did not listen on %d" % (what, port))


def start_novatx(directory: str, workers: int) -> tuple[subprocess.Popen, int, str, str]:
    port = free_port()
    conf = os.path.join(directory, "nova.conf")
    with open(conf, "w") as f:
        f.write(
            "[DEFAULT]\nstate_path = %s\nec2_listen_port = %d\nec2_workers = %d\n"
            "[quota]\ninstances = -1\ncores = -1\nram = -1\n"
            "[simulated]\nboot_seconds = 0.05\n" % (os.path.join(directory, "state"), port, workers)
        )
    os.makedirs(os.path.join(directory, "state"))
    manage = os.path.join(BIN, "novatx-manage")
    subprocess.run([manage, "--config-file", conf, "db", "sync"], check=True, capture_output=True)
    output = subprocess.run(
        [manage, "--config-file", conf, "ec2-credentials", "create", "--user-id", "bench", "--project-id", "bench"],
        check=True, capture_output=True, text=True,
    ).stdout
    values = dict(line.split("=", 1) for line in output.split() if "=" in line)
    process = subprocess.Popen(
        [TWISTD, "-n", "--pidfile=", "--logfile", os.path.join(directory, "twistd.log"),
         "nova", "--config-file", conf, "--enabled-apis", "ec2"],
        cwd=directory,
        env=dict(os.environ, PYTHONPATH=os.pathsep.join([SOURCE_ROOT, os.environ.get("PYTHONPATH", "")])),
    )
    wait_for_port(port, process, "twistd nova")
    return process, port, values["AWS_ACCESS_KEY_ID"], values["AWS_SECRET_ACCESS_KEY"]


def start_moto() -> tuple[subprocess.Popen, int]:
    port = free_port()
    process = subprocess.Popen(
        [os.path.join(BIN, "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    wait_for_port(port, process, "moto_server")
    return process, port


def client(port: int, region: str, access: str, secret: str):
    return boto3.session.Session().client(
        "ec2", endpoint_url="http://127.0.0.1:%d" % port, region_name=region,
        aws_access_key_id=access, aws_secret_access_key=secret,
        config=Config(retries={"total_max_attempts": 1}),
    )


def add_instances(ec2, count: int, instance_type: str) -> None:
    image = ec2.describe_images()["Images"][0]["ImageId"]
    while count > 0:
        batch = min(count, 50)
        run = ec2.run_instances(ImageId=image, MinCount=batch, MaxCount=batch, InstanceType=instance_type)
        ids = [i["InstanceId"] for i in run["Instances"]]
        ec2.get_waiter("instance_running").wait(InstanceIds=ids, WaiterConfig={"Delay": 0.2, "MaxAttempts": 100})
        count -= batch


def signed_headers(port: int, region: str, access: str, secret: str) -> dict[str, str]:
    request = AWSRequest(method="GET", url="http://127.0.0.1:%d/?%s" % (port, QUERY))
    botocore_auth.SigV4Auth(Credentials(access, secret), "ec2", region).add_auth(request)
    return {k: v for k, v in request.headers.items() if k in ("Authorization", "X-Amz-Date")}


def count_instances(port: int, headers: dict[str, str]) -> int:
    request = urllib.request.Request("http://127.0.0.1:%d/?%s" % (port, QUERY), headers=headers)
    with urllib.request.urlopen(request) as response:
        return response.read().count(b"<instanceId>")


class Target:
    """One server under test: its port, its process and a signed request to replay."""

    def __init__(self, name: str, port: int, pid: int, region: str, access: str, secret: str,
                 directory: str) -> None:
        self.name, self.port, self.pid = name, port, pid
        self._credentials = (region, access, secret)
        self.script = os.path.join(directory, "headers-%d.lua" % port)

    def sign(self, instances: int) -> None:
        """
        Sign the request afresh (AWS takes a signature for 5 minutes) and
        check that it describes C{instances} instances.
        """
        headers = signed_headers(self.port, *self._credentials)
        with open(self.script, "w") as f:
            for name, value in headers.items():
                f.write('wrk.headers["%s"] = "%s"\n' % (name, value))
        seen = count_instances(self.port, headers)
        if seen != instances:
            raise SystemExit("%s described %d instances, not %d" % (self.name, seen, instances))

    def load(self, duration: int, connections: int) -> Load:
        """The signed request under wrk, with this server's CPU time per request."""
        return wrk("http://127.0.0.1:%d/?%s" % (self.port, QUERY), duration, connections,
                   pid=self.pid, script=self.script)


def rounds(ours: Target, theirs: Target, runs: int, duration: int,
           connections: int) -> list[tuple[Load, Load]]:
    """A warm-up of each, then C{runs} pairs of alternating rounds."""
    for target in (ours, theirs):
        target.load(1, connections)
    return [(ours.load(duration, connections), theirs.load(duration, connections))
            for _ in range(runs)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--connections", type=int, default=10)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--extra", type=int, default=88, help="instances added for the per-instance cost")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        novatx, port, access, secret = start_novatx(directory, args.workers)
        moto, moto_port = start_moto()
        try:
            novatx_ec2 = client(port, "RegionOne", access, secret)
            moto_ec2 = client(moto_port, "us-east-1", "testing", "testing")
            add_instances(novatx_ec2, 12, "m1.tiny")
            add_instances(moto_ec2, 12, "m1.small")
            ours = Target("novatx", port, novatx.pid, "RegionOne", access, secret, directory)
            theirs = Target("moto_server", moto_port, moto.pid, "us-east-1", "testing", "testing",
                            directory)
            ours.sign(12)
            theirs.sign(12)
            pairs = rounds(ours, theirs, args.runs, args.duration, args.connections)
            add_instances(novatx_ec2, args.extra, "m1.tiny")
            add_instances(moto_ec2, 12, "m1.small")
            ours.sign(12 + args.extra)
            theirs.sign(24)
            more, moto_more = rounds(ours, theirs, 1, args.duration, args.connections)[0]
        finally:
            for process in (novatx, moto):
                process.terminate()
                process.wait()
    ratios = [n.rate / m.rate for n, m in pairs]
    cpu_ratios = [m.cpu_ms / n.cpu_ms for n, m in pairs]
    print("SigV4 GET DescribeInstances, wrk -t1 -c%d -d%ds, ec2_workers = %d, %d round pairs"
          % (args.connections, args.duration, args.workers, args.runs))
    print("novatx      12 instances: %s req/s" % " ".join("%.1f" % n.rate for n, _ in pairs))
    print("moto_server 12 instances: %s req/s" % " ".join("%.1f" % m.rate for _, m in pairs))
    print("ratio novatx / moto_server: %s, median %.1fx (goal >= 100x)"
          % (" ".join("%.1f" % r for r in ratios), statistics.median(ratios)))
    print("CPU per request: novatx %.3f ms, moto_server %.2f ms (medians), ratio %s, median %.1fx"
          % (statistics.median(n.cpu_ms for n, _ in pairs),
             statistics.median(m.cpu_ms for _, m in pairs),
             " ".join("%.1f" % r for r in cpu_ratios), statistics.median(cpu_ratios)))
    rps, moto_rps = statistics.median(n.rate for n, _ in pairs), statistics.median(
        m.rate for _, m in pairs)
    print("novatx      %3d instances: %8.1f req/s -> %.3f ms per extra instance"
          % (12 + args.extra, more.rate, (1000 / more.rate - 1000 / rps) / args.extra))
    print("moto_server  24 instances: %8.1f req/s -> %.3f ms per extra instance"
          % (moto_more.rate, (1000 / moto_more.rate - 1000 / moto_rps) / 12))


if __name__ == "__main__":
    main()
