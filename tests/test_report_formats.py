"""JUnit against the XSD, JSON against the shipped schema, the JSON round trip, and the GitHub
annotations and job summary with their caps, over the shared Report fixture and oversized ones.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import re
import sys
from pathlib import Path
from typing import Any, get_args
from xml.etree import ElementTree

import jsonschema
import jsonschema_rs
import pytest

from poolctl.model import (
    Check,
    Diagnosis,
    Evidence,
    Failure,
    Finding,
    PingDetails,
    Report,
    RunsDetails,
    ScenarioDetails,
    Source,
    StepSummary,
    Unclassified,
)
from poolctl.report import Format, JsonWriter, JUnitWriter, MarkdownWriter, render
from poolctl.report.combine import combine, split
from poolctl.report.github import (
    ANNOTATIONS_PER_LEVEL,
    SUMMARY_LIMIT,
    cap_summary,
    escape_data,
    escape_property,
    render_annotations,
)
from poolctl.report.json_writer import schema
from poolctl.report.junit import xml_safe
from poolctl.report.load import from_dict, load_report
from tests.conftest import RunCli
from tests.test_report_writers import sample_report

XSD_PATH = Path(__file__).parent / "junit-xsd" / "junit-10.xsd"


@functools.cache
def xsd() -> Any:
    """The JUnit XSD, parsed when a test first needs it (not while every worker collects:
    xmlschema alone takes half a second to import)."""
    import xmlschema

    return xmlschema.XMLSchema(str(XSD_PATH))


# jsonschema-rs validates as jsonschema does, ~80x faster: the suite validates every report
# of every fixture; the schema itself is checked against the 2020-12 metaschema by jsonschema
VALIDATOR = jsonschema_rs.Draft202012Validator(schema())
NASTY = 'ctl\x00\x01\x08\x0b\x0c\x1b[31m\x7f lone\ud800 \ufffe & <tag> "q" ]]> end'


XUNIT1_PLACE = re.compile(r' (file|line)="[^"]*"')


def valid_junit(text: str) -> None:
    """Raises unless `text` is JUnit XML valid against `junit-10.xsd`, plus the `file` and
    `line` attributes of a testcase that pytest's xunit1 files carry (and readers such as
    GitLab's and the GitHub test-report actions use): checked for their form, then set aside."""
    for m in re.finditer(r"<testcase [^>]*>", text):
        line = re.search(r' line="([^"]*)"', m.group(0))
        assert line is None or line.group(1).isdigit(), m.group(0)
    xsd().validate(XUNIT1_PLACE.sub("", text))


def valid_json(text: str) -> dict[str, Any]:
    """The parsed document; raises unless it validates against the shipped schema."""
    doc: dict[str, Any] = json.loads(text)
    VALIDATOR.validate(doc)
    return doc


def scenario_report(name: str, expected: tuple[str, ...], found: tuple[str, ...]) -> Report:
    failure = Failure(
        source="scenario",
        name=f"{name}: checkouts timed out",
        group=name,
        kind="checkout-timeout",
        message="checkout timed out after 0.5 s",
        input_file=f"reports/x-{name}/events.jsonl",
        line_start=14,
        line_end=24,
    )
    diagnosis = Diagnosis(
        "checkout-timeout-waiters", 3, "Checkout timed out", 1.0, (Evidence("t", "event 14"),)
    )
    return Report(
        kind="scenario",
        title=f"scenario {name}",
        inputs=(f"scenarios/{name}.yaml",),
        findings=(Finding(failure, diagnosis),) if found else (),
        run_dir=f"reports/x-{name}",
        details=ScenarioDetails(
            scenario=name,
            expected=expected,
            found=found,
            passed=found == expected,
            steps=(
                StepSummary(1, "request"),
                StepSummary(2, "kill_worker", errors=("no worker w9",)),
            ),
        ),
    )


def other_reports() -> list[Report]:
    """One report of every kind, a nasty one, and a combined tour."""
    base = sample_report()
    nasty_failure = dataclasses.replace(
        base.findings[0].failure, name=f"test {NASTY}", message=NASTY, stacktrace=(NASTY,)
    )
    nasty = dataclasses.replace(
        base,
        title=NASTY,
        findings=(Finding(nasty_failure, base.findings[0].outcome), *base.findings[1:]),
        notes=(NASTY,),
    )
    tour = combine(
        [
            scenario_report("p3", ("checkout-timeout-waiters",), ("checkout-timeout-waiters",)),
            scenario_report("healthy", (), ()),
            scenario_report("p3-missed", ("checkout-timeout-waiters",), ()),
        ]
    )
    ping_ok = Report(kind="ping", title="ping w.py", details=PingDetails(stats_ms={"median": 1.5}))
    doctor = Report(kind="doctor", title="doctor w.py", checks=base.checks)
    return [base, nasty, tour, ping_ok, doctor, Report(kind="triage", title="empty")]


