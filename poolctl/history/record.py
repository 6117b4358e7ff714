"""One run into the store, and the run's findings told what the store knew of them.

A run's row holds its kind, verdict, timings, counts and metadata; a failure's row holds the
test, its pattern, cluster and normalised message; the run's passes are one row, its passing
tests' keys packed (`packed`), the tests the store had not seen added to `tests`. The run is
written, then its failures are looked up (earlier runs with the same failure; the test's
outcomes in the flaky window), all in one transaction: a run is recorded whole or not at all,
and two runners writing at once each see the other's run complete or not at all.
"""

from __future__ import annotations

import array
import dataclasses
import json
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from poolctl.history.flaky import Flips, flips
from poolctl.history.identity import case_id, failure_id
from poolctl.history.lookups import (
    Sighting,
    chunked,
    outcome_series,
    sightings,
    sightings_in_tests,
)
from poolctl.history.new_tests import (
    COLUMNS,
    Prepared,
    copy_prepared,
    left_out_of,
    rows_of,
    storable,
    stored_redactor,
)
from poolctl.history.packed import KEY_BYTES, hex_key, holds, key_of, pack, repack, unpack
from poolctl.history.rawdb import Db, SqliteDb, in_list
from poolctl.history.runmeta import RunMeta
from poolctl.history.store import HistoryStore
from poolctl.model import (
    Diagnosis,
    DoctorDetails,
    FindingHistory,
    HistoryStatus,
    PingDetails,
    Report,
    ScenarioDetails,
    TriageDetails,
)
from poolctl.redact import Redactor, Secrets

if TYPE_CHECKING:
    from poolctl.history.ahead import KeyedPass, Test

# outcome rows written at a time: a run with 200,000 passes is never held whole in memory
INSERT_BATCH = 5_000
# new tests added to `tests` at a time: each batch, sorted, is inserted across the whole key
# range, and SQLite's 2 MB page cache spilled and read pages again for each of 40 batches of a
# suite's first run (200,000 tests: 0.78 s of inserting; 0.57 s in 8 batches, 0.5 s in one)
NEW_TESTS_BATCH = 25_000
FAILURE_COLUMNS = (
    "run_id", "test_key", "name", "test_group", "file", "source", "outcome", "failure_key",
    "pattern_id", "cluster_id", "message",
)  # fmt: skip


def iso(moment: datetime | None) -> str | None:
    """A stored time as ISO 8601 in UTC (SQLite gives it back without its zone)."""
    if moment is None:
        return None
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat(timespec="seconds")


def verdict(report: Report) -> str:
    """The run's outcome in a word: passed/failed (triage, scenario), ok/failed (ping),
    ok/warn/fail (doctor)."""
    details = report.details
    if isinstance(details, ScenarioDetails):
        return "passed" if details.passed else "failed"
    if isinstance(details, PingDetails):
        return "ok" if details.ok and not report.findings else "failed"
    if report.kind == "doctor":
        statuses = {c.status for c in report.checks}
        return "fail" if "fail" in statuses else "warn" if "warn" in statuses else "ok"
    return "failed" if report.findings or unread(report) else "passed"


def unread(report: Report) -> int:
    """The failures a triage's runners counted that it could not read (a run cut short)."""
    details = report.details
    coverage = details.coverage if isinstance(details, TriageDetails) else None
    return coverage.unread if coverage is not None else 0


def timings(report: Report, seconds: float | None) -> dict[str, Any]:
    """What the run measured, by kind: round trips, check and run durations, lines read."""
    details = report.details
    out: dict[str, Any] = {}
    if isinstance(details, PingDetails):
        out = {"round_trips": len(details.round_trips_ms), **dict(details.stats_ms)}
    elif isinstance(details, DoctorDetails):
        out = {"seconds": details.seconds, "checks": {c.name: c.seconds for c in report.checks}}
    elif isinstance(details, ScenarioDetails):
        out = {"seconds": details.seconds, "events": details.events}
    elif isinstance(details, TriageDetails):
        out = {"lines_read": details.lines_read}
    if seconds is not None:
        out.setdefault("seconds", round(seconds, 3))
    return out


# the columns of a failure's row that may quote a secret (a test's name, its message)
_REDACTED_COLUMNS = ("name", "test_group", "message")


