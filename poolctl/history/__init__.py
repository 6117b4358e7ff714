"""The run history: every run's outcomes in a store, and each finding told whether it is new,
known or flaky.

- `location`: where the store is (`--history URL`, `POOLCTL_HISTORY`, the project's
  `.poolctl/history.sqlite`), and how it is shown (password masked).
- `schema` and `migrations/`: the tables, created and upgraded by Alembic on first use
  (`migrate`); `store`: the SQLAlchemy engine on SQLite or PostgreSQL, one error line for any
  failure.
- `identity`: a test's and a failure's keys; `flaky`: when outcomes flip; `runmeta`: commit,
  branch, CI job and host.
- `record`: a report into the store, its findings annotated; `queries`: what is read back;
  `recorder`: what a command calls (`HistoryRecorder`); `views`: `poolctl history`'s listings.

Importing this package imports no database code: SQLAlchemy loads when a store is opened.
"""
