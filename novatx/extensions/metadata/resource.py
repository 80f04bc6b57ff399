"""
The metadata API itself: one extension serving every path of both trees.

Each request is identified (L{novatx.extensions.metadata.identify}), checked
against IMDSv2 tokens, answered from the instance's cached data, and written
as nova writes it: plain text listings and leaves, JSON documents, and plain
text errors with nova's statuses. Nothing here blocks: the store is asked
through the internal API, whose calls run off the reactor thread.
"""

from __future__ import annotations

import base64
import datetime
import os
from typing import Any

from twisted.internet.defer import CancelledError, Deferred, inlineCallbacks, succeed
from twisted.logger import Logger
from twisted.python.failure import Failure
from zope.interface import implementer

from novatx.compute.coalesce import CoalescedReads
from novatx.compute.context import get_admin_context
from novatx.compute.exceptions import Conflict, Invalid, NotFound, ServiceUnavailable
from novatx.extensions.interfaces import (
    IResourceExtension,
    Response,
    Route,
)
from novatx.extensions import loading
from novatx.extensions.metadata import openstack as os_tree
from novatx.extensions.metadata import versions as v
from novatx.extensions.metadata.cache import MetadataCache
from novatx.extensions.metadata.document import collect
from novatx.extensions.metadata.ec2tree import ec2_tree
from novatx.extensions.metadata.identify import Asker, IdentifySettings, Refused, identify
from novatx.extensions.metadata.tokens import InvalidTTL, TokenSigner, host_key, parse_ttl
from novatx.extensions.metadata.tree import find, json_bytes, render, split_path
from novatx.resources.faults import render_fault

log = Logger()

#: nova's limit for a posted password: four chunks of 255 bytes.
MAX_PASSWORD_SIZE = 4 * 255

TEXT = "text/plain; charset=UTF-8"
JSON = "application/json"
TOKEN_HEADER = b"x-aws-ec2-metadata-token"
#: The file under C{state_path} holding this host's IMDSv2 key.
TOKEN_KEY_FILE = "metadata_token.key"
TTL_HEADER = "X-aws-ec2-metadata-token-ttl-seconds"

#: Stands for C{random_seed} in a rendered C{meta_data.json}.
_SEED_MARK = "\0seed\0"
_SEED_MARK_JSON = b'"\\u0000seed\\u0000"'

_METHODS = ("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS")
_READ = ("GET", "HEAD")


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    body, content_type = render_fault("metadata", status, message)
    return Response(
        body=body, status=status, headers=headers or {}, content_type=content_type.decode("ascii")
    )


def _text(body: bytes, content_type: str = TEXT) -> Response:
    return Response(body=body, content_type=content_type)


def _no_instance_at(asker: Asker) -> str:
    """
    The 404 for an address that is no instance's: it names the address and
    where to read how an instance is found, since trying the API from the
    host itself (127.0.0.1) is the first thing a newcomer does.
    """
    return "No instance has the address %s; see docs/metadata.md." % (asker.address,)


def _not_found() -> Response:
    return _error(404, "The resource could not be found.")


def _not_allowed(allowed: tuple[str, ...]) -> Response:
    return _error(
        405,
        "The method is not allowed for this path.",
        {"Allow": ", ".join(allowed)},
    )


def load_vendordata_providers(names: list[str], context: Any) -> dict[str, Any]:
    """
    The providers C{names} (C{[api] vendordata_providers}), by name, set up; an
    unknown name is logged and skipped, as nova does. A provider that fails is
    named by its own entry point (L{loading.load_vendordata_providers}).
    """
    if not names:
        return {}
    return loading.load_vendordata_providers(
        names,
        context=context,
        on_unknown=lambda missing: log.warn(
            "Unknown vendordata providers {names}: skipped", names=sorted(missing)
        ),
    )