def _failure_rows(report: Report) -> list[dict[str, Any]]:
    """A row per failure, its texts as the report has them (`record` redacts them)."""
    rows = []
    for finding in report.findings:
        test = case_id(finding.failure)
        failed = failure_id(finding)
        rows.append(
            {
                "test_key": test.key,
                "name": test.name,
                "test_group": test.group,
                "file": storable(test.file) if test.file else test.file,
                "source": finding.failure.source,
                "outcome": "failed",
                "failure_key": failed.key,
                "pattern_id": failed.pattern_id,
                "cluster_id": failed.cluster_id,
                "message": failed.message,
            }
        )
    return rows


def invalidated(report: Report) -> set[str]:
    """The ExUnit modules whose `setup_all` failed: their tests did not pass, though
    `--trace` prints them as run (ExUnit counts them invalid)."""
    return {
        f.failure.group
        for f in report.findings
        if f.failure.source == "exunit" and f.failure.details.get("callback") == "setup_all"
    }


def _last_value(db: Db) -> bytes:
    """The packed keys of the tests the store's last run with passes passed (empty: none):
    all in `tests` already (a suite run again names its tests again, and none of them is
    looked up)."""
    found = db.rows("SELECT test_keys FROM run_passes ORDER BY run_id DESC LIMIT 1")
    return bytes(found[0][0]) if found else b""


def _same_as_last(
    last: bytes, distinct: bytes, failed_numbers: set[int], invalid: set[str]
) -> bool:
    """Whether this run's passes are the last run's: its distinct keys (`distinct`, packed as
    the history's reading beside the triage packed them), but those of the tests that failed
    now (a test can print PASSED, then fail its teardown), packed the same bytes, and no
    ExUnit module's setup_all failed. Told without a set of 200,000 keys: on a 200 MB
    `pytest -vv` log, building them and testing every key took 0.4 s of the recording."""
    if not distinct or invalid:
        return False
    keys = unpack(distinct)
    if not any(holds(keys, n) for n in failed_numbers):
        return distinct == last
    kept = array.array("Q", (n for n in keys if n not in failed_numbers))
    return bool(kept) and repack(kept) == last


@dataclasses.dataclass(frozen=True)
class RunPasses:
    """A triaged run's passes as the recording takes them: `keyed`, each with its key, and
    what the history's reading beside the triage (`ahead`) knows of them beforehand."""

    keyed: Iterable[KeyedPass] = ()
    keys: Sequence[int] | None = None  # every pass's key (None: not known beforehand)
    distinct: bytes = b""  # their distinct keys, packed (`packed.pack`; empty: not known)
    prepared: Prepared | None = None  # their rows for `tests`, which stand for `keyed`
    # the packed keys of the store's last run, as the reading found them: `keyed` leaves out
    # the passes of those tests (their names are in `tests`, which never loses a row); and
    # every pass read again, for when that run is no longer the last one
    left_out: bytes = b""
    again: Callable[[], Iterable[KeyedPass]] = tuple


