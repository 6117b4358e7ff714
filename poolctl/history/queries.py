"""What is read back from the store: for a run being recorded (earlier sightings of its
failures, its tests' outcomes in the flaky window), and for `poolctl history`.

Every query is SQLAlchemy Core that runs the same on SQLite and PostgreSQL; days and weeks are
bucketed here, not in SQL, where the two dialects differ.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, delete, func, select

from poolctl.history.flaky import Flips, Outcome, flips
from poolctl.history.schema import outcomes, runs

CHUNK = 500  # keys per IN (...) list
T = TypeVar("T")


def _chunked(keys: Iterable[T]) -> Iterator[list[T]]:
    batch: list[T] = []
    for key in keys:
        batch.append(key)
        if len(batch) == CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def utc(moment: datetime) -> datetime:
    """A time read from the store, made aware (SQLite returns it without its UTC zone)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Sighting:
    """Earlier runs that had one failure: how many, the first and the last."""

    runs: int
    first: datetime
    last: datetime


def sightings(
    conn: Connection, failure_keys: Iterable[str], exclude_run: int
) -> dict[str, Sighting]:
    """For each failure key, the runs other than `exclude_run` that had it."""
    out: dict[str, Sighting] = {}
    for batch in _chunked(sorted(failure_keys)):
        query = (
            select(
                outcomes.c.failure_key,
                func.count(func.distinct(outcomes.c.run_id)),
                func.min(runs.c.started_at),
                func.max(runs.c.started_at),
            )
            .join(runs, runs.c.id == outcomes.c.run_id)
            .where(outcomes.c.failure_key.in_(batch), outcomes.c.run_id != exclude_run)
            .group_by(outcomes.c.failure_key)
        )
        for key, count, first, last in conn.execute(query):
            out[key] = Sighting(int(count), utc(first), utc(last))
    return out


def sightings_in_tests(
    conn: Connection, wanted: Iterable[tuple[str, str]], exclude_run: int
) -> dict[tuple[str, str], Sighting]:
    """For each (test key, normalised message), the runs other than `exclude_run` in which
    that test failed with that message, whatever pattern claimed it then (or none): a failure
    a pattern added or changed since now claims is still the one seen before."""
    wanted = set(wanted)
    out: dict[tuple[str, str], Sighting] = {}
    for batch in _chunked(sorted({test for test, _ in wanted})):
        query = (
            select(
                outcomes.c.test_key,
                outcomes.c.message,
                func.count(func.distinct(outcomes.c.run_id)),
                func.min(runs.c.started_at),
                func.max(runs.c.started_at),
            )
            .join(runs, runs.c.id == outcomes.c.run_id)
            .where(
                outcomes.c.test_key.in_(batch),
                outcomes.c.outcome == "failed",
                outcomes.c.run_id != exclude_run,
            )
            .group_by(outcomes.c.test_key, outcomes.c.message)
        )
        for test, message, count, first, last in conn.execute(query):
            if (test, message) in wanted:
                out[(test, message)] = Sighting(int(count), utc(first), utc(last))
    return out


def outcome_series(
    conn: Connection, test_keys: Iterable[str], since: datetime
) -> dict[str, list[Outcome]]:
    """Each test's outcomes in runs that started at `since` or later (with the commit and the
    job of the runs made in CI, and the branch)."""
    out: dict[str, list[Outcome]] = {}
    for batch in _chunked(sorted(test_keys)):
        query = (
            select(
                outcomes.c.test_key,
                runs.c.started_at,
                runs.c.id,
                runs.c.commit_sha,
                runs.c.ci_provider,
                runs.c.job,
                runs.c.branch,
                outcomes.c.outcome,
            )
            .join(runs, runs.c.id == outcomes.c.run_id)
            .where(outcomes.c.test_key.in_(batch), runs.c.started_at >= since)
        )
        for key, at, run_id, commit, ci, job, branch, outcome in conn.execute(query):
            pinned = commit if ci else None  # only a CI run's commit is the code that ran
            seen = Outcome(utc(at), run_id, pinned, outcome == "passed", job, branch)
            out.setdefault(key, []).append(seen)
    return out


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
    columns = (
        outcomes.c.test_key,
        outcomes.c.name,
        outcomes.c.test_group,
        outcomes.c.file,
        outcomes.c.outcome,
        outcomes.c.pattern_id,
        outcomes.c.message,
        runs.c.id.label("run_id"),
        runs.c.started_at,
        runs.c.commit_sha,
        runs.c.branch,
    )
    base = select(*columns).join(runs, runs.c.id == outcomes.c.run_id)
    newest = (runs.c.started_at.desc(), runs.c.id.desc())
    rows = conn.execute(base.where(outcomes.c.name == name).order_by(*newest).limit(limit))
    found = [dict(r) for r in rows.mappings()]
    if not found:
        pattern = "%" + name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        like = outcomes.c.name.like(pattern, escape="\\")
        rows = conn.execute(base.where(like).order_by(*newest).limit(limit))
        found = [dict(r) for r in rows.mappings()]
    for item in found:
        item["started_at"] = utc(item["started_at"])
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
    """The tests flaky in the window that starts at `since`, highest flip rate first."""
    flipped = (
        select(outcomes.c.test_key)
        .join(runs, runs.c.id == outcomes.c.run_id)
        .where(runs.c.started_at >= since)
        .group_by(outcomes.c.test_key)
        .having(func.count(func.distinct(outcomes.c.outcome)) > 1)
    )
    keys = [row[0] for row in conn.execute(flipped)]
    series = outcome_series(conn, keys, since)
    names: dict[str, tuple[str, str, str]] = {}
    for batch in _chunked(keys):
        query = select(
            outcomes.c.test_key, outcomes.c.name, outcomes.c.test_group, outcomes.c.file
        ).where(outcomes.c.test_key.in_(batch))
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
        select(outcomes.c.pattern_id, runs.c.started_at, func.count())
        .join(runs, runs.c.id == outcomes.c.run_id)
        .where(outcomes.c.outcome == "failed", runs.c.started_at >= since)
        .group_by(outcomes.c.pattern_id, runs.c.id, runs.c.started_at)
    )
    return [(pattern, utc(at), int(n)) for pattern, at, n in conn.execute(query)]


def prune(conn: Connection, before: datetime) -> tuple[int, int]:
    """Delete the runs that started before `before` and their outcomes: (runs, outcomes)."""
    old = select(runs.c.id).where(runs.c.started_at < before)
    gone_outcomes = conn.execute(delete(outcomes).where(outcomes.c.run_id.in_(old))).rowcount
    gone_runs = conn.execute(delete(runs).where(runs.c.started_at < before)).rowcount
    return int(gone_runs or 0), int(gone_outcomes or 0)


def totals(conn: Connection) -> tuple[int, int]:
    """(runs, outcomes) in the store."""
    run_count = conn.execute(select(func.count()).select_from(runs)).scalar_one()
    outcome_count = conn.execute(select(func.count()).select_from(outcomes)).scalar_one()
    return int(run_count), int(outcome_count)


__all__ = [
    "FlakyTest",
    "Sighting",
    "flaky_tests",
    "outcome_series",
    "outcomes_of_test",
    "pattern_rows",
    "prune",
    "recent_runs",
    "sightings",
    "totals",
]
