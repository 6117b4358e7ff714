"""Hypothesis' falsified properties under pytest (real captures: tests/fixtures/src/
capture_hypothesis.sh): each failure is placed at the test's own line, not at the `@given(…)`
decorator Hypothesis' wrapper is called from, and an exception of a lower-case class
(`struct.error`) is read as one, in every traceback style."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs import read_logs
from poolctl.logs.pytest_summary import EXCEPTION_RE, short_type

HYPOTHESIS = Path(__file__).parent / "fixtures" / "pytest" / "hypothesis"


@pytest.mark.parametrize("style", ["long", "short", "native"])
def test_a_falsified_property_is_placed_at_the_tests_line_not_its_decorator(style: str) -> None:
    """Before, both were placed at their `@given(…)` line (test_framing.py:25 and :32), the
    first traceback entry; `struct.error` was of no kind, and under --tb=native its message
    was `)`, the last line of Hypothesis' `Failing test case:` note."""
    parsed = read_logs([str(HYPOTHESIS / f"{style}.txt")])
    found = {f.name: f for f in parsed.failures}
    assert sorted(found) == ["test_header_fits", "test_ids_unique"]
    fits, unique = found["test_header_fits"], found["test_ids_unique"]
    assert (fits.location, unique.location) == ("test_framing.py:27", "test_framing.py:35")
    assert (fits.kind, unique.kind) == ("struct.error", "AssertionError")
    assert fits.message.startswith("struct.error: 'H' format requires 0 <= number <= 65535")
    assert "Failing test case: test_header_fits(\n    size=65516,\n)" in fits.message
    assert "Failing test case: test_ids_unique(" in unique.message


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("struct.error: 'H' format requires 0 <= number <= 65535", "struct.error"),
        ("socket.gaierror: [Errno -2] Name or service not known", "socket.gaierror"),
        ("re.error: unterminated character set at position 0", "re.error"),
        ("poolkit.errors.WorkerError: worker 1 died", "WorkerError"),
    ],
)
def test_an_exception_line_of_a_lower_case_class_names_its_module(line: str, kind: str) -> None:
    typed = EXCEPTION_RE.match(line)
    assert typed is not None and short_type(typed["type"]) == kind


@pytest.mark.parametrize("line", ["self.error: x", "error: could not compile", "pool.size: 3"])
def test_a_lower_case_name_that_is_no_modules_error_is_no_exception_line(line: str) -> None:
    typed = EXCEPTION_RE.match(line)
    assert typed is None or short_type(typed["type"]) != line.split(":")[0]