def _record_passes(
    db: Db,
    passes: RunPasses,
    failed: set[str],
    redactor: Redactor,
    run_id: Any,
    invalid: set[str],
) -> int:
    """Run `run_id`'s passes (each with its key) as one packed row, each test once, without
    the tests that failed in this run (ExUnit's `--trace` lists every test that ran, failed or
    not) nor those of the ExUnit modules in `invalid`; the tests the store had not seen are
    added to `tests`, `NEW_TESTS_BATCH` at a time. Returns how many passed. With every pass's
    `keys` known beforehand, a run whose every test the last run passed or this one failed
    (most runs of a suite) reads none of its passes' names; and with its passes' rows
    prepared beside the triage (a suite's first run: attached, `new_tests`) neither does one
    that adds tests, and no pass is given. With their `distinct` keys packed (read beside the
    triage), a run whose passes are the last run's (a suite run again) is told so by
    comparing bytes, and no key is looked at. Passes `left_out` are read again when another
    run was recorded since they were left out, or when tests are left out by their module."""
    known_packed = _last_value(db)
    if passes.left_out and (passes.left_out != known_packed or invalid):
        passes = RunPasses(passes.again())
    keys, distinct = passes.keys, passes.distinct
    failed_numbers = {n for key in failed if (n := key_of(key)) is not None}
    if _same_as_last(known_packed, distinct, failed_numbers, invalid):  # a suite run again
        return _record_value(db, len(known_packed) // KEY_BYTES, run_id, known_packed)
    known = set(unpack(known_packed))
    # (the keys are tested one by one against the known ones: a set of 200,000 more keys is
    # 14 MB of peak RSS, for a run that adds tests and so needs the loop anyway)
    if keys is not None and not invalid and (known | failed_numbers).issuperset(keys):
        numbers = set(keys) - failed_numbers
        return _record_packed(db, numbers, run_id, known_packed if numbers == known else None)
    any_test = bool(known) or bool(db.rows("SELECT test_key FROM tests LIMIT 1"))
    if passes.prepared is not None:  # the passes are the rows made beside the triage
        prepared = passes.prepared.packed
        # their keys, sorted: the few left out are found by bisection, with no set of them all
        passed = unpack(prepared)
        dropped = failed_numbers | left_out_of(db, invalid, redactor)
        left_out = {n for n in dropped if holds(passed, n)}
        copy_prepared(db, left_out, into_empty=not any_test)
        if not left_out:
            return _record_value(db, len(passed), run_id, prepared)
        return _record_packed(db, set(passed) - left_out, run_id, None)
    seen = set(failed_numbers)
    unknown: dict[int, Test] = {}
    for number, test in passes.keyed:  # the loop of 200,000: each step kept to a few operations
        if invalid and test[0] == "exunit" and test[2] in invalid:  # (source, name, group, …)
            continue
        if number in seen:
            continue
        seen.add(number)
        if number not in known:
            unknown[number] = test
            if len(unknown) >= NEW_TESTS_BATCH:
                _add_tests(db, unknown, redactor, any_test)
                unknown = {}
    if unknown:
        _add_tests(db, unknown, redactor, any_test)
    # (`keyed` may leave out passes, not `keys`; tests left out by their module are not in `seen`)
    numbers = seen - failed_numbers if keys is None or invalid else set(keys) - failed_numbers
    return _record_packed(db, numbers, run_id, known_packed if numbers == known else None)


def _record_packed(db: Db, numbers: set[int], run_id: Any, packed: bytes | None) -> int:
    """The run's passing tests' keys as its one `run_passes` row; how many. Their `packed`
    value when it is known already (the last run's, when the same tests passed, as in most
    runs of a suite; the one made beside the triage): not sorted again (sorting 200,000 keys
    took 0.07 s)."""
    if not numbers:
        return 0
    return _record_value(db, len(numbers), run_id, packed if packed is not None else pack(numbers))


def _record_value(db: Db, count: int, run_id: Any, value: bytes) -> int:
    """`count` passes, packed in `value`, as the run's `run_passes` row (none when none)."""
    if count:
        db.many("run_passes", ("run_id", "passed", "test_keys"), [(run_id, count, value)])
    return count


def _add_tests(db: Db, found: dict[int, Test], redactor: Redactor, look_up: bool) -> None:
    """The tests of `found` that `tests` does not hold yet, added (`look_up`: it may hold some)."""
    if look_up:
        for batch in chunked(sorted(found)):
            keys, params = in_list("k", [hex_key(n) for n in batch])
            for (key,) in db.rows(f"SELECT test_key FROM tests WHERE test_key IN {keys}", params):
                found.pop(int(key, 16), None)
    if found:
        db.many("tests", COLUMNS, rows_of(found, redactor))


def _status(seen: Sighting | None, test: Flips | None) -> FindingHistory:
    status: HistoryStatus = "new"
    if test is not None and test.flaky:
        status = "flaky"
    elif seen is not None and seen.runs:
        status = "known"
    if seen is None or not seen.runs:
        return FindingHistory(status)
    return FindingHistory(status, seen.runs, iso(seen.first), iso(seen.last))


def record(
    store: HistoryStore,
    report: Report,
    meta: RunMeta,
    *,
    secrets: Secrets,
    passes: RunPasses = RunPasses(),
    window: timedelta,
    seconds: float | None = None,
    digest: str | None = None,
) -> Report:
    """Write `report` as one run (redacted with the run's `secrets`) and return it with each
    finding's `history`. A triage whose inputs' `digest` a run of the store has already (the
    same log, triaged again to render it otherwise) is not recorded again: its findings get the
    history that run got, and a note says so."""
    redactor = stored_redactor(secrets)
    rows = _failure_rows(report)
    # one search over every name and message at once: most runs quote no secret, and then
    # none is searched again one by one (7,350 searches for 2,450 failures)
    texts = [report.title, *(row[k] for row in rows for k in _REDACTED_COLUMNS)]
    redacts = redactor.may_hold_any(texts)

    def clean(text: str) -> str:
        return storable(redactor.text(text) if redacts else text)

    failure_rows = [{**row, **{k: clean(row[k]) for k in _REDACTED_COLUMNS}} for row in rows]
    failed_tests = {row["test_key"] for row in failure_rows}
    patterns = sorted(
        {f.outcome.pattern_id for f in report.findings if isinstance(f.outcome, Diagnosis)}
    )
    started = meta.started_at.astimezone(UTC)
    run_values = {
        "started_at": started,
        "kind": report.kind,
        "title": clean(report.title),
        "verdict": verdict(report),
        "seconds": round(seconds, 3) if seconds is not None else None,
        "timings": json.dumps(timings(report, seconds), sort_keys=True),
        "tests": 0,  # counted as the passes are written
        "failures": len(failure_rows) + unread(report),  # counted, if not read
        "passed": 0,
        "new": 0,
        "known": 0,
        "flaky": 0,
        "patterns": json.dumps(patterns),
        "commit_sha": meta.commit,
        "branch": meta.branch,
        "ci_provider": meta.ci_provider,
        "ci_job_url": clean(meta.ci_job_url) if meta.ci_job_url else None,
        "job": clean(meta.job)[:255] if meta.job else None,
        "host": meta.host,
        "inputs": json.dumps([clean(i) for i in report.inputs]),
        "inputs_digest": digest,
        "run_dir": storable(report.run_dir) if report.run_dir else None,
    }
    prepared = passes.prepared
    with store.recording(prepared.file if prepared is not None else None) as db:
        assert prepared is None or isinstance(db, SqliteDb), "attached only through sqlite3"
        earlier = _same_inputs(db, report.kind, digest) if digest else None
        if earlier is not None:
            return _as_recorded(db, report, failure_rows, earlier, started - window)
        run_values["started_at"] = db.stamp(started)
        names = ", ".join(run_values)
        marks = ", ".join(f":{name}" for name in run_values)
        run_id = db.insert_id(f"INSERT INTO runs ({names}) VALUES ({marks})", run_values)
        for batch in chunked(sorted(failure_rows, key=itemgetter("test_key")), INSERT_BATCH):
            db.many(
                "failures",
                FAILURE_COLUMNS,
                [(run_id, *map(row.get, FAILURE_COLUMNS[1:])) for row in batch],
            )
        invalid = invalidated(report)
        passed = _record_passes(db, passes, failed_tests, redactor, run_id, invalid)
        histories = _histories(db, failure_rows, run_id, started - window)
        counts = {s: sum(1 for h in histories if h.status == s) for s in ("new", "known", "flaky")}
        db.run(
            "UPDATE runs SET new = :new, known = :known, flaky = :flaky, tests = :tests, "
            "passed = :passed WHERE id = :id",
            {**counts, "tests": len(failed_tests) + passed, "passed": passed, "id": run_id},
        )
    return _with_histories(report, histories)


def _histories(
    db: Db, failure_rows: list[dict[str, Any]], run_id: int, since: datetime
) -> list[FindingHistory]:
    """Each failure's history: seen in runs other than `run_id`, and its test's flips."""
    seen = sightings(db, {row["failure_key"] for row in failure_rows}, run_id)
    # not seen under its pattern: a pattern added or changed since may claim what was seen
    unseen = {(r["test_key"], r["message"]) for r in failure_rows if r["failure_key"] not in seen}
    seen_in_test = sightings_in_tests(db, unseen, run_id) if unseen else {}
    series = outcome_series(db, {row["test_key"] for row in failure_rows}, since)
    changes = {key: flips(values) for key, values in series.items()}
    return [
        _status(
            seen.get(row["failure_key"]) or seen_in_test.get((row["test_key"], row["message"])),
            changes.get(row["test_key"]),
        )
        for row in failure_rows
    ]


def _with_histories(report: Report, histories: list[FindingHistory]) -> Report:
    findings = [
        dataclasses.replace(finding, history=history)
        for finding, history in zip(report.findings, histories, strict=True)
    ]
    return dataclasses.replace(report, findings=tuple(findings))


def _same_inputs(db: Db, kind: str, digest: str) -> int | None:
    """The last run of `kind` whose inputs had this digest."""
    found = db.rows(
        "SELECT id FROM runs WHERE kind = :kind AND inputs_digest = :digest "
        "ORDER BY id DESC LIMIT 1",
        {"kind": kind, "digest": digest},
    )
    return int(found[0][0]) if found else None


def _as_recorded(
    db: Db,
    report: Report,
    failure_rows: list[dict[str, Any]],
    run_id: int,
    since: datetime,
) -> Report:
    """`report`, its inputs already recorded as run `run_id`: the history that run has."""
    said = f"not recorded again: the same input is history run {run_id} (`poolctl history runs`)"
    again = _with_histories(report, _histories(db, failure_rows, run_id, since))
    return dataclasses.replace(again, notes=(*report.notes, said))
