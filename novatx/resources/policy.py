"""
Policy: who may call what, decided by oslo.policy as nova does.

Each extension brings its rules' defaults (nova's names, e.g.
C{os_compute_api:servers:create}) through
L{novatx.extensions.interfaces.IPolicyDefaultsProvider}; the operator's policy
file (C{[oslo_policy] policy_file}, YAML) overrides any of them. The router
checks C{Route.policy}/C{Action.policy} before a handler runs; a handler checks
a rule on a target it loaded with C{request.authorize(rule, target)}.

Roles follow keystone's default implications (C{admin} implies C{member},
C{member} implies C{reader}), so the contexts noauth2 builds (roles
C{("admin",)} or C{("member",)}) pass the same rules a keystone token with
those roles passes.
"""

from __future__ import annotations

import importlib.metadata
import time
from typing import Any, Callable, Iterable

from oslo_policy import _checks as oslo_checks, policy as oslo_policy

from novatx.compute.context import RequestContext
from novatx.compute.exceptions import NotAuthorized

#: The entry-point group of oslo.policy's check plugins (C{http:}, C{https:}...).
RULE_CHECKS_GROUP = "oslo.policy.rule_checks"


class _CheckOnFirstUse:
    """
    An oslo.policy check plugin imported when a rule first names its kind.

    @ivar entry_point: the plugin's entry point.
    """

    def __init__(self, entry_point: importlib.metadata.EntryPoint) -> None:
        self.entry_point = entry_point
        self._plugin: Callable[[str, str], Any] | None = None

    def __call__(self, kind: str, match: str) -> Any:
        if self._plugin is None:
            self._plugin = self.entry_point.load()
        return self._plugin(kind, match)


def defer_rule_check_plugins() -> None:
    """
    Let oslo.policy import its check plugins only when a rule uses one.

    At the first rule it parses, oslo.policy imports every plugin of
    L{RULE_CHECKS_GROUP}; its own C{http}/C{https} checks bring in
    C{requests} (4 MB and some 50 ms a process) though few deployments name
    them. Its table of plugins (C{oslo_policy._checks.extension_checks}, a
    module global it fills once) is filled here first, with the same plugins
    behind L{_CheckOnFirstUse}. A table already filled is left alone.
    """
    if oslo_checks.extension_checks is None:
        oslo_checks.extension_checks = {
            entry_point.name: _CheckOnFirstUse(entry_point)
            for entry_point in importlib.metadata.entry_points(group=RULE_CHECKS_GROUP)
        }


defer_rule_check_plugins()

#: nova's base rules, which the extensions' defaults refer to.
BASE_RULES = [
    oslo_policy.RuleDefault("context_is_admin", "role:admin",
                            "Decides what is required for the 'is_admin:True' check to succeed."),
    oslo_policy.RuleDefault("admin_api", "is_admin:True", "Default rule for most Admin APIs."),
    oslo_policy.RuleDefault("project_member_api", "role:member and project_id:%(project_id)s",
                            "Default rule for Project level non admin APIs."),
    oslo_policy.RuleDefault("project_reader_api", "role:reader and project_id:%(project_id)s",
                            "Default rule for Project level read only APIs."),
    oslo_policy.RuleDefault("project_member_or_admin",
                            "rule:project_member_api or rule:context_is_admin",
                            "Default rule for Project Member or admin APIs."),
    oslo_policy.RuleDefault("project_reader_or_admin",
                            "rule:project_reader_api or rule:context_is_admin",
                            "Default rule for Project reader or admin APIs."),
]

#: keystone's default role implications.
IMPLIED_ROLES = {"admin": ("member", "reader"), "member": ("reader",)}


class PolicyNotAuthorized(NotAuthorized):
    """A rule denied the caller (nova's message; 403)."""

    msg_fmt = "Policy doesn't allow %(action)s to be performed."


class UnregisteredPolicy(Exception):
    """A route or action names a rule no extension registered (a start-up error)."""


