"""Another runner's verdict is looked up in one call (poolctl/logs/other_verdicts.py ANY_VERDICT):
the lines after each ExUnit failure block (Logger lines ending in `)`, or holding ` fail`) were
each matched against every runner's verdict before they were told apart as none."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from poolctl.logs import other_verdicts, verdict_lines
from poolctl.logs.records import ParsedLog

FIXTURES = Path(__file__).parent / "fixtures"


class _Counting:
    """A verdict's regex that counts the lines it is tried on."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self.tried = 0

    def match(self, text: str) -> re.Match[str] | None:
        self.tried += 1
        return self.pattern.match(text)


def _captured_lines(*folders: str) -> list[str]:
    lines: list[str] = []
    for folder in folders:
        for path in sorted((FIXTURES / folder).rglob("*")):
            if path.is_file() and path.suffix in (".log", ".txt"):
                lines += path.read_text("utf-8", "replace").splitlines()
    return lines


def test_a_line_that_is_no_verdict_tries_no_runners_verdict(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A real `mix test` capture's lines (141 end in `)`): none is a verdict, and no runner's
    own regex is tried on them (28 a line before, for each line ending in `)`)."""
    counting = [_Counting(verdict.line) for verdict in verdict_lines.VERDICTS]
    monkeypatch.setattr(
        other_verdicts,
        "VERDICTS",
        tuple(
            dataclasses.replace(verdict, line=line)  # type: ignore[arg-type]
            for verdict, line in zip(verdict_lines.VERDICTS, counting, strict=True)
        ),
    )
    lines = (FIXTURES / "exunit" / "pool_suite.log").read_text("utf-8").splitlines()
    assert sum(line.strip().endswith(")") for line in lines) == 141
    parsed = ParsedLog()
    read = [other_verdicts.read_verdict(parsed, "t.log", n, line) for n, line in enumerate(lines)]
    assert not any(read) and parsed.summaries == []
    assert sum(pattern.tried for pattern in counting) == 0


def test_one_lookup_matches_where_a_runners_verdict_does() -> None:
    """Every line of the captured logs (ExUnit, pytest, and the other runners' runs after them):
    the one lookup matches exactly the lines some runner's verdict matches."""
    lines = _captured_lines("mixed", "exunit", "pytest")
    verdicts = [v.line for v in verdict_lines.VERDICTS]
    found = 0
    for line in lines:
        text = line.strip()
        each = any(pattern.match(text) for pattern in verdicts)
        assert (other_verdicts.ANY_VERDICT.match(text) is not None) == each, text
        found += each
    assert found >= 28  # each runner's verdict at least once (the mixed captures)
