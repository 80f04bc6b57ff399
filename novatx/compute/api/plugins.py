"""
What the internal API offers plugins beyond servers: their own SQL on the
store, off the reactor, and an atomic change of one extension field.

A plugin that keeps a resource of its own (its tables come from its own
migrations, L{novatx.db.migrate}) must not open connections or block the
reactor: it hands a function to L{PluginsAPI.store_read} or
L{PluginsAPI.store_write}, which run it in a transaction on the store's
database threads, retried like novatx's own work when the database picks it
as a deadlock victim. A counter kept in an extension field must not be read,
changed and written back in three steps by two workers at once:
L{PluginsAPI.update_extra} does the three with the server's row locked.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from sqlalchemy.engine import Connection
from twisted.internet.defer import Deferred, fail

from novatx.compute import instances, validation
from novatx.compute.api._base import ComputeAPIBase
from novatx.compute.context import RequestContext
from novatx.compute.exceptions import Invalid


class PluginsAPI(ComputeAPIBase):
    """The store and atomic field changes, for plugins."""

    def store_read(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Deferred:
        """
        Fire with C{function(connection, *args, **kwargs)}, run in a read
        transaction on a database thread. An unreachable database is
        L{novatx.compute.exceptions.ServiceUnavailable} (503 to clients).
        """
        return self._read(function, *args, **kwargs)

    def store_write(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Deferred:
        """The same in a write transaction (committed when C{function} returns)."""
        return self._write(function, *args, **kwargs)

    def update_extra(self, context: RequestContext, server_uuid: str, name: str,
                     change: Callable[[Any], Any]) -> Deferred:
        """
        Set extension field C{name} of a server the caller may see to
        C{change(current value)}, with the server's row locked from the read to
        the write, so that concurrent changes (two workers counting) apply one
        after the other. C{change} runs on a database thread: it must be quick
        and must not touch the reactor; what it raises (a
        L{novatx.compute.exceptions.Conflict} for a compare-and-set that finds
        another value) fails the Deferred and changes nothing.

        @return: a Deferred firing with the updated L{Instance}.
        """
        if name not in self._fields:
            return fail(Invalid("Unknown extension field %s." % (name,)))

        def apply(connection: Connection, row: Mapping[str, Any]) -> None:
            stored = dict(row["extra"] or {})
            value = change(stored.get(name, self._fields[name].default))
            stored.update(validation.extra_fields(self._fields, {name: value}))
            instances.touch(connection, row["id"], self._now(), extra=stored)

        return self._change(context, server_uuid, apply, check_lock=False)
