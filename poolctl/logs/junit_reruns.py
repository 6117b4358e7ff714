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
        self.previous: tuple[str, str] | None = None
        self.reruns: Counter[tuple[str, str]] = Counter()

    def teardown_of_previous(self, classname: str, name: str, messages: list[str]) -> bool:
        """A test case holding only `<error message="failed on teardown with …">`, right after
        one of the same test: the same try's teardown (pytest writes it as a test case of its
        own when the call failed too), not another test of the same name. Call before `see`."""
        return (
            self.previous == (classname, name)
            and bool(messages)
            and all(m.startswith("failed on teardown with ") for m in messages)
        )

    def see(self, classname: str, name: str, empty: bool) -> bool:
        """A test case; True when the one before it was a failed try of the same test."""
        key = (classname, name)
        self.previous = key
        rerun = key == self.previous_empty
        if rerun:
            self.reruns[key] += 1
        self.previous_empty = key if empty else None
        return rerun

    def finish(self, out: ParsedLog) -> None:
        from poolctl.logs.reruns import add_rerun  # it reads passes, which reads these tries

        for (classname, name), count in self.reruns.items():
            add_rerun(out, f"{classname}::{name}", count)
