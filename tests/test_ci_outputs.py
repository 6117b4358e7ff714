"""The CI outputs end to end: every `--format` of every command (JSON checked against the schema,
JUnit against the XSD), `--output`, the run folder's files, `poolctl report RUN_DIR`, the
GitHub job summary under its cap, and `--annotations` under theirs.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any, assert_never

import pytest

from poolctl.cli import main
from poolctl.report import Format
from poolctl.report.github import SUMMARY_LIMIT
from tests.conftest import REFERENCE, RunCli
from tests.test_pictures import valid_html
from tests.test_report_formats import valid_json, valid_junit
from tests.test_triage_evidence_lines import FILES as QUOTED
from tests.test_triage_evidence_lines import LOG_SUFFIXES

FIXTURES = Path(__file__).parent / "fixtures"
EXUNIT = str(FIXTURES / "exunit" / "pool_suite.log")
PYTEST = str(FIXTURES / "pytest" / "pool_suite.txt")
SCENARIOS = Path(__file__).resolve().parent.parent / "poolctl" / "scenarios"


@pytest.fixture(autouse=True)
def no_step_summary(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def check(fmt: Format, text: str) -> None:
    """`text` is a valid document of `fmt`."""
    match fmt:
        case Format.JSON:
            valid_json(text)
        case Format.JUNIT:
            valid_junit(text)
        case Format.MD:
            assert text.startswith("# poolctl ")
        case Format.TERM:
            assert "poolctl" in text or "Doctor summary" in text or "answered" in text
        case Format.HTML:
            valid_html(text)
        case _:
            assert_never(fmt)


@pytest.mark.parametrize("fmt", list(Format))
def test_triage_every_format_and_the_run_folder(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, fmt: Format
) -> None:
    run = tmp_path / "run"
    code, out, err = cli(capsys, "triage", EXUNIT, "-f", fmt.value, "--run-dir", str(run))
    assert code == 1, err
    check(fmt, out)
    valid_json((run / "report.json").read_text())  # the run folder's one report file
    code, junit, _ = cli(capsys, "report", str(run), "-f", "junit")
    valid_junit(junit)
    code, md, _ = cli(capsys, "report", str(run), "-f", "md")
    assert md.startswith("# poolctl triage")
    target = tmp_path / "out"
    code, out, _ = cli(capsys, "triage", EXUNIT, "-f", fmt.value, "-o", str(target))
    assert code == 1 and out == ""
    check(fmt, target.read_text())


@pytest.mark.parametrize("fmt", list(Format))
def test_report_re_renders_a_saved_run_as_the_command_did(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, fmt: Format
) -> None:
    run = tmp_path / "run"
    _, direct, _ = cli(capsys, "triage", PYTEST, "-f", fmt.value, "--run-dir", str(run))
    code, again, err = cli(capsys, "report", str(run), "-f", fmt.value)
    assert code == 0, err
    assert again == direct
    code, again, _ = cli(capsys, "report", str(run / "report.json"), "-f", fmt.value)
    assert again == direct


def test_report_of_something_else_is_bad_input(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = cli(capsys, "report", str(tmp_path))
    assert code == 2 and err.count("\n") == 1 and "no report.json" in err
    (tmp_path / "report.json").write_text('{"schema_version": 99}')
    code, _, err = cli(capsys, "report", str(tmp_path))
    assert code == 2 and "schema_version 99" in err
    (tmp_path / "report.json").write_text('{"kind": "triage",\n "findings": [')  # cut short
    code, _, err = cli(capsys, "report", str(tmp_path))
    assert code == 2 and err.count("\n") == 1
    assert f"{tmp_path / 'report.json'}:2: not valid JSON: Expecting value (column 15)" in err
    code, _, err = cli(capsys, "report")
    assert code == 2


EDITS = [
    (("findings", 0, "failure", "message"), None, "$.findings[0].failure.message: null is not of"),
    (("summary", "failures"), "many", '$.summary.failures: "many" is not of type "integer"'),
    (("title",), 7, "$.title: 7 is not of type"),
    (("clusters", 0, "findings", 0), 7, "$.clusters[0].findings[0]: finding 7 is not of this"),
    (("clusters", 0, "findings", 0), 700, "$.clusters[0].findings[0]: 700 is no finding's"),
    # a kind changed by hand: the details are a triage's, the renderers would read another's
    *[
        (("kind",), kind, f"$.kind: '{kind}', but $.extra holds the details of a triage run, ")
        for kind in ("ping", "doctor", "scenario")
    ],
]


@pytest.mark.parametrize(("where", "value", "said"), EDITS)
def test_an_edited_report_is_refused_by_its_schema(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    where: tuple[Any, ...],
    value: Any,
    said: str,
) -> None:
    """A report.json edited by hand: one line naming the field, exit 2 (each was an internal
    error, the renderers trusting every field's type)."""
    run = tmp_path / "run"
    cli(capsys, "triage", PYTEST, "--run-dir", str(run), "-q")
    doc = json.loads((run / "report.json").read_text())
    assert doc["clusters"] and doc["findings"]
    node = doc
    for key in where[:-1]:
        node = node[key]
    node[where[-1]] = value
    (run / "report.json").write_text(json.dumps(doc))
    code, out, err = cli(capsys, "report", str(run))
    assert (code, out, err.count("\n")) == (2, "", 1), err
    assert said in err


def test_a_ping_report_whose_kind_was_changed_is_refused(run_cli: RunCli, tmp_path: Path) -> None:
    run = tmp_path / "run"
    code, _, err = run_cli("ping", "--run-dir", str(run), "-q")
    assert code == 0, err
    doc = json.loads((run / "report.json").read_text())
    (run / "report.json").write_text(json.dumps({**doc, "kind": "triage"}))
    code, out, err = run_cli("report", str(run), "-f", "md")
    assert (code, out) == (2, "")
    assert err == (
        f"poolctl: error: {run / 'report.json'}: $.kind: 'triage', but $.extra holds the details "
        "of a ping run, not those of a triage run (the kind was changed by hand?)\n"
    )


def test_a_combined_report_whose_run_kind_was_changed_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    runs = [tmp_path / "a", tmp_path / "b"]
    for run, log in zip(runs, (PYTEST, EXUNIT), strict=True):
        cli(capsys, "triage", log, "--run-dir", str(run), "-q")
    code, out, err = cli(capsys, "report", *map(str, runs), "--json")
    assert code == 0, err
    doc = json.loads(out)
    doc["extra"]["runs"][1]["kind"] = "doctor"
    (tmp_path / "combined.json").write_text(json.dumps(doc))
    code, out, err = cli(capsys, "report", str(tmp_path / "combined.json"))
    assert (code, out, err.count("\n")) == (2, "", 1)
    assert (
        "$.extra.runs[1].kind: 'doctor', but $.extra.runs[1].extra holds the details of a "
        "triage run" in err
    )


def test_a_report_nested_past_any_depth_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    depth = 100_000
    (tmp_path / "report.json").write_text(
        '{"schema_version": 1, "extra": ' + "[" * depth + "]" * depth + "}"
    )
    code, _, err = cli(capsys, "report", str(tmp_path))
    assert code == 2 and "nested too deeply" in err and err.count("\n") == 1


@pytest.mark.parametrize("fmt", list(Format))
def test_ping_every_format(run_cli: RunCli, fmt: Format) -> None:
    code, out, err = run_cli("ping", "-f", fmt.value)
    assert code == 0, err
    check(fmt, out)
    if fmt is Format.TERM:
        assert out.startswith("✓ ") and "answered 'ping'" in out  # the verdict-first view


def test_ping_failure_as_junit_and_json(run_cli: RunCli) -> None:
    argv = ["ping", "--no-experiments", "--timeout", "1"]
    worker = ["--", *REFERENCE, "--crash-on-start", "3"]
    code, out, _ = run_cli(*argv, "-f", "junit", *worker)
    assert code == 1 and 'classname="port-no-response"' in out
    valid_junit(out)
    code, out, _ = run_cli(*argv, "--json", *worker)
    assert valid_json(out)["findings"][0]["outcome"]["pattern_id"] == "port-no-response"


@pytest.mark.slow
@pytest.mark.parametrize("fmt", [Format.JSON, Format.JUNIT])
def test_doctor_formats(run_cli: RunCli, fmt: Format) -> None:
    code, out, err = run_cli("doctor", "--timeout", "5", "-f", fmt.value)
    assert code in (0, 1), err
    check(fmt, out)


def test_scenarios_give_one_json_and_one_junit_document(run_cli: RunCli, tmp_path: Path) -> None:
    files = [str(SCENARIOS / "healthy.yaml"), str(SCENARIOS / "p5-required-field.yaml")]
    code, out, err = run_cli("run-scenario", *files, "-f", "json")
    assert code == 0, err
    doc = valid_json(out)
    assert [r["extra"]["scenario"] for r in doc["extra"]["runs"]] == [
        "healthy",
        "p5-required-field",
    ]
    code, out, _ = run_cli("run-scenario", *files, "-f", "junit")
    valid_junit(out)
    assert out.count("<testsuite ") == 2 and 'name="reproduces required-field-missing"' in out
    assert 'failures="0"' in out.split("\n", 2)[1]  # <testsuites>: both produced what they expect
    code, out, _ = run_cli("run-scenario", *files, "-f", "md")
    assert out.count("# Scenario ") == 2


def test_step_summary_is_appended(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step output\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    cli(capsys, "triage", PYTEST)
    cli(capsys, "triage", PYTEST, "-f", "json")
    text = summary.read_text()
    assert text.startswith("earlier step output\n# poolctl triage")
    assert text.count("# poolctl triage") == 2 and "summary was cut" not in text


def test_step_summary_stays_under_the_limit_with_a_note(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("x" * (SUMMARY_LIMIT - 20_000) + "\n")  # an earlier step used most of it
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    code, _, _ = cli(capsys, "triage", EXUNIT, "--run-dir", str(tmp_path / "run"))
    assert code == 1
    assert summary.stat().st_size <= SUMMARY_LIMIT
    tail = summary.read_text()[SUMMARY_LIMIT - 20_000 + 1 :]
    assert tail.startswith("# poolctl triage") and "**poolctl: this summary was cut**" in tail
    assert f"`{tmp_path / 'run'}`" in tail
    _, full, _ = cli(capsys, "report", str(tmp_path / "run"), "-f", "md")
    assert f"of {len(full.encode()):,} bytes shown" in tail


def test_annotations_capped_at_ten_with_how_many_more(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = cli(capsys, "triage", EXUNIT, "--annotations")
    assert code == 1
    lines = out.splitlines()
    errors = [ln for ln in lines if ln.startswith("::error ")]
    notices = [ln for ln in lines if ln.startswith("::notice ")]
    assert len(errors) == 10 and len(notices) == 1
    assert "21 more failing test(s) than the 10 error annotations" in notices[0]
    assert all("title=" in e and "%0A" in e for e in errors)
    assert any("Fix: " in e for e in errors)
    verdict = next(i for i, ln in enumerate(lines) if not ln.startswith("::"))
    assert lines.index(notices[0]) < verdict  # the workflow commands come first


# every captured log (tests/fixtures/src holds the suites they came from: a pom.xml is no log)
# but those whose report is validated where each of its quotes is checked against its line
# (tests/test_triage_evidence_lines.py: one triage of each serves both)
FIXTURE_LOGS = sorted(
    p
    for p in FIXTURES.rglob("*")
    if p.suffix in LOG_SUFFIXES and FIXTURES / "src" not in p.parents and p not in QUOTED
)


def test_there_are_fixtures_to_validate() -> None:
    assert len(FIXTURE_LOGS) >= 5


# one case per fixture: pytest-xdist spreads them over its workers
@pytest.mark.parametrize("log", FIXTURE_LOGS, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_the_json_of_every_fixture_validates(capsys: pytest.CaptureFixture[str], log: Path) -> None:
    argv = ["triage", str(log), "-f", "json", "--fail-on", "never", "--no-history"]
    code, out, err = cli(capsys, *argv)
    assert code == 0, (log, err)
    valid_json(out)
    doc = json.loads(out)
    assert doc["schema_version"] == 1


# a name that begins with `::` begins the line that lists a cluster's names; a newline in a
# name is shown as `\n`, so the second name begins no line
INJECTING = """<?xml version="1.0"?>
<testsuite name="pool" tests="2" failures="2">
  <testcase classname="pool" name="::warning file=x.py::injected from a name">
    <failure message="::add-mask::hello">boom</failure>
  </testcase>
  <testcase classname="pool" name="test_nl&#10;::warning file=x.py::injected from a name">
    <failure message="::add-mask::hello">boom</failure>
  </testcase>
</testsuite>
"""


def test_in_github_actions_no_line_of_the_report_runs_as_a_workflow_command(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A test's name or message may begin a line with `::`: on standard output in Actions the
    report comes between `::stop-commands::TOKEN` and `::TOKEN::`, after the annotations."""
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    log = tmp_path / "junit.xml"
    log.write_text(INJECTING)
    code, out, _ = cli(capsys, "triage", str(log), "--annotations", "--no-history")
    assert code == 1
    lines = out.splitlines()
    stop = next(i for i, line in enumerate(lines) if line.startswith("::stop-commands::"))
    token = lines[stop].removeprefix("::stop-commands::")
    assert len(token) == 32 and lines[-1] == f"::{token}::"
    assert all(line.startswith(("::error", "::notice")) for line in lines[:stop])
    quoted = [i for i, line in enumerate(lines) if line.lstrip().startswith("::warning")]
    assert quoted and all(stop < i < len(lines) - 1 for i in quoted)
    assert not [line for line in lines if line.startswith("::warning")]
    assert "test_nl\\n::warning file=x.py::injected from a name" in out


@pytest.mark.parametrize("fmt", ["junit", "html", "md", "json"])
def test_in_github_actions_a_document_on_standard_output_stays_one(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, fmt: str
) -> None:
    """`poolctl triage LOG -f junit > junit.xml` in a step: the `::stop-commands::` lines put
    around the terminal view made the file no JUnit a consumer could parse."""
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    log = tmp_path / "junit.xml"
    log.write_text(INJECTING)
    code, out, _ = cli(capsys, "triage", str(log), "--no-history", "-f", fmt)
    assert code == 1 and "::stop-commands::" not in out
    first = out.lstrip().splitlines()[0]
    assert first.startswith({"junit": "<?xml", "html": "<!doctype", "md": "#", "json": "{"}[fmt])


def test_outside_github_actions_the_report_is_printed_as_it_is(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    log = tmp_path / "junit.xml"
    log.write_text(INJECTING)
    _, out, _ = cli(capsys, "triage", str(log), "--no-history")
    assert "::stop-commands::" not in out and "::warning file=x.py::injected" in out


def test_a_summary_link_encodes_its_path() -> None:
    """A space ended the link, and `#` or `?` pointed it at another file."""
    from poolctl.report.github import RepoLinks

    links = RepoLinks("https://github.com", "acme/pool", "abc123", workspace="/ws")
    base = "https://github.com/acme/pool/blob/abc123/"
    assert links.url("tests/my test (v1).py:12") == f"{base}tests/my%20test%20%28v1%29.py#L12"
    assert links.url("tests/a#b?c.py:3") == f"{base}tests/a%23b%3Fc.py#L3"
    assert links.url("tests/plain.py:7") == f"{base}tests/plain.py#L7"


def test_a_test_has_the_same_junit_identity_from_console_output_or_junit_xml(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """CI test history keys a test on its classname and name: read from pytest's console
    output or from pytest's own JUnit file of the same run, they are the same (two captures
    of one run: tests/fixtures/src/capture.sh)."""

    def cases(log: str) -> list[str]:
        out = tmp_path / f"{Path(log).stem}.xml"
        argv = ["triage", str(FIXTURES / log), "--no-history", "-f", "junit", "-o", str(out)]
        assert main(argv) == 1
        return sorted(re.findall(r'<testcase classname="[^"]*" name="[^"]*"', out.read_text()))

    console = cases("pytest/pool_suite_short_tb.txt")
    assert console == cases("junit/pytest_xunit1.xml")
    assert (
        '<testcase classname="check_adapters.TestAdapterRegistry" '
        'name="test_layer3_creates_programs (check_adapters.TestAdapterRegistry)"'
    ) in console


def test_a_cut_summary_closes_the_writer_s_blocks_not_those_a_message_quotes() -> None:
    """Messages quoting `<details>` or `</details>` in code spans open and close nothing: the
    open block at the cut is closed once, the note stays outside it, and its figures are those
    of what was kept."""
    from poolctl.report.github import cap_summary

    rows = [f"| {i} | `</details>` quoted | x |\n" for i in range(400)]
    markdown = "# report\n<details><summary>Evidence</summary>\n\n" + "".join(rows) + "</details>\n"
    cut = cap_summary(markdown, limit=8_000)
    assert len(cut.encode()) <= 8_000
    body, _, note = cut.partition("\n> [!WARNING]\n")
    closing = [ln for ln in body.splitlines() if ln == "</details>"]
    assert closing == ["</details>"]  # the one block the writer opened, closed once
    figures = re.search(r": ([\d,]+) of [\d,]+ bytes shown", note)
    assert figures is not None
    shown = int(figures[1].replace(",", ""))
    assert shown == len(body.encode()) - len("</details>\n")  # the kept lines, exactly


def test_in_github_actions_a_live_view_is_stopped_too_and_the_annotations_follow(
    run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """run-scenario prints its view as it runs (a worker's stderr quoted in it): that is
    between `::stop-commands::` and its token too, and the annotations come after."""
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    code, out, _ = run_cli("run-scenario", "p1-crash-at-start", "--annotations", "--no-history")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("::stop-commands::")
    token = lines[0].removeprefix("::stop-commands::")
    resume = lines.index(f"::{token}::")
    # the crash it expects, reproduced: a pass, said as a notice
    assert any(line.startswith("::notice ") for line in lines[resume + 1 :])
    assert not any(line.startswith(("::error ", "::notice ")) for line in lines[1:resume])


def test_escape_sequences_from_a_log_reach_no_terminal_nor_annotation(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A test name holding `ESC c` (a terminal reset) and `ESC ( 0` (line drawing), a message
    holding the 8-bit CSI and backspaces: shown as `\\xNN`, never sent to the terminal."""
    name = "test_reset\x1bc\x1b(0"
    log = tmp_path / "esc.log"
    log.write_text(
        "=================================== FAILURES ===================================\n"
        f"_____________________________ {name} _____________________________\n\n"
        ">       assert False\n"
        "E       AssertionError: boom \x9b31m \x08\x08XX\n\n"
        "test_esc.py:3: AssertionError\n"
        f"FAILED test_esc.py::{name} - AssertionError: boom\n"
        "============================== 1 failed in 0.01s ===============================\n"
    )
    # every view: the Markdown job summary and the page held them raw (`ESC c` reset the
    # terminal a `-f md` went to)
    for extra in ((), ("--annotations",), ("-f", "md"), ("-f", "html")):
        code, out, err = cli(capsys, "triage", str(log), "--no-history", "-v", *extra)
        assert code == 1
        shown = out + err
        assert not any(c in shown for c in "\x1b\x9b\x08"), repr(shown)
        assert "reset\\x1bc\\x1b(0" in shown.replace("\\_", "_")  # (Markdown escapes `_`)
        assert "\\x9b31m \\x08\\x08XX" in shown


def test_a_scenario_that_reproduces_what_it_expects_is_no_error_annotation(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """The run passed (exit 0, its JUnit file 0 failures), yet its reproduced pattern was an
    `::error`; a scenario that fails keeps its errors, the missed expectation one of them."""
    junit = tmp_path / "p3.xml"
    argv = ("--annotations", "--no-history", "-f", "junit", "-o", str(junit))
    code, out, _ = run_cli("run-scenario", "p3-checkout-timeout", *argv)
    assert code == 0 and 'failures="0"' in junit.read_text()
    assert not [line for line in out.splitlines() if line.startswith("::error")], out
    notices = [line for line in out.splitlines() if line.startswith("::notice ")]
    assert len(notices) == 1 and "reproduced as expected" in notices[0]
    assert "checkout-timeout-waiters" in notices[0]

    other = tmp_path / "p3-expects-p4.yaml"  # the same run, expecting another pattern
    text = (SCENARIOS / "p3-checkout-timeout.yaml").read_text()
    other.write_text(text.replace("[checkout-timeout-waiters]", "[fixture-key-mismatch]"))
    code, out, _ = run_cli("run-scenario", str(other), *argv)
    assert code == 1 and 'failures="0"' not in junit.read_text()
    errors = [line for line in out.splitlines() if line.startswith("::error ")]
    assert not [line for line in out.splitlines() if line.startswith("::notice ")], out
    assert len(errors) == 2, out
    assert "checkout-timeout-waiters" in errors[0]
    assert "fixture-key-mismatch not reproduced" in errors[1]


def _annotated(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith(("::error ", "::notice "))]


@pytest.mark.parametrize("fmt", ["json", "junit", "md", "html"])
def test_a_document_on_standard_output_leaves_the_annotations_to_standard_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, fmt: str
) -> None:
    """`triage LOG --annotations --json > report.json`: the workflow commands came first on
    standard output, so it held no JSON. The runner reads them from standard error too."""
    code, out, err = cli(capsys, "triage", EXUNIT, "--annotations", "--no-history", "-f", fmt)
    assert code == 1 and len(_annotated(err)) == 11  # 10 errors and the notice of the rest
    assert not _annotated(out) and "::error" not in out
    check(Format(fmt), out)
    # a document written to a file leaves standard output to the annotations, as before
    doc = tmp_path / "report.json"
    code, out, err = cli(capsys, "triage", EXUNIT, "--annotations", "--json", "-o", str(doc))
    assert code == 1 and len(_annotated(out)) == 11 and not _annotated(err)
    valid_json(doc.read_text())


def test_every_command_with_annotations_keeps_its_json_on_standard_output_whole(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """run-scenario, doctor, ping and report print the annotations as triage does: beside a
    JSON document on standard output, on standard error."""
    run = tmp_path / "triaged"
    assert run_cli("triage", EXUNIT, "--no-history", "--run-dir", str(run), "-q")[0] == 1
    worker = {"doctor": ("no-such-worker-cmd",), "ping": (sys.executable, "-c", "exit(3)")}
    commands = {
        "run-scenario": ("run-scenario", "p3-checkout-timeout", "--no-history"),
        "doctor": ("doctor", "--no-history"),
        "ping": ("ping", "--no-history", "--no-experiments", "--timeout", "1"),
        "report": ("report", str(run)),
    }
    for name, argv in commands.items():
        after = ("--", *worker[name]) if name in worker else ()
        code, out, err = run_cli(*argv, "--annotations", "--json", *after)
        assert code in (0, 1), (name, err)
        valid_json(out)
        assert _annotated(err) and not _annotated(out), (name, err)
