"""
The shape every built-in compute resource shares.

Each resource module defines one subclass naming itself (C{name}, C{alias}) and
listing its L{Route}s and L{Action}s; this base keeps what C{setup} hands over
(the internal API and the config), so the handlers read C{self.compute}.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Coroutine

from twisted.internet.defer import Deferred, ensureDeferred
from zope.interface import implementer

from novatx.compute.exceptions import NotAuthorized, NotFound

from novatx.extensions.interfaces import IControllerExtension, IPolicyDefaultsProvider, IResourceExtension


@implementer(IResourceExtension, IPolicyDefaultsProvider)
class ComputeResource:
    """
    Base of the compute API's own resource extensions.

    @ivar compute: the internal API (an C{IComputeAPI}), set by L{setup}.
    @ivar config: the process's C{ConfigOpts}, set by L{setup}.
    """

    name = ""
    alias = ""
    version = 1
    api = "osapi_compute"

    #: The policy defaults of the rules its routes and actions name, by name.
    policy_defaults: dict = {}

    def __init__(self) -> None:
        self.compute: Any = None
        self.config: Any = None
        self.reactor: Any = None
        self.context: Any = None
        self._extended: bool | None = None

    def setup(self, context: Any) -> None:
        """Keep the shared services: the internal API, the config, the reactor."""
        self.context = context
        self.compute = context.compute
        self.config = context.config
        self.reactor = context.reactor

    def is_extended(self) -> bool:
        """
        Whether a controller extension extends this resource's answers. Such
        an extension must be handed each answer's document, so a resource
        that could answer with bytes it encoded before may not. Looked at on
        first use: every extension of the API is set up by then.
        """
        if self._extended is None:
            self._extended = any(
                IControllerExtension.providedBy(ext) and ext.extends == self.alias
                for ext in self.context.extensions.values()
            )
        return self._extended

    def routes(self) -> list:
        """The routes it serves; subclasses list theirs."""
        return []

    def actions(self) -> dict:
        """No C{.../action} actions unless a subclass has some."""
        return {}

    def blank_id(self, request: Any) -> None:
        """
        The handler of C{DELETE /os-volumes/} and the like: a collection asked
        with a trailing slash names an empty id, a route nova does not have.
        """
        refuse_blank_id(request)

    def policies(self) -> list:
        """The defaults of the rules it checks (each registered by one extension)."""
        return list(self.policy_defaults.values())

    @property
    def max_limit(self) -> int:
        """C{[api] max_limit}: the most items one page of a listing holds."""
        return self.config.api.max_limit


def deferred(handler: Callable[..., Coroutine[Any, Any, Any]]) -> Callable[..., Deferred]:
    """
    Let a handler be an C{async def}: the router gets the Deferred it expects.

    The internal API's methods return Deferreds, which an C{async def} awaits.
    """

    @functools.wraps(handler)
    def wrapper(*args: Any, **kwargs: Any) -> Deferred:
        return ensureDeferred(handler(*args, **kwargs))

    return wrapper


def require_admin(request: Any, what: str) -> None:
    """Refuse (403, nova's policy wording) what only an admin may ask for."""
    if not request.context.is_admin:
        raise NotAuthorized("Policy doesn't allow %s to be performed." % what)


def version_tuple(request: Any) -> tuple[int, int]:
    """
    The request's microversion as C{(major, minor)}, 2.1 when it has none (the
    legacy C{/v2} root gives 2.0). Plain tuples compare far faster than
    L{APIVersion}s, which matters where a listing renders many documents.
    """
    version = request.version
    if version is None:
        return (2, 1)
    return (version.major, version.minor)


def refuse_blank_id(request: Any) -> None:
    """
    nova's 404 for a collection's path with a trailing slash (an empty id:
    C{GET /os-volumes/}), which the router would otherwise take for the
    collection itself.
    """
    if request.path.endswith("/"):
        raise NotFound("The resource could not be found.")
