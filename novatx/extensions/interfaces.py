"""
The contracts a novatx extension implements.

A plugin package depends only on this module, L{novatx.compute.interfaces} (the
internal API), L{novatx.compute.records} and L{novatx.compute.exceptions}. It
declares classes implementing these interfaces under stevedore entry points:

    ====================================  ===================================
    namespace                             what is found there
    ====================================  ===================================
    C{novatx.api.osapi_compute.extensions}  compute API extensions
    C{novatx.api.ec2.extensions}            EC2 actions
    C{novatx.api.metadata.extensions}       metadata API resources
    C{novatx.api.server_create}             server-create hooks
    C{novatx.api.vendordata}                vendordata providers
    ====================================  ===================================

Each entry point names a class; the loader instantiates it with no arguments,
checks it with C{verifyObject} against every interface it declares, then calls
C{setup(context)} once before serving. See C{docs/extending.md}.
"""

from __future__ import annotations

from typing import Any, Callable

import attrs
from zope.interface import Attribute, Interface

#: The APIs an extension may serve.
API_NAMES = ("osapi_compute", "ec2", "metadata")


class IExtensionContext(Interface):
    """What an extension gets at C{setup}: the shared services of the process."""

    api_name = Attribute("The API being built: one of L{API_NAMES}.")
    config = Attribute("The process's C{oslo_config.cfg.ConfigOpts}.")
    compute = Attribute("The internal API, an L{novatx.compute.interfaces.IComputeAPI}.")
    reactor = Attribute("The reactor (an C{IReactorTime} at least); never block it.")


class IAPIRequest(Interface):
    """
    The request as a handler sees it, after auth, version negotiation and
    validation. Handlers never touch the twisted.web request unless they must.
    """

    context = Attribute("The L{novatx.compute.context.RequestContext} of the caller.")
    version = Attribute(
        "The negotiated microversion as an L{APIVersion} (compute); "
        "C{None} for the other APIs."
    )
    body = Attribute(
        "The decoded, validated JSON body (a dict), or C{None}. Compute only: "
        "EC2 and metadata handlers read C{raw.content} themselves."
    )
    args = Attribute("Query arguments: a dict of str -> list of str.")
    method = Attribute("The HTTP method, as str.")
    path = Attribute("The request path, as str.")
    headers = Attribute("The request headers (a twisted C{Headers}).")
    raw = Attribute("The underlying twisted.web C{IRequest}, for the rare handler that needs it.")

    def url(*segments):
        """
        An absolute URL under the API's versioned root, built from the request's
        scheme and Host (and C{X-Forwarded-*} when proxy-header parsing is on),
        e.g. C{url("servers", uuid)} -> C{http://host:8774/v2.1/servers/<uuid>}.
        """

    def bookmark(*segments):
        """The same without the version segment (nova's C{bookmark} links)."""

    def project_url(*segments):
        """C{url} with the project id after the version when the request had one."""

    def authorize(rule, target=None):
        """
        Check the oslo.policy rule C{rule} for the caller on C{target} (a dict;
        default: the caller's own C{project_id} and C{user_id}), for handlers
        that know the target only after loading it (another project's server).
        Raises L{novatx.compute.exceptions.NotAuthorized} (403) on denial.
        """


@attrs.frozen(order=True)
class APIVersion:
    """A microversion, C{2.1} .. C{2.104}; ordered, so ranges compare."""

    major: int
    minor: int

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}"

    @classmethod
    def parse(cls, text: str) -> "APIVersion":
        major, minor = text.split(".")
        return cls(int(major), int(minor))

    def matches(self, min_version: "APIVersion | str | None", max_version: "APIVersion | str | None") -> bool:
        """Whether this version lies in C{[min_version, max_version]} (None: open)."""
        lo = APIVersion.parse(min_version) if isinstance(min_version, str) else min_version
        hi = APIVersion.parse(max_version) if isinstance(max_version, str) else max_version
        return (lo is None or lo <= self) and (hi is None or self <= hi)


@attrs.frozen
class Response:
    """
    What a handler may return instead of a plain JSON-able value: a status, a
    body (dict/list for JSON, bytes as is, None for empty) and extra headers.
    """

    body: Any = None
    status: int = 200
    headers: dict[str, str] = attrs.field(factory=dict)
    content_type: str = "application/json"


#: A handler: C{handler(request: IAPIRequest, **path_args)} -> value, L{Response}
#: or a Deferred of either. A plain value is JSON-encoded with the route's status.
Handler = Callable[..., Any]


@attrs.frozen
class Route:
    """
    One method on one path, contributed by an L{IResourceExtension}.

    @ivar path: a werkzeug rule relative to the API's versioned root
        (C{"/servers/<server_id>"}); klein routes it.
    @ivar endpoint: unique name, C{"<alias>.<method>"} (C{"servers.show"}); used
        for duplicate detection, schema extension and response extension.
    @ivar schema: JSON schema of the body, or a sequence of
        C{(min_version, max_version, schema)} for compute microversion ranges.
    @ivar policy: the oslo.policy rule checked before the handler runs.
    @ivar min_version/max_version: the microversion range (compute); outside it
        the route answers 404 as nova does.
    @ivar status: the success status of a plain return value.
    @ivar auth: False for the few routes served without a token (versions).
    @ivar root: C{"api"}: under the API's versioned root (C{/v2.1}, C{/v2}, or
        C{/} for EC2 and metadata); C{"image"}: under the compute port's C{/image}
        (the glance subset the clients use).
    """

    path: str
    methods: tuple[str, ...]
    handler: Handler
    endpoint: str
    schema: Any = None
    policy: str | None = None
    min_version: str | None = None
    max_version: str | None = None
    status: int = 200
    auth: bool = True
    root: str = "api"


