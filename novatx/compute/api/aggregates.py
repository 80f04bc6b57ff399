"""
Host aggregates (admins only): create, list, show, rename or re-zone, add and
remove hosts, set metadata, delete. The hosts are the deployment's compute
hosts (L{DeploymentAPI.list_hosts}); the zone metadata moves them.
"""

from __future__ import annotations

from typing import Any, Mapping

import attrs
from sqlalchemy.engine import Connection
from twisted.internet.defer import Deferred, fail

from novatx.compute import aggregates, validation
from novatx.compute.api._base import ComputeAPIBase
from novatx.compute.context import RequestContext
from novatx.compute.exceptions import Invalid, NotAuthorized


def _admin(context: RequestContext) -> None:
    if not context.is_admin:
        raise NotAuthorized("Policy doesn't allow os_compute_api:os-aggregates to be performed.")


def _name(value: Any, field: str) -> None:
    validation.text(value, field, 255)
    if value is not None and not value.strip():
        raise Invalid("Invalid input for field/attribute %s. Value: %s." % (field, value))


class AggregatesAPI(ComputeAPIBase):
    """Host aggregates. One part of L{novatx.compute.api.ComputeAPI}."""

    def _known_hosts(self) -> list[str]:
        return [self.driver.host_info()["host"]]

    def list_aggregates(self, context: RequestContext) -> Deferred:
        try:
            _admin(context)
        except Exception:
            return fail()
        return self._read(aggregates.list_all)

    def get_aggregate(self, context: RequestContext, aggregate_id: Any) -> Deferred:
        try:
            _admin(context)
        except Exception:
            return fail()
        return self._read(aggregates.get, aggregate_id)

    def create_aggregate(self, context: RequestContext, name: str,
                         availability_zone: str | None = None) -> Deferred:
        try:
            _admin(context)
            _name(name, "name")
            _name(availability_zone, "availability_zone")
        except Exception:
            return fail()
        return self._write(aggregates.create, name, availability_zone, self._now())

    def update_aggregate(self, context: RequestContext, aggregate_id: Any,
                         name: str | None = None, availability_zone: Any = attrs.NOTHING,
                         ) -> Deferred:
        """Rename and/or re-zone; C{availability_zone=None} takes the zone away."""
        try:
            _admin(context)
            _name(name, "name")
            if availability_zone is not attrs.NOTHING:
                _name(availability_zone, "availability_zone")
        except Exception:
            return fail()
        return self._write(aggregates.update, aggregate_id, name, availability_zone, self._now())

    def set_aggregate_metadata(self, context: RequestContext, aggregate_id: Any,
                               items: Mapping[str, str | None]) -> Deferred:
        try:
            _admin(context)
            for key, value in items.items():
                _name(key, "metadata key")
                validation.text(value, key, 255)
        except Exception:
            return fail()
        return self._write(aggregates.set_metadata, aggregate_id, dict(items), self._now())

    def add_aggregate_host(self, context: RequestContext, aggregate_id: Any, host: str) -> Deferred:
        try:
            _admin(context)
            _name(host, "host")
        except Exception:
            return fail()
        return self._write(aggregates.add_host, aggregate_id, host, self._known_hosts(),
                           self._now())

    def remove_aggregate_host(self, context: RequestContext, aggregate_id: Any,
                              host: str) -> Deferred:
        try:
            _admin(context)
            _name(host, "host")
        except Exception:
            return fail()
        return self._write(aggregates.remove_host, aggregate_id, host, self._now())

    def delete_aggregate(self, context: RequestContext, aggregate_id: Any) -> Deferred:
        try:
            _admin(context)
        except Exception:
            return fail()

        def run(connection: Connection) -> None:
            aggregates.delete(connection, aggregate_id)
        return self._write(run)
