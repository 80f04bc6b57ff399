"""
Options of the daemon's process model: which APIs run, where they listen, and
how many worker processes serve each one.

The names are nova's (C{nova/conf/service.py}, oslo.service's
C{graceful_shutdown_timeout}), so an operator's C{nova.conf} reads the same. The
defaults differ where nova's would be unsafe on a fresh install: every API
listens on 127.0.0.1 only.
"""

from __future__ import annotations

from oslo_config import cfg

#: The APIs novatx serves, by their C{enabled_apis} names, with default ports.
API_PORTS = {"osapi_compute": 8774, "ec2": 8773, "metadata": 8775}

_DESCRIPTIONS = {
    "osapi_compute": "the OpenStack Compute API",
    "ec2": "the EC2 Query API",
    "metadata": "the instance metadata service",
}


def _api_opts(api: str, port: int) -> list[cfg.Opt]:
    what = _DESCRIPTIONS[api]
    return [
        cfg.HostAddressOpt(
            "%s_listen" % api,
            default="127.0.0.1",
            help="IP address on which %s listens. Use 0.0.0.0 to listen on every "
            "interface." % what,
        ),
        cfg.PortOpt(
            "%s_listen_port" % api,
            default=port,
            help="Port on which %s listens (0: any free port, logged at start)." % what,
        ),
        cfg.IntOpt(
            "%s_workers" % api,
            sample_default="<number of CPUs>",
            help="Number of worker processes for %s. 1 serves it in the daemon "
            "process itself; more makes the daemon bind the socket once and "
            "supervise that many worker processes sharing it. The default is "
            "the number of CPUs. A worker that cannot start (a bad value, an "
            "extension that does not load) stops the whole start with its "
            "reason and exit status 1, as the daemon process would; once the "
            "API serves, a worker that dies is replaced." % what,
        ),
    ]


service_opts = [
    cfg.ListOpt(
        "enabled_apis",
        item_type=cfg.types.String(choices=tuple(API_PORTS)),
        default=list(API_PORTS),
        help="The APIs the daemon serves, each on its own address and port.",
    ),
    cfg.ListOpt(
        "enabled_ssl_apis",
        default=[],
        help="The APIs served over TLS, with the certificate and key of the [ssl] " "section.",
    ),
    cfg.IntOpt(
        "graceful_shutdown_timeout",
        default=60,
        min=0,
        help="Seconds that SIGTERM/SIGINT waits for requests in flight to "
        "finish before closing their connections (0: wait forever). A request "
        "whose headers were read when the signal came is still answered; idle "
        "kept-alive connections are closed at once. A worker still running "
        "1.5 s past this is killed, so the daemon is gone within about this "
        "plus 2 s.",
    ),
]
for _api, _port in API_PORTS.items():
    service_opts.extend(_api_opts(_api, _port))


def list_opts() -> list[tuple[str | None, list[cfg.Opt]]]:
    """The options of this module, by group."""
    return [(None, service_opts)]
