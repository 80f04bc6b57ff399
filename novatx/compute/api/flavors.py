"""
Flavors, their extra specs and who may use a private one.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from twisted.internet.defer import Deferred, fail

from novatx.compute import catalog, validation
from novatx.compute.api._base import ComputeAPIBase
from novatx.compute.context import RequestContext
from novatx.compute.exceptions import Conflict, Invalid, NotAuthorized, NotFound
from novatx.db import tables as t

P = t.flavor_projects


def _access_list(connection: Connection, flavor_id: int) -> list[str]:
    """The projects a private flavor is shared with."""
    return sorted(connection.execute(sa.select(P.c.project_id).where(
        P.c.flavor_id == flavor_id)).scalars())


class FlavorsAPI(ComputeAPIBase):
    """Flavors, extra specs and flavor access. One part of L{novatx.compute.api.ComputeAPI}."""

    def list_flavors(self, context: RequestContext, is_public: bool | None = True,
                     min_ram: int | None = None, min_disk: int | None = None,
                     sort_key: str = "flavorid", sort_dir: str = "asc",
                     limit: int | None = None, marker: str | None = None) -> Deferred:
        key = (context.project_id, context.is_admin, is_public, min_ram, min_disk, sort_key,
               sort_dir, limit, marker)
        return self._cached("flavors", key, ("flavors",), None, lambda: self._read(
            catalog.list_flavors, context, is_public, min_ram, min_disk, sort_key, sort_dir,
            limit, marker))

    def get_flavor(self, context: RequestContext, flavor_id: str) -> Deferred:
        return self._read(catalog.get_flavor, context, flavor_id)

    def create_flavor(self, context: RequestContext, name: str, memory_mb: int, vcpus: int,
                      root_gb: int, flavorid: str | None = None, ephemeral_gb: int = 0,
                      swap: int = 0, rxtx_factor: float = 1.0, is_public: bool = True,
                      description: str | None = None) -> Deferred:
        try:
            catalog.admin_only(context)
            validation.name(name)
            for field, value in (("ram", memory_mb), ("vcpus", vcpus)):
                validation.integer(value, field, 1)
            for field, value in (("disk", root_gb), ("ephemeral", ephemeral_gb), ("swap", swap)):
                validation.integer(value, field, 0)
            if flavorid is not None:
                validation.text(str(flavorid), "id", 255)
                if not str(flavorid):
                    raise Invalid("Invalid input for field/attribute id.")
            validation.text(description, "description", 65535)
        except Exception:
            return fail()
        values = {"name": name, "memory_mb": memory_mb, "vcpus": vcpus, "root_gb": root_gb,
                  "flavorid": flavorid, "ephemeral_gb": ephemeral_gb, "swap": swap,
                  "rxtx_factor": float(rxtx_factor), "is_public": bool(is_public),
                  "disabled": False, "description": description}
        return self._write(catalog.create_flavor, values, self._now())

    def _flavor_admin(self, context: RequestContext, flavor_id: str,
                      work: Callable[[Connection, Mapping[str, Any]], Any]) -> Deferred:
        if not context.is_admin:
            return fail(NotAuthorized("Policy doesn't allow this operation to be performed."))

        def run(connection: Connection) -> Any:
            return work(connection, catalog.flavor_row(connection, context, flavor_id))
        return self._write(run)

    def update_flavor(self, context: RequestContext, flavor_id: str, description: str) -> Deferred:
        def work(connection: Connection, row: Mapping[str, Any]) -> Any:
            connection.execute(sa.update(t.flavors).where(t.flavors.c.id == row["id"]).values(
                description=description, updated_at=self._now()))
            return catalog.get_flavor(connection, context, flavor_id)
        return self._flavor_admin(context, flavor_id, work)

    def delete_flavor(self, context: RequestContext, flavor_id: str) -> Deferred:
        def work(connection: Connection, row: Mapping[str, Any]) -> None:
            connection.execute(sa.delete(t.flavors).where(t.flavors.c.id == row["id"]))
        return self._flavor_admin(context, flavor_id, work)

    def set_flavor_extra_specs(self, context: RequestContext, flavor_id: str,
                               specs: Mapping[str, str]) -> Deferred:
        for key, value in specs.items():
            if not isinstance(key, str) or not 1 <= len(key) <= 255 or \
                    not isinstance(value, str) or len(value) > 255 or \
                    not (validation.storable(key) and validation.storable(value)):
                return fail(Invalid("Invalid extra spec %r." % (key,)))
        X = t.flavor_extra_specs

        def work(connection: Connection, row: Mapping[str, Any]) -> dict[str, str]:
            connection.execute(sa.delete(X).where(X.c.flavor_id == row["id"],
                                                  X.c.key.in_(list(specs))))
            if specs:
                connection.execute(sa.insert(X), [
                    {"flavor_id": row["id"], "key": k, "value": v} for k, v in specs.items()])
            return catalog.extra_specs(connection, [row["id"]])[row["id"]]
        return self._flavor_admin(context, flavor_id, work)

    def delete_flavor_extra_spec(self, context: RequestContext, flavor_id: str,
                                 key: str) -> Deferred:
        X = t.flavor_extra_specs

        def work(connection: Connection, row: Mapping[str, Any]) -> None:
            result = connection.execute(sa.delete(X).where(X.c.flavor_id == row["id"],
                                                           X.c.key == key))
            if result.rowcount == 0:
                raise NotFound("Flavor %s has no extra specs with key %s." % (flavor_id, key))
        return self._flavor_admin(context, flavor_id, work)

    def list_flavor_access(self, context: RequestContext, flavor_id: str) -> Deferred:
        def work(connection: Connection, row: Mapping[str, Any]) -> list[str]:
            if row["is_public"]:
                raise NotFound("Access list not available for public flavors.")
            return _access_list(connection, row["id"])
        return self._flavor_admin(context, flavor_id, work)

    def add_flavor_access(self, context: RequestContext, flavor_id: str,
                          project_id: str) -> Deferred:
        try:
            validation.text(project_id, "tenant", 255)
        except Exception:
            return fail()

        def work(connection: Connection, row: Mapping[str, Any]) -> list[str]:
            if row["is_public"]:
                raise Conflict("Can not add access to a public flavor.")
            try:
                with connection.begin_nested():
                    connection.execute(sa.insert(P).values(flavor_id=row["id"],
                                                           project_id=project_id))
            except IntegrityError:
                raise Conflict("Flavor access already exists for flavor %s and project %s "
                               "combination." % (flavor_id, project_id))
            return _access_list(connection, row["id"])
        return self._flavor_admin(context, flavor_id, work)

    def remove_flavor_access(self, context: RequestContext, flavor_id: str,
                             project_id: str) -> Deferred:
        def work(connection: Connection, row: Mapping[str, Any]) -> list[str]:
            result = connection.execute(sa.delete(P).where(P.c.flavor_id == row["id"],
                                                           P.c.project_id == project_id))
            if result.rowcount == 0:
                raise NotFound("Flavor access not found for %s / %s combination."
                               % (flavor_id, project_id))
            return _access_list(connection, row["id"])
        return self._flavor_admin(context, flavor_id, work)
