"""Alembic environment: runs on the connection the store hands over (SQLite or PostgreSQL)."""

from __future__ import annotations

from alembic import context

from retrorun.store.models import Base
from retrorun.store.queue_schema import not_the_queue

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    include_name=not_the_queue,  # procrastinate's tables are not ours to autogenerate
)
with context.begin_transaction():
    context.run_migrations()
