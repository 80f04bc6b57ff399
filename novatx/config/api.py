"""
Options of the paste pipeline: how requests are authenticated and what the
filters accept.

C{[api] auth_strategy} picks the pipeline of every C{pipeline_factory}
composite in C{api-paste.ini} (nova's name; novatx defaults to C{noauth2} so
that a fresh install runs with nothing else installed).

The C{[oslo_middleware]} and C{[cors]} options are oslo.middleware's own option
objects: oslo.middleware registers them only when one of its middlewares is
built on a config, and novatx's native C{sizelimit} and C{http_proxy_to_wsgi}
read them without that. Listing the very same objects here makes them part of
every config (and of the sample file), and lets oslo.middleware's C{cors}
register them again on the same config without a conflict.
"""

from __future__ import annotations

from oslo_config import cfg
from oslo_middleware import cors, http_proxy_to_wsgi, sizelimit

api_opts = [
    cfg.StrOpt(
        "auth_strategy",
        default="noauth2",
        choices=[
            ("keystone", "Use keystone for authentication (keystonemiddleware's authtoken)."),
            (
                "noauth2",
                "Designed for testing only: a token 'user:project' is trusted as is; "
                "the user 'admin' is an administrator.",
            ),
        ],
        help="Which pipeline of each pipeline_factory composite in api-paste.ini serves "
        "requests: how a request's caller is established.",
    ),
    cfg.BoolOpt(
        "use_forwarded_for",
        default=False,
        help="Treat X-Forwarded-For as the canonical remote address. Only enable this "
        "behind a proxy that sanitizes the header.",
    ),
]


def list_opts() -> list[tuple[str | None, list[cfg.Opt]]]:
    """The pipeline's options by group."""
    return [
        ("api", list(api_opts)),
        ("oslo_middleware", list(sizelimit.OPTS) + list(http_proxy_to_wsgi.OPTS)),
        ("cors", list(cors.OPTS)),
    ]
