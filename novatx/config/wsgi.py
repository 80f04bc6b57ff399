"""
Options of the HTTP side of each API: the paste file, the channel's limits and
timeouts, the WSGI thread pool, and TLS.

C{[wsgi]} holds nova's names (C{nova/conf/wsgi.py}); C{[ssl]} holds
oslo.service's (C{sslutils}).
"""

from __future__ import annotations

import os

from oslo_config import cfg

import novatx

#: The paste file shipped inside the package.
PACKAGED_PASTE_CONFIG = os.path.join(os.path.dirname(novatx.__file__), "etc", "api-paste.ini")

wsgi_opts = [
    cfg.StrOpt(
        "api_paste_config",
        default=PACKAGED_PASTE_CONFIG,
        sample_default="<novatx package>/etc/api-paste.ini",
        help="The PasteDeploy file that builds each API's resource tree from its "
        "[composite:<api>] section. SIGHUP re-reads it.",
    ),
    cfg.IntOpt(
        "max_header_line",
        default=16384,
        min=1,
        help="Longest request header line accepted; a longer one is answered " "with 431.",
    ),
    cfg.BoolOpt(
        "keep_alive",
        default=True,
        help="Keep client connections open between requests (HTTP/1.1 "
        "keep-alive). False closes the connection after every response.",
    ),
    cfg.IntOpt(
        "client_socket_timeout",
        default=900,
        min=0,
        help="Seconds an idle client connection stays open (0: forever).",
    ),
    cfg.IntOpt(
        "header_timeout",
        default=60,
        min=0,
        help="Seconds a client has to send a request's complete headers, counted "
        "from the connection's start or, on a kept-alive connection, from the "
        "first byte of the next request (nginx's client_header_timeout). Past "
        "it the client gets a 408 in the API's format and the connection is "
        "closed, however steadily bytes trickle in (0: no deadline).",
    ),
    cfg.IntOpt(
        "max_connections",
        min=1,
        sample_default="<open-files limit - 64>",
        help="Client connections each process holds open at once, all its APIs "
        "together. Past it, a new connection is closed as soon as it is accepted "
        "(logged at most once a minute); with workers, another worker may "
        "accept it. Default: the process's soft limit on open files "
        "(RLIMIT_NOFILE) less 64 for the store, the log and the pipes.",
    ),
    cfg.IntOpt(
        "default_pool_size",
        default=20,
        min=1,
        help="Threads in each process's pool for WSGI parts of a pipeline "
        "(a pipeline made of native parts does not use it).",
    ),
]

ssl_opts = [
    cfg.StrOpt(
        "cert_file",
        help="PEM certificate (chain) the APIs of enabled_ssl_apis present.",
    ),
    cfg.StrOpt("key_file", help="PEM private key of cert_file."),
    cfg.StrOpt(
        "ca_file",
        help="PEM CA certificates; when set, clients must present a certificate "
        "signed by one of them.",
    ),
]


def list_opts() -> list[tuple[str | None, list[cfg.Opt]]]:
    """The options of this module, by group."""
    return [("wsgi", wsgi_opts), ("ssl", ssl_opts)]
