"""
What the daemon needs to know about each enabled API, read and checked once.

Everything a start can trip over is checked here, before a socket is bound or a
process started, so that a bad configuration ends the start with one line
naming the culprit (L{StartupError}), and a bad reload leaves the running
configuration alone.
"""

from __future__ import annotations

import os
import resource
from typing import Sequence

import attrs
from oslo_config import cfg
from paste.deploy.loadwsgi import APP, loadcontext

from novatx.config import make_config
from novatx.config.service import API_PORTS
from novatx.resources.loader import paste_config_path
from novatx.services.errors import StartupError, config_message

#: Longest request target per API (nova's C{max_url_len}); longer gets 414.
URL_LIMITS = {"osapi_compute": 8192, "ec2": 16384, "metadata": 8192}


@attrs.frozen
class TLSFiles:
    """The PEM files an API's TLS is made of (C{[ssl]})."""

    cert_file: str
    key_file: str
    ca_file: str | None = None


@attrs.frozen
class APISettings:
    """
    One enabled API, as the process model sees it.

    @ivar workers: 1 serves in the daemon process; more, in worker processes.
    @ivar tls: the files to serve TLS with, or None for plain HTTP.
    """

    name: str
    host: str
    port: int
    workers: int
    url_limit: int
    tls: TLSFiles | None = None

    @property
    def scheme(self) -> str:
        return "https" if self.tls else "http"


@attrs.frozen
class DaemonSettings:
    """
    Everything the daemon reads from its configuration.

    @ivar conf: the parsed configuration.
    @ivar apis: the enabled APIs, in C{enabled_apis} order.
    @ivar args: the command-line arguments C{conf} was parsed from, for
        workers and reloads to parse again.
    @ivar enabled_apis: the C{--enabled-apis} override, if any.
    """

    conf: cfg.ConfigOpts
    apis: tuple[APISettings, ...]
    args: tuple[str, ...]
    enabled_apis: tuple[str, ...] | None
    max_header_line: int
    keep_alive: bool
    client_socket_timeout: int
    pool_size: int
    graceful_shutdown_timeout: int
    paste_file: str
    header_timeout: int
    max_connections: int


def read_settings(args: Sequence[str], enabled_apis: Sequence[str] | None = None) -> DaemonSettings:
    """
    Parse and check the configuration.

    @param args: oslo.config arguments (C{--config-file}, C{--config-dir}).
    @param enabled_apis: overrides C{[DEFAULT] enabled_apis} when given.
    @raise StartupError: the configuration cannot be served.
    """
    try:
        conf = make_config(list(args))
    except cfg.Error as e:
        raise StartupError(config_message(e)) from None
    if enabled_apis is not None:
        _check_api_names("--enabled-apis", enabled_apis)
        conf.set_override("enabled_apis", list(enabled_apis))
    try:
        return _settings(conf, tuple(args), enabled_apis)
    except cfg.Error as e:
        raise StartupError(config_message(e)) from None


def _check_api_names(option: str, names: Sequence[str]) -> None:
    for name in names:
        if name not in API_PORTS:
            raise StartupError(
                "%s: unknown API %r (known APIs: %s)" % (option, name, ", ".join(API_PORTS))
            )


def _settings(
    conf: cfg.ConfigOpts, args: tuple[str, ...], override: Sequence[str] | None
) -> DaemonSettings:
    names = list(dict.fromkeys(conf.enabled_apis))
    if not names:
        raise StartupError("enabled_apis is empty: there is nothing to serve")
    ssl_names = list(conf.enabled_ssl_apis)
    _check_api_names("enabled_ssl_apis", ssl_names)
    paste_file = paste_config_path(conf)
    _check_paste_file(paste_file, names)
    apis = []
    for name in names:
        workers = getattr(conf, "%s_workers" % name)
        if workers is None:
            workers = os.cpu_count() or 1
        if workers < 1:
            raise StartupError(
                "%s_workers value of %s is invalid, must be greater than 0" % (name, workers)
            )
        apis.append(
            APISettings(
                name=name,
                host=getattr(conf, "%s_listen" % name),
                port=getattr(conf, "%s_listen_port" % name),
                workers=workers,
                url_limit=URL_LIMITS[name],
                tls=_tls_files(conf, name) if name in ssl_names else None,
            )
        )
    return DaemonSettings(
        conf=conf,
        apis=tuple(apis),
        args=args,
        enabled_apis=tuple(override) if override is not None else None,
        max_header_line=conf.wsgi.max_header_line,
        keep_alive=conf.wsgi.keep_alive,
        client_socket_timeout=conf.wsgi.client_socket_timeout,
        pool_size=conf.wsgi.default_pool_size,
        graceful_shutdown_timeout=conf.graceful_shutdown_timeout,
        paste_file=paste_file,
        header_timeout=conf.wsgi.header_timeout,
        max_connections=conf.wsgi.max_connections or default_max_connections(),
    )


#: Files a process keeps open besides its client connections: the store, the
#: log, the pipes to the daemon, the listening sockets.
RESERVED_FILES = 64


def default_max_connections() -> int:
    """C{[wsgi] max_connections} when unset: what the open-files limit leaves."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        soft = 65536
    return max(soft - RESERVED_FILES, 1)


def _tls_files(conf: cfg.ConfigOpts, name: str) -> TLSFiles:
    files = TLSFiles(conf.ssl.cert_file, conf.ssl.key_file, conf.ssl.ca_file)
    for option in ("cert_file", "key_file"):
        if not getattr(files, option):
            raise StartupError("%s is in enabled_ssl_apis but [ssl] %s is not set" % (name, option))
    for option in ("cert_file", "key_file", "ca_file"):
        path = getattr(files, option)
        if path and not os.access(path, os.R_OK):
            raise StartupError("[ssl] %s %s cannot be read (needed by %s)" % (option, path, name))
    return files


def _check_paste_file(path: str, names: Sequence[str]) -> None:
    """
    Check that the paste file exists and has an entry for each API.

    The factories are looked up (so a typo in C{use =} is caught) but not
    called: building the trees is the job of the process that serves them.
    """
    if not os.path.isfile(path):
        raise StartupError("[wsgi] api_paste_config: no paste file at %s" % (path,))
    for name in names:
        try:
            loadcontext(APP, "config:" + os.path.abspath(path), name=name)
        except LookupError as e:
            if not str(e).startswith("No section"):
                raise StartupError("paste file %s, section for %s: %s" % (path, name, e)) from None
            raise StartupError(
                "paste file %s has no section for the %s API ([composite:%s])" % (path, name, name)
            ) from None
        except Exception as e:
            raise StartupError(
                "paste file %s, section for %s: %s" % (path, name, str(e).splitlines()[0])
            ) from None
