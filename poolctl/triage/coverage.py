"""Reconciling the runners' own failure counts with the failures read: nothing lost silently.

Every run a runner counted (ExUnit's `N tests, M failures`, pytest's `N failed, M errors`, a
JUnit suite's `failures` and `errors`) is set against the failures read in it. When fewer were
read, the report says how many were not and where they may be: the lines that look like the
start of a failure no parser understood, or else the whole run. Runs without a count of their
own (a paste cut before its closing line) count nothing. The first `MAX_RUNS` runs are listed one
by one; past them, runs are counted by input, never listed (a report of 100,000 suites).
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from poolctl.logs.junit_suites import CUT_SOURCE
from poolctl.logs.records import LogLine, ParsedLog, RunSummary
from poolctl.model import Coverage, Failure, RunCount, RunsPastCap, UnreadRegion

MAX_REGIONS = 20  # regions named per report; the count stays exact
MAX_RUNS = 1_000  # runs listed one by one (closing lines, JUnit suites); the rest counted by input


def coverage(parsed: ParsedLog) -> Coverage | None:
    """The runners' counts against what was read, or None when no input has a count."""
    runs = [
        s
        for s in parsed.summaries
        if not s.inferred and s.failures is not None and s.read is not None
    ]
    if not runs:
        return None
    regions: list[UnreadRegion] = []
    for run in runs:
        if (run.failures or 0) > (run.read or 0):
            regions += _regions(run, parsed.suspects, parsed.failures)
    return Coverage(
        counted=sum(s.failures or 0 for s in runs),
        read=sum(min(s.read or 0, s.failures or 0) for s in runs),
        runs=tuple(
            RunCount(s.file, s.start, s.line, s.text, s.failures or 0, s.read or 0)
            for s in runs[:MAX_RUNS]
        ),
        regions=tuple(regions[:MAX_REGIONS]),
        more=_past_cap(runs[MAX_RUNS:]),
    )


def _past_cap(runs: Sequence[RunSummary]) -> tuple[RunsPastCap, ...]:
    """The runs past those listed, counted by input, in input order."""
    by_file: dict[str, RunsPastCap] = {}
    for s in runs:
        counted, read = s.failures or 0, s.read or 0
        was = by_file.get(s.file) or RunsPastCap(s.file, s.start, s.line, 0, 0, 0, 0)
        by_file[s.file] = RunsPastCap(
            s.file, was.start, s.line, was.runs + 1, was.counted + counted,
            was.read + min(read, counted), was.unread + max(0, counted - read),
        )  # fmt: skip
    return tuple(by_file.values())


def summary_lines(parsed: ParsedLog) -> tuple[str, ...]:
    """The runners' closing lines (a JUnit suite's counts), `file:line: text`: the first
    `MAX_RUNS`, then one line per input counting the runs past them."""
    lines = [f"{s.file}:{s.line}: {s.text.strip()}" for s in parsed.summaries[:MAX_RUNS]]
    for past in _past_cap(parsed.summaries[MAX_RUNS:]):
        lines.append(
            f"{past.file}:{past.start}-{past.line}: {past.runs:,} more runs, not listed one by "
            f"one (past the first {MAX_RUNS:,}): {past.counted:,} failures counted, "
            f"{past.read:,} read"
        )
    return tuple(lines)


def runs_note(parsed: ParsedLog) -> list[str]:
    """A note when runs past `MAX_RUNS` are counted, not listed."""
    past = len(parsed.summaries) - MAX_RUNS
    if past <= 0:
        return []
    first = parsed.summaries[MAX_RUNS]
    return [
        f"runs past the first {MAX_RUNS:,} are counted by input, not listed one by one: "
        f"{past:,} of them (from {first.file}:{first.start} on), in the runner lines and, "
        "those that count failures, in report.json's coverage.more"
    ]


def _regions(
    run: RunSummary, suspects: Sequence[LogLine], failures: Sequence[Failure]
) -> list[UnreadRegion]:
    """Where a run's unread failures may be: from each line that looks like one to the next
    failure read (or the run's end); the whole run when no line looks like one."""
    if run.source == CUT_SOURCE:  # the failures not read are past the cut: not in the file
        why = f"{run.text}: {run.failures} counted, {run.read} read; the rest is not in the file"
        return [UnreadRegion(run.file, run.line, run.line, why)]
    starts = sorted(f.line_start for f in failures if f.input_file == run.file)
    last = max(run.start, run.line - 1) if run.output_end is None else run.output_end
    end = max(run.line, last)
    found = [s for s in suspects if s.file == run.file and run.start <= s.line <= end]
    if not found:
        why = f"{run.text}: {run.failures} counted, {run.read} read; no failure header found"
        return [UnreadRegion(run.file, run.start, last, why)]
    regions: list[UnreadRegion] = []
    for suspect in found:
        following = starts[bisect.bisect_right(starts, suspect.line) :]
        end = min([last, *(n - 1 for n in following[:1])])
        if regions and suspect.line <= regions[-1].end + 1:
            previous = regions.pop()
            regions.append(
                UnreadRegion(run.file, previous.start, max(previous.end, end), previous.why)
            )
            continue
        why = f"not read as a failure: {' '.join(suspect.text.split())}"
        regions.append(UnreadRegion(run.file, suspect.line, max(end, suspect.line), why))
    return regions


def over_counts(parsed: ParsedLog) -> list[str]:
    """A note for each run in which more failures were read than its runner counted (Maven
    Surefire writes a `@Nested` class's report with the outer class's tests in it, a test
    that passed on a rerun among them as a failure): the count is not checked there."""
    notes = []
    for s in parsed.summaries:
        if s.source != "suite attributes" or s.failures is None or (s.read or 0) <= s.failures:
            continue  # (a run's own failure, as an interrupted pytest, is counted by none)
        notes.append(
            f"{s.file}:{s.line}: {s.read} failures read where the runner counted {s.failures} "
            f"('{s.text}'): its report lists failures its own count leaves out (a test "
            "written twice, or one that passed on a rerun)"
        )
    return notes
