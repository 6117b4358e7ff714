"""The run history: every run's outcomes in a store, and each finding told whether it is new,
known or flaky.

- `location`: where the store is (`--history URL`, `POOLCTL_HISTORY`, the project's
  `.poolctl/history.sqlite`), and how it is shown (password masked).
- `schema` and `migrations/`: the tables (a run, its failures, each test once, a run's passes
  packed: `packed`), created and upgraded by Alembic on first use (`migrate`; the revision
  known in `schema_head`); `store`: the connection on SQLite or PostgreSQL, one error line for
  any failure.
- `identity`: a test's and a failure's keys; `flaky`: when outcomes flip; `runmeta`: commit,
  branch, CI job and host.
- `record`: a report into the store, its findings annotated, in plain SQL (`rawdb`,
  `lookups`: what it reads back); `queries`: what `poolctl history` reads; `recorder`: what a
  command calls (`HistoryRecorder`); `views` and `listings`: `poolctl history`'s answers.

Importing this package imports no database code; recording a run in a current SQLite store
imports no SQLAlchemy either (`sqlite3` alone): it loads to create or upgrade a store, for
PostgreSQL, and for the listings.
"""
