"""
Paste apps and filters for the loader, filter and bridge tests, and the
helpers that serve a paste file written by a test.

The apps echo what they saw as JSON, so a test asserts on what reached the
terminal app over real HTTP.
"""

from __future__ import annotations

import json
import os
from typing import Any

from twisted.internet import reactor
from twisted.web.resource import Resource

from novatx.compute import exceptions
from novatx.config import make_config
from novatx.resources.loader import PACKAGED_PASTE_CONFIG, load_api
from novatx.resources.requestid import get_request_id
from novatx.resources.runtime import Runtime, get_request_context
from novatx.test.helpers import serve_resource

HERE = "novatx.resources.test.test_loader_apps"


class Echo(Resource):
    """A native app answering what it saw."""

    isLeaf = True

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name

    def render(self, request: Any) -> bytes:
        context = get_request_context(request)
        body = request.content.read() if request.content is not None else b""
        document = {
            "app": self.name,
            "method": request.method.decode("ascii"),
            "uri": request.uri.decode("latin-1"),
            "prepath": [s.decode("latin-1") for s in request.prepath],
            "postpath": [s.decode("latin-1") for s in request.postpath],
            "body_length": len(body),
            "secure": bool(request.isSecure()),
            "host": (request.getHeader(b"host") or b"").decode("latin-1"),
            "request_id": get_request_id(request),
            "wsgi_seen": (request.getHeader(b"x-wsgi-seen") or b"").decode("latin-1"),
            "context": (
                None
                if context is None
                else {
                    "user_id": context.user_id,
                    "project_id": context.project_id,
                    "is_admin": context.is_admin,
                    "roles": list(context.roles),
                    "request_id": context.request_id,
                    "auth_token": context.auth_token,
                }
            ),
        }
        request.setHeader(b"Content-Type", b"application/json")
        return json.dumps(document).encode("utf-8")


class Failing(Resource):
    """
    A native app whose rendering fails: with a bug, or with the internal-API
    exception named by the query's C{raise} argument (C{?raise=NotFound}).
    """

    isLeaf = True

    def render(self, request: Any) -> bytes:
        kind = request.args.get(b"raise", [b""])[0].decode("ascii")
        if kind:
            raise getattr(exceptions, kind)("the %s the handler meant" % kind)
        raise ZeroDivisionError("the secret internals of a failure")


def echo_app_factory(global_conf: dict, name: str = "echo") -> Echo:
    return Echo(name)


def failing_app_factory(global_conf: dict) -> Failing:
    return Failing()


def wsgi_echo_app_factory(global_conf: dict, name: str = "wsgi") -> Any:
    def app(environ: dict, start_response: Any) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "application/json")])
        return [
            json.dumps(
                {
                    "app": name,
                    "script_name": environ["SCRIPT_NAME"],
                    "path_info": environ["PATH_INFO"],
                    "request_id": environ.get("openstack.request_id"),
                    "has_context": "nova.context" in environ,
                }
            ).encode("utf-8")
        ]

    return app


def wsgi_header_filter_factory(global_conf: dict) -> Any:
    """A WSGI middleware: marks the request, and the response it returns."""

    def middleware(app: Any) -> Any:
        def wrapped(environ: dict, start_response: Any) -> Any:
            environ["HTTP_X_WSGI_SEEN"] = "yes"

            def marked(status: str, headers: list, exc_info: Any = None) -> Any:
                return start_response(status, headers + [("X-Wsgi-Filter", "yes")], exc_info)

            return app(environ, marked)

        return wrapped

    return middleware


def write_paste(testcase: Any, text: str) -> str:
    """Write a paste file for the test; returns its path."""
    path = os.path.abspath(testcase.mktemp() + ".ini")
    with open(path, "w") as f:
        f.write(text)
    return path


def packaged_paste_with_test_apps() -> str:
    """
    The packaged paste file with the router's terminal apps replaced by
    L{Echo}s: its urlmaps, pipelines and filters, served without extensions.
    """
    with open(PACKAGED_PASTE_CONFIG) as f:
        text = f.read()
    for factory in ("osapi_compute", "image", "ec2", "metadata"):
        text = text.replace(
            "novatx.resources.router:%s_app_factory" % factory,
            "%s:echo_app_factory\nname = %s" % (HERE, factory),
        )
    return text


