"""
The check strings the compute resources' policy defaults are made of: nova's
base rules, which the framework registers (L{novatx.resources.policy}).
"""

from __future__ import annotations

from oslo_policy import policy

#: An administrator.
ADMIN = "rule:admin_api"

#: A member of the target's project, or an administrator.
PROJECT_MEMBER_OR_ADMIN = "rule:project_member_or_admin"

#: A reader of the target's project, or an administrator.
PROJECT_READER_OR_ADMIN = "rule:project_reader_or_admin"

#: Anyone the pipeline authenticated.
ANYONE = "@"


def rules(*defaults: tuple[str, str, str]) -> dict[str, policy.RuleDefault]:
    """C{RuleDefault}s by name, from C{(name, check_str, description)} triples."""
    return {name: policy.RuleDefault(name, check, text) for name, check, text in defaults}
