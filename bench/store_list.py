"""
Benchmark: listing 1,000 servers with details through the internal API, on
SQLite and PostgreSQL, and create throughput with two workers on one store.

    .venv/bin/python bench/store_list.py [--servers 1000] [--calls 10] [--creates 100]
        [--backends sqlite,postgresql]

For each backend it reports milliseconds per list call and per server, and
where the time goes: the same rows fetched with one bare SELECT through the
same thread pool (the baseline: the database and the thread hop); the same
rows and the side tables (metadata, tags, faults, groups) read as the
listing reads them; the rest of a call is building the records. The ratio is
API time over baseline time, measured in the same run. Then two
ComputeServices (two workers) on the store create servers one request at a
time, concurrently, and it reports creates per second.
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

from novatx.compute import instances
from novatx.compute.context import RequestContext
from novatx.compute.interfaces import CreateRequest, ServerQuery
from novatx.compute.service import ComputeService
from novatx.config import make_config
from novatx.db import tables as t

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
CONTEXT = RequestContext(user_id="bench", project_id="bench")


def _config(url: str) -> object:
    conf = make_config([])
    conf.set_override("connection", url, "database")
    conf.set_override("max_pool_size", 8, "database")
    for name in ("instances", "cores", "ram"):
        conf.set_override(name, -1, "quota")
    conf.set_override("fixed_range", "10.0.0.0/16", "network")
    conf.set_override("boot_seconds", 3600, "simulated")
    conf.set_override("poll_interval", 3600, "simulated")
    return conf


def _frozen_clock() -> task.Clock:
    clock = task.Clock()
    clock.advance(time.time())
    return clock


async def _timed(calls: int, function) -> list[float]:
    times = []
    for _ in range(calls):
        started = time.perf_counter()
        await function()
        times.append(time.perf_counter() - started)
    return times


def _bare_select(connection):
    return connection.execute(sa.select(t.instances).where(
        t.instances.c.project_id == CONTEXT.project_id, t.instances.c.deleted == sa.false()
    ).order_by(t.instances.c.created_at.desc(), t.instances.c.id.desc())).mappings().all()


def _rows_and_side_tables(connection):
    """What a listing reads, as it reads it, without building records."""
    rows = _bare_select(connection)
    ids = [row["id"] for row in rows]
    for chunk in instances._chunks(ids):
        connection.execute(instances._SIDE_TABLES, {"ids": chunk}).all()
    return rows


async def bench_backend(reactor, name: str, url: str, servers: int, calls: int,
                        creates: int) -> dict:
    conf = _config(url)
    service = ComputeService(conf, reactor, _frozen_clock())
    await service.startService()
    try:
        images = await service.api.list_images(CONTEXT)
        image = images.items[0].id
        made = 0
        while made < servers:
            batch = min(500, servers - made)
            await service.api.create_servers(CONTEXT, CreateRequest(
                name="bench", flavor_id="1", image_id=image, min_count=batch,
                max_count=batch, metadata={"role": "bench", "tier": str(made)},
                tags=("bench",)))
            made += batch
        page = await service.api.list_servers(CONTEXT, ServerQuery())
        assert len(page.items) == servers, len(page.items)
        api_times = await _timed(calls, lambda: service.api.list_servers(CONTEXT, ServerQuery()))
        bare_times = await _timed(calls, lambda: service.store.read(_bare_select))
        side_times = await _timed(calls, lambda: service.store.read(_rows_and_side_tables))
        api_ms = statistics.median(api_times) * 1000
        bare_ms = statistics.median(bare_times) * 1000
        side_ms = statistics.median(side_times) * 1000

        workers = [service] + [ComputeService(conf, reactor, _frozen_clock())]
        await workers[1].startService()
        try:
            started = time.perf_counter()
            await defer.gatherResults([
                workers[i % 2].api.create_servers(CONTEXT, CreateRequest(
                    name="c%d" % i, flavor_id="1", image_id=image))
                for i in range(creates)])
            create_seconds = time.perf_counter() - started
        finally:
            await workers[1].stopService()
    finally:
        await service.stopService()
    return {
        "backend": name, "servers": servers, "api_ms": api_ms,
        "per_server_ms": api_ms / servers, "bare_ms": bare_ms, "side_ms": side_ms,
        "ratio": api_ms / bare_ms, "creates_per_second": creates / create_seconds,
    }


def _postgres_database() -> tuple[str, callable]:
    name = "novatx_bench_" + uuid.uuid4().hex[:8]
    engine = sa.create_engine(PG_SERVER, isolation_level="AUTOCOMMIT",
                              poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        connection.execute(sa.text("CREATE DATABASE " + name))

    def drop() -> None:
        with engine.connect() as connection:
            connection.execute(sa.text("DROP DATABASE IF EXISTS %s WITH (FORCE)" % name))
    return sa.engine.make_url(PG_SERVER).set(database=name).render_as_string(
        hide_password=False), drop


async def main(reactor, args) -> None:
    results = []
    for backend in args.backends.split(","):
        if backend == "sqlite":
            directory = tempfile.mkdtemp(prefix="novatx-bench-")
            url = "sqlite:///" + os.path.join(directory, "bench.sqlite")
            cleanup = None
        else:
            url, cleanup = _postgres_database()
        try:
            results.append(await bench_backend(reactor, backend, url, args.servers,
                                               args.calls, args.creates))
        finally:
            if cleanup is not None:
                cleanup()
    print("list %d servers with details (median of %d calls); create: %d single creates "
          "over 2 workers" % (args.servers, args.calls, args.creates))
    print("%-10s %10s %12s %14s %16s %8s %12s" % (
        "backend", "ms/call", "ms/server", "bare SELECT ms", "+side tables ms", "ratio",
        "creates/s"))
    for r in results:
        print("%-10s %10.1f %12.3f %14.1f %16.1f %8.2f %12.1f" % (
            r["backend"], r["api_ms"], r["per_server_ms"], r["bare_ms"], r["side_ms"],
            r["ratio"], r["creates_per_second"]))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--servers", type=int, default=1000)
    parser.add_argument("--calls", type=int, default=10)
    parser.add_argument("--creates", type=int, default=100)
    parser.add_argument("--backends", default="sqlite,postgresql")
    arguments = parser.parse_args()
    task.react(lambda reactor: defer.ensureDeferred(main(reactor, arguments)))
    sys.exit(0)
