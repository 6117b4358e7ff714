"""`poolctl doctor` end to end: the sections and marks, `-v`, `--json`, exit codes, the
scenario argument and the worker command after `--`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from poolctl.commands.doctor import starts_worker_command
from poolctl.doctor import SECTIONS
from tests.conftest import REFERENCE, REPO, RunCli


def doctor(cli: RunCli, *argv: str) -> tuple[int, str, str]:
    return cli("doctor", *argv)


def doctor_json(cli: RunCli, *argv: str) -> tuple[int, dict[str, Any]]:
    code, out, _ = doctor(cli, "--json", *argv)
    return code, json.loads(out)


def test_no_argument_checks_the_reference_worker(run_cli: RunCli) -> None:
    code, out, _ = doctor(run_cli)
    assert code == 0, out
    assert "poolctl.workers.reference" in out.splitlines()[0]
    for section in SECTIONS:
        if section != "Pool settings":
            assert f"] {section} (" in out
    assert "[✗]" not in out
    assert "Pool settings not checked: no scenario file given" in out
    assert "run folder:" in out


def test_json_is_the_report(run_cli: RunCli, tmp_path: Path) -> None:
    code, report = doctor_json(run_cli, "--run-dir", str(tmp_path / "run"))
    assert code == 0
    assert report["kind"] == "doctor"
    assert {c["status"] for c in report["checks"]} <= {"ok", "warn"}
    assert all(c["seconds"] > 0 for c in report["checks"])
    assert json.loads((tmp_path / "run" / "report.json").read_text())["kind"] == "doctor"
    assert "Interpreter" in (tmp_path / "run" / "report.md").read_text()


def test_verbose_shows_the_evidence(run_cli: RunCli) -> None:
    _, quiet, _ = doctor(run_cli, "--", *REFERENCE, "--stderr-noise", "hello from stderr")
    _, loud, _ = doctor(run_cli, "-v", "--", *REFERENCE, "--stderr-noise", "hello from stderr")
    assert "CAP_SYS_PTRACE" not in quiet and "CAP_SYS_PTRACE" in loud
    assert "- hello from stderr (workers/probe.stderr.log)" in loud


def test_a_failing_check_exits_1_with_its_remedy(run_cli: RunCli) -> None:
    code, out, _ = doctor(
        run_cli, "--timeout", "2", "--", *REFERENCE, "--stdout-noise", "Warming up"
    )
    assert code == 1
    assert "[✗] Output hygiene" in out and "[✗] Framing" in out
    assert "✗ it writes 'Warming up' to stdout before any frame" in out
    assert "• write logs and banners to stderr" in out
    assert "Doctor found issues in" in out


def test_a_missing_command_is_a_finding_not_bad_input(run_cli: RunCli) -> None:
    code, out, _ = doctor(run_cli, "--", "no-such-worker-cmd", "--flag")
    assert code == 1
    assert "[✗] Worker command" in out and "command not found" in out


def test_the_bundled_checkout_timeout_scenario(run_cli: RunCli) -> None:
    code, out, _ = doctor(run_cli, "p3-checkout-timeout")  # a bundled scenario, by name
    assert code == 1
    assert "[✗] Pool settings" in out
    assert "over checkout_timeout 0.5 s: they time out" in out
    assert "6 callers at once, 2 worker(s)" in out


def test_an_unknown_pool_setting_is_reported_not_refused(run_cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(
        "worker:\n  command: ['{python}', '-m', 'poolctl.workers.reference']\n"
        "pool:\n  size: 2\n  connectionTimeout: 30000\n"
    )
    code, out, _ = doctor(run_cli, str(path))
    assert code == 1
    assert f"pool.connectionTimeout ({path}:5) is not a pool setting: HikariCP" in out
    assert "• rename connectionTimeout to checkout_timeout" in out
    code, _, err = run_cli("run-scenario", "--check", str(path))
    assert code == 2 and "unknown key" in err  # the pool itself refuses it


def test_a_command_after_dashes_overrides_the_scenarios(run_cli: RunCli, tmp_path: Path) -> None:
    scenario = REPO / "poolctl" / "scenarios" / "healthy.yaml"
    _, report = doctor_json(
        run_cli, str(scenario), "--", sys.executable, "-m", "poolctl.workers.reference", "-v"
    )
    assert report["extra"]["worker"][-1] == "-v"  # after `--`, not doctor's -v
    assert str(scenario) in report["inputs"]
    assert any(c["section"] == "Pool settings" for c in report["checks"])


def test_a_command_without_dashes_is_the_worker_as_in_ping(run_cli: RunCli) -> None:
    """`poolctl ping python -m x` runs `python -m x`; `poolctl doctor python -m x` said "No such
    option: -m". The options before the command are doctor's, those after it the worker's."""
    code, report = doctor_json(run_cli, "--timeout", "4", *REFERENCE, "--stderr-noise", "hi")
    assert code == 0, report  # the worker took its option: doctor has no --stderr-noise
    assert report["extra"]["worker"] == [*REFERENCE, "--stderr-noise", "hi"]
    assert not any(c["section"] == "Pool settings" for c in report["checks"])


