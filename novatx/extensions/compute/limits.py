"""
C{GET /limits}: the caller's absolute limits and what it uses of them.

The document follows nova's removals: the network limits go at 2.36, the
image metadata limit at 2.39, the personality limits at 2.57. C{rate} is
always empty (nova has had no rate limits since v2.1). Admins may ask about
another project with C{tenant_id}.
"""

from __future__ import annotations

import json
from typing import Any

from novatx.extensions.compute import _listing, _quotas
from novatx.extensions.compute._extension import ComputeResource, deferred
from novatx.extensions.compute._read_encodings import ReadEncodings
from novatx.extensions.compute.policies import quotas as policies
from novatx.extensions.interfaces import APIVersion, Route

V2_36 = APIVersion(2, 36)
V2_39 = APIVersion(2, 39)
V2_57 = APIVersion(2, 57)

#: C{absolute} keys and the quota each shows, with the microversion it goes at.
ABSOLUTE_LIMITS = (
    ("maxTotalInstances", "instances", None),
    ("maxTotalCores", "cores", None),
    ("maxTotalRAMSize", "ram", None),
    ("maxServerMeta", "metadata_items", None),
    ("maxImageMeta", "metadata_items", V2_39),
    ("maxPersonality", "injected_files", V2_57),
    ("maxPersonalitySize", "injected_file_content_bytes", V2_57),
    ("maxTotalKeypairs", "key_pairs", None),
    ("maxServerGroups", "server_groups", None),
    ("maxServerGroupMembers", "server_group_members", None),
    ("maxSecurityGroups", "security_groups", V2_36),
    ("maxSecurityGroupRules", "security_group_rules", V2_36),
    ("maxTotalFloatingIps", "floating_ips", V2_36),
)

#: C{absolute} usage keys and the quota each counts.
USED_LIMITS = (
    ("totalInstancesUsed", "instances", None),
    ("totalCoresUsed", "cores", None),
    ("totalRAMUsed", "ram", None),
    ("totalServerGroupsUsed", "server_groups", None),
    ("totalFloatingIpsUsed", "floating_ips", V2_36),
    ("totalSecurityGroupsUsed", "security_groups", V2_36),
)


def limits_document(quotas: Any, version: APIVersion) -> dict[str, Any]:
    """nova's C{{"limits": {"rate": [], "absolute": {...}}}}."""
    absolute: dict[str, int] = {}
    for key, quota, gone_at in ABSOLUTE_LIMITS:
        if gone_at is None or version < gone_at:
            absolute[key] = _quotas.limit_of(quotas, quota)
    for key, quota, gone_at in USED_LIMITS:
        if gone_at is None or version < gone_at:
            absolute[key] = _quotas.in_use(quotas, quota)
    return {"limits": {"rate": [], "absolute": absolute}}


class Limits(ComputeResource):
    """The caller's limits."""

    name = "Limits"
    alias = "limits"
    policy_defaults = policies.LIMITS_RULES

    def __init__(self) -> None:
        super().__init__()
        self._encodings = ReadEncodings()

    def routes(self) -> list[Route]:
        return [Route("/limits", ("GET",), self.index, "limits.index", policy=policies.LIMITS)]

    @deferred
    async def index(self, request: Any) -> dict[str, Any] | bytes:
        project_id = request.context.project_id
        requested = _listing.query_value(request, "tenant_id")
        if requested is not None and requested != project_id:
            request.authorize(policies.LIMITS_OTHER_PROJECT, {"project_id": requested})
            project_id = requested
        quotas = await self.compute.get_quotas(request.context, project_id, usages=True)
        version = request.version or APIVersion(2, 1)
        if self.is_extended():
            return limits_document(quotas, version)
        # The internal API answers with the same record while nothing it
        # counts changed; its answer is encoded once per microversion.
        shape = (version.major, version.minor)
        body = self._encodings.get(quotas, shape)
        if body is None:
            body = json.dumps(limits_document(quotas, version)).encode("utf-8")
            self._encodings.keep(quotas, shape, body)
        return body
