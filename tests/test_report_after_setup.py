"""A runner's whole report (JSON, XML) found after other lines, as a CI job's log holds it (the
job's set-up output, npm's `> pkg@1.0.0 test` lines, another tool's warnings): its failures and
its run are placed at the line the report begins on, as the same report alone is at its line 1.
Before, each was placed at line 1 of the log, on a line of the set-up's. A real capture
(`tests/fixtures/src/capture_report_after_setup.sh`: `npm install`, then `npm test` running
`mocha --reporter json`), and the real whole reports `tests/test_logs_transformed.py` reads, with
its other tools' lines before them."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs import read_logs
from tests.test_logs_formats import triage_json
from tests.test_logs_transformed import CAPTURES, NOISE

FIXTURES = Path(__file__).parent / "fixtures"
LOG = FIXTURES / "mixed" / "report_after_setup" / "mocha_json.log"


def test_a_report_after_a_jobs_set_up_is_placed_where_it_begins(
    capsys: pytest.CaptureFixture[str],
) -> None:
    lines = LOG.read_text().splitlines()
    begins = lines.index("{") + 1  # (after npm's `> mocha --reporter json` and a blank line)
    npm = ["> mocha-blocks@1.0.0 test", "> mocha --reporter json"]
    assert lines[begins - 4 : begins - 2] == npm
    parsed = read_logs([str(LOG)])
    assert len(parsed.failures) == 6
    assert {(f.line_start, f.line_end) for f in parsed.failures} == {(begins, begins)}
    [run] = parsed.summaries
    assert (run.start, run.line, run.failures, run.read) == (begins, begins, 6, 6)
    assert parsed.lines_read == len(lines)
    code, report = triage_json(capsys, LOG)
    assert code == 1
    assert {f["failure"]["origin"] for f in report["findings"]} == {f"{LOG}:{begins}"}


WHOLE = [c for c in CAPTURES if not c.startswith(("exunit/", "pytest/", "mixed/pytest_then"))]


@pytest.mark.parametrize("relative", WHOLE)
def test_a_whole_report_after_other_lines_keeps_its_places(tmp_path: Path, relative: str) -> None:
    data = (FIXTURES / relative).read_bytes()
    alone, after = tmp_path / "alone", tmp_path / "after"
    alone.write_bytes(data)
    after.write_bytes(NOISE + data)
    moved = NOISE.count(b"\n")
    want = read_logs([str(alone)])
    got = read_logs([str(after)])
    assert want.failures
    assert [(f.name, f.line_start + moved, f.line_end + moved) for f in want.failures] == [
        (f.name, f.line_start, f.line_end) for f in got.failures
    ]
    assert [(s.line + moved, s.failures) for s in want.summaries] == [
        (s.line, s.failures) for s in got.summaries
    ]