@pytest.mark.parametrize(
    ("argv", "starts"),
    [
        (["healthy.yaml"], False),  # a scenario file, there or not
        (["p3-checkout-timeout", "-v"], False),  # a bundled one, then doctor's options
        (["helthy"], False),  # a lone word that runs no program: a scenario's name mistyped
        (["python3"], True),  # a program
        (["no-such-worker-cmd", "--flag"], True),  # a word with arguments
    ],
)
def test_what_begins_the_worker_command_without_dashes(argv: list[str], starts: bool) -> None:
    assert starts_worker_command(argv[0], argv[1:]) is starts


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["missing.yaml"], "missing.yaml: file not found"),
        (["helthy"], "no bundled scenario 'helthy' (did you mean"),  # not run as a command
        (["--framing", "packet-3"], "packet-3"),
        (["--cwd", "/no/such/dir"], "--cwd: does not exist: /no/such/dir"),
        (["--cwd", "/etc/passwd"], "--cwd: not a directory: /etc/passwd"),  # was both
        (["--env", "NOEQUALS"], "--env expects NAME=VALUE"),
    ],
)
def test_bad_input_exits_2_with_one_line(cli: RunCli, argv: list[str], message: str) -> None:
    code, out, err = doctor(cli, *argv)
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1
    assert out == ""


def test_a_scenario_with_invalid_yaml_exits_2(cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("worker:\n  command: [a, b\npool: {}\n")
    code, _, err = doctor(cli, str(path))
    assert code == 2 and f"{path}:" in err and "invalid YAML" in err


def test_a_worker_stopped_with_its_request_is_said_stopped_not_busy(run_cli: RunCli) -> None:
    """A worker that reads its request and stops itself (SIGSTOP: tests/workers/
    stops_after_reading.py). Buffering said 'it is busy with the request, not waiting: pid N
    (python) is stopped …': a stopped process works at nothing; ping and run-scenario say it
    is stopped, with its state in /proc."""
    worker = REPO / "tests" / "workers" / "stops_after_reading.py"
    code, report = doctor_json(run_cli, "--timeout", "1", "--", sys.executable, str(worker))
    assert code == 1
    [buffering] = [c for c in report["checks"] if c["section"] == "Buffering"]
    assert buffering["status"] == "warn", buffering
    assert (
        "it is stopped (state T in /proc), not busy with the request" in (buffering["summary"])
    ), buffering
    assert "it is busy with the request" not in buffering["summary"], buffering


def test_an_answer_then_a_reply_in_another_framing_is_not_said_cut_short(run_cli: RunCli) -> None:
    """A worker that answers its init in packet-4, then a request in a JSON line (tests/workers/
    switches_to_lines.py): Output hygiene said '55 byte(s) of a frame cut short', a whole line
    read as a frame's header."""
    worker = REPO / "tests" / "workers" / "switches_to_lines.py"
    code, report = doctor_json(run_cli, "--timeout", "2", "--", sys.executable, str(worker))
    assert code == 1
    [stdout] = [
        c for c in report["checks"] if (c["section"], c["name"]) == ("Output hygiene", "stdout")
    ]
    assert stdout["summary"] == (
        "nothing on stdout before its first frame (1 whole frame(s), then 55 byte(s) of a reply "
        "in line: see Framing)"
    ), stdout


def test_an_answer_then_one_cut_short_is_no_stray_text_on_stdout(run_cli: RunCli) -> None:
    """A worker that answers its init and stops itself mid-answer (tests/workers/
    stops_itself_mid_answer.py): Output hygiene warned 'it writes '\\x00\\x00\\x006{"id": 1, …}'
    … to stdout, though that is not why it is silent', its whole init answer quoted as text
    (framing_explain read the first header against all that followed). Its stdout holds a
    whole frame and one cut short: no text."""
    worker = REPO / "tests" / "workers" / "stops_itself_mid_answer.py"
    code, report = doctor_json(run_cli, "--timeout", "1", "--", sys.executable, str(worker))
    assert code == 1
    [stdout] = [
        c for c in report["checks"] if (c["section"], c["name"]) == ("Output hygiene", "stdout")
    ]
    assert stdout["status"] == "ok", stdout
    assert stdout["summary"] == (
        "nothing on stdout before its first frame (1 whole frame(s), then 10 byte(s) of a frame "
        "cut short: see Framing)"
    ), stdout
