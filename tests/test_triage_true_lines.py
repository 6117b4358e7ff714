"""Every quote stands whole on the one line it names, and every run's closing line is kept.

Real captures (tests/fixtures/README.md): a doctest whose `Expected:`/`Got:` span five lines, a
`--tb=native` frame in `<frozen os>`, pytest-timeout's thread method (the parser names what
ended the run in its own words), a closing line followed by a `pytest -q` run (which prints no
header), a CI service's line for a failed job after a plain log, and a plain, a timestamped and
a plain run in one chunk.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from poolctl.logs.ansi import strip_ansi
from poolctl.logs.prefixes import strip_prefixes
from tests.conftest import RunCli

FIXTURES = Path(__file__).parent / "fixtures"
TWO_RUNS = FIXTURES / "pytest" / "two_runs"
PY313 = FIXTURES / "pytest" / "python_3_13"
_ORIGIN = re.compile(r"^(?P<file>.+):(?P<a>\d+)(?:-(?P<b>\d+))?$")


def _norm(text: str) -> str:
    return " ".join(text.split())


def _triage(cli: RunCli, tmp_path: Path, fixture: Path) -> tuple[dict[str, Any], list[str]]:
    copy = tmp_path / fixture.name
    copy.write_bytes(fixture.read_bytes())
    out = tmp_path / "report.json"
    code, _, err = cli("triage", str(copy), "--no-history", "--format", "json", "-o", str(out))
    assert code in (0, 1), err
    lines = [_norm(strip_prefixes(strip_ansi(x))) for x in copy.read_text().split("\n")]
    return json.loads(out.read_text()), lines


def _evidence(report: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for finding in report["findings"]:
        outcome = finding["outcome"]
        found += outcome.get("evidence", [])
        for hypothesis in outcome.get("hypotheses", []):
            found += hypothesis.get("evidence", [])
    return found


def _not_on_their_line(report: dict[str, Any], lines: list[str]) -> list[dict[str, Any]]:
    """The quotes that are not, whole, the text of the one line their origin names."""
    bad = []
    for evidence in _evidence(report):
        found = _ORIGIN.match(evidence["origin"])
        one = found is not None and found["b"] is None
        if not (one and found and _norm(evidence["text"]) in lines[int(found["a"]) - 1]):
            bad.append(evidence)
    return bad


@pytest.mark.parametrize(
    ("fixture", "printed"),
    [
        # (the doctest's `>>> stop("test_pool"): ConnectionRefusedError: …`, under `--tb=line`)
        ("pytest/doctest_line/several_first.txt", "ConnectionRefusedError: [Errno 111]"),
        ("pytest/doctest_line/several_continue_verbose.txt", "ConnectionRefusedError"),
        ("pytest/pypool/native.txt", 'File "<frozen os>", line 679, in __getitem__'),
        ("pytest/pypool/timeout_thread.txt", "+++++ Timeout +++++"),
    ],
)
def test_a_quote_built_from_fields_is_shown_as_the_line_printed(
    cli: RunCli, tmp_path: Path, fixture: str, printed: str
) -> None:
    """The doctest's `>>> stop("test_pool"): ConnectionRefusedError: …`, the frame `<frozen
    os>:679: KeyError` and the word `pytest-timeout` are the parser's; the quotes are the lines
    the runner printed, each with its own number (a frame `--tb=native` prints with its line
    number, not a line that only shares its path)."""
    report, lines = _triage(cli, tmp_path, FIXTURES / fixture)
    assert _not_on_their_line(report, lines) == []
    assert any(printed in e["text"] for e in _evidence(report)), _evidence(report)


def _runs(report: dict[str, Any]) -> list[tuple[int, int]]:
    return [(run["line"], run["counted"]) for run in report["coverage"]["runs"]]


def _closing_lines(lines: list[str]) -> list[int]:
    closing = re.compile(r"^=* ?\d+ (failed|passed)\b.* in [\d.]+s ?=*$")
    return [n for n, line in enumerate(lines, 1) if closing.match(line)]


@pytest.mark.parametrize(
    ("path", "first_counted"),
    [
        (TWO_RUNS / "full_then_q.txt", 1),
        (TWO_RUNS / "pass_then_q.txt", 0),
        (TWO_RUNS / "tbno_then_q.txt", 1),
        (TWO_RUNS / "captured_then_q.txt", 1),
        # pytest 8.3.5 on Python 3.13, pytest-asyncio 0.25.1's `plugin.py:207:
        # PytestDeprecationWarning: …` between the two runs
        *(
            (PY313 / f"two_runs_{name}_then_q.txt", n)
            for name, n in [("full", 1), ("pass", 0), ("tbno", 1), ("captured", 1)]
        ),
    ],
    ids=lambda v: f"{v.parent.name}/{v.name}" if isinstance(v, Path) else str(v),
)
def test_a_closing_line_followed_by_a_quiet_run_is_kept(
    cli: RunCli, tmp_path: Path, path: Path, first_counted: int
) -> None:
    """A closing line, then a `pytest -q` run: both closing lines end their runs, each counted,
    and the quiet run's three failures are read (none taken for a test's printed text, nor for
    a warning printed as the quiet run starts)."""
    report, lines = _triage(cli, tmp_path, path)
    first, second = _closing_lines(lines)
    assert _runs(report) == [(first, first_counted), (second, 3)]
    coverage = report["coverage"]
    assert coverage["counted"] == first_counted + 3
    assert coverage["read"] + coverage["unread"] == coverage["counted"]
    names = [f["failure"]["name"] for f in report["findings"]]
    assert names[-3:] == ["test_pool_url_is_set", "test_checkout_waits_forever", "test_arith"]
    assert all(f["failure"]["line_start"] > first for f in report["findings"][-3:])


