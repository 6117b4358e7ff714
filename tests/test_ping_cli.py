"""`poolctl ping` end to end with the reference worker and each of its fault switches."""

from __future__ import annotations

import json
import os
import re
import shlex
from pathlib import Path
from typing import Any

import pytest

from poolctl.diagnose.engine import DEFAULT_BUDGET
from tests.conftest import REFERENCE, RunCli


def ping(cli: RunCli, *argv: str) -> tuple[int, str, str]:
    return cli("ping", *argv)


def ping_json(cli: RunCli, *argv: str) -> tuple[int, dict[str, Any]]:
    code, out, _ = ping(cli, "--json", *argv)
    return code, json.loads(out)


def worker(*switches: str) -> list[str]:
    return ["--", *REFERENCE, *switches]


def test_healthy_worker_answers_with_its_mode(run_cli: RunCli) -> None:
    code, report = ping_json(run_cli, "--count", "20", *worker("--mode", "PythonPort"))
    assert code == 0
    assert report["extra"]["ok"] is True
    assert report["extra"]["response"]["result"]["mode"] == "PythonPort"
    stats = report["extra"]["stats_ms"]
    assert 0 < stats["min"] <= stats["median"] <= stats["p99"] <= stats["max"]
    assert len(report["extra"]["round_trips_ms"]) == 20
    assert report["findings"] == []


def test_count_prints_min_median_max_and_p99_from_100(run_cli: RunCli) -> None:
    code, out, _ = ping(run_cli, "--count", "5")
    assert code == 0
    assert "5 round trips: min" in out and "median" in out and "max" in out
    assert "p99" not in out  # of 5 samples, the 99th percentile is the maximum again
    code, out, _ = ping(run_cli, "--count", "100")
    assert code == 0 and "100 round trips: min" in out and " · p99 " in out
    assert re.search(r"median \d+(\.\d)? (µs|ms) ", out), out  # rounded, with a unit


def test_no_command_pings_the_reference_worker(run_cli: RunCli) -> None:
    code, out, _ = ping(run_cli)
    assert code == 0 and "poolctl.workers.reference" in out


def test_stdout_noise_is_quoted_with_the_length_it_decodes_to(
    run_cli: RunCli,
) -> None:
    code, out, _ = ping(run_cli, "--timeout", "3", *worker("--stdout-noise", "Warming up"))
    assert code == 1
    assert "'Warm'" in out
    assert "1,466,004,077" in out
    assert "pattern 1 (port-no-response)" in out


def test_merged_stderr_reaches_the_framed_stream(run_cli: RunCli) -> None:
    code, out, _ = ping(
        run_cli,
        "--timeout",
        "3",
        "--stderr",
        "merge",
        *worker("--stderr-noise", "Warning: DSPy not available"),
    )
    assert code == 1
    assert "'Warn'" in out and f"{int.from_bytes(b'Warn', 'big'):,}" in out


def test_captured_stderr_noise_is_harmless_and_kept(run_cli: RunCli, tmp_path: Path) -> None:
    run = tmp_path / "run"
    code, _, _ = ping(
        run_cli, "--run-dir", str(run), *worker("--stderr-noise", "Warning: DSPy not available")
    )
    assert code == 0
    assert (run / "workers" / "w1.stderr.log").read_text() == "Warning: DSPy not available\n"
    assert (run / "report.json").exists()


def test_crash_on_start_reports_exit_code_and_exception(run_cli: RunCli) -> None:
    code, report = ping_json(run_cli, "--timeout", "5", *worker("--crash-on-start", "3"))
    assert code == 1
    assert report["extra"]["worker"]["exit"] == "exited with code 3"
    quoted = json.dumps(report["findings"][0]["outcome"]["evidence"])
    assert "RuntimeError: worker failed to start (--crash-on-start 3)" in quoted


def test_buffered_worker_never_answers_on_a_pipe(run_cli: RunCli) -> None:
    code, report = ping_json(
        run_cli,
        "--timeout",
        "1",
        "--no-experiments",
        "--unset-env",
        "PYTHONUNBUFFERED",
        *worker("--buffered"),
    )
    assert code == 1
    assert report["findings"][0]["failure"]["kind"] == "timeout"
    # The answer was sitting in the worker's buffer: it came out only when stdin closed.
    transcript = Path(report["extra"]["worker"]["stdout_transcript"]).read_bytes()
    assert b'"success":true' in transcript