def _token_key(conf: Any) -> bytes:
    """The IMDSv2 signing key: the configured secret, or this host's key file."""
    if conf.metadata.token_secret:
        return conf.metadata.token_secret.encode("utf-8")
    path = os.path.join(conf.state_path, TOKEN_KEY_FILE)
    try:
        return host_key(path)
    except (OSError, ValueError) as e:
        log.warn(
            "Cannot keep the IMDSv2 key in {path} ({error}): tokens are accepted only "
            "by the process that issued them; set [metadata] token_secret",
            path=path, error=e,
        )
        return os.urandom(32)


@implementer(IResourceExtension)
class MetadataAPI:
    """The EC2 and OpenStack metadata trees, IMDSv2 tokens and passwords."""

    name = "Metadata"
    alias = "metadata"
    version = 1
    api = "metadata"

    def setup(self, context: Any) -> None:
        conf = context.config
        self._conf = conf
        self._compute = context.compute
        self._clock = context.reactor
        self._cache = MetadataCache(self._clock, conf.api.metadata_cache_expiration)
        self._loads: CoalescedReads = CoalescedReads()
        self._compute.add_observer(self._cache.invalidate)
        self._tokens = TokenSigner(_token_key(conf))
        self._identify = IdentifySettings.from_config(conf)
        self._require_token = conf.metadata.require_token
        self._provider_names = list(conf.api.vendordata_providers)
        self._providers = load_vendordata_providers(self._provider_names, context)

    def routes(self) -> list[Route]:
        return [
            Route("/", _METHODS, self.serve, "metadata.root", auth=False),
            Route("/<path:path>", _METHODS, self.serve, "metadata.path", auth=False),
        ]

    def actions(self) -> dict[str, list[Any]]:
        return {}

    def serve(self, request: Any, path: str = ""):
        """
        Answer one request: a L{Response}, or a Deferred of one when the store
        must be asked (a cache miss, a password, vendordata).
        """
        try:
            result = self._serve(request.raw)
        except Exception:
            return self._unexpected(Failure())
        if isinstance(result, Deferred):
            return result.addErrback(self._unexpected)
        return result

    def _unexpected(self, failure: Failure) -> Response | None:
        if failure.check(CancelledError):
            return None
        if failure.check(Refused):
            return _error(failure.value.status, failure.value.message)
        if failure.check(ServiceUnavailable):
            return _error(503, "The service is temporarily unavailable. Please try again.")
        log.failure("Metadata request failed", failure)
        return _error(500, "An unknown error has occurred. Please try your request again.")

    def _serve(self, raw: Any) -> Response | Deferred:
        segments = split_path(raw.path)
        method = raw.method.decode("ascii", "replace")
        if not segments:
            if method not in _READ:
                return _not_allowed(_READ)
            return _text(render(list(v.EC2_LISTED) + [v.LATEST]))
        if segments == [v.LATEST, "api", "token"]:
            if method != "PUT":
                return _not_allowed(("PUT",))
            return self._issue_token(raw)
        posting_password = (
            method == "POST"
            and len(segments) == 3
            and segments[0] == "openstack"
            and segments[2] == os_tree.PASSWORD
        )
        if method not in _READ and not posting_password:
            return _not_allowed(_READ)
        asker = identify(raw, self._identify)
        data = self._cached_data(asker)
        if data is None:
            return self._instance_data(asker).addCallback(self._answer, raw, method, segments, asker)
        return self._answer(data, raw, method, segments, asker)

    def _answer(
        self, data: Any, raw: Any, method: str, segments: list[str], asker: Asker
    ) -> Response | Deferred:
        refusal = self._check_token(raw, data.instance.uuid)
        if refusal is not None:
            return refusal
        if segments[0] == "openstack":
            return self._openstack(raw, method, data, segments[1:])
        return self._ec2(data, segments, asker)

    # -- who is asking ------------------------------------------------------

    def _check_tenant(self, asker: Asker, data: Any) -> Any:
        if asker.tenant_id is not None and data.instance.project_id != asker.tenant_id:
            log.warn(
                "Tenant {tenant} does not own instance {uuid}",
                tenant=asker.tenant_id, uuid=data.instance.uuid,
            )
            raise Refused(404, "The resource could not be found.")
        return data

    def _cached_data(self, asker: Asker) -> Any:
        """The asker's instance data if the cache holds it, else None."""
        instance_uuid = asker.instance_uuid or self._cache.uuid_for(asker.address)
        if instance_uuid is None:
            return None
        data = self._cache.get(instance_uuid, "data")
        return None if data is None else self._check_tenant(asker, data)

    def _instance_data(self, asker: Asker) -> Deferred:
        """
        The asker's instance data, from the cache or the store. Instances
        boot in crowds and their agents ask at once: first requests for one
        instance that arrive together share one load (and one round of
        dynamic vendordata), as the cache shares everything after it.
        """
        key = ("instance", asker.instance_uuid) if asker.instance_uuid else ("address", asker.address)
        loaded = self._loads.read(key, lambda: self._load_instance_data(asker))
        return loaded.addCallback(lambda data: self._check_tenant(asker, data))

    @inlineCallbacks
    def _load_instance_data(self, asker: Asker):
        instance = None
        instance_uuid = asker.instance_uuid
        if instance_uuid is None:
            instance_uuid = self._cache.uuid_for(asker.address)
            if instance_uuid is None:
                try:
                    instance = yield self._compute.get_server_by_address(asker.address)
                except NotFound:
                    log.info("No instance at metadata address {address}", address=asker.address)
                    raise Refused(404, _no_instance_at(asker))
                instance_uuid = instance.uuid
                self._cache.remember_address(asker.address, instance_uuid)
        data = self._cache.get(instance_uuid, "data")
        if data is None:
            if instance is None:
                try:
                    instance = yield self._compute.get_server(get_admin_context(), instance_uuid)
                except NotFound:
                    raise Refused(404, "The resource could not be found.")
            if instance.deleted:
                raise Refused(404, "The resource could not be found.")
            data = yield collect(self._compute, self._conf, instance)
            self._cache.put(instance_uuid, "data", data)
        return data

    # -- IMDSv2 -------------------------------------------------------------

    @inlineCallbacks
    def _issue_token(self, raw: Any):
        trusted_proxy = self._identify.use_forwarded_for or self._identify.service_metadata_proxy
        if raw.getHeader(b"x-forwarded-for") is not None and not trusted_proxy:
            return _error(403, "A token request may not come through a proxy.")
        try:
            ttl = parse_ttl(raw.getHeader(TTL_HEADER.lower().encode("ascii")))
        except InvalidTTL:
            return _error(
                400, "%s must be a whole number of seconds from 1 to 21600." % TTL_HEADER
            )
        data = yield self._instance_data(identify(raw, self._identify))
        token = self._tokens.issue(data.instance.uuid, self._clock.seconds(), ttl)
        return Response(body=token.encode("ascii"), headers={TTL_HEADER: str(ttl)}, content_type=TEXT)

    def _check_token(self, raw: Any, instance_uuid: str) -> Response | None:
        token = raw.getHeader(TOKEN_HEADER)
        if token is None:
            if self._require_token:
                return _error(401, "A session token (X-aws-ec2-metadata-token) is required.")
            return None
        if not self._tokens.valid(token, instance_uuid, self._clock.seconds()):
            return _error(401, "The session token is invalid or expired.")
        return None

    # -- the EC2 tree -------------------------------------------------------

    def _ec2(self, data: Any, segments: list[str], asker: Asker) -> Response:
        version = v.resolve(segments[0], v.EC2_VERSIONS, v.EC2_LATEST)
        if version is None:
            return _not_found()
        # The tree depends on the asking address only without a fixed IP.
        key = ("ec2", version, None if data.net else asker.address)
        tree = self._cache.get(data.instance.uuid, key)
        if tree is None:
            tree = ec2_tree(data, version, asker.address)
            self._cache.put(data.instance.uuid, key, tree)
        try:
            value = find(tree, segments[1:])
        except KeyError:
            return _not_found()
        return _text(render(value))

    # -- the OpenStack tree -------------------------------------------------

    def _openstack_versions(self) -> list[str]:
        today = datetime.datetime.fromtimestamp(
            self._clock.seconds(), datetime.timezone.utc
        ).strftime("%Y-%m-%d")
        return [version for version in v.OPENSTACK_VERSIONS if version <= today] + [v.LATEST]

    def _openstack(self, raw: Any, method: str, data: Any, segments: list[str]) -> Response | Deferred:
        if not segments:
            return _text(render(self._openstack_versions()))
        version = v.resolve(segments[0], v.OPENSTACK_VERSIONS, v.OPENSTACK_VERSIONS[-1])
        if version is None:
            return _not_found()
        if len(segments) == 1:
            return _text(render(os_tree.version_listing(data, version)))
        name = "/".join(segments[1:])
        if not os_tree.served(name, version):
            return _not_found()
        if name == os_tree.MD_JSON:
            return _text(self._meta_data(data, version), JSON)
        if name == os_tree.NW_JSON:
            return _text(json_bytes(os_tree.network_data(data)), JSON)
        if name == os_tree.USER_DATA:
            if data.user_data is None:
                return _not_found()
            return _text(data.user_data, "application/octet-stream")
        if name == os_tree.PASSWORD:
            return self._password(raw, method, data.instance.uuid)
        if name == os_tree.VD_JSON:
            vendor_data = self._vendor_data(data)
        else:
            vendor_data = self._vendor_data2(data)
        return vendor_data.addCallback(lambda document: _text(json_bytes(document), JSON))

    def _meta_data(self, data: Any, version: str) -> bytes:
        """
        C{meta_data.json}, rendered once per instance and version: only its
        C{random_seed}, fresh for every request as nova's, is filled in each time.
        """
        uuid = data.instance.uuid
        parts = self._cache.get(uuid, ("meta_data", version))
        if parts is None:
            parts = json_bytes(os_tree.meta_data(data, version, _SEED_MARK)).split(_SEED_MARK_JSON)
            self._cache.put(uuid, ("meta_data", version), parts)
        if len(parts) == 1:
            return parts[0]
        seed = base64.b64encode(os.urandom(512))
        return parts[0] + b'"' + seed + b'"' + parts[1]

    @inlineCallbacks
    def _password(self, raw: Any, method: str, instance_uuid: str):
        if method in _READ:
            password = yield self._compute.get_password(instance_uuid)
            return _text((password or "").encode("utf-8"))
        body = raw.content.read(MAX_PASSWORD_SIZE + 1)
        if len(body) > MAX_PASSWORD_SIZE:
            return _error(400, "Request is too large.")
        try:
            yield self._compute.set_password(instance_uuid, body.decode("utf-8", "replace"))
        except Conflict:
            return _error(409, "The password was already set.")
        except Invalid:
            # A NUL or an unpaired surrogate no store column takes.
            return _error(400, "The password holds characters that cannot be stored.")
        return _text(b"")

    def _vendor_data(self, data: Any):
        static = self._providers.get("StaticJSON")
        if static is None:
            return succeed({})
        return static.get(data.instance, get_admin_context())

    @inlineCallbacks
    def _vendor_data2(self, data: Any):
        uuid = data.instance.uuid
        cached = self._cache.get(uuid, "vendor_data2")
        if cached is not None:
            return cached
        document: dict[str, Any] = {}
        for name in self._provider_names:
            provider = self._providers.get(name)
            if provider is None:
                continue
            values = yield provider.get(data.instance, get_admin_context())
            if name == "StaticJSON":
                document["static"] = values
                continue
            for key in list(values):
                if key in document:
                    log.warn("Removing duplicate vendordata key {key}", key=key)
                    del values[key]
            document.update(values)
        self._cache.put(uuid, "vendor_data2", document)
        return document
