"""
The daemon's service tree, and what it does on SIGHUP and SIGTERM.

L{build_daemon} turns checked L{DaemonSettings} into a L{DaemonService}: a
L{MultiService} with, in start order, the WSGI thread pool and the compute
service (when some API is served in this process), then one L{APIService} per
enabled API, named after it. Worker processes build the same tree for their
one API (L{novatx.services.worker}).

Signals (installed only by the daemon process, once the reactor runs):
 - SIGTERM/SIGINT stop the reactor (L{ReactorStopper}), whose shutdown
   stops the services: each API drains, workers are stopped, and the process
   exits 0.
 - SIGHUP re-reads the config files and the paste file (one arriving during a
   reload makes another run after it). A broken configuration
   is logged and the running one keeps serving; a changed address or port is
   logged as needing a restart. Otherwise APIs served in this process get
   rebuilt trees in place, and worker pools are replaced one worker at a time.
"""

from __future__ import annotations

import atexit
import os
import signal
import socket
import sys
from typing import Any, Callable

import attrs
from twisted.application.service import MultiService, Service
from twisted.internet.defer import Deferred, DeferredList, FirstError, maybeDeferred, succeed
from twisted.logger import Logger

from novatx import metrics
from novatx.compute.exceptions import ServiceUnavailable
from novatx.compute.service import ComputeService, SchemaNotCurrent, prepare_store
from novatx.db.engine import BadDatabaseURL
from novatx.services.api import APIService
from novatx.services.errors import StartupError
from novatx.services.pool import ThreadPoolService
from novatx.services.settings import APISettings, DaemonSettings, read_settings
from novatx.services.signals import ReactorStopper
from novatx.services.sockets import bind
from novatx.services.trees import build_tree
from novatx.services.workers import LISTEN_FD

#: Start failures that are the environment's, not a bug: logged in one line.
_EXPECTED_START_ERRORS = (StartupError, ServiceUnavailable, SchemaNotCurrent, BadDatabaseURL)


def worker_command(settings: DaemonSettings, api_name: str) -> list[str]:
    """The command line of a worker process serving C{api_name}."""
    argv = [sys.executable, "-m", "novatx.services.worker", "--api", api_name]
    argv += ["--listen-fd", str(LISTEN_FD)]
    if settings.enabled_apis is not None:
        argv += ["--enabled-apis", ",".join(settings.enabled_apis)]
    return argv + ["--", *settings.args]


