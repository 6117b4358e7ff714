"""When a test is flaky: its outcomes flipped in CI runs of one commit, or flipped back and
forth within the window (14 days by default, as GitLab's flaky-test window).

One flip in the window is a change (a regression, or a fix); a second flip (fail, pass, fail)
is flakiness, and so is any flip between CI runs of the same commit: the code did not change,
the outcome did. Only CI runs count for that: a CI job runs its commit as it is, while on a
developer's machine the work tree holds edits the commit does not, and a test broken by an
uncommitted edit is a regression, not a flaky test. Flips are counted within each CI job (a
matrix's leg: `POOLCTL_JOB`, or the provider's job name) and each branch: a test that fails on
every sqlite leg and passes on every postgres leg is not flaky, it is broken on sqlite, and one
that fails on every run of a feature branch and passes on main is broken by that branch. The
window is `POOLCTL_FLAKY_WINDOW` (`14d`, `36h`, `2w`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise

from poolctl.errors import UsageProblem

WINDOW_ENV = "POOLCTL_FLAKY_WINDOW"
DEFAULT_WINDOW = timedelta(days=14)
MAX_SPAN = timedelta(days=100 * 365)  # a duration of history, at most a century
_DURATION = re.compile(r"^\s*(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>[smhdw])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_duration(value: str, where: str) -> timedelta:
    """`90d`, `2w`, `36h`, `30m`, `45s` as a `timedelta`."""
    found = _DURATION.match(value)
    if not found or float(found["n"]) <= 0:
        raise UsageProblem(
            f"{value!r} is not a duration; write a number and a unit: 90d, 2w, 36h, 30m, 45s",
            where=where,
        )
    try:
        span = timedelta(**{_UNITS[found["unit"]]: float(found["n"])})
    except OverflowError:
        span = MAX_SPAN * 2
    if span > MAX_SPAN:  # a window back past year 1 cannot be subtracted from now
        raise UsageProblem(
            f"{value!r} is longer than a history can be: at most {MAX_SPAN.days:,} days",
            where=where,
        )
    return span


def window_from_env() -> timedelta:
    """The flaky window: `POOLCTL_FLAKY_WINDOW`, else 14 days."""
    value = os.environ.get(WINDOW_ENV, "").strip()
    return parse_duration(value, WINDOW_ENV) if value else DEFAULT_WINDOW


@dataclass(frozen=True)
class Outcome:
    """One run's outcome of one test."""

    at: datetime
    run_id: int
    commit: str | None  # the commit of a CI run; None outside CI (see the module's docstring)
    passed: bool
    job: str | None = None  # the CI job it ran in; None when unknown (or outside CI)
    branch: str | None = None  # the branch it ran on; None when unknown


@dataclass(frozen=True)
class Flips:
    """A test's outcomes in the window, in run order, and how often they changed."""

    runs: int
    flips: int  # within each job and branch
    chances: int  # consecutive pairs of runs of one job and branch: chances to flip
    same_commit: bool  # passed and failed in CI runs of one commit, in one job
    last_passed: bool

    @property
    def flaky(self) -> bool:
        return self.flips >= 2 or self.same_commit

    @property
    def rate(self) -> float:
        """Flips per chance to flip (consecutive pairs of runs of one job): 1.0 alternates
        every run."""
        return self.flips / self.chances if self.chances else 0.0


def per_run(outcomes: Sequence[Outcome]) -> list[Outcome]:
    """One outcome per run, in run order: failed when any of the run's outcomes failed."""
    runs: dict[int, Outcome] = {}
    for outcome in outcomes:
        seen = runs.get(outcome.run_id)
        if seen is None or (seen.passed and not outcome.passed):
            runs[outcome.run_id] = outcome
    return sorted(runs.values(), key=lambda o: (o.at, o.run_id))


def flips(outcomes: Sequence[Outcome]) -> Flips:
    """How a test's outcomes (any order, several per run allowed) changed, job by job and
    branch by branch."""
    ordered = per_run(outcomes)
    by_job: dict[tuple[str | None, str | None], list[Outcome]] = {}
    for outcome in ordered:
        by_job.setdefault((outcome.job, outcome.branch), []).append(outcome)
    changed = chances = 0
    by_commit: dict[tuple[tuple[str | None, str | None], str], set[bool]] = {}
    for job, runs in by_job.items():
        changed += sum(1 for a, b in pairwise(runs) if a.passed != b.passed)
        chances += len(runs) - 1
        for outcome in runs:
            if outcome.commit:
                by_commit.setdefault((job, outcome.commit), set()).add(outcome.passed)
    same_commit = any(len(seen) == 2 for seen in by_commit.values())
    last = ordered[-1].passed if ordered else False
    return Flips(len(ordered), changed, chances, same_commit, last)
