"""The WSGI thread pool of one process, started and stopped as a service."""

from __future__ import annotations

from twisted.application.service import Service
from twisted.python.threadpool import ThreadPool


class ThreadPoolService(Service):
    """
    Runs the process's L{ThreadPool} for the WSGI parts of its resource trees.

    Each process (the daemon, each worker) has its own pool of
    C{[wsgi] default_pool_size} threads; a tree made only of native parts
    never uses it. It is stopped last, once every API has drained.

    @ivar pool: the pool, handed to the trees through their runtime.
    """

    name = "wsgi-pool"

    def __init__(self, size: int) -> None:
        self.pool = ThreadPool(minthreads=0, maxthreads=size, name="novatx-wsgi")

    def startService(self) -> None:
        super().startService()
        self.pool.start()

    def stopService(self) -> None:
        super().stopService()
        self.pool.stop()
