"""What `poolctl history` reads back from the store (what recording a run reads is in
`lookups`, which the flaky listing shares).

Every query is SQLAlchemy Core that runs the same on SQLite and PostgreSQL; days and weeks are
bucketed here, not in SQL, where the two dialects differ. A failure is a row of `failures`; a
pass is a key in its run's packed `run_passes` row, found there by bisection (`packed`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, select

from poolctl.history.flaky import Flips, flips
from poolctl.history.lookups import chunked, outcome_series
from poolctl.history.packed import holds, key_of, unpack
from poolctl.history.rawdb import SaDb, utc
from poolctl.history.schema import failures, run_passes, runs, tests


# --- poolctl history ----------------------------------------------------------------------
def recent_runs(conn: Connection, limit: int) -> list[dict[str, Any]]:
    """The last `limit` runs, newest first, with their counts."""
    query = select(runs).order_by(runs.c.started_at.desc(), runs.c.id.desc()).limit(limit)
    out = []
    for row in conn.execute(query).mappings():
        item = dict(row)
        item["started_at"] = utc(item["started_at"])
        item["timings"] = json.loads(item["timings"] or "{}")
        item["patterns"] = json.loads(item["patterns"] or "[]")
        item["inputs"] = json.loads(item["inputs"] or "[]")
        out.append(item)
    return out


def outcomes_of_test(conn: Connection, name: str, limit: int) -> list[dict[str, Any]]:
    """The outcomes of the tests named `name` (or, when none is, whose name holds it), newest
    first."""
    found = _failures_named(conn, failures.c.name == name, limit)
    found += _passes_of(conn, _tests_named(conn, tests.c.name == name), limit)
    if not found:
        pattern = "%" + name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        found = _failures_named(conn, failures.c.name.like(pattern, escape="\\"), limit)
        named = _tests_named(conn, tests.c.name.like(pattern, escape="\\"))
        found += _passes_of(conn, named, limit)
    # newest run first; in a run, by test (an order the store's row ids do not decide)
    found.sort(key=lambda r: (r["name"], r["test_group"], r["file"]))
    found.sort(key=lambda r: (r["started_at"], r["run_id"]), reverse=True)
    return found[:limit]


def _failures_named(conn: Connection, where: Any, limit: int) -> list[dict[str, Any]]:
    columns = (
        failures.c.test_key,
        failures.c.name,
        failures.c.test_group,
        failures.c.file,
        failures.c.outcome,
        failures.c.pattern_id,
        failures.c.message,
        runs.c.id.label("run_id"),
        runs.c.started_at,
        runs.c.commit_sha,
        runs.c.branch,
    )
    query = (
        select(*columns)
        .join(runs, runs.c.id == failures.c.run_id)
        .where(where)
        .order_by(
            runs.c.started_at.desc(),
            runs.c.id.desc(),
            failures.c.name,
            failures.c.test_group,
            failures.c.file,
        )
        .limit(limit)
    )
    found = [dict(r) for r in conn.execute(query).mappings()]
    for item in found:
        item["started_at"] = utc(item["started_at"])
    return found


def _tests_named(conn: Connection, where: Any) -> dict[str, dict[str, Any]]:
    query = select(tests.c.test_key, tests.c.name, tests.c.test_group, tests.c.file).where(where)
    return {row["test_key"]: dict(row) for row in conn.execute(query).mappings()}


def _passes_of(
    conn: Connection, named: dict[str, dict[str, Any]], limit: int
) -> list[dict[str, Any]]:
    """The newest `limit` passes of the tests `named`: the runs' packed passes, newest first."""
    numbers = [(key, n) for key in sorted(named) if (n := key_of(key)) is not None]
    if not numbers:
        return []
    query = (
        select(
            run_passes.c.test_keys, runs.c.id, runs.c.started_at, runs.c.commit_sha, runs.c.branch
        )
        .join(runs, runs.c.id == run_passes.c.run_id)
        .order_by(runs.c.started_at.desc(), runs.c.id.desc())
    )
    found: list[dict[str, Any]] = []
    for packed, run_id, at, commit, branch in conn.execute(query):
        keys = unpack(packed)
        for key, number in numbers:
            if holds(keys, number):
                found.append(
                    {
                        **named[key],
                        "outcome": "passed",
                        "pattern_id": None,
                        "message": None,
                        "run_id": run_id,
                        "started_at": utc(at),
                        "commit_sha": commit,
                        "branch": branch,
                    }
                )
        if len(found) >= limit:
            break
    return found


