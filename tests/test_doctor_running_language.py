"""A start script that `exec`s its server names no language, but once the exec is done the
worker's process is the server's program (/proc/PID/exe): ping's diagnosis, doctor's Output
hygiene and its Buffering check give that language's fix, saying where it was read. They gave
the general rule ('cannot be told from its command or the text') and the generic flush. A
script that runs its server as a child (tests/workers/runs_a_banner_writer.sh) still gets the
general rule: its process is the shell (tests/test_doctor_stray_language.py)."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import RunCli
from tests.test_diagnose_workers import WORKERS, confirmed, diagnose
from tests.test_doctor_checks import Doctor, doctor, only

__all__ = ["doctor"]  # the fixture, used by name


@pytest.mark.skipif(shutil.which("python3") is None, reason="no python3 on PATH")
def test_a_start_script_that_execs_python_is_told_python_s_way(doctor: Doctor) -> None:
    argv = (str(WORKERS / "starts_a_banner_writer.sh"),)
    report = doctor(argv, "Output hygiene", "Framing", framing="line")
    hygiene = only(report, "Output hygiene", "stdout")
    assert hygiene.status == "fail" and "'server ready'" in hygiene.summary, hygiene.summary
    for fix in (hygiene.remedy, only(report, "Framing").remedy):
        assert "in Python, `print(…, file=sys.stderr)`" in fix, fix
        assert "its command does not name its language; its running process is /" in fix, fix
        assert "cannot be told" not in fix, fix


ruby = pytest.mark.skipif(shutil.which("ruby") is None, reason="ruby is not installed")


@ruby
def test_a_start_script_that_execs_a_buffered_ruby_is_told_ruby_s_flush(run_cli: RunCli) -> None:
    worker = str(WORKERS / "starts_a_ruby_never_syncing.sh")
    d = diagnose(run_cli, "--timeout", "2", "--framing", "line", "--", worker)
    assert confirmed(d) == ["buffered"], d["cause"]
    assert d["remediation"].startswith("In Ruby (its running process is /"), d["remediation"]
    assert "`$stdout.sync = true`" in d["remediation"], d["remediation"]


@ruby
def test_doctor_s_buffering_check_gives_ruby_s_flush(doctor: Doctor) -> None:
    argv = (str(WORKERS / "starts_a_ruby_never_syncing.sh"),)
    check = only(doctor(argv, "Buffering", init_timeout=2.0, framing="line"), "Buffering")
    assert check.status == "fail", check.summary
    assert check.remedy == "flush stdout after every frame (`$stdout.sync = true`)", check.remedy


@ruby
def test_a_log_line_between_answers_gets_the_language_its_process_answered_in(
    doctor: Doctor,
) -> None:
    """It answers, so no diagnosis looked at its process: the program it ran as it answered
    does (the general rule before)."""
    argv = (str(WORKERS / "starts_a_ruby_logging_between.sh"),)
    check = only(doctor(argv, "Output hygiene", framing="line"), "Output hygiene", "stdout")
    assert check.status == "fail" and "b'handled one'" in check.summary, check.summary
    assert "in Ruby, `$stderr.puts(…)`" in check.remedy, check.remedy
    assert "its running process is /" in check.remedy, check.remedy


@ruby
def test_pythonunbuffered_is_no_aid_named_to_a_start_script_s_ruby(doctor: Doctor) -> None:
    """PYTHONUNBUFFERED in its environment counted as an aid while the script named no
    language: the summary said '(nor with PYTHONUNBUFFERED, as configured)' of a Ruby process,
    which never reads it."""
    argv = (str(WORKERS / "starts_a_ruby_never_syncing.sh"),)
    env = {"PYTHONUNBUFFERED": "1"}
    report = doctor(argv, "Buffering", init_timeout=2.0, framing="line", env=env)
    check = only(report, "Buffering")
    assert check.status == "fail", check.summary
    assert "PYTHONUNBUFFERED" not in check.summary, check.summary
    assert check.remedy == "flush stdout after every frame (`$stdout.sync = true`)", check.remedy
    aid = next(e for e in check.evidence if e.text.startswith("PYTHONUNBUFFERED=1"))
    assert "no aid to its running process /" in aid.note and "(Ruby)" in aid.note, aid


@ruby
def test_a_start_script_s_ruby_that_flushes_is_not_said_to_answer_without_pythonunbuffered(
    doctor: Doctor,
) -> None:
    argv = (str(WORKERS / "starts_a_ruby_logging_between.sh"),)
    env = {"PYTHONUNBUFFERED": "1"}
    check = only(doctor(argv, "Buffering", framing="line", env=env), "Buffering")
    assert check.status == "ok", check.summary
    assert check.summary == "flushes each frame: answers on a pipe", check.summary


@ruby
@pytest.mark.parametrize(
    "script", ["starts_a_ruby_never_syncing.sh", "starts_a_ruby_logging_between.sh"]
)
def test_limits_offers_no_python_stack_dump_for_a_start_script_s_ruby(
    doctor: Doctor, script: str
) -> None:
    """Limits said 'stack dumps of hung workers work (py-spy, ptrace allowed)' of a start
    script that `exec`s Ruby: its command names no language, its running process does (as the
    diagnosis of one that never answers saw it, or as one answered)."""
    argv = (str(WORKERS / script),)
    report = doctor(argv, "Limits", "Buffering", init_timeout=2.0, framing="line")
    check = only(report, "Limits", "ptrace")
    assert check.summary.startswith("stack dumps: not checked for a Ruby worker (its running "), (
        check.summary
    )
    assert "py-spy, ptrace allowed" not in check.summary