def paste_config(testcase: Any, text: str | None = None, **overrides: Any) -> Any:
    """
    A config whose C{[wsgi] api_paste_config} is C{text} written to a file
    (default: L{packaged_paste_with_test_apps}); C{overrides} are
    C{"group.name": value}.
    """
    conf = make_config([])
    if text is None:
        text = packaged_paste_with_test_apps()
    conf.set_override("api_paste_config", write_paste(testcase, text), "wsgi")
    for dotted, value in overrides.items():
        group, _, name = dotted.rpartition(".")
        conf.set_override(name, value, group or None)
    return conf


def serve_paste(
    testcase: Any, api_name: str, text: str | None = None, threadpool: Any = None, **overrides: Any
) -> tuple[Any, Runtime]:
    """
    Load C{api_name} from a paste file (see L{paste_config}) without
    a compute service and serve it; returns C{(listening, runtime)}.
    """
    runtime = Runtime(api_name, paste_config(testcase, text, **overrides), None, reactor)
    runtime.threadpool = threadpool
    return serve_resource(testcase, load_api(runtime)), runtime


#: A paste file whose composites use the test apps, for every API name.
TEST_PASTE = """
[composite:osapi_compute]
use = call:novatx.resources.urlmap:urlmap_factory
/: root
/v2.1: api
/deep/er/path: deep
/wsgi: wsgiapp
/failing: failing
/bridged: bridged
/healthcheck: healthcheck

[composite:ec2]
use = call:novatx.resources.urlmap:urlmap_factory
/failing: failing_ec2
/v1: root

[app:root]
paste.app_factory = {here}:echo_app_factory
name = root

[app:deep]
paste.app_factory = {here}:echo_app_factory
name = deep

[app:wsgiapp]
paste.app_factory = {here}:wsgi_echo_app_factory

[composite:api]
use = call:novatx.resources.pipeline:pipeline_factory
noauth2 = cors http_proxy_to_wsgi compute_req_id faultwrap request_log sizelimit noauth2 echo
keystone = cors http_proxy_to_wsgi compute_req_id faultwrap request_log sizelimit authtoken keystonecontext echo

[pipeline:failing]
pipeline = compute_req_id faultwrap request_log failapp

[pipeline:failing_ec2]
pipeline = request_id faultwrap failapp

[composite:bridged]
use = call:novatx.resources.pipeline:pipeline_factory
pipeline = compute_req_id faultwrap wsgi_header noauth2 echo

[app:echo]
paste.app_factory = {here}:echo_app_factory

[app:failapp]
paste.app_factory = {here}:failing_app_factory

[filter:wsgi_header]
paste.filter_factory = {here}:wsgi_header_filter_factory

[app:healthcheck]
paste.app_factory = novatx.resources.healthcheck:healthcheck_app_factory

[filter:request_id]
paste.filter_factory = novatx.resources.filters.request_id:filter_factory

[filter:compute_req_id]
paste.filter_factory = novatx.resources.filters.request_id:compute_filter_factory

[filter:faultwrap]
paste.filter_factory = novatx.resources.filters.faultwrap:filter_factory

[filter:request_log]
paste.filter_factory = novatx.resources.filters.request_log:filter_factory

[filter:sizelimit]
paste.filter_factory = novatx.resources.filters.sizelimit:filter_factory

[filter:http_proxy_to_wsgi]
paste.filter_factory = novatx.resources.filters.http_proxy_to_wsgi:filter_factory

[filter:cors]
paste.filter_factory = novatx.resources.filters.cors:filter_factory

[filter:noauth2]
paste.filter_factory = novatx.resources.filters.noauth:filter_factory

[filter:authtoken]
paste.filter_factory = novatx.resources.filters.keystone:authtoken_filter_factory
www_authenticate_uri = http://keystone.example.com:5000

[filter:keystonecontext]
paste.filter_factory = novatx.resources.filters.keystone:filter_factory
""".format(here=HERE)
