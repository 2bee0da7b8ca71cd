"""Storage: the SQLAlchemy models, the engine and session setup, and the Alembic migrations."""
