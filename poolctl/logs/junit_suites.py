"""A JUnit report's suites: the failures each declares (`failures` and `errors` attributes) set
against the failures read in it, as `RunSummary`s; and, in a report cut short (a runner killed
while writing it, an artifact truncated), the suites the cut left open.

A suite cut short declares its counts in its start tag, so they are known; the test cases past
the cut are not. Its summary is marked as cut and, as a text log's run that stopped in a test,
counts what the cut lost as one failure not read when its own count does not already say more
failures than were read: a report cut short never passes for a complete one.
"""

from __future__ import annotations

from dataclasses import dataclass

from poolctl.logs.junit_node import is_node_suite
from poolctl.logs.records import MAX_RUNS, RunsCounted, RunSummary

CUT_SOURCE = "cut short"  # `RunSummary.source` of a suite the input ends in


# the attributes of a suite that are read: its name and file (the test cases'), its counts; a
# report of 100,000 suites is held until its end (the counts are set against the failures read
# then), and jest's and Surefire's suites carry a timestamp, a time, a hostname besides
KEPT_ATTRIBUTES = ("name", "file", "tests", "failures", "errors")


class Suite:
    """A `<testsuite>` being read: its declared counts and the failures read in it."""

    __slots__ = (
        "attrib", "cancelled", "cases", "cut", "cut_inside", "dubious", "first_failure", "folded",
        "holds", "line", "node", "read", "skipped_failures", "within",
    )  # fmt: skip

    def __init__(self, attrib: dict[str, str], line: int, first_failure: int) -> None:
        self.attrib = {k: attrib[k] for k in KEPT_ATTRIBUTES if k in attrib}
        self.node = is_node_suite(attrib)  # node's: its tests named by their path
        self.line = line
        self.first_failure = first_failure  # the index in `ParsedLog.failures` of its first
        self.cases = 0
        self.read = 0
        self.skipped_failures = 0  # of skipped tests (node's failed `todo`): no failure
        self.cancelled = 0  # failures read that the suite does not count (EUnit's cancelled)
        # its own `<error message="Dubious, test returned 2 (wstat 512, 0x200)"/>`, which
        # TAP::Formatter::JUnit writes of a script whose tests failed and counts in `errors`
        self.dubious = 0
        # a test case's `<failure>`s past its first, read as one failure with it
        # (`poolctl.logs.junit_several`): jasmine-reporters counts each, GoogleTest does not
        self.folded = 0
        self.within: tuple[Suite, ...] = ()  # the suites it is nested in, outermost first
        self.holds = False  # a suite is nested in it
        self.cut = False  # the input ends inside it
        self.cut_inside = False  # ... and in no suite within it

    def accounted(self) -> int:
        """The failures read that the suite counts, and those of skipped tests it counted
        (node counts a failed `todo` test among its `failures`, and its run passes)."""
        read = self.read - self.cancelled
        if self.folded and self.declared() == read + self.folded:
            return read + self.folded  # it counts every `<failure>`, each of one failure read
        room = max(0, (self.declared() or 0) - read)
        return read + min(self.skipped_failures, room)

    def declared(self) -> int | None:
        """`failures` + `errors` as the suite declares them, or None when it declares neither."""
        values = [self.attrib.get(k, "").strip() for k in ("failures", "errors")]
        if not any(values):
            return None
        try:
            total = sum(int(v) for v in values if v)
        except ValueError:
            return None
        # (the script's exit status, of its failed tests: no failure of its own)
        return total - self.dubious if self.read > self.cancelled else total


class Folded:
    """A report's plain suites past the first `MAX_RUNS` of them, counted as each closes instead
    of held to the report's end (300,000 suites held so took 285 MB). Plain: directly in the
    report's root, holding test cases and no suite, every failure it declares read; `summaries`
    would only count it, past the runs the first `MAX_RUNS` of them list. When the report's
    shape takes the counts from elsewhere (its root holds test cases and counts those in its
    suites, a suite declares no count, the input is cut in the root), `summaries` counts them
    as it would have: not at all."""

    def __init__(self) -> None:
        self.plain = 0  # plain suites closed, the first MAX_RUNS held
        self.root: Suite | None = None
        self.runs = self.failures = self.start = self.end = 0

    def fold(self, suite: Suite, end: int, open_suites: list[Suite]) -> bool:
        """Whether `suite`, closed at line `end` inside `open_suites`, is counted here."""
        if len(open_suites) != 1 or open_suites[0].cases or suite.holds or not suite.cases:
            return False
        declared = suite.declared()
        if declared is None or suite.accounted() != declared:
            return False
        self.plain += 1
        if self.plain <= MAX_RUNS:
            return False
        self.root = open_suites[0]
        self.start = self.start or suite.line
        self.end = end
        self.runs += 1
        self.failures += declared
        return True


@dataclass(frozen=True)
class Cut:
    """Where the input ends inside a report (`origin`: `file:line:column`), and the test cases
    read whole before it, `failing` of them."""

    origin: str
    line: int
    cases: int
    failing: int


def close_at_cut(suites: list[Suite], done: list[tuple[Suite, int, bool]], line: int) -> None:
    """End the suites still open where the input ends (at `line`), innermost first, as cut."""
    innermost = True
    while suites:
        suite = suites.pop()
        suite.cut, suite.cut_inside, innermost = True, innermost, False
        done.append((suite, line, bool(suites)))