@pytest.mark.parametrize(
    ("name", "marker"),
    [
        ("pass_then_github_error.txt", "Process completed with exit code 1."),
        ("pass_then_gitlab_error.txt", "ERROR: Job failed: exit code 1"),
        ("fail_then_github_error.txt", None),
    ],
)
def test_a_failed_job_line_after_a_plain_log_is_the_job_s_end(
    cli: RunCli, tmp_path: Path, name: str, marker: str | None
) -> None:
    """The CI service's line for the failed job, appended to a plain log, ends the job: after a
    run that passed it is counted (a step that is no test run failed) and said so; after a run
    that failed it adds nothing. It is never a failure of its own, nor hides the run's end."""
    report, lines = _triage(cli, tmp_path, TWO_RUNS / name)
    (closing,) = _closing_lines(lines)
    last = max(n for n, text in enumerate(lines, 1) if text)
    names = [f["failure"]["name"] for f in report["findings"]]
    if marker is None:
        assert _runs(report) == [(closing, 1)]
        assert names == ["test_pool_size"]
        return
    assert _runs(report) == [(closing, 0), (last, 1)]
    assert names == []
    assert report["coverage"]["runs"][1]["text"].endswith(marker)
    assert any(f"{Path(name).name}:{last}: the " in note for note in report["notes"])


def test_a_timestamped_run_between_plain_ones_in_one_chunk_is_read(
    cli: RunCli, tmp_path: Path
) -> None:
    """A plain `-v` run, a run behind GitHub Actions' timestamps, the plain run again, all in
    one chunk (the probe of the chunk's head and tail sees no timestamp): the middle run's
    failures are found at their true lines, and every quote stands on its line."""
    report, lines = _triage(cli, tmp_path, TWO_RUNS / "stamped_middle.txt")
    closing = _closing_lines(lines)
    assert _runs(report) == [(closing[0], 1), (closing[1], 3), (closing[2], 1)]
    found = {(f["failure"]["name"], f["failure"]["line_start"]) for f in report["findings"]}
    for name in ("test_pool_size", "test_pool_url_is_set", "test_checkout_waits_forever"):
        headers = [n for n, x in enumerate(lines, 1) if re.fullmatch(rf"_+ {name} _+", x)]
        assert headers and {(name, n) for n in headers} <= found
    assert len(found) == 5
    assert _not_on_their_line(report, lines) == []
