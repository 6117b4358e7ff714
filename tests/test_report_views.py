"""The terminal view of each report kind (ping, doctor, scenario, the tour), compared whole with
golden files (tests/golden/view.*), over Reports holding what each view shows; and the
generic "Details" list of the Markdown view.

Run `pytest --update-golden` to rewrite the golden files after an intended change, and review
the diff. A missing golden file fails its test.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import jsonschema_rs
import pytest

from poolctl.cli import main
from poolctl.model import (
    Check,
    Diagnosis,
    DoctorDetails,
    Evidence,
    Failure,
    Finding,
    FramingAuto,
    FramingTrial,
    Hypothesis,
    PingDetails,
    Report,
    ScenarioDetails,
    StepSummary,
)
from poolctl.report import JsonWriter, MarkdownWriter, TerminalWriter
from poolctl.report.combine import combine
from poolctl.report.load import from_dict
from tests.conftest import Golden
from tests.test_report_formats import VALIDATOR, valid_json

ARGV = "python3 w.py --mode [pool]"  # markup-like text is shown as written
WORKER = {"id": "w1", "pid": 4242, "framing": "packet-4", "exit": "exited with code 0"}


def ping_ok() -> Report:
    return Report(
        kind="ping",
        title=f"ping {ARGV}",
        inputs=(ARGV,),
        notes=("PYTHONUNBUFFERED is set in the worker's environment",),
        run_dir="reports/20260101T000000Z-ping",
        details=PingDetails(
            ok=True,
            worker={**WORKER, "framing": "line"},
            round_trips_ms=(0.2101, 0.2544, 0.3012),
            stats_ms={"min": 0.2101, "median": 0.2544, "p99": 0.3012, "max": 0.3012},
            response={"id": 3, "success": True, "result": {"status": "ok", "worker_id": "w-42"}},
            framing_auto=FramingAuto(
                "line",
                (
                    FramingTrial("packet-4", False, "no answer before line answered"),
                    FramingTrial("line", True, "answered in 12.0 ms"),
                ),
            ),
            command="echo",
        ),
    )


def ping_failed() -> Report:
    quote = Evidence(
        "'Warming up\\n\\x00\\x00'",
        "workers/w1.stdout.bin bytes 0-11",
        "its first 4 bytes 'Warm' read as a packet-4 length",
    )
    diagnosis = Diagnosis(
        pattern_id="port-no-response",
        pattern_number=1,
        title="Worker started but never answered",
        confidence=0.9,
        evidence=(quote, Evidence("stderr is captured apart", "workers/w1.stderr.log")),
        facts={"diagnosis_s": 0.412, "evidence_files": ["workers/w1.stdout.bin", "stack-w1.txt"]},
        cause="The worker prints text to its framed stdout: 'Warming up' arrived first",
        remediation="Send banners and logs to stderr; keep stdout for frames only.",
        hypotheses=(
            Hypothesis("crashed", "Crashed: the process exited", "ruled-out", (), "it was alive"),
            Hypothesis("stdout-text", "Prints to stdout: text on the framed stream", "confirmed"),
            Hypothesis(
                "stuck-init",
                "Stuck in initialization: alive, silent",
                "ruled-out",
                (Evidence("pid 4242 (python): sleeping in read(fd 0)\nwchan pipe_read", "/proc"),),
                "it wrote to stdout",
            ),
            Hypothesis("buffered", "Stdout block-buffered", "untested", (), "no experiment ran"),
        ),
    )
    failure = Failure(
        source="ping",
        name=f"ping to {ARGV}",
        kind="bad-frame",
        message="frame header b'Warm' announces 1,466,004,077 bytes",
    )
    return Report(
        kind="ping",
        title=f"ping {ARGV}",
        inputs=(ARGV,),
        findings=(Finding(failure, diagnosis),),
        run_dir="reports/20260101T000000Z-ping",
        details=PingDetails(ok=False, worker=WORKER),
    )


def doctor() -> Report:
    stray = Evidence("Warming up", "workers/probe.stdout.bin", "before its first frame")
    return Report(
        kind="doctor",
        title=f"doctor {ARGV}",
        inputs=(ARGV,),
        checks=(
            Check("Interpreter", "python", "ok", "python3 is Python 3.11.7", seconds=0.21),
            Check(
                "Output hygiene",
                "stdout",
                "fail",
                "it writes 'Warming up' to stdout\nfirst",
                "write logs to stderr",
                (stray,),
                0.4,
            ),
            Check("Output hygiene", "stderr", "ok", "nothing on stderr at start", seconds=0.39),
            Check(
                "Pool settings",
                "size",
                "warn",
                "2 workers for 6 callers",
                "raise size to 6",
                (Evidence("size: 2", "s.yaml:4"),),
                0.01,
            ),
        ),
        notes=("Limits not run: the worker command cannot start",),
        run_dir="reports/20260101T000000Z-doctor",
        details=DoctorDetails(1.234, 5.0, ("python3", "w.py"), "packet-4", "capture"),
    )


def scenario(name: str, expected: tuple[str, ...], *, tour: bool = False) -> Report:
    findings: tuple[Finding, ...] = ()
    if expected:
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
            "checkout-timeout-waiters",
            3,
            "Checkout timed out with callers waiting",
            1.0,
            (Evidence("checkout_timeout: waited=0.507", "events.jsonl #14"),),
            remediation="Give the pool as many workers as callers.",
        )
        findings = (Finding(failure, diagnosis),)
    return Report(
        kind="scenario",
        title=f"scenario {name}",
        inputs=(f"scenarios/{name}.yaml",),
        findings=findings,
        run_dir=f"reports/x-{name}",
        details=ScenarioDetails(
            scenario=name,
            file=f"scenarios/{name}.yaml",
            description="Six callers, two workers.",
            expected=expected,
            found=expected[:1] if name != "missed" else (),
            passed=name != "missed",
            events=31,
            pool={"size": 2, "lazy": True},
            steps=(StepSummary(1, "request", call_failures=6),),
            workers=({"id": "w1", "pid": 4242},),
            seconds=0.66,
            tour=tour,
        ),
    )


def tour() -> list[Report]:
    return [
        scenario("healthy", (), tour=True),
        scenario("p3", ("checkout-timeout-waiters",), tour=True),
        scenario("missed", ("checkout-timeout-waiters",), tour=True),
    ]


TERM = TerminalWriter(width=100)
VIEWS: dict[str, Callable[[], str]] = {
    "view.ping-ok.term.txt": lambda: TERM.render(ping_ok()),
    "view.ping-failed.term.txt": lambda: TERM.render(ping_failed()),
    "view.doctor.term.txt": lambda: TERM.render(doctor()),
    "view.doctor-verbose.term.txt": lambda: TerminalWriter(verbose=True).render(doctor()),
    "view.scenario.term.txt": lambda: TERM.render(scenario("p3", ("checkout-timeout-waiters",))),
    "view.tour.term.txt": lambda: TERM.render_all(tour()),
    "view.ping-ok.md": lambda: MarkdownWriter().render(ping_ok()),
    "view.scenario.md": lambda: MarkdownWriter().render(scenario("healthy", ())),
}


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_golden_view(golden: Golden, name: str) -> None:
    golden(name, VIEWS[name]())


def loaded(report: Report) -> Report:
    return from_dict(json.loads(JsonWriter().render(report)))


def test_a_tour_scenario_a_signal_cut_short_reads_as_interrupted() -> None:
    """Ctrl-C during the tour's second scenario: its line said "✗ … reproduced ok" (nothing
    was reproduced, nor missed) and the closing line did not say the tour stopped."""
    cut = scenario("missed", ("checkout-timeout-waiters",), tour=True)
    assert isinstance(cut.details, ScenarioDetails)
    cut = replace(cut, interrupted="SIGINT", details=replace(cut.details, interrupted="SIGINT"))
    out = TERM.render_all([tour()[0], cut])
    assert "! missed" in out and "interrupted by SIGINT  (0.7 s" in out
    assert "reproduced ok" not in out and "got no pattern" not in out
    assert out.rstrip().endswith(
        "! 1 of 2 scenario(s) produced what they expect; interrupted by SIGINT during missed"
    )


@pytest.mark.parametrize(
    "make", [ping_ok, ping_failed, doctor, lambda: scenario("p3", ("checkout-timeout-waiters",))]
)
def test_a_loaded_report_json_gives_back_the_typed_details(make: Callable[[], Report]) -> None:
    report = make()
    assert loaded(report).details == report.details
    assert TERM.render(loaded(report)) == TERM.render(report)


def test_a_combined_report_renders_as_its_runs() -> None:
    runs = tour()
    combined = loaded(combine(runs))
    assert TERM.render(combined) == TERM.render_all(runs)
    assert MarkdownWriter().render(combined) == "\n".join(MarkdownWriter().render(r) for r in runs)


@pytest.mark.parametrize(
    "make", [ping_ok, ping_failed, doctor, lambda: combine(tour()), lambda: scenario("h", ())]
)
def test_every_kinds_details_validate_against_the_schema(make: Callable[[], Report]) -> None:
    doc = valid_json(JsonWriter().render(make()))
    doc["extra"]["unknown"] = 1
    with pytest.raises(jsonschema_rs.ValidationError):
        VALIDATOR.validate(doc)


def test_json_keeps_the_shape_of_extra() -> None:
    ping = json.loads(JsonWriter().render(ping_ok()))["extra"]
    assert ping["framing_auto"]["trials"][1] == {
        "framing": "line",
        "answered": True,
        "detail": "answered in 12.0 ms",
    }
    assert "framing_auto" not in json.loads(JsonWriter().render(ping_failed()))["extra"]
    healthy = json.loads(JsonWriter().render(scenario("healthy", ())))["extra"]
    assert healthy["expected"] == "ok" and healthy["steps"][0]["call_failures"] == 6
    assert json.loads(JsonWriter().render(doctor()))["extra"]["worker"] == ["python3", "w.py"]


def test_the_verdict_word_is_confirmed_in_every_view() -> None:
    for text in (
        TERM.render(ping_failed()),
        MarkdownWriter().render(ping_failed()),
    ):
        assert "✓ confirmed" in text and "supported" not in text


def test_a_report_json_with_bad_details_is_bad_input(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    doc = json.loads(JsonWriter().render(ping_ok()))
    doc["extra"]["round_trips_ms"] = ["fast"]
    (tmp_path / "report.json").write_text(json.dumps(doc))
    assert main(["report", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "report.json: extra.round_trips_ms.0:" in err
