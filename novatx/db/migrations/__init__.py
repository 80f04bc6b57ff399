"""The store's alembic migrations (C{script_location = novatx.db:migrations})."""
