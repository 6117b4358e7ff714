"""A JUnit failure whose text is what a go test logged, as gotestsum's `--junitfile` and
go-junit-report write it (`message="Failed"`):

    === RUN   TestCheckoutTimesOut
        pool_test.go:10: checkout queued on pool_a: 0 of 1 workers ready, 3 waiting
        pool_test.go:11: timed out waiting for a worker after 200ms
    --- FAIL: TestCheckoutTimesOut (0.00s)

read as `go test`'s own lines are (`poolctl.logs.go_block`): the message what it logged, its
place the last `file_test.go:N:` it logged at (a panic's: the test's frame), not go's framing
lines. A parent failed by its subtests logged nothing: its `--- FAIL:` line is all it says."""

from __future__ import annotations

import dataclasses
import re

from poolctl.logs import go_block, go_package
from poolctl.logs.junit_suites import Suite
from poolctl.model import Failure

# go's lines about a test's run, not what it logged (a subtest's result, indented, too)
_FRAMING_RE = re.compile(
    r"^\s*(?:=== (?:RUN|CONT|NAME|PAUSE) +\S+$|--- (?:FAIL|PASS|SKIP): \S+ \([\d.]+s\)$)"
)
_LOGGED_RE = re.compile(r"^ +[\w.-]+\.go:\d+: ", re.M)


def go_failure(body: str, name: str, input_file: str, line: int) -> Failure | None:
    """The failure go's lines in `body` say of test `name`, if `body` is go test's output (its
    `=== RUN` or `--- FAIL:` line for that test, or a `file_test.go:N:` line it logged)."""
    lines = body.strip("\n").split("\n")
    if name == "TestMain" and any(go_block.VERDICT_RE.match(t) for t in lines):
        return _package_failure(lines, input_file, line)  # (gotestsum's name for it)
    framed = any(_FRAMING_RE.match(t) and f" {name}" in t for t in lines)
    if not framed and not _LOGGED_RE.search(body):
        return None
    own = [t.rstrip() for t in lines if not _FRAMING_RE.match(t)]
    failure = go_block.test_failure(name, own, input_file, [(line, lines[0])])
    if not failure.message:
        said = next((t.strip() for t in lines if t.lstrip().startswith("--- FAIL: ")), "")
        return dataclasses.replace(failure, message=said)
    return failure


def _package_failure(lines: list[str], input_file: str, line: int) -> Failure:
    """A package that failed with no test failing, as gotestsum's JUnit report writes it (a
    `TestMain` case, what the package printed and its `FAIL` line as its text): read as go
    test's own lines of it are (`go_package`)."""
    numbered = [(line, t.rstrip()) for t in lines]
    printed = go_package.printed_above(numbered)
    return go_package.package_failure("", printed, numbered, input_file, go_block.RUNNER)


def uncounted(outcome: dict[str, str], failure: Failure) -> bool:
    """Whether its suite leaves `failure` (of a `<failure>` with attributes `outcome`) out of
    its count: EUnit's cancelled test, and gotestsum's `TestMain` case of a package that failed
    with no test failing (its root `<testsuites>` counts it, the package's suite does not)."""
    return bool(outcome.get("cancelled")) or failure.kind == go_package.KIND


def fold_parents(suite: Suite, failures: list[Failure]) -> None:
    """A suite's failures read (`failures` from its first on; none when a suite is nested in
    it): a go test parent that failed only through its subtests (it logged nothing, one of its
    subtests failed) is left out, as go test's own reading leaves it (`go_block.kept`), its text
    kept in each such subtest's details; the suite's count of it is folded."""
    if suite.holds:
        return
    first = suite.first_failure
    names = {f.name for f in failures[first:] if f.source == "junit"}
    parents = [
        f
        for f in failures[first:]
        if f.source == "junit"
        and f.message.startswith(f"--- FAIL: {f.name} (")
        and any(n.startswith(f"{f.name}/") for n in names)
    ]
    tries = {id(f): i for i, f in enumerate(failures)}  # (the order the tests ended in)
    for parent in parents:
        failures.remove(parent)
    for i in range(first, len(failures)):
        child = failures[i]
        mine = [
            p for p in parents if child.name.startswith(f"{p.name}/") and p.group == child.group
        ]
        if mine:
            said = _own_try(mine, tries, tries[id(child)])
            failures[i] = dataclasses.replace(child, details={**child.details, "parent": said})
    suite.folded += len(parents)
    suite.read -= len(parents)


def _own_try(parents: list[Failure], order: dict[int, int], child: int) -> str:
    """The text of the subtest's own parent among `parents` (one for each try of `-count=N`):
    the first to end after it (a parent ends after its subtests), else the last before it."""
    after = [p for p in parents if order[id(p)] > child]
    parent = after[0] if after else parents[-1]
    return parent.details.get("text", parent.message)
