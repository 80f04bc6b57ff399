"""
Benchmark: how long a read answers while a slow query holds a store thread,
and the longest the reactor went without running a timer meanwhile.

    python bench/slow_query_stall.py [--backends sqlite,postgresql] [--slow 1.5] [--reads 20]

These were wall-clock bounds of a test (an answer under 1 s, timer gaps under
0.5 s while a 1.5 s query ran); on a loaded machine they only measure the
machine, so the test now checks the order of events and this script reports
the figures. For each backend: the median and worst read time, and the
longest gap between 10 ms timer ticks, while one query sleeps C{--slow}
seconds in the store's thread pool.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid

import sqlalchemy as sa
from twisted.internet import defer, task

from novatx.compute.context import RequestContext
from novatx.compute.interfaces import CreateRequest
from novatx.compute.service import ComputeService
from novatx.config import make_config
from novatx.db import tables as t

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
CONTEXT = RequestContext(user_id="bench", project_id="bench")


def database(backend: str, directory: str) -> tuple[str, object]:
    """A fresh database URL, and a callable that drops it."""
    if backend == "sqlite":
        return "sqlite:///" + os.path.join(directory, "bench.sqlite"), lambda: None
    name = "novatx_bench_" + uuid.uuid4().hex[:8]
    engine = sa.create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text("CREATE DATABASE " + name))

    def drop() -> None:
        with engine.connect() as connection:
            connection.execute(sa.text("DROP DATABASE %s WITH (FORCE)" % name))
        engine.dispose()

    return str(sa.engine.make_url(PG_SERVER).set(database=name)), drop


async def measure(reactor, backend: str, slow: float, reads: int) -> None:
    with tempfile.TemporaryDirectory() as directory:
        url, drop = database(backend, directory)
        conf = make_config([])
        conf.set_override("connection", url, "database")
        conf.set_override("boot_seconds", 0.01, "simulated")
        service = ComputeService(conf, reactor)
        await service.startService()
        try:
            images = await service.api.list_images(CONTEXT, filters={"name": "cirros"})
            created = await service.api.create_servers(CONTEXT, CreateRequest(
                name="bench", flavor_id="1", image_id=images.items[0].id))

            def sleeping(connection):
                connection.execute(sa.select(t.instances.c.id)).all()
                if backend == "sqlite":
                    time.sleep(slow)
                else:
                    connection.execute(sa.text("SELECT pg_sleep(%f)" % slow))

            ticks: list[float] = []
            loop = task.LoopingCall(lambda: ticks.append(time.monotonic()))
            loop.start(0.01)
            held = service.store.read(sleeping)
            spent = []
            for _ in range(reads):
                started = time.monotonic()
                await service.api.get_server(CONTEXT, created[0].uuid)
                spent.append(time.monotonic() - started)
            await held
            loop.stop()
            gaps = [b - a for a, b in zip(ticks, ticks[1:])]
            print("%-10s read median %.1f ms, worst %.1f ms; longest timer gap %.1f ms"
                  % (backend, statistics.median(spent) * 1000, max(spent) * 1000,
                     max(gaps) * 1000))
        finally:
            await service.stopService()
            drop()


def main(reactor, *argv: str):
    parser = argparse.ArgumentParser()
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--slow", type=float, default=1.5)
    parser.add_argument("--reads", type=int, default=20)
    args = parser.parse_args(argv)

    async def run() -> None:
        for backend in args.backends.split(","):
            await measure(reactor, backend, args.slow, args.reads)

    return defer.ensureDeferred(run())


if __name__ == "__main__":
    task.react(main, sys.argv[1:])
