"""`poolctl history runs | test | flaky | patterns | prune`: the store's answers as `Listing`s.

Each function reads what it needs in one transaction and returns the rows every format shows
and the JSON document; times are UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from poolctl.history.queries import (
    flaky_tests,
    outcomes_of_test,
    pattern_rows,
    prune,
    recent_runs,
    totals,
)
from poolctl.history.record import iso
from poolctl.history.store import HistoryStore
from poolctl.history.views import Chart, Column, Listing, Series, sparkline

Bucket = Literal["day", "week"]


def _when(moment: datetime) -> str:
    """`2026-11-28 14:03` (UTC), for a table cell."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M")


def _ago(window: timedelta) -> str:
    days = window.total_seconds() / 86400
    if days >= 1 and days == int(days):
        return f"{int(days)} days"
    hours = window.total_seconds() / 3600
    return f"{hours:g} hours"


def runs_listing(store: HistoryStore, limit: int) -> Listing:
    """The last `limit` runs, newest first, with their counts."""
    with store.reading() as conn:
        found = recent_runs(conn, limit)
    rows = []
    for run in found:
        rows.append(
            {
                **run,
                "when": _when(run["started_at"]),
                "commit": (run["commit_sha"] or "")[:10],
                "started_at": iso(run["started_at"]),
            }
        )
    columns = (
        Column("id", "run", True),
        Column("when", "when (UTC)"),
        Column("kind", "kind"),
        Column("verdict", "verdict"),
        Column("failures", "failed", True),
        Column("passed", "passed", True),
        Column("new", "new", True),
        Column("known", "known", True),
        Column("flaky", "flaky", True),
        Column("commit", "commit"),
        Column("branch", "branch"),
        Column("title", "title", flexible=True),
    )
    shown_only = ("when", "commit")
    runs = [{k: v for k, v in _plain(r).items() if k not in shown_only} for r in rows]
    document = {"store": store.location.display, "runs": runs}
    return Listing(f"The last {len(rows)} runs", columns, tuple(rows), document)


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    return {k: iso(v) if isinstance(v, datetime) else v for k, v in row.items()}


def outcomes_listing(store: HistoryStore, name: str, limit: int) -> Listing:
    """One test's outcomes over time, newest first (tests whose name holds `name` when no
    test is named so exactly)."""
    with store.reading() as conn:
        found = outcomes_of_test(conn, name, limit)
    rows = [
        {
            "run": r["run_id"],
            "when": _when(r["started_at"]),
            "started_at": iso(r["started_at"]),
            "test": r["name"],
            "group": r["test_group"],
            "outcome": r["outcome"],
            "pattern": r["pattern_id"] or ("unclassified" if r["outcome"] == "failed" else ""),
            "commit": (r["commit_sha"] or "")[:10],
            "branch": r["branch"],
            "message": (r["message"] or "")[:120],
        }
        for r in found
    ]
    tests = sorted({(r["test"], r["group"]) for r in rows})
    columns: tuple[Column, ...] = (
        Column("run", "run", True),
        Column("when", "when (UTC)"),
        Column("outcome", "outcome"),
        Column("pattern", "pattern"),
        Column("commit", "commit"),
        Column("branch", "branch"),
    )
    title = f"Test {name}: its outcomes, newest first"
    notes: tuple[str, ...] = ()
    if len(tests) == 1:
        test, group = tests[0]
        title = f"Test {test}{f' ({group})' if group else ''}: its outcomes, newest first"
    elif tests:  # several tests hold the name: each row says which
        columns = (
            *columns,
            Column("test", "test", flexible=True),
            Column("group", "group", flexible=True),
        )
        notes = (f"{len(tests)} tests match {name!r}",)
    document = {
        "store": store.location.display,
        "name": name,
        "outcomes": [{k: v for k, v in r.items() if k != "when"} for r in rows],
    }
    return Listing(
        title,
        columns,
        tuple(rows),
        document,
        notes,
        empty=f"no test named {name!r} (or with it in its name) was recorded",
    )


