"""pytest-rerunfailures in pytest's JUnit XML: each failed try is written as a test case of its
own, empty (as a pass is), right before the next try of the same test.

`pytest --reruns 1 --junitxml=…` writes a test that failed every try as an empty `<testcase>`
and then one holding its `<failure>`, and a flaky one as two empty ones. Read as they look, the
failed try was a pass (the history then took the test for flaky, or for two tests nothing tells
apart). In a pytest document, an empty test case followed by one of the same classname and name
is a failed try of that test: a rerun (a test whose call failed and whose teardown errored is
written twice too, but its first test case holds the failure).
"""

from __future__ import annotations

from collections import Counter

from poolctl.logs.records import ParsedLog


class PytestTries:
    """The test cases of a pytest document, in order: which ones are failed tries."""

    def __init__(self) -> None:
        self.previous_empty: tuple[str, str] | None = None  # classname and name
        self.reruns: Counter[tuple[str, str]] = Counter()

    def see(self, classname: str, name: str, empty: bool) -> bool:
        """A test case; True when the one before it was a failed try of the same test."""
        key = (classname, name)
        rerun = key == self.previous_empty
        if rerun:
            self.reruns[key] += 1
        self.previous_empty = key if empty else None
        return rerun

    def finish(self, out: ParsedLog) -> None:
        from poolctl.logs.reruns import add_rerun  # it reads passes, which reads these tries

        for (classname, name), count in self.reruns.items():
            add_rerun(out, f"{classname}::{name}", count)
