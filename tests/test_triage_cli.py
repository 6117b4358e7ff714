"""`poolctl triage` and `poolctl patterns` end to end: formats, run folder, exit codes, input."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from poolctl.cli import main

FIXTURES = Path(__file__).parent / "fixtures"
EXUNIT = str(FIXTURES / "exunit" / "pool_suite.log")
PYTEST = str(FIXTURES / "pytest" / "pool_suite.txt")
PASSING = """\
============================= test session starts ==============================
platform linux -- Python 3.11.7, pytest-9.2.0, pluggy-1.7.0
collected 2 items

check_ok.py ..                                                           [100%]

============================== 2 passed in 0.01s ===============================
"""


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_triage_terminal_report_and_run_folder(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = run(capsys, "triage", EXUNIT, "--run-dir", str(tmp_path / "run"))
    assert code == 1, err
    assert "31 failures · 25 diagnosed in 7 patterns · 6 unclassified" in out
    assert "Fix plan" in out and "Unclassified (6)" in out and "\x1b[" not in out
    # the run folder keeps report.json; the other formats are rendered from it on demand
    assert [
        p.name
        for p in (tmp_path / "run").iterdir()
        if p.is_file() and not p.name.startswith(".poolctl-")
    ] == ["report.json"]
    doc = json.loads((tmp_path / "run" / "report.json").read_text())
    assert doc["schema_version"] == 1 and doc["summary"]["failures"] == 31
    assert doc["run_dir"] == str(tmp_path / "run")
    code, md, _ = run(capsys, "report", str(tmp_path / "run"), "-f", "md")
    assert code == 0 and md.startswith("# poolctl triage") and "## Fix plan" in md


@pytest.mark.parametrize(("fmt", "start"), [("md", "# poolctl triage"), ("json", "{")])
def test_triage_formats_and_output_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, fmt: str, start: str
) -> None:
    code, out, _ = run(capsys, "triage", PYTEST, "--format", fmt)
    assert code == 1 and out.startswith(start)
    target = tmp_path / f"report.{fmt}"
    code, out, _ = run(capsys, "triage", PYTEST, "-f", fmt, "--output", str(target))
    assert code == 1 and out == "" and target.read_text().startswith(start)


@pytest.mark.parametrize(("fail_on", "code"), [("any", 1), ("unclassified", 1), ("never", 0)])
def test_fail_on(capsys: pytest.CaptureFixture[str], fail_on: str, code: int) -> None:
    assert run(capsys, "triage", PYTEST, "--fail-on", fail_on)[0] == code


def test_fail_on_unclassified_passes_when_every_failure_is_diagnosed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    log = Path(EXUNIT).read_text().split("\n")
    # the first 5 failures of this capture are the unrelated ones; keep from the 6th header on
    start = next(i for i, line in enumerate(log) if line.startswith("  6) test"))
    end = next(i for i, line in enumerate(log) if line.startswith(" 12) test"))
    path = tmp_path / "diagnosed.log"
    path.write_text("\n".join(log[start:end]) + "\n")
    code, out, _ = run(capsys, "triage", str(path), "--fail-on", "unclassified")
    assert code == 0 and "0 unclassified" in out


def test_no_failure_exits_0(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "ok.txt"
    path.write_text(PASSING)
    code, out, _ = run(capsys, "triage", str(path))
    assert code == 0 and "0 failures" in out


def test_standard_input(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    data = Path(PYTEST).read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    code, out, _ = run(capsys, "triage", "-", "-f", "json")
    doc = json.loads(out)
    assert code == 1 and doc["inputs"] == ["<stdin>"] and doc["summary"]["failures"] == 22


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x00\x01\x02\xff\xfe binary junk \x00" * 50, "format not recognised"),
        (b"", "empty input"),
        (b"just some text\nthat is no test log\n", "format not recognised"),
    ],
    ids=["binary", "empty", "unknown-format"],
)
def test_unreadable_input_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "input.log"
    path.write_bytes(content)
    code, out, err = run(capsys, "triage", str(path))
    assert code == 2 and out == ""
    assert err.startswith("poolctl: error: nothing could be read") and message in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_missing_file_and_no_argument_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "triage", "/nonexistent/run.log")
    assert code == 2 and "cannot read" in err
    code, _, err = run(capsys, "triage")
    assert code == 2 and "give one or more test logs" in err
    code, _, err = run(capsys, "triage", PYTEST, "--format", "xml")
    assert code == 2 and "--format" in err


def test_what_can_be_read_is_triaged_and_the_rest_noted(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    empty = tmp_path / "empty.log"
    empty.write_bytes(b"")
    bad = tmp_path / "bad.log"
    lines = Path(EXUNIT).read_bytes().split(b"\n")
    lines.insert(200, b"\xff\xfe invalid utf-8 " + b"x" * 3_000_000)  # a 3 MB line, bad UTF-8
    bad.write_bytes(b"\n".join(lines))
    code, out, _ = run(capsys, "triage", str(empty), str(bad), "-f", "json")
    doc = json.loads(out)
    assert code == 1 and doc["summary"]["failures"] == 31
    notes = " ".join(doc["notes"])
    assert "empty.log: empty input" in notes and "invalid UTF-8" in notes and "cut" in notes


def test_a_missing_log_beside_one_that_exists_is_triaged_then_exits_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """`triage junit.xml missing.xml` triaged the one and exited 0 or 1: in CI a JUnit file a
    step failed to write passed `--fail-on`. The rest is still triaged and reported; then one
    line names the missing file, and the exit code is 2, whatever `--fail-on` says."""
    missing = str(tmp_path / "missing.xml")
    run_dir = tmp_path / "run"
    argv = ("triage", EXUNIT, missing, "--run-dir", str(run_dir), "-f", "json", "--no-history")
    for fail_on in ("any", "never"):
        code, out, err = run(capsys, *argv, "--fail-on", fail_on)
        assert code == 2, err
        assert json.loads(out)["summary"]["failures"] == 31  # the report, whole, on stdout
        assert err == f"poolctl: error: {missing}: cannot read: No such file or directory\n"
        saved = json.loads((run_dir / "report.json").read_text())
        assert saved["summary"]["failures"] == 31
        assert f"skipped: {missing}: cannot read: No such file or directory" in saved["notes"]
    passing = tmp_path / "passing.log"
    passing.write_text(PASSING)
    code, out, err = run(capsys, "triage", str(passing), missing, "--no-history")
    assert code == 2 and missing in err  # no failure in what was read: still 2
    code, out, err = run(capsys, "triage", missing, "--no-history")  # nothing read: as before
    assert code == 2 and out == "" and "nothing could be read from the logs" in err


def test_user_patterns_override(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "kb").mkdir()
    (tmp_path / "kb" / "money.yaml").write_text(
        "id: unknown-currency\nnumber: 8\ntitle: Currency missing\nsummary: s\n"
        "signals:\n  - regex: 'key :currency not found'\n    weight: 0.9\n    why: w\n"
        "remediation: Add a currency.\n"
    )
    code, out, _ = run(capsys, "triage", EXUNIT, "--patterns", str(tmp_path / "kb"), "-f", "json")
    assert json.loads(out)["summary"]["by_pattern"]["unknown-currency"] == 1
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "x.yaml").write_text("id: x\n")
    code, _, err = run(capsys, "triage", EXUNIT, "--patterns", str(tmp_path / "bad"))
    assert code == 2 and "x.yaml:1: number: required key is missing (and 4 more)" in err


def test_patterns_list_and_show(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "patterns", "list")
    assert code == 0 and "checkout-timeout-waiters" in out and out.count("builtin") == 7
    code, out, _ = run(capsys, "patterns", "show", "4")
    assert code == 0 and "fixture-key-mismatch" in out and "Candidate causes" in out
    code, _, err = run(capsys, "patterns", "show", "nope")
    assert code == 2 and "no pattern 'nope'" in err


def test_patterns_test_on_a_log_quotes_the_lines_that_fire(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "patterns", "test", "checkout-timeout-waiters", EXUNIT)
    assert code == 0
    assert "claims 4 of 31 failure(s)" in out
    assert "+0.90  exited in: PoolSuite.Pool.checkout(" in out
    assert "pool_suite.log:" in out and "facts: pool = test_pool_" in out
    code, out, _ = run(capsys, "patterns", "test", "5", EXUNIT, "--all")
    assert "no signal" in out


def test_patterns_test_runs_the_examples_without_a_log(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "patterns", "test", "p2")
    assert code == 0 and "all examples pass" in out and "no_match[0]" in out