def flaky_listing(store: HistoryStore, window: timedelta, now: datetime | None = None) -> Listing:
    """The tests flaky within `window`, by flip rate."""
    since = (now or datetime.now(UTC)) - window
    with store.reading() as conn:
        found = flaky_tests(conn, since)
    rows = [
        {
            "test": t.name,
            "group": t.group,
            "file": t.file,
            "runs": t.changes.runs,
            "flips": t.changes.flips,
            "flip_rate": round(t.changes.rate, 3),
            "same_commit": t.changes.same_commit,
            "last": "passed" if t.changes.last_passed else "failed",
            "last_seen": iso(t.last_seen),
        }
        for t in found
    ]
    columns = (
        Column("flip_rate", "flip rate", True),
        Column("flips", "flips", True),
        Column("runs", "runs", True),
        Column("last", "last"),
        Column("test", "test", flexible=True),
        Column("group", "group", flexible=True),
    )
    document = {
        "store": store.location.display,
        "window_days": round(window.total_seconds() / 86400, 3),
        "since": iso(since),
        "tests": rows,
    }
    return Listing(
        f"Flaky tests in the last {_ago(window)}, by flip rate",
        columns,
        tuple(rows),
        document,
        ("flaky: passed and failed in CI on one commit, or flipped twice or more in the window",),
        empty=f"no flaky test in the last {_ago(window)}",
    )


def _bucket_start(moment: datetime, by: Bucket) -> datetime:
    day = moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return day - timedelta(days=day.weekday()) if by == "week" else day


def patterns_listing(
    store: HistoryStore, since: timedelta, by: Bucket, now: datetime | None = None
) -> Listing:
    """Failures per pattern per day or week since `since` ago, with a sparkline each."""
    now = now or datetime.now(UTC)
    start = _bucket_start(now - since, by)
    with store.reading() as conn:
        found = pattern_rows(conn, start)
    step = timedelta(weeks=1) if by == "week" else timedelta(days=1)
    buckets: list[datetime] = []
    cursor = start
    while cursor <= now:
        buckets.append(cursor)
        cursor += step
    index = {b: i for i, b in enumerate(buckets)}
    counts: dict[str, list[int]] = {}
    for pattern, at, n in found:
        slot = index.get(_bucket_start(at, by))
        if slot is None:
            continue  # a run stamped after now (another host's clock)
        counts.setdefault(pattern or "unclassified", [0] * len(buckets))[slot] += n
    ordered = sorted(counts.items(), key=lambda kv: (kv[0] == "unclassified", -sum(kv[1]), kv[0]))
    labels = tuple(b.date().isoformat() for b in buckets)
    rows = [
        {
            "pattern": name,
            "total": sum(values),
            "trend": sparkline(values),
            "last": values[-1] if values else 0,
            "peak": max(values, default=0),
        }
        for name, values in ordered
    ]
    columns = (
        Column("pattern", "pattern", flexible=True),
        Column("total", "failures", True),
        Column("trend", f"per {by}, {labels[0]} → {labels[-1]}" if labels else f"per {by}"),
        Column("last", "today" if by == "day" else "this week", True),
        Column("peak", "peak", True),
    )
    document = {
        "store": store.location.display,
        "by": by,
        "since": iso(start),
        "buckets": list(labels),
        "patterns": [
            {"pattern": name, "total": sum(values), "counts": values} for name, values in ordered
        ],
    }
    chart = Chart(labels, tuple(Series(name, tuple(values)) for name, values in ordered))
    return Listing(
        f"Failures per pattern per {by} since {labels[0] if labels else iso(start)}",
        columns,
        tuple(rows),
        document,
        empty="no failure recorded in that time",
        chart=chart,
    )


def prune_listing(
    store: HistoryStore, older_than: timedelta, now: datetime | None = None
) -> Listing:
    """Delete the runs older than `older_than` (and their outcomes); say what is left."""
    before = (now or datetime.now(UTC)) - older_than
    with store.writing() as conn:
        gone_runs, gone_outcomes = prune(conn, before)
        left_runs, left_outcomes = totals(conn)
    row = {
        "before": iso(before),
        "deleted_runs": gone_runs,
        "deleted_outcomes": gone_outcomes,
        "runs_left": left_runs,
        "outcomes_left": left_outcomes,
    }
    columns = (
        Column("before", "runs started before (UTC)"),
        Column("deleted_runs", "runs deleted", True),
        Column("deleted_outcomes", "outcomes deleted", True),
        Column("runs_left", "runs left", True),
    )
    days = round(older_than.total_seconds() / 86400, 3)
    document = {"store": store.location.display, "older_than_days": days, **row}
    return Listing(f"Pruned runs older than {_ago(older_than)}", columns, (row,), document)
