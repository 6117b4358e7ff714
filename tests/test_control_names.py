"""Test and file names holding control characters (a newline, a carriage return, an escape):
shown escaped, on one line, in the terminal, Markdown and GitHub annotations; kept as the
runner gave them in report.json and JUnit. The inputs are real runs
(tests/fixtures/src/capture_control_names.sh)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.conftest import RunCli

FIXTURES = Path(__file__).parent / "fixtures"
JUNIT = str(FIXTURES / "junit" / "pytest_control_names.xml")
EXUNIT = str(FIXTURES / "exunit" / "control_names.log")
NEWLINE = "test_worker_reply[reply\nsecond line]"
CARRIAGE = "test_worker_reply[carriage\rreturn]"


def triage(run_cli: RunCli, log: str, *args: str) -> str:
    code, out, err = run_cli("triage", log, "--no-history", *args)
    assert code == 1, err
    return out


def test_the_names_are_kept_as_the_runner_gave_them_in_report_json_and_junit(
    run_cli: RunCli,
) -> None:
    names = {f["failure"]["name"] for f in json.loads(triage(run_cli, JUNIT, "--json"))["findings"]}
    assert {NEWLINE, CARRIAGE} <= names
    groups = {
        f["failure"]["group"] for f in json.loads(triage(run_cli, JUNIT, "--json"))["findings"]
    }
    assert "test_new\nline" in groups
    cases = ET.fromstring(triage(run_cli, JUNIT, "-f", "junit")).iter("testcase")
    written = {c.get("name", "") for c in cases}
    assert any(NEWLINE in n for n in written) and any(CARRIAGE in n for n in written)
    exunit = json.loads(triage(run_cli, EXUNIT, "--json"))["findings"]
    assert "test worker reply carriage\rreturn" in {f["failure"]["name"] for f in exunit}


@pytest.mark.parametrize("verbose", [(), ("-v",)])
def test_the_terminal_shows_each_name_on_one_line(run_cli: RunCli, verbose: tuple[str]) -> None:
    out = triage(run_cli, JUNIT, *verbose)
    lines = out.splitlines()
    assert "\r" not in out and "\x1b" not in out
    assert [ln for ln in lines if "test_worker_reply[reply\\nsecond line]" in ln]
    assert [ln for ln in lines if "test_worker_reply[carriage\\rreturn]" in ln]
    assert [ln for ln in lines if "(test_new\\nline)" in ln]
    assert not [ln for ln in lines if ln.startswith(("second line]", "line)"))]


def test_the_terminal_shows_a_carriage_return_in_an_exunit_name(run_cli: RunCli) -> None:
    out = triage(run_cli, EXUNIT)
    assert "\r" not in out and "test worker reply carriage\\rreturn" in out


def test_markdown_shows_the_escapes_instead_of_a_space(run_cli: RunCli) -> None:
    out = triage(run_cli, JUNIT, "-f", "md")
    assert "\r" not in out
    # as `\n`: a backslash before a letter is no Markdown escape
    assert "test\\_worker\\_reply\\[reply\\nsecond line\\]" in out
    assert "test\\_worker\\_reply\\[carriage\\rreturn\\]" in out
    assert "(test\\_new\\nline)" in out
    assert "carriage\\rreturn" in triage(run_cli, EXUNIT, "-f", "md")


def test_annotation_titles_show_the_escapes_on_one_line(run_cli: RunCli) -> None:
    out = triage(run_cli, JUNIT, "--annotations")
    titles = [
        ln.split(",title=", 1)[1].split("::", 1)[0]
        for ln in out.splitlines()
        if ln.startswith("::")
    ]
    assert (
        "pattern 3 checkout-timeout-waiters%3A test_worker_reply[reply\\nsecond line] "
        "(test_control_names)" in titles
    )
    assert "unclassified%3A test_worker_reply[carriage\\rreturn] (test_control_names)" in titles
    assert not [t for t in titles if "%0A" in t or "%0D" in t]
