"""
Vendordata providers (namespace C{novatx.api.vendordata}), as nova's.

C{StaticJSON} serves the JSON file C{[api] vendordata_jsonfile_path};
C{DynamicJSON} asks each C{[api] vendordata_dynamic_targets} entry
(C{name@url}) with nova's request body. Neither ever fails the instance's
request: a missing file, a target that errs, answers badly or too late gives
C{{}} for it and a log line.
"""

from __future__ import annotations

import json
from typing import Any

from twisted.internet.defer import gatherResults, inlineCallbacks, succeed
from twisted.logger import Logger
from twisted.web.client import Agent, HTTPConnectionPool
from zope.interface import implementer

import treq
from treq.client import HTTPClient

from novatx.extensions.interfaces import IAPIExtension, IVendorDataProvider

log = Logger()

#: The statuses nova takes a target's answer from.
_ACCEPTED = (200, 201, 202)


@implementer(IVendorDataProvider, IAPIExtension)
class StaticJSON:
    """The contents of C{[api] vendordata_jsonfile_path}, read at setup."""

    name = "StaticJSON"
    alias = "StaticJSON"
    version = 1
    api = "metadata"

    def __init__(self) -> None:
        self._data: dict[str, Any] = {}

    def setup(self, context: Any) -> None:
        path = context.config.api.vendordata_jsonfile_path
        if not path:
            return
        try:
            with open(path, "rb") as f:
                data = json.load(f)
        except OSError as e:
            log.warn("Cannot read vendordata file {path}: {error}", path=path, error=e)
            return
        except ValueError as e:
            log.warn("Vendordata file {path} is not JSON: {error}", path=path, error=e)
            return
        if not isinstance(data, dict):
            log.warn("Vendordata file {path} does not hold a JSON object", path=path)
            return
        self._data = data

    def get(self, instance: Any, context: Any = None):
        return succeed(dict(self._data))


def parse_targets(targets: list[str]) -> list[tuple[str, str]]:
    """C{(name, url)} of each C{name@url} target, skipping (and logging) the bad."""
    parsed: list[tuple[str, str]] = []
    for target in targets:
        name, sep, url = target.partition("@")
        if not sep or not name or not url:
            log.warn("Vendordata target {target} lacks a name. Skipping", target=target)
            continue
        if any(name == seen for seen, _ in parsed):
            log.warn("Vendordata already contains an entry named {name}. Skipping", name=name)
            continue
        parsed.append((name, url))
    return parsed


def request_body(instance: Any) -> dict[str, Any]:
    """What nova posts to a dynamic target about the instance."""
    return {
        "project-id": instance.project_id,
        "instance-id": instance.uuid,
        "image-id": instance.image_id,
        "user-data": instance.user_data,
        "hostname": instance.hostname,
        "metadata": dict(instance.metadata),
        "boot-roles": "",
    }


@implementer(IVendorDataProvider, IAPIExtension)
class DynamicJSON:
    """What each C{name@url} target answers, under its name."""

    name = "DynamicJSON"
    alias = "DynamicJSON"
    version = 1
    api = "metadata"

    def setup(self, context: Any) -> None:
        conf = context.config
        self._reactor = context.reactor
        self._targets = parse_targets(conf.api.vendordata_dynamic_targets)
        self._connect_timeout = conf.api.vendordata_dynamic_connect_timeout
        self._read_timeout = conf.api.vendordata_dynamic_read_timeout
        pool = HTTPConnectionPool(self._reactor, persistent=False)
        agent = Agent(self._reactor, connectTimeout=self._connect_timeout, pool=pool)
        self._http = HTTPClient(agent)

    def get(self, instance: Any, context: Any = None):
        """Ask every target at once; fires with C{{name: answer}}."""
        asked = [self._ask(name, url, instance) for name, url in self._targets]
        names = [name for name, _ in self._targets]
        return gatherResults(asked).addCallback(lambda answers: dict(zip(names, answers)))

    @inlineCallbacks
    def _ask(self, name: str, url: str, instance: Any):
        body = json.dumps(request_body(instance)).encode("utf-8")
        headers = {
            "Content-Type": ["application/json"],
            "Accept": ["application/json"],
            "User-Agent": ["openstack-nova-vendordata"],
        }
        try:
            response = yield self._http.post(
                url,
                data=body,
                headers=headers,
                timeout=self._connect_timeout + self._read_timeout,
            )
            content = yield treq.content(response)
        except Exception as e:
            log.warn(
                "Error from dynamic vendordata service {name} at {url}: {error}",
                name=name, url=url, error=e,
            )
            return {}
        if response.code not in _ACCEPTED:
            log.warn(
                "Dynamic vendordata service {name} at {url} answered {code}",
                name=name, url=url, code=response.code,
            )
            return {}
        try:
            return json.loads(content)
        except ValueError as e:
            log.warn(
                "Dynamic vendordata service {name} at {url} answered non-JSON: {error}",
                name=name, url=url, error=e,
            )
            return {}
