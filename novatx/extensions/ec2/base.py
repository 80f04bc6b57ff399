"""
What every EC2 action shares: the extension's identity and the request the
front hands it.

An action is a small class: its C{action} name (also its alias, so operators
whitelist C{DescribeInstances} by that name) and a C{__call__} that reads
parameters and returns the response element's children (see
L{novatx.extensions.ec2.render}). L{EC2Action} gives it C{compute},
C{config} and C{clock} at C{setup}.
"""

from __future__ import annotations

from typing import Any, ClassVar

import attrs
from zope.interface import implementer

from novatx.compute.context import RequestContext
from novatx.extensions.interfaces import IAPIRequest, IEC2Action
from novatx.resources.request import policy_allows


@implementer(IEC2Action)
class EC2Action:
    """
    Base of the built-in actions. Subclasses set C{action} and C{name} and
    implement C{__call__(request, params)}.

    @ivar compute: the internal API, set at C{setup}.
    @ivar config: the process's C{ConfigOpts}, set at C{setup}.
    @ivar clock: the reactor (an C{IReactorTime}), set at C{setup}.
    """

    action: ClassVar[str] = ""
    name: ClassVar[str] = ""
    version: ClassVar[int] = 1
    api: ClassVar[str] = "ec2"

    compute: Any = None
    config: Any = None
    clock: Any = None

    @property
    def alias(self) -> str:
        return self.action

    def setup(self, context: Any) -> None:
        self.compute = context.compute
        self.config = context.config
        self.clock = context.reactor

    def __call__(self, request: IAPIRequest, params: dict[str, str]) -> Any:
        raise NotImplementedError(self.action)


@implementer(IAPIRequest)
@attrs.frozen
class EC2Request:
    """
    The request as an action sees it: the signer's context, the parameters as
    C{args}, and the twisted.web request for the rare action that needs it.

    @ivar policy: the router's policy check, C{policy(rule, context, target)}.
    @ivar permits: the router's policy answer, C{permits(rule, context,
        target)} (see L{allows}).
    """

    context: RequestContext
    args: dict[str, list[str]]
    method: str
    path: str
    headers: Any
    raw: Any
    policy: Any
    permits: Any = None
    version: None = None
    body: None = None

    def authorize(self, rule: str, target: dict[str, Any] | None = None) -> None:
        """
        Check oslo.policy rule C{rule} for the signer on C{target} (default:
        the signer's own project and user).

        @raise novatx.compute.exceptions.NotAuthorized: the policy denies it.
        """
        self.policy(rule, self.context, target)

    def allows(self, rule: str, target: dict[str, Any] | None = None) -> bool:
        """Whether oslo.policy rule C{rule} allows the signer on C{target}."""
        return policy_allows(self, rule, target)

    def url(self, *segments: str) -> str:
        """An absolute URL on this endpoint, from the request's own Host."""
        scheme = "https" if self.raw.isSecure() else "http"
        host = (self.raw.getHeader(b"host") or b"").decode("latin-1")
        return "%s://%s/%s" % (scheme, host, "/".join(segments))

    def bookmark(self, *segments: str) -> str:
        return self.url(*segments)

    def project_url(self, *segments: str) -> str:
        return self.url(*segments)
