"""
Quotas: the limits of projects and users, their defaults, what is in use.
"""

from __future__ import annotations

from typing import Mapping

from sqlalchemy.engine import Connection
from twisted.internet.defer import Deferred, fail

from novatx.compute import catalog, quotas, validation
from novatx.compute.api._base import ComputeAPIBase
from novatx.compute.context import RequestContext
from novatx.compute.exceptions import Invalid, NotAuthorized
from novatx.compute.records import QuotaSet


#: What a project's limits and usage are read from: its limits and the
#: defaults, and what it uses (servers and their network, groups, key pairs).
QUOTA_KINDS = ("quotas", "servers", "server_groups", "key_pairs")


class QuotasAPI(ComputeAPIBase):
    """Quotas of projects and users. One part of L{novatx.compute.api.ComputeAPI}."""

    def _quota_reader(self, context: RequestContext, project_id: str) -> None:
        if not context.is_admin and project_id != context.project_id:
            raise NotAuthorized("Policy doesn't allow this operation to be performed.")

    def get_quotas(self, context: RequestContext, project_id: str, user_id: str | None = None,
                   usages: bool = False) -> Deferred:
        try:
            self._quota_reader(context, project_id)
            validation.text(project_id, "project_id", 255)
            validation.text(user_id, "user_id", 255)
        except Exception:
            return fail()

        def run(connection: Connection) -> QuotaSet:
            found = quotas.limits(connection, self._conf, project_id, user_id)
            in_use: dict[str, int] = {}
            if usages:
                used = quotas.usage(connection, project_id, user_id)
                in_use = {name: used.get(name, 0) for name in found}
            return QuotaSet(project_id=project_id, limits=found, in_use=in_use,
                            reserved={name: 0 for name in in_use})
        return self._cached("quotas", (project_id, user_id, usages), QUOTA_KINDS, project_id,
                            lambda: self._read(run))

    def get_default_quotas(self, context: RequestContext) -> Deferred:
        def run(connection: Connection) -> QuotaSet:
            return QuotaSet(project_id=context.project_id,
                            limits=quotas.class_limits(connection, self._conf))
        return self._read(run)

    def get_quota_class(self, context: RequestContext, class_name: str) -> Deferred:
        """A quota class's limits (any name; only C{default} is applied)."""
        try:
            validation.text(class_name, "id", 255)
        except Exception:
            return fail()

        def run(connection: Connection) -> QuotaSet:
            return QuotaSet(project_id=class_name,
                            limits=quotas.class_limits(connection, self._conf, class_name))
        return self._read(run)

    def update_quota_class(self, context: RequestContext, class_name: str,
                           limits: Mapping[str, int]) -> Deferred:
        """Admins: set a quota class's limits (-1: unlimited)."""
        try:
            catalog.admin_only(context)
            validation.text(class_name, "id", 255)
            for name, value in limits.items():
                validation.integer(value, name, -1)
        except Exception:
            return fail()

        def run(connection: Connection) -> QuotaSet:
            quotas.set_class_limits(connection, class_name, limits)
            return QuotaSet(project_id=class_name,
                            limits=quotas.class_limits(connection, self._conf, class_name))
        return self._write(run)

    def update_quotas(self, context: RequestContext, project_id: str, limits: Mapping[str, int],
                      user_id: str | None = None, force: bool = False) -> Deferred:
        try:
            catalog.admin_only(context)
            validation.text(project_id, "project_id", 255)
            validation.text(user_id, "user_id", 255)
            for name, value in limits.items():
                if isinstance(value, bool) or not isinstance(value, int) or value < -1:
                    raise Invalid("Quota limit %s for %s must be -1 or greater."
                                  % (value, name))
                if value > validation.MAX_INT:
                    raise Invalid("Quota limit %s for %s must be less than or equal to %d."
                                  % (value, name, validation.MAX_INT))
        except Exception:
            return fail()

        def run(connection: Connection) -> QuotaSet:
            quotas.lock_project(connection, project_id)
            quotas.set_limits(connection, self._conf, project_id, limits, user_id, force)
            return QuotaSet(project_id=project_id,
                            limits=quotas.limits(connection, self._conf, project_id, user_id))
        return self._write(run)

    def delete_quotas(self, context: RequestContext, project_id: str,
                      user_id: str | None = None) -> Deferred:
        try:
            catalog.admin_only(context)
        except Exception:
            return fail()
        return self._write(quotas.delete_limits, project_id, user_id)
