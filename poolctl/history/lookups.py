"""What recording a run reads back, in plain SQL (`rawdb`): earlier sightings of its failures,
and its failing tests' outcomes in the flaky window. `queries` answers `poolctl history` with
the same functions.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from poolctl.history.flaky import Outcome
from poolctl.history.packed import holds, key_of, unpack
from poolctl.history.rawdb import Db, in_list, utc

CHUNK = 500  # keys per IN (...) list
T = TypeVar("T")


def chunked(items: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    """`items`, `size` at a time (the last batch may be shorter)."""
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


@dataclass(frozen=True)
class Sighting:
    """Earlier runs that had one failure: how many, the first and the last."""

    runs: int
    first: datetime
    last: datetime


def sightings(db: Db, failure_keys: Iterable[str], exclude_run: int) -> dict[str, Sighting]:
    """For each failure key, the runs other than `exclude_run` that had it."""
    out: dict[str, Sighting] = {}
    for batch in chunked(sorted(failure_keys)):
        keys, params = in_list("k", batch)
        query = (
            "SELECT f.failure_key, count(DISTINCT f.run_id), min(r.started_at), "
            "max(r.started_at) FROM failures AS f JOIN runs AS r ON r.id = f.run_id "
            f"WHERE f.failure_key IN {keys} AND f.run_id != :exclude GROUP BY f.failure_key"
        )
        for key, count, first, last in db.rows(query, {**params, "exclude": exclude_run}):
            out[key] = Sighting(int(count), utc(first), utc(last))
    return out


def sightings_in_tests(
    db: Db, wanted: Iterable[tuple[str, str]], exclude_run: int
) -> dict[tuple[str, str], Sighting]:
    """For each (test key, normalised message), the runs other than `exclude_run` in which
    that test failed with that message, whatever pattern claimed it then (or none): a failure
    a pattern added or changed since now claims is still the one seen before."""
    wanted = set(wanted)
    out: dict[tuple[str, str], Sighting] = {}
    for batch in chunked(sorted({test for test, _ in wanted})):
        keys, params = in_list("k", batch)
        query = (
            "SELECT f.test_key, f.message, count(DISTINCT f.run_id), min(r.started_at), "
            "max(r.started_at) FROM failures AS f JOIN runs AS r ON r.id = f.run_id "
            f"WHERE f.test_key IN {keys} AND f.outcome = 'failed' AND f.run_id != :exclude "
            "GROUP BY f.test_key, f.message"
        )
        for test, message, count, first, last in db.rows(query, {**params, "exclude": exclude_run}):
            if (test, message) in wanted:
                out[(test, message)] = Sighting(int(count), utc(first), utc(last))
    return out


_RUN = "r.id, r.started_at, r.commit_sha, r.ci_provider, r.job, r.branch"


def _outcome(row: Sequence[Any], passed: bool) -> Outcome:
    run_id, at, commit, ci, job, branch = row
    pinned = commit if ci else None  # only a CI run's commit is the code that ran
    return Outcome(utc(at), run_id, pinned, passed, job, branch)


def outcome_series(db: Db, test_keys: Iterable[str], since: datetime) -> dict[str, list[Outcome]]:
    """Each test's outcomes in runs that started at `since` or later (with the commit and the
    job of the runs made in CI, and the branch): its failures' rows, and its key in each run's
    packed passes."""
    out: dict[str, list[Outcome]] = {}
    wanted = sorted(set(test_keys))
    after = db.stamp(since)
    # one (frozen) outcome a run, shared by its tests: its time was parsed once per test and
    # run, 27,500 times for 2,500 failing tests in 11 runs
    failed_in: dict[int, Outcome] = {}
    for batch in chunked(wanted):
        keys, params = in_list("k", batch)
        query = (
            f"SELECT f.test_key, {_RUN} FROM failures AS f JOIN runs AS r ON r.id = f.run_id "
            f"WHERE f.test_key IN {keys} AND r.started_at >= :since"
        )
        for key, *run in db.rows(query, {**params, "since": after}):
            failed = failed_in.get(run[0])
            if failed is None:
                failed = failed_in[run[0]] = _outcome(run, passed=False)
            out.setdefault(key, []).append(failed)
    numbers = [(key, n) for key in wanted if (n := key_of(key)) is not None]
    if not numbers:
        return out
    query = (
        f"SELECT p.test_keys, {_RUN} FROM run_passes AS p JOIN runs AS r ON r.id = p.run_id "
        "WHERE r.started_at >= :since"
    )
    for packed, *run in db.rows(query, {"since": after}):
        keys_of_run = unpack(packed)
        passed = _outcome(run, passed=True)
        for key, number in numbers:
            if holds(keys_of_run, number):
                out.setdefault(key, []).append(passed)
    return out
