"""Every captured fixture (tests/fixtures/) parses to exactly the failures expected.yaml lists."""

from __future__ import annotations

from typing import Any

import pytest

from poolctl.logs import read_logs
from tests.expected_fixtures import EXPECTED, FIXTURES

SPEC: dict[str, Any] = EXPECTED["files"]


@pytest.mark.parametrize("relative", sorted(SPEC))
def test_fixture_failures(relative: str) -> None:
    spec = SPEC[relative]
    path = FIXTURES / relative
    parsed = read_logs([str(path)])
    expected_format = "junit" if spec["format"] == "junit-xml" else spec["runner"]
    assert parsed.formats == {str(path): expected_format}
    notes = spec.get("skipped", [])  # each note's words, in order (tests that did not run)
    assert len(parsed.skipped) == len(notes), parsed.skipped
    assert all(words in note for words, note in zip(notes, parsed.skipped, strict=True))
    want = [(w["line"], w["test"], w["group"]) for w in spec["failures"]]
    got = [
        (
            f.line_start if w[0] is not None else None,
            None if f.source == "exunit" and f.details.get("callback") == "setup_all" else f.name,
            f.group,
        )
        for f, w in zip(parsed.failures, want, strict=False)
    ]
    assert sorted(got, key=repr) == sorted(want, key=repr)
    assert len(parsed.failures) == len(want)
    for failure in parsed.failures:
        assert failure.source == ("junit" if expected_format == "junit" else expected_format)
        assert failure.kind, failure
        assert failure.message or failure.details, failure
    closing = [(s.line, s.text) for s in parsed.summaries if s.source == "closing line"]
    assert closing == [(s["line"], s["text"]) for s in spec.get("summary", [])]


@pytest.mark.parametrize(
    "relative", sorted(r for r in SPEC if SPEC[r]["runner"] == "pytest" and r.startswith("pytest/"))
)
def test_pytest_summary_lines_are_merged(relative: str) -> None:
    parsed = read_logs([str(FIXTURES / relative)])
    for failure, want in zip(parsed.failures, SPEC[relative]["failures"], strict=True):
        assert failure.details.get("nodeid") == want["nodeid"]  # none: a failure of the run
        assert failure.details["outcome"] == want["outcome"]
        if "summary_line" in want:
            assert failure.details["summary_line"] == str(want["summary_line"])
        if "phase" in want:
            assert failure.details["phase"] == want["phase"]