@dataclass(frozen=True)
class FlakyTest:
    """A test whose outcomes flip, and how."""

    name: str
    group: str
    file: str
    changes: Flips
    last_seen: datetime


def flaky_tests(conn: Connection, since: datetime) -> list[FlakyTest]:
    """The tests flaky in the window that starts at `since`, highest flip rate first: of the
    tests that failed in it (a test that only passed never flipped), those whose outcomes
    flipped so."""
    failed = (
        select(failures.c.test_key)
        .join(runs, runs.c.id == failures.c.run_id)
        .where(runs.c.started_at >= since)
        .distinct()
    )
    keys = [row[0] for row in conn.execute(failed)]
    series = outcome_series(SaDb(conn), keys, since)
    names: dict[str, tuple[str, str, str]] = {}
    for batch in chunked(keys):
        query = select(
            failures.c.test_key, failures.c.name, failures.c.test_group, failures.c.file
        ).where(failures.c.test_key.in_(batch))
        for key, name, group, file in conn.execute(query.distinct()):
            names.setdefault(key, (name, group, file))
    out = []
    for key, values in series.items():
        changes = flips(values)
        if changes.flaky:
            name, group, file = names[key]
            out.append(FlakyTest(name, group, file, changes, max(v.at for v in values)))
    out.sort(key=lambda t: (-t.changes.rate, -t.changes.flips, t.name))
    return out


def pattern_rows(conn: Connection, since: datetime) -> list[tuple[str | None, datetime, int]]:
    """(pattern id or None for unclassified, run start, failures) for each run since `since`."""
    query = (
        select(failures.c.pattern_id, runs.c.started_at, func.count())
        .join(runs, runs.c.id == failures.c.run_id)
        .where(failures.c.outcome == "failed", runs.c.started_at >= since)
        .group_by(failures.c.pattern_id, runs.c.id, runs.c.started_at)
    )
    return [(pattern, utc(at), int(n)) for pattern, at, n in conn.execute(query)]


def prune(conn: Connection, before: datetime) -> tuple[int, int]:
    """Delete the runs that started before `before` and their outcomes: (runs, outcomes)."""
    old = select(runs.c.id).where(runs.c.started_at < before)
    gone_passes = conn.execute(
        select(func.coalesce(func.sum(run_passes.c.passed), 0)).where(run_passes.c.run_id.in_(old))
    ).scalar_one()
    conn.execute(delete(run_passes).where(run_passes.c.run_id.in_(old)))
    gone_failures = conn.execute(delete(failures).where(failures.c.run_id.in_(old))).rowcount
    gone_runs = conn.execute(delete(runs).where(runs.c.started_at < before)).rowcount
    return int(gone_runs or 0), int(gone_failures or 0) + int(gone_passes)


def totals(conn: Connection) -> tuple[int, int]:
    """(runs, outcomes) in the store."""
    run_count = conn.execute(select(func.count()).select_from(runs)).scalar_one()
    failure_count = conn.execute(select(func.count()).select_from(failures)).scalar_one()
    pass_count = conn.execute(select(func.coalesce(func.sum(run_passes.c.passed), 0))).scalar_one()
    return int(run_count), int(failure_count) + int(pass_count)


__all__ = [
    "FlakyTest",
    "flaky_tests",
    "outcomes_of_test",
    "pattern_rows",
    "prune",
    "recent_runs",
    "totals",
]
