"""One run into the store, and the run's findings told what the store knew of them.

A run's row holds its kind, verdict, timings, counts and metadata; an outcome row holds one
test's outcome: a failure with its pattern, cluster and normalised message, or a pass. The run
is written, then its failures are looked up (earlier runs with the same failure; the test's
outcomes in the flaky window), all in one transaction: a run is recorded whole or not at all,
and two runners writing at once each see the other's run complete or not at all.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from operator import itemgetter
from typing import Any, TypeVar

from sqlalchemy import Connection, insert, select, update

from poolctl.history.flaky import Flips, flips
from poolctl.history.identity import case_id, case_key, failure_id
from poolctl.history.queries import Sighting, outcome_series, sightings, sightings_in_tests
from poolctl.history.runmeta import RunMeta
from poolctl.history.schema import outcomes, runs
from poolctl.history.store import HistoryStore
from poolctl.logs.passes import PassedTest
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

# outcome rows written at a time: a run with 200,000 passes is never held whole in memory
INSERT_BATCH = 5_000
T = TypeVar("T")
OUTCOME_COLUMNS = [c.name for c in outcomes.columns if c.name != "id"]


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


def storable(text: str) -> str:
    """`text` as a store can hold it: a byte that was not UTF-8 (a lone surrogate, from a file
    name) as a visible escape, `\\udcff`, as the JUnit writer writes it."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def _failure_rows(report: Report, clean: Callable[[str], str]) -> list[dict[str, Any]]:
    rows = []
    for finding in report.findings:
        test = case_id(finding.failure)
        failed = failure_id(finding)
        rows.append(
            {
                "test_key": test.key,
                "name": clean(test.name),
                "test_group": clean(test.group),
                "file": storable(test.file) if test.file else test.file,
                "source": finding.failure.source,
                "outcome": "failed",
                "failure_key": failed.key,
                "pattern_id": failed.pattern_id,
                "cluster_id": failed.cluster_id,
                "message": clean(failed.message),
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


def _pass_batches(
    passes: Iterable[PassedTest],
    failed: set[str],
    redactor: Redactor,
    run_id: Any,
    invalid: set[str],
) -> Iterator[list[dict[str, Any]]]:
    """The pass rows of run `run_id`, `INSERT_BATCH` at a time: once per test, without the tests
    that failed in this run (ExUnit's `--trace` lists every test that ran, failed or not) nor
    those of the ExUnit modules in `invalid`."""
    seen = set(failed)

    def unseen() -> Iterator[tuple[str, PassedTest]]:
        for test in passes:
            if test.source == "exunit" and test.group in invalid:
                continue
            key = case_key(test.name, test.group, test.file)
            if key not in seen:
                seen.add(key)
                yield key, test

    for chunk in _in_batches(unseen()):
        yield _pass_rows(chunk, redactor, run_id)


def _pass_rows(
    chunk: list[tuple[str, PassedTest]], redactor: Redactor, run_id: Any
) -> list[dict[str, Any]]:
    # the chunk's names searched at once: they are redacted one by one only when one of them
    # may hold a secret (rarely; 400,000 searches took a second)
    texts = [text for _, t in chunk for text in (t.name, t.group)]
    redacts = redactor.may_hold_any(texts)

    def clean(text: str) -> str:
        return storable(redactor.text(text) if redacts else text)

    return [
        {
            "run_id": run_id,
            "test_key": key,
            "name": clean(t.name),
            "test_group": clean(t.group),
            "file": storable(t.file) if t.file else t.file,
            "source": t.source,
            "outcome": "passed",
            "failure_key": None,
            "pattern_id": None,
            "cluster_id": None,
            "message": None,
        }
        for key, t in chunk
    ]


def _batches(rows: Iterable[dict[str, Any]], run_id: Any) -> Iterator[list[dict[str, Any]]]:
    """The outcome rows of run `run_id`, `INSERT_BATCH` at a time."""
    for batch in _in_batches(rows):
        yield [{**row, "run_id": run_id} for row in batch]


def _in_batches(items: Iterable[T]) -> Iterator[list[T]]:
    """`items`, `INSERT_BATCH` at a time (the last batch may be shorter)."""
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= INSERT_BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _insert_outcomes(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """`rows` inserted through the driver's executemany, the statement compiled once by
    SQLAlchemy for the store's dialect: SQLAlchemy's own per-row handling of the parameters
    cost more than the database's insert. The columns are strings and integers, which no
    dialect converts.

    The rows go in the order of their `test_key`: the keys are hashes, and inserted in the
    log's order each one lands on another page of the (test_key, run_id) index. Sorted, a
    batch fills neighbouring pages (200,000 passes into a store of 400,000 outcomes: 5.3 s
    of SQLite, 3.0 s sorted)."""
    rows.sort(key=itemgetter("test_key"))
    compiled = insert(outcomes).compile(
        dialect=conn.dialect, column_keys=OUTCOME_COLUMNS, for_executemany=True
    )
    if compiled.positional:
        values = itemgetter(*(compiled.positiontup or ()))  # a row's values, in C
        conn.exec_driver_sql(compiled.string, list(map(values, rows)))
    else:
        conn.exec_driver_sql(compiled.string, rows)


def _redactor(secrets: Secrets) -> Redactor:
    """What is stored is redacted as what is shown, even with --keep-secrets (which is for one
    developer's screen): names and messages can quote a token, the store outlives the run, and
    a shared one is read by a whole team."""
    shown = secrets.redactor()
    return shown if shown.enabled else Redactor(shown.named)


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
    passes: Iterable[PassedTest] = (),
    window: timedelta,
    seconds: float | None = None,
    digest: str | None = None,
) -> Report:
    """Write `report` as one run (redacted with the run's `secrets`) and return it with each
    finding's `history`. A triage whose inputs' `digest` a run of the store has already (the
    same log, triaged again to render it otherwise) is not recorded again: its findings get the
    history that run got, and a note says so."""
    redactor = _redactor(secrets)

    def clean(text: str) -> str:
        return storable(redactor.text(text))

    failure_rows = _failure_rows(report, clean)
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
        "run_dir": report.run_dir,
    }
    with store.writing() as conn:
        earlier = _same_inputs(conn, report.kind, digest) if digest else None
        if earlier is not None:
            return _as_recorded(conn, report, failure_rows, earlier, started - window)
        inserted = conn.execute(insert(runs).values(**run_values)).inserted_primary_key
        assert inserted is not None
        run_id = inserted[0]
        passed = 0
        for batch in _batches(failure_rows, run_id):
            _insert_outcomes(conn, batch)
        invalid = invalidated(report)
        for batch in _pass_batches(passes, failed_tests, redactor, run_id, invalid):
            _insert_outcomes(conn, batch)
            passed += len(batch)
        histories = _histories(conn, failure_rows, run_id, started - window)
        counts = {s: sum(1 for h in histories if h.status == s) for s in ("new", "known", "flaky")}
        conn.execute(
            update(runs)
            .where(runs.c.id == run_id)
            .values(**counts, tests=len(failed_tests) + passed, passed=passed)
        )
    return _with_histories(report, histories)


def _histories(
    conn: Connection, failure_rows: list[dict[str, Any]], run_id: int, since: datetime
) -> list[FindingHistory]:
    """Each failure's history: seen in runs other than `run_id`, and its test's flips."""
    seen = sightings(conn, {row["failure_key"] for row in failure_rows}, run_id)
    # not seen under its pattern: a pattern added or changed since may claim what was seen
    unseen = {(r["test_key"], r["message"]) for r in failure_rows if r["failure_key"] not in seen}
    seen_in_test = sightings_in_tests(conn, unseen, run_id) if unseen else {}
    series = outcome_series(conn, {row["test_key"] for row in failure_rows}, since)
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


def _same_inputs(conn: Connection, kind: str, digest: str) -> int | None:
    """The last run of `kind` whose inputs had this digest."""
    query = (
        select(runs.c.id)
        .where(runs.c.kind == kind, runs.c.inputs_digest == digest)
        .order_by(runs.c.id.desc())
        .limit(1)
    )
    found: int | None = conn.execute(query).scalar()
    return found


def _as_recorded(
    conn: Connection,
    report: Report,
    failure_rows: list[dict[str, Any]],
    run_id: int,
    since: datetime,
) -> Report:
    """`report`, its inputs already recorded as run `run_id`: the history that run has."""
    said = f"not recorded again: the same input is history run {run_id} (`poolctl history runs`)"
    again = _with_histories(report, _histories(conn, failure_rows, run_id, since))
    return dataclasses.replace(again, notes=(*report.notes, said))
