"""
Key pairs, per user: generated, imported, listed, deleted.
"""

from __future__ import annotations

from typing import Any, Callable

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from twisted.internet.defer import Deferred, fail

from novatx.compute import convert, keys, quotas, validation
from novatx.compute.api._base import ComputeAPIBase
from novatx.compute.listing import read_page
from novatx.compute.context import RequestContext
from novatx.compute.exceptions import (
    Invalid, KeyPairExists, KeypairNotFound, MarkerNotFound, NotAuthorized, OverLimit,
)
from novatx.compute.records import KeyPair, Page
from novatx.db import tables as t

K = t.key_pairs


class KeyPairsAPI(ComputeAPIBase):
    """Key pairs, per user. One part of L{novatx.compute.api.ComputeAPI}."""

    def _key_owner(self, context: RequestContext, user_id: str | None) -> str:
        if user_id is not None and user_id != context.user_id and not context.is_admin:
            raise NotAuthorized("Policy doesn't allow this operation to be performed.")
        return user_id or context.user_id

    def _check_key_name(self, name: Any) -> None:
        if not isinstance(name, str) or not 1 <= len(name) <= 255 or any(
            not (char.isalnum() or char in " _-@.") for char in name
        ):
            raise Invalid("Keypair data is invalid: Keypair name contains unsafe "
                          "characters")
        if name != name.strip():
            raise Invalid("Keypair data is invalid: Keypair name must be string and "
                          "between 1 and 255 characters long")

    def _insert_key(self, connection: Connection, context: RequestContext, owner: str, name: str,
                    key_type: str, public_key: str, fingerprint: str,
                    private_key: str | None) -> KeyPair:
        limit = quotas.limits(connection, self._conf, context.project_id, owner)["key_pairs"]
        used = connection.execute(sa.select(sa.func.count()).select_from(K).where(
            K.c.user_id == owner)).scalar()
        if 0 <= limit <= used:
            raise OverLimit("Quota exceeded, too many key pairs.")
        try:
            with connection.begin_nested():
                key_id = connection.execute(sa.insert(K).values(
                    name=name, user_id=owner, type=key_type, public_key=public_key,
                    fingerprint=fingerprint, created_at=self._now(),
                    private_key_fingerprint=private_key and keys.private_key_fingerprint(private_key),
                )).inserted_primary_key[0]
        except IntegrityError:
            raise KeyPairExists(key_name=name)
        row = connection.execute(sa.select(K).where(K.c.id == key_id)).mappings().one()
        return convert.key_pair(row, private_key)

    def create_key_pair(self, context: RequestContext, name: str, key_type: str = "ssh",
                        user_id: str | None = None) -> Deferred:
        try:
            owner = self._key_owner(context, user_id)
            self._check_key_name(name)
            if key_type not in keys.KEY_TYPES:
                raise Invalid("Invalid key type %s." % key_type)
        except Exception:
            return fail()

        def run(connection: Connection) -> KeyPair:
            private, public, fingerprint = keys.generate(key_type, owner)
            return self._insert_key(connection, context, owner, name, key_type, public,
                                    fingerprint, private)
        return self._write(run)

    def import_key_pair(self, context: RequestContext, name: str, public_key: str,
                        key_type: str = "ssh", user_id: str | None = None) -> Deferred:
        try:
            owner = self._key_owner(context, user_id)
            self._check_key_name(name)
            if key_type not in keys.KEY_TYPES:
                raise Invalid("Invalid key type %s." % key_type)
            fingerprint = keys.fingerprint(public_key, key_type)
        except Exception:
            return fail()
        return self._write(lambda c: self._insert_key(c, context, owner, name, key_type,
                                                      public_key.strip(), fingerprint, None))

    def _as_owner(self, context: RequestContext, user_id: str | None,
                  work: Callable[[Connection, str], Any], write: bool = False) -> Deferred:
        """
        Run C{work(connection, owner)} on the key pairs of C{user_id} (default:
        the caller's), once the caller may act for that user.
        """
        try:
            owner = self._key_owner(context, user_id)
        except Exception:
            return fail()
        return (self._write if write else self._read)(work, owner)

    def list_key_pairs(self, context: RequestContext, user_id: str | None = None,
                       limit: int | None = None, marker: str | None = None) -> Deferred:
        try:
            page_limit = validation.limit(limit)
        except Exception:
            return fail()

        def run(connection: Connection, owner: str) -> Page:
            clauses = [K.c.user_id == owner]
            if marker is not None:
                if not validation.storable(marker) or connection.execute(sa.select(K.c.id).where(
                        K.c.user_id == owner, K.c.name == marker)).first() is None:
                    raise MarkerNotFound(marker=marker)
                clauses.append(K.c.name > marker)
            rows, has_more = read_page(
                connection, sa.select(K).where(*clauses).order_by(K.c.name), page_limit)
            return Page(items=tuple(convert.key_pair(row) for row in rows), has_more=has_more)
        try:
            owner = self._key_owner(context, user_id)
        except Exception:
            return fail()
        return self._cached("key_pairs", (owner, page_limit, marker), ("key_pairs",), None,
                            lambda: self._read(run, owner))

    def get_key_pair(self, context: RequestContext, name: str,
                     user_id: str | None = None) -> Deferred:
        def run(connection: Connection, owner: str) -> KeyPair:
            row = connection.execute(sa.select(K).where(
                K.c.user_id == owner, K.c.name == name)).mappings().first() \
                if validation.storable(name) else None
            if row is None:
                raise KeypairNotFound(name=name, user_id=owner)
            return convert.key_pair(row)
        return self._as_owner(context, user_id, run)

    def delete_key_pair(self, context: RequestContext, name: str,
                        user_id: str | None = None) -> Deferred:
        def run(connection: Connection, owner: str) -> None:
            if not validation.storable(name) or connection.execute(sa.delete(K).where(
                    K.c.user_id == owner, K.c.name == name)).rowcount == 0:
                raise KeypairNotFound(name=name, user_id=owner)
        return self._as_owner(context, user_id, run, write=True)