class DaemonService(MultiService):
    """
    Everything one process runs.

    @ivar settings: the configuration being served.
    @ivar serving: fires once every API answers.
    @ivar report_failure: called with the one-line reason when the start
        fails (set by a worker process), or None.
    """

    report_failure: Callable[[str], None] | None = None

    _log = Logger()

    def __init__(
        self,
        settings: DaemonSettings,
        reactor: Any,
        pool: ThreadPoolService | None,
        compute: Any,
        apis: list[APIService],
        handle_signals: bool = False,
    ) -> None:
        """
        @param handle_signals: install the daemon's signal handlers (see the
            module docstring) when the reactor runs.
        """
        super().__init__()
        self._handle_signals = handle_signals
        self.settings = settings
        self._reactor = reactor
        self._pool = pool
        self._compute = compute
        self._apis = apis
        for service in (pool, compute):
            if service is not None:
                service.setServiceParent(self)
        for api in apis:
            api.setServiceParent(self)
        self.serving: Deferred[None] = Deferred()
        self._starting: Deferred[Any] = succeed(None)
        self._stopping = False
        self._reloading = False
        self._reload_waiters: list[Deferred[None]] = []

    def startService(self) -> None:
        """
        Once the reactor runs: install the signal handlers (the daemon's only),
        start the pool and the store, then the APIs once the store is ready (a
        request never meets a store that is still migrating).
        """
        Service.startService(self)
        self._reactor.callWhenRunning(self._start)

    def _start(self) -> None:
        if self._handle_signals:
            self._install_signal_handlers()
        if self._pool is not None:
            self._pool.startService()
        if self._compute is not None:
            ready = maybeDeferred(self._compute.startService)
        else:
            ready = self._prepare_store()
        self._starting = ready.addCallback(self._start_apis)
        self._starting.addErrback(self._start_failed)

    def _prepare_store(self) -> Deferred[None]:
        """
        With every API in workers, open (migrate, seed) the store once here,
        so that workers starting together do not race to create it: the store
        alone, without the compute API and driver only workers use.
        """
        return prepare_store(self.settings.conf, self._reactor)

    def _start_apis(self, _: object) -> Deferred[Any]:
        if self._stopping:
            return succeed(None)
        started = DeferredList(
            [maybeDeferred(api.startService) for api in self._apis],
            fireOnOneErrback=True,
            consumeErrors=True,
        )
        return started.addCallback(lambda _: self.serving.callback(None))

    def _start_failed(self, failure: Any) -> None:
        """
        The store or an API could not start: say why, stop, exit non-zero.

        Expected failures (an unreachable or outdated store, a worker that
        could not build its API) are one line; anything else is logged with
        its traceback. A worker process reports the reason to its daemon
        (L{report_failure}) instead of writing it on stderr.
        """
        error = failure.value
        if isinstance(error, FirstError):
            failure = error.subFailure
            error = failure.value
        if isinstance(error, _EXPECTED_START_ERRORS):
            message = str(error)
            self._log.critical("novatx cannot start: {error}", error=error)
        else:
            message = "%s: %s" % (type(error).__name__, error)
            self._log.failure("novatx cannot start: {error}", failure, error=error)
        if self.report_failure is not None:
            self.report_failure(message)
            atexit.register(_exit_failed, None)
        else:
            atexit.register(_exit_failed, message)
        self._reactor.stop()

    def stopService(self) -> Deferred[Any]:
        """Drain every API, then stop the store and the pool."""
        self._stopping = True
        Service.stopService(self)
        running = [api for api in self._apis if api.running]
        stopped = DeferredList([maybeDeferred(api.stopService) for api in running])
        stopped.addCallback(lambda _: self._stop_compute())
        return stopped.addCallback(lambda _: self._pool and self._pool.stopService())

    def _stop_compute(self) -> Any:
        if self._compute is not None and self._compute.running:
            return self._compute.stopService()
        return None

    def _install_signal_handlers(self) -> None:
        """Handle SIGHUP (reload) and SIGTERM/SIGINT (drain, then exit 0)."""

        def reload(signum: int, frame: Any) -> None:
            self._reactor.callFromThread(self.reload)

        ReactorStopper(self._reactor).install()
        signal.signal(signal.SIGHUP, reload)

    def reload(self) -> Deferred[None]:
        """
        Re-read the configuration and apply it (see the module docstring).

        A reload asked for while one is under way (workers are replaced one at
        a time, which takes a while) is remembered: one more reload runs when
        the current one ends, so the newest files win in every API, however
        many SIGHUPs arrived meanwhile.

        @return: fires once every API has switched (or kept its old config)
            to the files as they were when this reload was asked for, or
            later.
        """
        done: Deferred[None] = Deferred()
        self._reload_waiters.append(done)
        if self._reloading:
            self._log.info(
                "A reload is under way; another will follow it with the newest configuration"
            )
        else:
            self._next_reload()
        return done

    def _next_reload(self) -> None:
        """Run one reload for everyone waiting; then one more if asked meanwhile."""
        waiters, self._reload_waiters = self._reload_waiters, []
        self._reloading = True

        def finished(_: object) -> None:
            self._reloading = False
            for waiter in waiters:
                waiter.callback(None)
            if self._reload_waiters and not self._stopping:
                self._next_reload()
            elif self._reload_waiters:
                pending, self._reload_waiters = self._reload_waiters, []
                for waiter in pending:
                    waiter.callback(None)

        self._reload_once().addBoth(finished)

    def _reload_once(self) -> Deferred[None]:
        self._log.info("Reloading the configuration")
        try:
            new = read_settings(self.settings.args, self.settings.enabled_apis)
            metrics.prepare(new.conf)
            changes = self._plan(new)
            trees = {
                name: self._tree(new, name)
                for name, (api, _) in changes.items()
                if api.supervisor is None
            }
        except StartupError as e:
            self._log.error("Reload failed, still serving the previous configuration: {e}", e=e)
            return succeed(None)
        self.settings = new
        waiting = []
        for name, (api, fresh) in changes.items():
            if api.supervisor is None:
                api.replace_tree(trees[name])
                self._log.info("{api}: resource tree rebuilt", api=name)
            else:
                waiting.append(api.supervisor.replace(new, fresh))
        return DeferredList(waiting).addCallback(lambda _: None)

    def _plan(self, new: DaemonSettings) -> dict[str, tuple[APIService, APISettings]]:
        """
        Match the new settings to the running APIs; log what needs a restart.
        """
        by_name = {api.api.name: api for api in self._apis}
        new_names = [api.name for api in new.apis]
        for name in set(new_names) ^ set(by_name):
            self._log.warn("{api}: enabling or disabling an API needs a restart", api=name)
        changes = {}
        for fresh in new.apis:
            api = by_name.get(fresh.name)
            if api is None:
                continue
            old = api.api
            if (fresh.host, fresh.port, fresh.tls) != (old.host, old.port, old.tls):
                self._log.warn(
                    "{api}: the new listen address, port or TLS files need a restart; "
                    "still serving on {url}",
                    api=fresh.name,
                    url=api.url,
                )
            if (fresh.workers > 1) != (old.workers > 1):
                self._log.warn(
                    "{api}: switching between one process and workers needs a restart",
                    api=fresh.name,
                )
            keep = dict(host=old.host, port=old.port, tls=old.tls)
            if (fresh.workers > 1) != (old.workers > 1):
                keep["workers"] = old.workers
            changes[fresh.name] = (api, attrs.evolve(fresh, **keep))
        return changes

    def _tree(self, settings: DaemonSettings, name: str) -> Any:
        compute_api = getattr(self._compute, "api", None)
        pool = self._pool.pool if self._pool is not None else None
        return build_tree(name, settings.conf, compute_api, self._reactor, pool)


