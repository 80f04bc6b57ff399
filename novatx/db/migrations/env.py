"""
alembic's environment for novatx: always runs on a connection that
L{novatx.db.migrate} hands over (C{config.attributes["connection"]}), so the
caller decides locking and the URL comes from novatx's own config. A plugin's
revisions run here too, recorded in the plugin's own version table
(C{config.attributes["version_table"]}).
"""

from alembic import context

from novatx.db.tables import metadata

connection = context.config.attributes["connection"]
version_table = context.config.attributes.get("version_table")
context.configure(
    connection=connection,
    target_metadata=metadata if version_table is None else None,
    version_table=version_table or "alembic_version",
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
