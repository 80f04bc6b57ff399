"""
alembic's environment for novatx: always runs on a connection that
L{novatx.db.migrate} hands over (C{config.attributes["connection"]}), so the
caller decides locking and the URL comes from novatx's own config.
"""

from alembic import context

from novatx.db.tables import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