@pytest.mark.parametrize("index", range(6))
def test_junit_validates_against_the_xsd(index: int) -> None:
    valid_junit(JUnitWriter().render(other_reports()[index]))


def test_junit_escapes_what_xml_forbids() -> None:
    out = JUnitWriter().render(other_reports()[1])
    valid_junit(out)
    assert "\x00" not in out and "\x1b" not in out and "\ud800" not in out
    assert "ctl\\x00\\x01\\x08\\x0b\\x0c\\x1b[31m" in out and "lone\\ud800" in out
    assert "&amp; &lt;tag&gt;" in out and "\\ufffe" in out
    assert xml_safe("ok\ttab\nnl") == "ok\ttab\nnl"


def test_junit_one_testcase_per_failure_step_and_expectation() -> None:
    tour = other_reports()[2]
    doc: Any = xsd().to_dict(JUnitWriter().render(tour))
    suites = doc["testsuite"]
    assert [s["@name"] for s in suites] == [
        "poolctl scenario: scenario p3",
        "poolctl scenario: scenario healthy",
        "poolctl scenario: scenario p3-missed",
    ]
    p3 = {(c["@classname"], c["@name"]): c for c in suites[0]["testcase"]}
    assert set(p3) == {
        ("scenario.p3", "step 1: request"),
        ("scenario.p3", "step 2: kill_worker"),
        ("scenario.p3", "reproduces checkout-timeout-waiters"),
        ("checkout-timeout-waiters", "p3: checkouts timed out"),
    }
    assert "failure" in p3[("scenario.p3", "step 2: kill_worker")]
    assert "failure" not in p3[("checkout-timeout-waiters", "p3: checkouts timed out")]
    assert suites[1]["@failures"] == "1" and suites[2]["@failures"] == "2"  # the step; + missed
    triage = ElementTree.fromstring(JUnitWriter().render(sample_report()).encode())
    cases = [(c.get("classname"), c.get("file"), c.get("line")) for c in triage.iter("testcase")]
    assert cases[:5] == [  # the test's module; where the test is, when the log says
        ("check_port", None, None),  # pytest's own JUnit file names the module so
        ("PoolV2Test", "test/pool_v2_test.exs", "178"),
        ("PoolV2Test", "test/pool_v2_test.exs", "178"),
        ("SessionPoolTest", None, None),
        ("unclassified", None, None),  # no module, no file: what poolctl made of it
    ]


def test_junit_testcases_carry_the_module_file_line_and_time_the_log_has() -> None:
    failure = Failure(
        source="junit",
        name="test_checkout",
        location="tests/pool/test_checkout.py:42",
        message="TimeoutError",
        details={"time": "5.012"},
        input_file="results.xml",
        line_start=7,
    )
    nameless = Failure(source="pytest", name="test_x", location="tests/pool/test_x.py:3")
    report = Report(
        kind="triage",
        title="t",
        findings=(
            Finding(failure, Unclassified(None, 0.0, "no signal")),
            Finding(nameless, Unclassified(None, 0.0, "no signal")),
        ),
    )
    text = JUnitWriter().render(report)
    valid_junit(text)
    first, second = ElementTree.fromstring(text.encode()).iter("testcase")
    assert first.attrib == {
        "classname": "tests.pool.test_checkout",
        "name": "test_checkout",
        "file": "tests/pool/test_checkout.py",
        "line": "42",
        "time": "5.012",
    }
    assert second.get("classname") == "tests.pool.test_x" and second.get("time") is None
    body = first.findtext("failure") or ""
    assert body.startswith("unclassified: no signal")


@pytest.mark.parametrize("index", range(6))
def test_every_json_validates_against_the_schema(index: int) -> None:
    valid_json(JsonWriter().render(other_reports()[index]))


def test_golden_json_validates_and_schema_version_is_pinned() -> None:
    golden = Path(__file__).parent / "golden" / "report.json"
    assert valid_json(golden.read_text())["schema_version"] == 1
    assert schema()["properties"]["schema_version"] == {"const": 1}
    jsonschema.Draft202012Validator.check_schema(schema())  # a valid 2020-12 schema


def test_schema_rejects_what_it_does_not_describe() -> None:
    doc = json.loads(JsonWriter().render(sample_report()))
    doc["findings"][0]["outcome"]["confidence"] = 3
    with pytest.raises(jsonschema_rs.ValidationError):
        VALIDATOR.validate(doc)


