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
from poolctl.logs.records import MAX_RUNS, LogLine, ParsedLog, RunSummary
from poolctl.model import Coverage, Failure, RunCount, RunsPastCap, UnreadRegion

MAX_REGIONS = 20  # regions named per report; the count stays exact


def coverage(parsed: ParsedLog) -> Coverage | None:
    """The runners' counts against what was read, or None when no input has a count."""
    runs = [
        s
        for s in parsed.summaries
        if not s.inferred and s.failures is not None and s.read is not None
    ]
    if not runs and not parsed.runs_counted:
        return None
    regions: list[UnreadRegion] = []
    for run in runs:
        if (run.failures or 0) > (run.read or 0):
            regions += _regions(run, parsed.suspects, parsed.failures)
    only_counted = sum(k.counted for k in parsed.runs_counted.values())  # all of them read
    return Coverage(
        counted=sum(s.failures or 0 for s in runs) + only_counted,
        read=sum(min(s.read or 0, s.failures or 0) for s in runs) + only_counted,
        runs=tuple(
            RunCount(s.file, s.start, s.line, s.text, s.failures or 0, s.read or 0)
            for s in runs[:MAX_RUNS]
        ),
        regions=tuple(regions[:MAX_REGIONS]),
        more=_past_cap(parsed, runs[MAX_RUNS:]),
    )


def _past_cap(parsed: ParsedLog, runs: Sequence[RunSummary]) -> tuple[RunsPastCap, ...]:
    """The runs past those listed, counted by input, in input order: those kept past the cap
    (with failures not read, or runs of no count) and those the parser only counted."""
    sums: dict[str, list[int]] = {}  # file: its first line, last line, runs, counted, read, unread
    only_counted = parsed.runs_counted.items()
    for file, start, line, n, counted, read in [
        *((s.file, s.start, s.line, 1, s.failures or 0, s.read or 0) for s in runs),
        *((f, k.start, k.line, k.runs, k.counted, k.counted) for f, k in only_counted),
    ]:
        was = sums.setdefault(file, [start, line, 0, 0, 0, 0])
        was[:] = [
            min(was[0], start), max(was[1], line), was[2] + n, was[3] + counted,
            was[4] + min(read, counted), was[5] + max(0, counted - read),
        ]  # fmt: skip
    order = {name: i for i, name in enumerate(parsed.inputs)}
    files = sorted(sums, key=lambda f: order.get(f, len(order)))
    return tuple(RunsPastCap(f, *sums[f]) for f in files)


def summary_lines(parsed: ParsedLog) -> tuple[str, ...]:
    """The runners' closing lines (a JUnit suite's counts), `file:line: text`: the first
    `MAX_RUNS`, then one line per input counting the runs past them."""
    lines = [f"{s.file}:{s.line}: {s.text.strip()}" for s in parsed.summaries[:MAX_RUNS]]
    for past in _past_cap(parsed, parsed.summaries[MAX_RUNS:]):
        lines.append(
            f"{past.file}:{past.start}-{past.line}: {past.runs:,} more runs, not listed one by "
            f"one (past the first {MAX_RUNS:,}): {past.counted:,} failures counted, "
            f"{past.read:,} read"
        )
    return tuple(lines)


def runs_note(parsed: ParsedLog) -> list[str]:
    """A note when runs past `MAX_RUNS` are counted, not listed."""
    groups = _past_cap(parsed, parsed.summaries[MAX_RUNS:])
    if not groups:
        return []
    first = groups[0]
    return [
        f"runs past the first {MAX_RUNS:,} are counted by input, not listed one by one: "
        f"{sum(g.runs for g in groups):,} of them (from {first.file}:{first.start} on), in the "
        "runner lines and, those that count failures, in report.json's coverage.more"
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
