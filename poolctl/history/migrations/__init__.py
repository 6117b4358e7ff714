"""Alembic revisions of the history store (`versions/`), applied by `poolctl.history.migrate`.

A new revision is a file in `versions/` with `revision`, `down_revision`, `upgrade()` and
`downgrade()`, named after its revision id; move `SCHEMA_HEAD` in `poolctl/history/schema_head.py`
to it, and change the tables in `schema.py` to match (a test compares the two).
"""