@pytest.mark.parametrize("index", range(6))
@pytest.mark.parametrize("fmt", list(Format))
def test_round_trip_render_load_render_is_identical(index: int, fmt: Format) -> None:
    report = other_reports()[index]
    loaded = from_dict(json.loads(JsonWriter().render(report)))
    assert render(loaded, fmt) == render(report, fmt)


def test_load_report_from_a_run_folder(tmp_path: Path) -> None:
    (tmp_path / "report.json").write_text(JsonWriter().render(sample_report()))
    assert load_report(tmp_path) == load_report(tmp_path / "report.json")
    assert load_report(tmp_path).findings[1].failure.line_start == 129


def test_split_gives_the_runs_back() -> None:
    runs = [scenario_report("a", (), ()), scenario_report("b", ("x",), ("x",))]
    back = split(combine(runs))
    assert [r.title for r in back] == ["scenario a", "scenario b"]
    assert back[1].findings == runs[1].findings and back[0].findings == ()


# --- GitHub annotations --------------------------------------------------------------------
def test_annotation_escaping() -> None:
    assert escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_annotations_carry_pattern_fix_and_place() -> None:
    out = render_annotations(sample_report(), workspace="/ci")
    lines = out.splitlines()
    assert len(lines) == 6  # 5 failures, 1 failed check
    p3 = lines[0]  # the fix resolving most failures comes first
    assert p3.startswith(
        "::error file=test/pool_v2_test.exs,line=178,"
        "title=pattern 3 checkout-timeout-waiters%3A test error handling (PoolV2Test)::"
    )
    assert "Fix: Give the pool at least as many workers" in p3 and "%0A" in p3
    assert lines[2].startswith("::error file=logs/run.log,line=3,")  # no location: the log
    assert "nearest pattern pool-shutdown-during-checkout" in lines[3]
    assert lines[5].startswith("::error title=worker%3A answers ping::no answer in 5 s")


def test_annotations_are_capped_at_ten_per_level_and_say_how_many_more() -> None:
    one = sample_report().findings[1]
    many = Report(
        kind="triage",
        title="big",
        findings=(one,) * 25,
        checks=(Check("s", "c", "warn", "slow"),) * 12,
        run_dir="reports/r",
    )
    lines = render_annotations(many).splitlines()
    assert sum(ln.startswith("::error ") for ln in lines) == ANNOTATIONS_PER_LEVEL
    assert sum(ln.startswith("::warning ") for ln in lines) == ANNOTATIONS_PER_LEVEL
    notices = [ln for ln in lines if ln.startswith("::notice ")]
    assert len(notices) == 2
    assert "15 more failing test(s) than the 10 error annotations" in notices[0]
    assert "2 more warning(s)" in notices[1] and "reports/r" in notices[0]


def test_an_annotation_line_is_one_line_whatever_the_text() -> None:
    finding = Finding(
        Failure("pytest", "t\r\n::error::injected", location="a,b:c.py:3", message="x\ny"),
        Unclassified(None, 0.0, "100%\nwhy"),
    )
    out = render_annotations(Report(kind="triage", title="t", findings=(finding,)))
    assert out.count("\n") == 1 and out.count("::") == 2
    # the name's line break is shown as the escapes, not sent as one
    assert out.startswith(
        "::error file=a%2Cb%3Ac.py,line=3,title=unclassified%3A t\\r\\n%3A%3Aerror%3A%3Ainjected::"
    )


# --- the job summary -----------------------------------------------------------------------
def test_summary_that_fits_is_unchanged() -> None:
    md = MarkdownWriter().render(sample_report())
    assert cap_summary(md) == md


def test_oversized_summary_is_cut_under_the_limit_with_a_note() -> None:
    one = sample_report().findings[1]
    big = dataclasses.replace(
        sample_report(), findings=tuple(sample_report().findings) + (one,) * 6000
    )
    md = MarkdownWriter().render(big)
    assert len(md.encode()) > SUMMARY_LIMIT
    cut = cap_summary(md, where="reports/r")
    assert len(cut.encode()) <= SUMMARY_LIMIT
    assert "**poolctl: this summary was cut**" in cut
    m = re.search(r"([\d,]+) of ([\d,]+) bytes shown", cut)
    assert m and int(m.group(2).replace(",", "")) == len(md.encode())
    # the fix plan comes first: a cut summary keeps it
    assert "## Fix plan" in cut.split("[!WARNING]")[0]
    assert "sections left out: Unclassified (2), Checks, Notes, Appendix" in cut
    assert "`reports/r`" in cut
    assert cut.count("<details>") == cut.count("</details>")


