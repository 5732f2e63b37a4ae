"""Alembic environment for the hub: always run programmatically with a live connection.

``app.hub.store.migrate`` passes the connection in ``config.attributes["connection"]``; there is
no alembic.ini and no offline mode (the hub migrates the database it opens, nothing else).
"""

from __future__ import annotations

from alembic import context

from app.hub.store.schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
