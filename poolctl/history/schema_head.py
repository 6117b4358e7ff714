"""The newest schema revision this poolctl knows, and where a store keeps its own: read on
every open, without importing SQLAlchemy or Alembic."""

SCHEMA_HEAD = "0003"  # the last revision in migrations/versions/
VERSION_TABLE = "alembic_version"
