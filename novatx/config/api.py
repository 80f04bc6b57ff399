"""
Options of the paste pipeline: how requests are authenticated and what the
filters accept.

C{[api] auth_strategy} picks the pipeline of every C{pipeline_factory}
composite in C{api-paste.ini} (nova's name; novatx defaults to C{noauth2} so
that a fresh install runs with nothing else installed).

The C{[oslo_middleware]} and C{[cors]} options are oslo.middleware's: it
registers them only when one of its middlewares is built on a config, and
novatx's native C{sizelimit} and C{http_proxy_to_wsgi} read them without that.
Declaring them here makes them part of every config (and of the sample file).
They are declared equal to oslo.middleware's own (same names, types, defaults
and help; a test compares them), which lets its C{cors} register its own on the
same config without a conflict, and spares every process importing
oslo.middleware, which brings all of its middlewares along (some 4 MB): only
C{cors} uses it, for the first request with an C{Origin}.
"""

from __future__ import annotations

from oslo_config import cfg

api_opts = [
    cfg.StrOpt(
        "auth_strategy",
        default="noauth2",
        choices=[
            ("keystone", "Use keystone for authentication (keystonemiddleware's authtoken)."),
            (
                "noauth2",
                "Designed for testing only: a token 'user:project' or "
                "'user:project:role1,role2' is trusted as is; the user 'admin', or "
                "the role 'admin', is an administrator.",
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


#: oslo.middleware's C{sizelimit} and C{http_proxy_to_wsgi} options.
oslo_middleware_opts = [
    cfg.IntOpt(
        "max_request_body_size",
        default=114688,
        help="The maximum body size for each request, in bytes.",
    ),
    cfg.BoolOpt(
        "enable_proxy_headers_parsing",
        default=False,
        help="Whether the application is behind a proxy or not. "
        "This determines if the middleware should parse the "
        "headers or not.",
    ),
]

#: oslo.middleware's C{cors} options.
cors_opts = [
    cfg.ListOpt(
        "allowed_origin",
        help="Indicate whether this resource may be shared with the "
        'domain received in the requests "origin" header. '
        'Format: "<protocol>://<host>[:<port>]", no trailing '
        "slash. Example: https://horizon.example.com",
    ),
    cfg.BoolOpt(
        "allow_credentials",
        default=True,
        help="Indicate that the actual request can include user credentials",
    ),
    cfg.ListOpt(
        "expose_headers",
        default=[],
        help="Indicate which headers are safe to expose to the API. "
        "Defaults to HTTP Simple Headers.",
    ),
    cfg.IntOpt(
        "max_age",
        default=3600,
        help="Maximum cache age of CORS preflight requests.",
    ),
    cfg.ListOpt(
        "allow_methods",
        default=["OPTIONS", "GET", "HEAD", "POST", "PUT", "DELETE", "TRACE", "PATCH"],
        help="Indicate which methods can be used during the actual request.",
    ),
    cfg.ListOpt(
        "allow_headers",
        default=[],
        help="Indicate which header field names may be used during "
        "the actual request.",
    ),
]


def list_opts() -> list[tuple[str | None, list[cfg.Opt]]]:
    """The pipeline's options by group."""
    return [
        ("api", list(api_opts)),
        ("oslo_middleware", list(oslo_middleware_opts)),
        ("cors", list(cors_opts)),
    ]