@attrs.frozen
class Action:
    """
    A C{POST .../action} action (C{{"os-stop": null}}) contributed by a resource or
    a controller extension: C{handler(request, resource_id, action_body)}.
    """

    name: str
    handler: Handler
    schema: Any = None
    policy: str | None = None
    min_version: str | None = None
    max_version: str | None = None
    status: int = 202


class IAPIExtension(Interface):
    """Every extension: who it is and which API it serves."""

    name = Attribute("Human-readable name, e.g. C{'Servers'}.")
    alias = Attribute(
        "Unique short id, e.g. C{'servers'}, C{'os-keypairs'}; what operators "
        "name in C{extensions_whitelist}/C{extensions_blacklist}."
    )
    version = Attribute("The extension's own version, an int.")
    api = Attribute("The API it serves: one of L{API_NAMES}.")

    def setup(context):
        """Called once, before serving, with an L{IExtensionContext}."""


class IResourceExtension(IAPIExtension):
    """An extension that adds routes (a resource, its collection and member actions)."""

    def routes():
        """The L{Route}s it serves."""

    def actions():
        """
        A mapping C{collection -> [Action, ...]} of C{POST /<collection>/<id>/action}
        actions it serves, e.g. C{{"servers": [Action("os-stop", ...)]}}.
        """


class IControllerExtension(IAPIExtension):
    """
    An extension of another extension's resource: adds response fields, actions
    and request-body properties without touching the resource's code.
    """

    extends = Attribute("The alias of the resource extension it extends, e.g. C{'servers'}.")

    def actions():
        """The L{Action}s it adds to the extended resource's C{.../action}."""

    def schema_properties(endpoint, version):
        """
        JSON-schema properties to add to the body of route C{endpoint}
        (C{"servers.create"}) at C{version}, as a dict (may be empty). For
        C{servers.create} they go under C{"server"}.
        """

    def extend_response(request, endpoint, document):
        """
        Add fields to the response C{document} (a dict, changed in place) of
        route C{endpoint}; may return a Deferred. Called for every route of the
        extended resource.
        """


class IPolicyDefaultsProvider(Interface):
    """
    An extension that brings policy rules: every rule a L{Route} or L{Action}
    names must be registered by one, with nova's rule name and default (an
    operator's policy file overrides it; C{oslopolicy-sample-generator
    --namespace novatx} lists it). The framework registers nova's base rules
    (C{context_is_admin}, C{admin_api}, C{project_member_api},
    C{project_reader_api}, C{project_member_or_admin},
    C{project_reader_or_admin}) for the defaults to refer to.
    """

    def policies():
        """The C{oslo_policy.policy.RuleDefault}s (or C{DocumentedRuleDefault}s) it defines."""


class IServerCreateHook(Interface):
    """
    A hook into server creation (namespace C{novatx.api.server_create}): reads its
    own fields of the request body and turns them into internal-API fields.
    """

    name = Attribute("Unique name, for errors and whitelisting.")

    def schema_properties(version):
        """Properties this hook adds under C{body["server"]} at C{version}."""

    def create_kwargs(request, server_body, create_fields):
        """
        Validate C{server_body} (the request's C{"server"} dict) and put what the
        internal API needs into C{create_fields} (a dict that becomes the
        L{novatx.compute.interfaces.CreateRequest}; extension fields go under
        C{create_fields["extra"]}). Raise L{novatx.compute.exceptions.Invalid} to
        refuse.
        """


class IServerFieldProvider(Interface):
    """
    An extension that declares extra instance fields: stored with the instance,
    passed to the driver, returned in L{novatx.compute.records.Instance.extra}.
    """

    def fields():
        """The L{novatx.compute.fields.ExtraField}s it declares."""


class IEC2Action(IAPIExtension):
    """One EC2 Query API action (C{api = "ec2"})."""

    action = Attribute("The C{Action} parameter it serves, e.g. C{'DescribeInstances'}.")

    def __call__(request, params):
        """
        Serve the action: C{params} is a dict of the request's parameters (str ->
        str, AWS's C{Name.N} forms unparsed), C{request} an L{IAPIRequest} whose
        context is the signer's. Return (or fire with) the XML response element's
        children; raise an EC2 error for the client's mistakes.
        """


class IVendorDataProvider(Interface):
    """A vendordata provider (C{[api] vendordata_providers}) for the metadata API."""

    name = Attribute("Its name in C{vendordata_providers}, e.g. C{'StaticJSON'}.")

    def get(instance, context):
        """Fires with a JSON-able dict for L{Instance} C{instance}; never fails."""
