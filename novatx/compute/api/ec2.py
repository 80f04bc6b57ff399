"""
What the EC2 and metadata APIs need beyond servers: EC2 credentials and passwords
(the instance posts its encrypted password to the metadata API; its owner reads
it through EC2's GetPasswordData or the compute API's C{os-server-password}).
"""

from __future__ import annotations

import uuid as uuidlib
from typing import Any, Mapping

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from twisted.internet.defer import Deferred, fail

from novatx.compute import convert, instances, validation
from novatx.compute.api._base import ComputeAPIBase
from novatx.compute.context import RequestContext
from novatx.compute.exceptions import Conflict, InstanceNotFound, Invalid, NotFound
from novatx.compute.listing import equals
from novatx.compute.records import EC2Credential
from novatx.db import tables as t

I = t.instances


#: The longest metadata password: nova keeps one in four 255-character items.
MAX_PASSWORD_LENGTH = 4 * 255


class EC2SupportAPI(ComputeAPIBase):
    """EC2 credentials and metadata passwords. One part of L{novatx.compute.api.ComputeAPI}."""

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
            connection.execute(sa.insert(t.ec2_credential_deletions).values(
                access=access, deleted_at=self._now()))
        return self._write(run)

    def ec2_credential_generation(self) -> Deferred:
        D = t.ec2_credential_deletions
        return self._read(
            lambda connection: connection.execute(sa.select(sa.func.max(D.c.id))).scalar() or 0)

    def get_password(self, server_uuid: str) -> Deferred:
        P = t.instance_passwords
        return self._read(lambda c: c.execute(sa.select(P.c.password).where(
            equals(P.c.instance_uuid, server_uuid))).scalar() or "")

    def get_server_password(self, context: RequestContext, server_uuid: str) -> Deferred:
        """The encrypted password of a server the caller may see ("" when none)."""
        P = t.instance_passwords

        def run(connection: Connection) -> str:
            row = instances.get_row(connection, context, server_uuid)
            return connection.execute(sa.select(P.c.password).where(
                P.c.instance_uuid == row["uuid"])).scalar() or ""
        return self._read(run)

    def clear_server_password(self, context: RequestContext, server_uuid: str) -> Deferred:
        """Forget a server's encrypted password; the instance may post a new one."""
        P = t.instance_passwords

        def run(connection: Connection) -> None:
            row = instances.get_row(connection, context, server_uuid, for_update=True)
            connection.execute(sa.delete(P).where(P.c.instance_uuid == row["uuid"]))
        return self._write(run).addCallback(self._notified(server_uuid))

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