def test_cut_closes_an_open_code_fence() -> None:
    md = "# t\n\n## A\n\n```\n" + "x" * 50 + "\n" * 3000 + "```\n\n## B\n"
    cut = cap_summary(md, limit=2600)
    assert len(cut.encode()) <= 2600
    body = cut.split("> [!WARNING]")[0]
    assert body.count("```") == 2 and "sections left out: B" in cut


def test_a_combined_report_keeps_each_run_s_interruption() -> None:
    """Rendered with another run, an interrupted run is still a failing case in JUnit, and its
    interruption is in the JSON (and read back from it)."""
    from poolctl.report.details import from_json

    done = Report(kind="scenario", title="scenario healthy: passed")
    cut = Report(kind="scenario", title="scenario p3: interrupted", interrupted="SIGINT")
    both = combine([done, cut])
    assert both.interrupted == "SIGINT"
    assert [r.interrupted for r in split(both)] == [None, "SIGINT"]
    junit = ElementTree.fromstring(JUnitWriter().render(both).encode())
    suites = list(junit.iter("testsuite"))
    assert suites[1].get("failures") == "1" and suites[0].get("failures") == "0"
    props = {p.get("name"): p.get("value") for p in suites[1].iter("property")}
    assert props["poolctl.interrupted"] == "SIGINT"
    doc = valid_json(JsonWriter().render(both))
    assert doc["interrupted"] == "SIGINT"
    runs = doc["extra"]["runs"]
    assert "interrupted" not in runs[0] and runs[1]["interrupted"] == "SIGINT"
    back = from_json("scenario", doc["extra"])
    assert isinstance(back, RunsDetails) and back.runs[1].interrupted == "SIGINT"


def test_a_log_name_that_is_not_utf8_is_written_as_an_escape(cli: RunCli, tmp_path: Path) -> None:
    """Linux paths are bytes: a log named `f\\xff.log` reaches Python as a lone surrogate. The
    history's insert and report.md were internal errors (exit 3), and report.json held bytes
    that are not UTF-8 (which `poolctl report` then refused)."""
    name = os.fsdecode(b"f\xff.log")
    log = tmp_path / name
    log.write_bytes((Path(__file__).parent / "fixtures/pytest/quiet.txt").read_bytes())
    history = f"sqlite:///{tmp_path / 'h.sqlite'}"
    for fmt in ("json", "md", "html"):
        run = tmp_path / f"run-{fmt}"
        argv = ["triage", str(log), "--history", history, "-f", fmt, "--run-dir", str(run)]
        code, out, err = cli(*argv, "-o", str(tmp_path / f"out.{fmt}"))
        assert code == 1, err
    saved = (tmp_path / "run-json" / "report.json").read_bytes()
    assert "f\\udcff.log" in saved.decode("utf-8")  # valid UTF-8, the byte escaped
    code, out, err = cli("report", str(tmp_path / "run-json"))  # poolctl reads it back
    assert code == 0 and "f\\udcff.log" in out, err


def test_markdown_keeps_a_ping_command_whole_and_escapes_a_pipe_in_a_cell(
    cli: RunCli, run_cli: RunCli, tmp_path: Path
) -> None:
    """A `/` in a worker's argument cut a ping's Markdown title at it ("# poolctl ping: ping a",
    as log paths are shortened); a `|` in a log's name split the fix plan's row (GitHub drops
    the cells past the header's)."""
    argv = ("--", sys.executable, "-m", "poolctl.workers.reference", "--worker-id", "team/a")
    code, out, err = run_cli("ping", "--no-history", "-f", "md", *argv)
    assert code == 0, err
    assert out.splitlines()[0].endswith("--worker-id team/a"), out.splitlines()[0]
    log = tmp_path / "unit|integration.log"
    log.write_bytes((Path(__file__).parent / "fixtures/pytest/quiet.txt").read_bytes())
    code, out, err = cli("triage", str(log), "--no-history", "-f", "md")
    assert code == 1, err
    [row] = [line for line in out.splitlines() if line.startswith("| 1 | ")]
    assert "`unit\\|integration.log:" in row and row.count(" | ") == 4, row


def test_the_schema_names_every_source_a_failure_may_have() -> None:
    """A runner added to `model.Source` (unittest, Jest, Mocha, cargo) and not to the shipped
    schema made every report of its failures fail validation."""
    enum = schema()["$defs"]["failure"]["properties"]["source"]["enum"]
    assert enum == list(get_args(Source))
