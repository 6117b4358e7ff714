"""The lines after an ExUnit failure block (kept for the report, `BlockRecorder`) that no trigger
matches are not read as a line outside any block: every check of `ExUnitParser.outside` ran on
them, for nothing (what those checks look for, a trigger finds): 22,000 of the 38,000 lines it
read in the bench's 200 MB log. Their progress marks are still the ends of tests. On the real
capture `tests/fixtures/exunit/pool_suite_junit_console.log` (`mix test --no-color --seed 4242`
with the CLI and a JUnit formatter, see the fixtures' README): a failure's block is read to its
end before the lines after it, among which a test prints a line, then ExUnit its progress mark."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs import read_logs
from poolctl.logs.exunit import ExUnitParser

LOG = Path(__file__).parent / "fixtures" / "exunit" / "pool_suite_junit_console.log"


def test_a_logger_line_after_a_block_is_kept_but_not_read_outside(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lines = LOG.read_text(encoding="utf-8").split("\n")
    printed = lines.index("✅ worker answered ping") + 1  # a test's own line, no trigger's
    progress = printed + 1
    assert lines[progress - 1] == "."
    read: list[int] = []
    outside = ExUnitParser.outside

    def recorded(self: ExUnitParser, number: int, line: str) -> None:
        read.append(number)
        outside(self, number, line)

    monkeypatch.setattr(ExUnitParser, "outside", recorded)
    parsed = read_logs([str(LOG)])
    [before] = [f for f in parsed.failures if f.name == "test sends a welcome email"]
    assert before.line_end < printed  # the failure whose block the printed line comes after
    assert printed not in read  # read before: every line after a block went through `outside`
    assert progress in parsed.test_ends[str(LOG)]  # its progress mark: a test's end
    after = [n for n, _ in parsed.after[(str(LOG), before.line_start)]]
    assert printed in after and progress in after  # the report still quotes them
