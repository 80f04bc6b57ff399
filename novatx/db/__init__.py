"""
The store's schema and access.

L{SCHEMA_REVISION} is the alembic revision the code's tables are at: the head
of C{novatx/db/migrations}. A process checks its store against it without
importing alembic (see L{novatx.db.migrate.ensure_current}); a test keeps it
equal to alembic's own head, so a new migration must move it too.
"""

#: The newest migration in C{novatx/db/migrations/versions}.
SCHEMA_REVISION = "0014"
