"""
The example's own tables: alembic revision files, found through the entry point
C{novatx.db.migrations: example = "novatx_example.migrations"}.

Their line starts at a revision with no parent and is recorded in its own
version table (C{alembic_version_example}); C{novatx-manage db sync} and the
daemon's auto-migrate apply it after novatx's.
"""

#: The newest revision here: a current store is checked against it without
#: alembic (novatx's test of the example keeps it equal to alembic's head).
SCHEMA_REVISION = "example_0001"