def test_pythonunbuffered_hides_the_buffering_fault_and_ping_says_so(
    run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHONUNBUFFERED", "1")
    code, out, _ = ping(run_cli, "--timeout", "5", *worker("--buffered"))
    assert code == 0
    assert "PYTHONUNBUFFERED is set" in out
    code, again, _ = ping(run_cli, "--timeout", "5", *worker("--buffered"))
    assert code == 0 and "PYTHONUNBUFFERED" not in again  # said once, not on every ping


@pytest.mark.parametrize("switch", ["--init-delay", "--import-delay"])
def test_slow_start_misses_a_short_timeout(run_cli: RunCli, switch: str) -> None:
    """A start longer than the timeout, and than the diagnosis' budget with the stop after it:
    one of 3 s ended within the stop on a loaded machine (the diagnosis took 2.5 s, under three
    busy loops), and the worker answered and exited with code 0 as its stdin closed."""
    start = worker(switch, str(DEFAULT_BUDGET + 10))
    code, report = ping_json(run_cli, "--timeout", "0.5", "--no-experiments", *start)
    assert code == 1
    assert report["findings"][0]["failure"]["kind"] == "timeout"
    assert report["extra"]["worker"]["exit"] is None or "SIG" in report["extra"]["worker"]["exit"]


def test_slow_start_within_the_timeout_answers(run_cli: RunCli) -> None:
    code, _ = ping_json(run_cli, "--timeout", "10", *worker("--init-delay", "0.5"))
    assert code == 0


def test_worker_in_line_framing_when_ping_sends_packet_4(
    run_cli: RunCli,
) -> None:
    code, report = ping_json(
        run_cli, "--timeout", "0.5", "--no-experiments", *worker("--framing", "line")
    )
    assert code == 1
    assert report["findings"][0]["failure"]["kind"] == "timeout"


@pytest.mark.parametrize("framing", ["line", "packet-2", "packet-1"])
def test_every_framing_round_trips(run_cli: RunCli, framing: str) -> None:
    code, _ = ping_json(run_cli, "--framing", framing, *worker("--framing", framing))
    assert code == 0


def test_ignore_sigterm_worker_is_still_stopped(run_cli: RunCli) -> None:
    code, report = ping_json(run_cli, *worker("--ignore-sigterm", "--hang-on-eof"))
    assert code == 0
    assert report["extra"]["worker"]["stopped_by"].startswith("SIGKILL after")


def test_command_and_args_reach_the_worker(run_cli: RunCli) -> None:
    code, report = ping_json(run_cli, "--command", "create_program", "--args", "{}")
    assert code == 0
    assert report["extra"]["response"] == {
        **report["extra"]["response"],
        "success": False,
        "error": "Program ID is required",
    }


def test_env_and_cwd_reach_the_worker(run_cli: RunCli, tmp_path: Path) -> None:
    code, report = ping_json(
        run_cli, "--env", "POOLCTL_WORKER_ID=abc", "--cwd", str(tmp_path), "--command", "ping"
    )
    assert code == 0
    assert report["extra"]["response"]["result"]["worker_id"] == "abc"


@pytest.mark.parametrize(
    "argv,message",
    [
        (["--framing", "packet-3"], "'packet-3' is not one of"),
        (["--args", "{nope"], "--args is not JSON"),
        (["--args", "[1]"], "--args must be a JSON object"),
        (["--env", "NOEQUALS"], "--env expects NAME=VALUE"),
        (["--", "no-such-worker-cmd"], "command not found on PATH: no-such-worker-cmd"),
        (["--", "./missing/worker.sh"], "command not found: ./missing/worker.sh"),
        (["--", ""], "the command's program is an empty name ('')"),  # was "…PATH: " naming nothing
        (["--bogus"], "No such option: --bogus"),
        (["--timeout", "soon"], "Invalid value for '--timeout'"),
        # no wait is endless: `inf` went as far as poll(), which refused it (an internal error)
        (["--timeout", "inf"], "'--timeout': Input should be less than or equal to 86400"),
        (["--timeout", "1e400"], "'--timeout': Input should be less than or equal to 86400"),
        (["--stderr", "file"], "Invalid value for '--stderr'"),
        (["--cwd", "/no/such/dir"], "--cwd: does not exist: /no/such/dir"),
        (["--cwd", "/etc/passwd"], "--cwd: not a directory: /etc/passwd"),  # was both
    ],
)
def test_bad_usage_is_one_line_and_exit_2(cli: RunCli, argv: list[str], message: str) -> None:
    code, _, err = ping(cli, *argv)
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_a_command_in_this_folder_named_without_its_path_is_told_to_give_it(
    cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`poolctl ping -- worker.py` with worker.py here: a shell also looks a bare name up on
    PATH only; it was "command not found on PATH" alone."""
    (tmp_path / "worker.py").write_text("print('hi')\n")
    monkeypatch.chdir(tmp_path)
    code, _, err = ping(cli, "--", "worker.py")
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert (
        "command not found on PATH: worker.py (a file of that name is in this folder: a command "
        "that is no path is looked up on PATH only; give ./worker.py)" in err
    ), err


def test_a_relative_command_found_here_but_not_in_cwd_names_the_folder(
    cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A relative command is run from `--cwd`: found from where poolctl runs, it was a bare
    "command not found" for a file that plainly exists."""
    monkeypatch.chdir(Path(__file__).parent.parent)
    code, _, err = ping(cli, "--cwd", str(tmp_path), "--", "tests/workers/line_worker.sh")
    assert code == 2 and len(err.strip().splitlines()) == 1
    whole = Path("tests/workers/line_worker.sh").resolve()
    assert (
        f"command not found in the worker's working directory {tmp_path}: "
        f"tests/workers/line_worker.sh (a relative command is looked up from there; give {whole})"
    ) in err


def test_a_worker_that_outlives_its_stdin_and_ignores_sigterm_is_noted(run_cli: RunCli) -> None:
    """A launcher that ignores SIGTERM and runs on after its server ends (cleanup, a `sleep`)
    answered, and poolctl killed it after 2 s without a word (events.jsonl alone said so)."""
    launcher = f"trap '' TERM; {shlex.join(REFERENCE)}; sleep 30"
    code, report = ping_json(run_cli, "--", "sh", "-c", launcher)
    assert code == 0
    assert (
        "it did not exit when its stdin closed, and ignored SIGTERM: poolctl killed it (SIGKILL "
        "after 2 s)" in " ".join(report["notes"])
    )


# an ELF header as `gcc` writes one for AArch64 (e_machine 183), on a machine of another kind
AARCH64_ELF = b"\x7fELF\x02\x01\x01\x00" + bytes(8) + b"\x02\x00\xb7\x00" + bytes(44)


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b"#!/bin/sh\r\ncat\r\n", "its #! line ends with a carriage return"),
        (b"#!/no/such/interpreter\ncat\n", "its #! line names /no/such/interpreter, which"),
        (AARCH64_ELF, "it is a program for AArch64, and this machine is"),
    ],
    ids=["crlf-shebang", "missing-interpreter", "other-machine"],
)
def test_a_program_that_cannot_run_here_is_bad_input_saying_why(
    cli: RunCli, tmp_path: Path, content: bytes, said: str
) -> None:
    """It exists and has its x bit, yet the kernel refuses it, naming the file: it was a
    worker that "exited with code 127" (the launcher's), or sh ran an ELF file's bytes."""
    if said.startswith("it is a program for AArch64") and os.uname().machine == "aarch64":
        pytest.skip("this machine is AArch64")
    program = tmp_path / "worker"
    program.write_bytes(content)
    os.chmod(program, 0o755)
    code, _, err = ping(cli, "--", str(program))
    assert code == 2 and f"{program} cannot run: {said}" in err, err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("shape", "said"),
    [("long", "File name too long"), ("loop", "Too many levels of symbolic links")],
)
@pytest.mark.parametrize("command", ["ping", "doctor"])
def test_a_command_path_that_cannot_be_looked_at_says_why(
    run_cli: RunCli, tmp_path: Path, command: str, shape: str, said: str
) -> None:
    """A worker path whose stat fails with more than "no such file": a name over 255 bytes
    was an internal error (exit 3) from ping and doctor, `Path.exists` raising; a loop of links
    was "command not found". Run as `nobody` under a folder of root's, the same stat's
    EACCES was an internal error from run-scenario and doctor."""
    if shape == "long":
        program = tmp_path / ("x" * 300) / "worker"
    else:
        program = tmp_path / "loop"
        program.symlink_to(tmp_path / "loop")
    code, out, err = run_cli(command, "--", str(program))
    expected = f"{program} cannot be reached: {said}"
    if command == "ping":
        assert (code, err) == (2, f"poolctl: error: {expected}\n"), err
    else:
        assert code == 1 and expected in out and "internal error" not in err, err


