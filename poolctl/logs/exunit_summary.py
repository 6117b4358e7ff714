"""ExUnit's closing line: `2 doctests, 29 tests, 0 failures, 31 excluded`, `Result: 1 failed,
2 passed` (older formatters), `1 contract, 1 test, 1 failure` (a test type a library registered
with `ExUnit.Case.register_test`: every word counted before the failures is a test type); and
rebar3's EUnit run, which closes so too, its cancelled tests failures of the run (`14 tests, 7
failures, 6 cancelled`: a test past its timeout, and those EUnit gave up with it)."""

from __future__ import annotations

import re

SUMMARY_RE = re.compile(
    r"^(?:(?P<label>Result|Failed|Tests):[ \t]*)?"
    r"(?P<counts>\d+ [a-z]+(?:,? \d+ [a-z]+)*)(?P<rest>[ ,.(].*)?$"
)
COUNT_RE = re.compile(r"(\d+) ([a-z]+)")
TEST_WORDS = {
    *("test", "tests", "doctest", "doctests", "property", "properties"),
    *("scenario", "scenarios", "feature", "features", "story", "stories"),
}
FAILURE_WORDS = {"failure", "failures", "failed"}
SUMMARY_WORDS = TEST_WORDS | FAILURE_WORDS | {"passed", "skipped", "excluded", "invalid"}
SUMMARY_WORDS |= {"cancelled"}  # rebar3's EUnit


def is_closing_line(line: str, stripped: str) -> bool:
    """Whether `line` may be a runner's closing line: it starts with a count or a label, and
    speaks of failures or has its label (`3 tests, 0 failures`, `Result: 2 passed`)."""
    if not (stripped[:1].isdigit() or stripped.startswith(("Result:", "Failed:", "Tests:"))):
        return False
    # (no generator: every Logger line starts with a digit, its time)
    return " fail" in line or "Result: " in line or "Failed: " in line or "Tests: " in line


def closing_counts(stripped: str) -> tuple[int | None, int | None] | None:
    """The tests and failures a closing line counts (each None when it does not say), or None
    when `stripped` is no closing line."""
    match = SUMMARY_RE.match(stripped)
    if not match:
        return None
    counts: dict[str, int] = {}
    types = set(TEST_WORDS)
    pairs = COUNT_RE.findall(match.group("counts"))
    failed_at = next((i for i, (_, w) in enumerate(pairs) if w in FAILURE_WORDS), -1)
    for i, (value, word) in enumerate(pairs):
        if i < failed_at and word not in SUMMARY_WORDS:
            types.add(word)  # `1 contract, 1 test, 1 failure`: a registered test type
        counts[word] = counts.get(word, 0) + int(value)
    if not set(counts) <= SUMMARY_WORDS | types or not set(counts) & (types | FAILURE_WORDS):
        return None
    tests = sum(v for w, v in counts.items() if w in types) if set(counts) & types else None
    failed = set(counts) & FAILURE_WORDS
    failures = sum(v for w, v in counts.items() if w in FAILURE_WORDS) if failed else None
    if counts.get("cancelled"):  # rebar3's EUnit: its run failed on them
        failures = (failures or 0) + counts["cancelled"]
    if match.group("label") == "Failed" and failures is None:
        failures, tests = tests, None
    if tests is None and failures is not None and "passed" in counts:
        tests = counts["passed"] + failures + counts.get("skipped", 0)
    return tests, failures