def _exit_failed(message: str | None) -> None:
    """
    At interpreter exit after a failed start: say why on stderr in one line,
    as a configuration refused before the start does, and exit with status 1.

    twistd exits 0 whenever its reactor stops; this runs once it has shut
    down and removed its pid file.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    if message is not None:
        # fd 2 itself: twistd has turned sys.stderr into a log file.
        line = "twistd nova: error: %s\n" % " ".join(message.splitlines())
        os.write(2, line.encode("utf-8", "replace"))
    os._exit(1)


def build_daemon(
    settings: DaemonSettings,
    reactor: Any,
    sockets: dict[str, socket.socket] | None = None,
    handle_signals: bool = False,
) -> DaemonService:
    """
    Bind the sockets (unless given) and assemble the service tree.

    @param sockets: already-bound sockets by API name (a worker's inherited
        one); the others are bound here.
    @raise StartupError: a port is in use, a tree does not build, TLS files
        are unusable; sockets bound here are closed again.
    @param handle_signals: the daemon's signal handling (not in workers).
    """
    os.makedirs(settings.conf.state_path, exist_ok=True)
    metrics.prepare(settings.conf)
    sockets = dict(sockets or {})
    bound: list[socket.socket] = []
    try:
        for api in settings.apis:
            if api.name not in sockets:
                sockets[api.name] = bind(api)
                bound.append(sockets[api.name])
        in_process = [api for api in settings.apis if api.workers == 1]
        pool = compute = connections = None
        if in_process:
            from novatx.services.channel import ConnectionLimit

            pool = ThreadPoolService(settings.pool_size)
            compute = ComputeService(settings.conf, reactor)
            connections = ConnectionLimit(settings.max_connections, reactor)
        compute_api = getattr(compute, "api", None)
        services = []
        for api in settings.apis:
            tree = None
            if api.workers == 1:
                tree = build_tree(api.name, settings.conf, compute_api, reactor, pool.pool)
            services.append(
                APIService(
                    api,
                    settings,
                    sockets[api.name],
                    reactor,
                    worker_command,
                    tree=tree,
                    connections=connections,
                )
            )
    except BaseException:
        for sock in bound:
            sock.close()
        raise
    return DaemonService(settings, reactor, pool, compute, services, handle_signals)
