"""A JUnit failure's body that is console output (a pytest traceback, an ExUnit block) is read by
that runner's parser for its fields; the identifiers it names are indexed once, from the
report's own text at the report's lines, not a second time into the scratch output the body is
parsed into and dropped (a sixth of a pytest body's parse). Real captures:
tests/fixtures/junit/pytest_xunit2.xml (pytest --junitxml) and tests/fixtures/junit/exunit_junit.xml
(ExUnit's JUnit formatter)."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs import read_logs, scan
from poolctl.logs.records import IdentifierIndex

JUNIT = Path(__file__).parent / "fixtures" / "junit"


@pytest.mark.parametrize(
    ("capture", "identifier", "line"),
    [("pytest_xunit2.xml", "os_pid 12206", 278), ("exunit_junit.xml", "#PID<0.243.0>", 64)],
)
def test_a_body_s_identifiers_are_indexed_once_at_the_report_s_lines(
    capture: str, identifier: str, line: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    indexed: list[str] = []
    index_lines = scan.index_lines

    def recording(index: IdentifierIndex, name: str, first_line: int, text: str) -> None:
        indexed.append(name)
        index_lines(index, name, first_line, text)

    monkeypatch.setattr(scan, "index_lines", recording)
    path = str(JUNIT / capture)
    parsed = read_logs([path])
    assert parsed.failures and all(f.details.get("text") for f in parsed.failures)
    assert "<junit>" not in indexed  # no body indexed on its own (its scratch's name)
    naming = parsed.identifiers.lines[identifier]
    assert {n.file for n in naming} == {path}
    assert line in {n.line for n in naming}  # the body's line in the report
