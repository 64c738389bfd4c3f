"""Storage: SQLAlchemy models and repositories; the schema belongs to Alembic."""