def summaries(
    name: str,
    done: list[tuple[Suite, int, bool]],
    cut: Cut | None = None,
    *,
    room: int | None = None,
    counted: dict[str, RunsCounted] | None = None,
    folded: Folded | None = None,
) -> list[RunSummary]:
    """The declared counts of the suites in `done` (suite, end line, nested in another): each
    suite holding test cases, or else the outermost one; a suite `cut` ended says so. Cut
    before its first test case, a suite counts as one holding some; a `<testsuites>` cut
    between its suites, declaring the counts of them all, counts for them all. Past the first
    `room` of them, a suite that read all it counts is only counted, in `counted[name]`, as are
    the suites `folded` counted as they closed, where they would be."""
    held = {id(outer) for s, _, _ in done for outer in s.within}
    cut_open = [s for s, _, _ in done if s.cut_inside and not s.cases and s.declared() is not None]
    leaves = [
        (s, end)
        for s, end, _ in done
        if (s.cases or (s in cut_open and id(s) not in held)) and not _counted_above(s)
    ]
    outer_counts = any(id(s) in held for s in cut_open)  # its totals cover suites past the cut
    outermost = not leaves or outer_counts or any(s.declared() is None for s, _ in leaves)
    if outermost:
        leaves = [(s, end) for s, end, nested in done if not nested]
    out: list[RunSummary] = []
    only_counted = 0
    for suite, end in leaves:
        declared = suite.declared()
        made = len(out) + only_counted  # the runs before it
        if cut is not None and suite.cut:
            out.append(_cut_summary(name, suite, cut))
        elif declared is not None and _past(made, room, counted) and suite.accounted() == declared:
            assert counted is not None  # (`_past` says so)
            counted.setdefault(name, RunsCounted(suite.line, end)).add(suite.line, end, declared)
            only_counted += 1
        elif declared is not None:
            out.append(
                RunSummary(
                    name, end, suite_text(suite), _int(suite.attrib.get("tests")), declared,
                    start=suite.line, read=suite.accounted(), source="suite attributes",
                )
            )  # fmt: skip
    root = folded.root if folded is not None else None
    if folded is not None and root is not None and not outermost and not _counts_within(root):
        assert counted is not None  # (the first MAX_RUNS plain suites listed before them)
        counted.setdefault(name, RunsCounted(folded.start, folded.end)).merge(
            folded.start, folded.end, folded.runs, folded.failures
        )
    if cut is not None and not any(s.source == CUT_SOURCE for s in out):
        # cut before any suite began, or where no suite of those summed is open
        text = (
            f"(JUnit XML cut short at {cut.origin}, outside the suites counted: what the cut "
            "lost is counted as one failure not read)"
        )
        out.append(
            RunSummary(name, cut.line, text, None, 1, start=cut.line, read=0, source=CUT_SOURCE)
        )
    return out


def _past(made: int, room: int | None, counted: dict[str, RunsCounted] | None) -> bool:
    """Whether the suite after `made` others is past the `room` left for runs listed."""
    return counted is not None and room is not None and made >= room


def _cut_summary(name: str, suite: Suite, cut: Cut) -> RunSummary:
    """A suite the input ends in: its declared count when that says more failures than were
    read, else one more than were read (what the cut lost), and the text saying so."""
    declared, read = suite.declared(), suite.accounted()
    tests = _int(suite.attrib.get("tests"))
    of = f" of its {tests}" if tests is not None else ""
    text = (
        f"{suite_text(suite)} (cut short at {cut.origin}: {cut.cases}{of} test case(s) read "
        f"whole, {cut.failing} failing; its counts are partial"
    )
    if declared is not None and declared > read:
        return RunSummary(
            name, cut.line, f"{text})", tests, declared, start=suite.line, read=read,
            source=CUT_SOURCE,
        )  # fmt: skip
    said = "declares no count" if declared is None else f"counts {declared}, all read"
    text += f"; the suite {said}: what the cut lost is counted as one failure not read)"
    return RunSummary(
        name, cut.line, text, tests, read + 1, start=suite.line, read=read, source=CUT_SOURCE
    )


def _counted_above(suite: Suite) -> bool:
    """Whether a suite holding test cases, nested in another that holds some too, is counted by
    it: PHPUnit nests a data provider's suite in its class's, whose counts include it (the
    outer suite declares at least every failure read in it)."""
    return any(_counts_within(outer) for outer in suite.within)


def _counts_within(outer: Suite) -> bool:
    """Whether `outer`, holding test cases, declares at least every failure read in it."""
    declared = outer.declared()
    return bool(outer.cases) and declared is not None and declared >= outer.read - outer.cancelled


def _int(value: str | None) -> int | None:
    return int(value) if value and value.strip().isdigit() else None


def suite_text(suite: Suite) -> str:
    """`<testsuite name="…" tests="5" failures="1" errors="2">`, as the suite declared it."""
    attrs = " ".join(
        f'{k}="{suite.attrib[k]}"'
        for k in ("name", "tests", "failures", "errors")
        if k in suite.attrib
    )
    return f"<testsuite {attrs}>"
