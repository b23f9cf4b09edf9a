"""The store: SQLAlchemy models, Alembic migrations and repository functions."""