def test_doctor_names_why_an_interpreter_it_cannot_look_at_is_missing(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """A Python named by a path whose stat fails past "no such file": the Interpreter check
    said it "is not found on the worker's PATH" (a path, not looked up on PATH), as nobody
    under a folder of root's too, while the Worker command check said why."""
    python = tmp_path / ("x" * 300) / "python3"
    code, out, err = run_cli("doctor", "--", str(python), "-m", "worker")
    assert code == 1, err
    assert f"{python} (named by the worker command) cannot be reached: File name too long" in out


def test_a_run_folder_on_a_full_disk_is_one_line_and_exit_2(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """The kernel's own ENOSPC: the run's event file is /dev/full (as a file system that filled
    up writes). It was a chained traceback and exit 1, "no answer came"."""
    run = tmp_path / "run"
    run.mkdir()
    (run / "events.jsonl").symlink_to("/dev/full")
    code, _, err = run_cli("ping", "--run-dir", str(run))
    assert code == 2, err
    assert f"cannot write {run}: No space left on device" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_not_executable_command_is_bad_input(run_cli: RunCli, tmp_path: Path) -> None:
    script = tmp_path / "worker.sh"
    script.write_text("#!/bin/sh\ncat\n")
    os.chmod(script, 0o644)
    code, _, err = ping(run_cli, "--", str(script))
    assert code == 2 and "not executable" in err