def credentials(context: RequestContext) -> dict[str, Any]:
    """The oslo.policy credentials of a caller."""
    roles = set(context.roles)
    for role in list(roles):
        roles.update(IMPLIED_ROLES.get(role.lower(), ()))
    if context.is_admin:
        roles.update(("admin",) + IMPLIED_ROLES["admin"])
    return {
        "user_id": context.user_id,
        "project_id": context.project_id,
        "roles": sorted(roles),
        "is_admin": context.is_admin,
    }


class Policy:
    """
    The rules of one API, enforced from config.

    oslo.policy looks for the policy file and re-reads it on every check, and
    inspects each check function's signature each time: a millisecond a
    request. Here the file is looked at again at most every
    L{REFRESH_SECONDS} (an operator's change applies within that), and
    decisions are remembered until then, keyed by the rule, the caller's
    credentials and the target.

    @ivar enforcer: the C{oslo_policy.policy.Enforcer}, defaults registered.
    """

    #: How often the policy file is looked at for changes.
    REFRESH_SECONDS = 1.0

    #: Decisions remembered at most (the memory is cleared when full).
    MAX_DECISIONS = 10000

    def __init__(self, conf: Any, defaults: Iterable[oslo_policy.RuleDefault], clock: Any = None) -> None:
        self.enforcer = oslo_policy.Enforcer(conf)
        self.enforcer.register_defaults(BASE_RULES)
        self.enforcer.register_defaults(list(defaults))
        self._clock = clock
        self._loaded_at: float | None = None
        self._decisions: dict[Any, bool] = {}

    def _now(self) -> float:
        return self._clock.seconds() if self._clock is not None else time.monotonic()

    def _refresh(self) -> None:
        now = self._now()
        if self._loaded_at is not None and now - self._loaded_at < self.REFRESH_SECONDS:
            return
        self.enforcer.use_conf = True
        self.enforcer.load_rules()
        self.enforcer.use_conf = False
        self._loaded_at = now
        self._decisions.clear()

    def is_registered(self, rule: str) -> bool:
        """Whether an extension (or the base) defined C{rule}."""
        return rule in self.enforcer.registered_rules

    def check(self, rule: str, context: RequestContext, target: dict[str, Any] | None = None) -> None:
        """
        Allow or refuse.

        @param target: what is acted on; default: the caller's own project/user.
        @raise PolicyNotAuthorized: the rule denies it.
        """
        if not self.allows(rule, context, target):
            raise PolicyNotAuthorized(action=rule)

    def allows(self, rule: str, context: RequestContext,
               target: dict[str, Any] | None = None) -> bool:
        """
        Whether the rule allows it, as L{check} decides, without the exception
        a denial costs: for what an answer shows or hides.
        """
        self._refresh()
        # Without a target the caller's own is meant: the credentials say it all.
        key: Any = (rule, context.user_id, context.project_id, context.roles, context.is_admin)
        if target is not None:
            try:
                key += (tuple(sorted(target.items())),)
                hash(key)
            except TypeError:
                key = None
        allowed = self._decisions.get(key) if key is not None else None
        if allowed is None:
            if target is None:
                target = {"project_id": context.project_id, "user_id": context.user_id}
            allowed = bool(self.enforcer.enforce(rule, target, credentials(context)))
            if key is not None:
                if len(self._decisions) >= self.MAX_DECISIONS:
                    self._decisions.clear()
                self._decisions[key] = allowed
        return allowed


def list_rules() -> list[oslo_policy.RuleDefault]:
    """
    Every default rule novatx knows (the base and every installed extension's),
    for C{oslopolicy-sample-generator --namespace novatx} (entry point
    C{oslo.policy.policies}).
    """
    from novatx.extensions.loading import installed_policy_defaults

    return list(BASE_RULES) + installed_policy_defaults()


def get_enforcer() -> oslo_policy.Enforcer:
    """
    An enforcer with every default registered, for C{oslopolicy-policy-generator}
    and C{oslopolicy-checker} (entry point C{oslo.policy.enforcer}).
    """
    from novatx.config import make_config

    return Policy(make_config(), list_rules()[len(BASE_RULES):]).enforcer
