"""
One enabled API as a service: it owns the API's listening socket, and serves
it either in this process or through worker processes.

With C{<api>_workers = 1} the service adopts the socket into this process's
reactor and serves the API's L{APISite}. With more, it hands the socket to a
L{WorkerSupervisor} and only supervises. Either way, the daemon's
L{MultiService} finds it by the API's name (C{getServiceNamed("ec2")}).

The HTTP side (L{novatx.services.channel}) and the TLS side (pyOpenSSL) are
imported only by a service that needs them: a supervising daemon serves no
HTTP, and most APIs serve no TLS (see L{novatx.services.reactor}).
"""

from __future__ import annotations

import os
import socket
from typing import TYPE_CHECKING, Any, Callable

from twisted.application.service import Service
from twisted.internet.defer import Deferred, maybeDeferred, succeed
from twisted.internet.interfaces import IListeningPort
from twisted.logger import Logger
from twisted.web.resource import IResource

from novatx.resources.runtime import Runtime
from novatx.services.settings import APISettings, DaemonSettings
from novatx.services.sockets import bound_port
from novatx.services.workers import WorkerSupervisor

if TYPE_CHECKING:
    from novatx.services.channel import APISite, ConnectionLimit


class APIService(Service):
    """
    Serves one API from an already-bound socket.

    @ivar api: the API's settings (name, address, workers, TLS).
    @ivar runtime: the runtime of the tree served in this process (one process).
    @ivar site: the L{APISite} (one process).
    @ivar supervisor: the L{WorkerSupervisor} (workers).
    @ivar port: the port the socket is bound to.
    """

    _log = Logger()

    def __init__(
        self,
        api: APISettings,
        settings: DaemonSettings,
        listener: socket.socket,
        reactor: Any,
        worker_command: Callable[[DaemonSettings, str], list[str]],
        tree: tuple[Runtime, IResource] | None = None,
        connections: ConnectionLimit | None = None,
    ) -> None:
        """
        @param worker_command: the command line of a worker process for
            C{(settings, api_name)}, used when C{tree} is None.
        @param tree: the runtime and resource tree, to serve in this process.
        @param connections: the connection limit shared by this process's
            sites (one process).
        """
        self.name = api.name
        self.api = api
        self.listener = listener
        self.port = bound_port(listener)
        self._reactor = reactor
        self._listening: IListeningPort | None = None
        self.runtime: Runtime | None = None
        self.site: APISite | None = None
        self.supervisor: WorkerSupervisor | None = None
        # Made here in workers' daemon too: unusable TLS files stop the start
        # instead of killing every worker.
        self._tls = None
        if api.tls:
            from novatx.services.tls import server_tls

            self._tls = server_tls(api.tls)
        if tree is not None:
            from novatx.services.channel import APISite

            self.runtime, resource = tree
            self.site = APISite(
                resource,
                api_name=api.name,
                url_limit=api.url_limit,
                max_header_line=settings.max_header_line,
                keep_alive=settings.keep_alive,
                timeout=settings.client_socket_timeout or None,
                reactor=reactor,
                header_timeout=settings.header_timeout,
                connections=connections,
            )
            self._bound_bodies()
        else:
            self.supervisor = WorkerSupervisor(
                api, settings, listener.fileno(), worker_command, reactor
            )
        self._grace = settings.graceful_shutdown_timeout

    @property
    def url(self) -> str:
        """The base URL the API is served on."""
        host = self.api.host
        if ":" in host:
            host = "[%s]" % host
        return "%s://%s:%d" % (self.api.scheme, host, self.port)

    def startService(self) -> Deferred[None]:
        """
        Start serving.

        @return: fires once the API answers (all its workers are ready).
        """
        super().startService()
        if self.supervisor is not None:
            return self.supervisor.start().addCallback(self._serving)
        factory: Any = self.site
        if self._tls is not None:
            from twisted.protocols.tls import TLSMemoryBIOFactory

            factory = TLSMemoryBIOFactory(self._tls, False, self.site)
        self._listening = self._reactor.adoptStreamPort(
            self.listener.fileno(), self.listener.family, factory
        )
        self._serving(None)
        return succeed(None)

    def _serving(self, _: object) -> None:
        self._log.info(
            "{api} serving on {url} ({how})",
            api=self.name,
            url=self.url,
            how="%d workers" % self.api.workers if self.supervisor else "pid %d" % os.getpid(),
        )

    def stopService(self) -> Deferred[None]:
        """
        Drain: stop accepting, let requests in flight finish within
        C{graceful_shutdown_timeout}, then close what is left.

        This process's copies of the listening socket are closed first, the
        workers' as each gets SIGTERM: once no copy is left, the kernel
        refuses new connections (a load balancer fails over) instead of
        queueing them where nobody will accept them.
        """
        super().stopService()
        if self.supervisor is not None:
            self.listener.close()
            return self.supervisor.stop(self._grace)
        return self._drain()

    def _drain(self) -> Deferred[None]:
        assert self.site is not None and self.runtime is not None
        self.runtime.draining = True
        stopped = succeed(None)
        if self._listening is not None:
            stopped = maybeDeferred(self._listening.stopListening)
            self._listening = None
        self.listener.close()
        return stopped.addCallback(self._drain_connections)

    def _drain_connections(self, _: object) -> Deferred[None]:
        """No copy of the socket is left open here: drain the connections."""
        assert self.site is not None
        open_connections = self.site.open_connections()
        if open_connections:
            self._log.info(
                "{api}: draining {n} connection(s), up to {grace}s",
                api=self.name,
                n=open_connections,
                grace=self._grace or "unlimited ",
            )
        drained = self.site.drain()
        if self._grace:
            timer = self._reactor.callLater(self._grace, self._give_up, drained)
            drained.addBoth(_cancel_then_pass, timer)
        return drained

    def _give_up(self, drained: Deferred[None]) -> None:
        assert self.site is not None
        self._log.warn(
            "{api}: graceful_shutdown_timeout reached; closing {n} connection(s)",
            api=self.name,
            n=self.site.open_connections(),
        )
        self.site.abort()

    def replace_tree(self, tree: tuple[Runtime, IResource]) -> None:
        """Serve a rebuilt tree from now on (one-process reload)."""
        assert self.site is not None
        self.runtime, self.site.resource = tree
        self._bound_bodies()

    def _bound_bodies(self) -> None:
        """
        Keep no more of a request body than the runtime's
        C{[oslo_middleware] max_request_body_size} lets C{sizelimit} refuse:
        a larger one is drained, not stored; a larger C{Content-Length} is
        refused by the channel from the headers alone.
        """
        from novatx.resources.filters.sizelimit import bounded_request_factory

        assert self.site is not None and self.runtime is not None
        limit = self.runtime.config.oslo_middleware.max_request_body_size
        self.site.requestFactory = bounded_request_factory(limit)
        self.site.max_body_size = limit


def _cancel_then_pass(result: object, timer: Any) -> object:
    if timer.active():
        timer.cancel()
    return result
