"""
What the EC2 and metadata APIs need beyond servers: EC2 credentials,
metadata passwords, the instance attributes only EC2 changes, and each
project's EC2 tags on images.
"""

from __future__ import annotations

import uuid as uuidlib
from typing import Any, Mapping, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from twisted.internet.defer import Deferred, fail

from novatx.compute import catalog, convert, instances, quotas, states, validation
from novatx.compute.api._base import ComputeAPIBase
from novatx.compute.context import RequestContext
from novatx.compute.exceptions import (
    Conflict, ImageNotFound, InstanceInvalidState, InstanceNotFound, Invalid, NotFound, OverLimit,
    QuotaExceeded,
)
from novatx.compute.listing import equals
from novatx.compute.records import EC2Credential
from novatx.db import tables as t

I = t.instances


#: The longest metadata password: nova keeps one in four 255-character items.
MAX_PASSWORD_LENGTH = 4 * 255


class EC2SupportAPI(ComputeAPIBase):
    """
    EC2 credentials, metadata passwords, EC2's instance attributes and image
    tags. One part of L{novatx.compute.api.ComputeAPI}.
    """

    def _credential(self, row: Mapping[str, Any]) -> EC2Credential:
        return EC2Credential(access=row["access"], secret=row["secret"], user_id=row["user_id"],
                             project_id=row["project_id"],
                             created_at=convert.aware(row["created_at"]))

    def get_ec2_credential(self, access: str) -> Deferred:
        C = t.ec2_credentials

        def run(connection: Connection) -> EC2Credential:
            row = connection.execute(sa.select(C).where(equals(C.c.access, access))).mappings().first()
            if row is None:
                raise NotFound("EC2 access key not found.")
            return self._credential(row)
        return self._read(run)

    def create_ec2_credential(self, user_id: str, project_id: str) -> Deferred:
        C = t.ec2_credentials

        def run(connection: Connection) -> EC2Credential:
            access, secret = uuidlib.uuid4().hex, uuidlib.uuid4().hex
            connection.execute(sa.insert(C).values(access=access, secret=secret,
                                                   user_id=user_id, project_id=project_id,
                                                   created_at=self._now()))
            return self._credential(connection.execute(
                sa.select(C).where(C.c.access == access)).mappings().one())
        return self._write(run)

    def list_ec2_credentials(self, user_id: str | None = None) -> Deferred:
        C = t.ec2_credentials

        def run(connection: Connection) -> list[EC2Credential]:
            statement = sa.select(C).order_by(C.c.created_at, C.c.access)
            if user_id is not None:
                statement = statement.where(C.c.user_id == user_id)
            return [self._credential(row) for row in connection.execute(statement).mappings()]
        return self._read(run)

    def delete_ec2_credential(self, access: str) -> Deferred:
        C = t.ec2_credentials

        def run(connection: Connection) -> None:
            if connection.execute(sa.delete(C).where(equals(C.c.access, access))).rowcount == 0:
                raise NotFound("EC2 access key not found.")
        return self._write(run)

    def get_password(self, server_uuid: str) -> Deferred:
        P = t.instance_passwords
        return self._read(lambda c: c.execute(sa.select(P.c.password).where(
            equals(P.c.instance_uuid, server_uuid))).scalar() or "")

    def set_password(self, server_uuid: str, password: str) -> Deferred:
        P = t.instance_passwords

        try:
            validation.text(password, "password", MAX_PASSWORD_LENGTH)
        except Invalid:
            return fail()

        def run(connection: Connection) -> None:
            exists = connection.execute(sa.select(I.c.id).where(
                equals(I.c.uuid, server_uuid), I.c.deleted == sa.false())).first()
            if exists is None:
                raise InstanceNotFound(instance_id=server_uuid)
            try:
                with connection.begin_nested():
                    connection.execute(sa.insert(P).values(instance_uuid=server_uuid,
                                                           password=password))
            except IntegrityError:
                raise Conflict("The password is already set.")
        return self._write(run).addCallback(self._notified(server_uuid))

    def set_instance_attributes(self, context: RequestContext, server_uuid: str,
                                **changes: Any) -> Deferred:
        """
        Change what EC2's ModifyInstanceAttribute may: C{disable_terminate} and
        C{shutdown_terminate} at any time; C{user_data} (base64) and
        C{flavor_id} (the instance type, within the project's quota) only while
        the instance is stopped and idle, as AWS requires.
        """
        unknown = set(changes) - {"disable_terminate", "shutdown_terminate", "user_data",
                                  "flavor_id"}
        if unknown:
            return fail(Invalid("Cannot change %s." % ", ".join(sorted(unknown))))
        try:
            validation.user_data(changes.get("user_data"))
        except Invalid:
            return fail()

        def change(connection: Connection, row: Mapping[str, Any]) -> None:
            columns = {key: bool(changes[key]) for key in ("disable_terminate",
                                                           "shutdown_terminate")
                       if key in changes}
            if "user_data" in changes or "flavor_id" in changes:
                if row["vm_state"] != states.STOPPED or row["task_state"] is not None:
                    raise InstanceInvalidState(
                        method="modify", instance_uuid=row["uuid"], attr="vm_state",
                        state=row["vm_state"])
            if "user_data" in changes:
                columns["user_data"] = changes["user_data"]
            if "flavor_id" in changes:
                columns.update(self._flavor_change(connection, context, row,
                                                   changes["flavor_id"]))
            instances.touch(connection, row["id"], self._now(), **columns)
        return self._change(context, server_uuid, change)

    def _flavor_change(self, connection: Connection, context: RequestContext,
                       row: Mapping[str, Any], flavor_id: str) -> dict[str, Any]:
        """The columns of a stopped instance on another flavor; quota counts the growth."""
        new = catalog.flavor_row(connection, context, flavor_id)
        growth = {"cores": new["vcpus"] - row["vcpus"], "ram": new["memory_mb"] - row["memory_mb"]}
        if growth["cores"] > 0 or growth["ram"] > 0:
            quotas.lock_project(connection, row["project_id"])
            limits = quotas.limits(connection, self._conf, row["project_id"])
            used = quotas.usage(connection, row["project_id"])
            overs = [name for name, more in growth.items()
                     if more > 0 and 0 <= limits[name] < used[name] + more]
            if overs:
                raise QuotaExceeded(overs=", ".join(overs),
                                    req=", ".join(str(growth[name]) for name in overs),
                                    used=", ".join(str(used[name]) for name in overs),
                                    allowed=", ".join(str(limits[name]) for name in overs))
        specs = catalog.extra_specs(connection, [new["id"]])[new["id"]]
        return {"flavor": convert.flavor_dict(new, specs), "flavor_id": new["id"],
                "vcpus": new["vcpus"], "memory_mb": new["memory_mb"]}

    # -- EC2 tags on images: each project's own ----------------------------------------

    def list_image_tags(self, context: RequestContext) -> Deferred:
        """
        Fire with C{{internal id: {key: value}}} (an image's internal id gives
        its EC2 id): the caller's project's tags on images not deleted.
        """
        T = t.image_tags

        def run(connection: Connection) -> dict[int, dict[str, str]]:
            found: dict[int, dict[str, str]] = {}
            for image_id, key, value in connection.execute(
                    sa.select(T.c.image_id, T.c.key, T.c.value)
                    .select_from(T.join(t.images, t.images.c.id == T.c.image_id))
                    .where(T.c.project_id == context.project_id,
                           t.images.c.deleted == sa.false())
                    .order_by(T.c.image_id, T.c.key)):
                found.setdefault(image_id, {})[key] = value
            return found
        return self._read(run)

    def set_image_tags(self, context: RequestContext, image_ids: Sequence[str],
                       tags: Mapping[str, str]) -> Deferred:
        """
        Set the caller's project's C{tags} on every image of C{image_ids} it
        may see (L{ImageNotFound} for the first it may not, and nothing is
        written); an image has at most L{MAX_IMAGE_TAGS} of a project's tags.
        """
        try:
            for key, value in tags.items():
                validation.text(key, "key", 128)
                validation.text(value, "value", 256)
        except Invalid:
            return fail()
        T = t.image_tags

        def run(connection: Connection) -> None:
            rows = [_live_image(connection, context, image) for image in image_ids]
            for row in rows:
                current = dict(connection.execute(sa.select(T.c.key, T.c.value).where(
                    T.c.image_id == row["id"], T.c.project_id == context.project_id)).all())
                if len(set(current) | set(tags)) > MAX_IMAGE_TAGS:
                    raise OverLimit("The image '%s' would have more than %d tags."
                                    % (row["uuid"], MAX_IMAGE_TAGS))
                connection.execute(sa.delete(T).where(
                    T.c.image_id == row["id"], T.c.project_id == context.project_id,
                    T.c.key.in_(list(tags))))
                if tags:
                    connection.execute(sa.insert(T), [
                        {"image_id": row["id"], "project_id": context.project_id,
                         "key": key, "value": value} for key, value in tags.items()])
        return self._write(run)

    def delete_image_tags(self, context: RequestContext, image_ids: Sequence[str],
                          tags: Sequence[tuple[str, str | None]] = ()) -> Deferred:
        """
        Remove the caller's project's tags from images it may see: each
        C{(key, value)} of C{tags} (a value of None: whatever the value), or
        every tag when C{tags} is empty.
        """
        T = t.image_tags

        def run(connection: Connection) -> None:
            rows = [_live_image(connection, context, image) for image in image_ids]
            for row in rows:
                mine = [T.c.image_id == row["id"], T.c.project_id == context.project_id]
                if not tags:
                    connection.execute(sa.delete(T).where(*mine))
                for key, value in tags:
                    if not validation.storable(key) or not validation.storable(value or ""):
                        continue
                    chosen = [T.c.key == key] + ([] if value is None else [T.c.value == value])
                    connection.execute(sa.delete(T).where(*mine, *chosen))
        return self._write(run)


#: The most EC2 tags a project puts on one image, as AWS allows on any resource.
MAX_IMAGE_TAGS = 50


def _live_image(connection: Connection, context: RequestContext,
                image_id: str) -> Mapping[str, Any]:
    """An image the caller may see and that is not deleted, else L{ImageNotFound}."""
    row = catalog.image_row(connection, context, image_id)
    if row["deleted"]:
        raise ImageNotFound(image_id=image_id)
    return row
