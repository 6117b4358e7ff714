"""Bad input, as a user or a CI job gives it, against a real `poolctl` process: one line on
standard error naming the problem and its place, exit 2, no traceback, no hang, bounded memory.
"""

from __future__ import annotations

import gzip
import json
import os
import sys
from pathlib import Path

import pytest

from tests.conftest import Processes, RunCli

# Runs `poolctl ARGV...` and prints, last, the largest resident set of it and its children (kB)
MEASURED = (
    "import resource, subprocess, sys\n"
    "done = subprocess.run([sys.executable, '-m', 'poolctl', *sys.argv[1:]])\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    "sys.exit(done.returncode)\n"
)


def _env(tmp_path: Path) -> dict[str, str]:
    # a FIFO nothing comes on is given up after 1 s here, not the 10 s a user gets by default
    return {
        **os.environ,
        "POOLCTL_REPORTS_DIR": str(tmp_path / "reports"),
        "POOLCTL_FIFO_WAIT": "1",
    }


def test_a_worker_flooding_stdout_is_read_in_bounded_memory(
    tmp_path: Path, processes: Processes
) -> None:
    # `yes` writes text lines as fast as it can: the stream breaks on the first one, and the
    # diagnosis watches what follows. Every decoded line was kept: 420-850 MB in five seconds.
    scenario = tmp_path / "flood.yaml"
    scenario.write_text(
        "name: flood\n"
        "worker:\n"
        f'  command: ["sh", "-c", "yes {"A" * 80}"]\n'
        "  framing: line\n"
        "  init_timeout: 3\n"
        "pool: {size: 1, max_overflow: 0, lazy: false, checkout_timeout: 3, request_timeout: 3}\n"
        "steps:\n"
        "  - request: {command: ping}\n"
        "expect: {outcome: ok}\n"
    )
    argv = ["run-scenario", str(scenario), "--no-history", "-q", "--run-dir", str(tmp_path / "r")]
    done = processes.run(
        [sys.executable, "-c", MEASURED, *argv], 120, cwd=tmp_path, env=_env(tmp_path)
    )
    assert done.returncode == 1, done.stderr
    assert "got port-no-response" in done.stdout
    assert "Traceback" not in done.stderr
    peak_kb = int(done.stdout.splitlines()[-1])
    assert peak_kb < 300_000, f"peak RSS {peak_kb:,} kB"
    kept = (tmp_path / "r" / "workers" / "w1.stdout.bin").read_bytes()
    assert kept.startswith(b"A" * 80 + b"\n")  # the transcript's first MiB, as promised


def _one_line(stderr: str) -> str:
    lines = stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    return lines[0]


def test_a_scenario_that_is_a_fifo_nobody_writes_to_is_refused_not_waited_on_for_ever(
    tmp_path: Path, processes: Processes
) -> None:
    fifo = tmp_path / "scenario.yaml"
    os.mkfifo(fifo)  # `open` of it blocked for ever: no process will write to it
    done = processes.run(
        [sys.executable, "-m", "poolctl", "run-scenario", "--check", str(fifo)],
        60,
        cwd=tmp_path,
        env=_env(tmp_path),
    )
    assert done.returncode == 2
    line = _one_line(done.stderr)
    assert line.startswith(f"poolctl: error: {fifo}: a FIFO, and nothing came on it in 1 s")


def test_a_report_json_that_never_ends_is_refused_in_bounded_memory(
    tmp_path: Path, processes: Processes
) -> None:
    run = tmp_path / "run"
    run.mkdir()
    (run / "report.json").symlink_to("/dev/zero")  # it was read whole: memory until killed
    script = f'ulimit -v 3000000; exec "{sys.executable}" -m poolctl report "{run}"'
    done = processes.run(["bash", "-c", script], 60, cwd=tmp_path, env=_env(tmp_path))
    assert done.returncode == 2, done.stderr
    line = _one_line(done.stderr)
    assert (
        line == f"poolctl: error: {run}/report.json: it goes on past 67,108,864 bytes; not a report"
    )


def test_a_control_character_in_yaml_is_one_line_with_its_line(tmp_path: Path, cli: RunCli) -> None:
    # PyYAML's reader error spans two lines and names no line of the file
    scenario = tmp_path / "nul.yaml"
    scenario.write_bytes(b"name: x\nworker:\n  command: [a\x00]\n")
    code, _, err = cli("run-scenario", "--check", str(scenario))
    assert code == 2
    assert _one_line(err) == (
        f"poolctl: error: {scenario}:3: invalid YAML: character U+0000 at column 14: YAML "
        "allows no control character"
    )


def test_a_ping_count_no_run_can_mean_is_refused(cli: RunCli) -> None:
    # it was taken: a ping of the reference worker 10^23 times, its round trips kept in memory
    code, _, err = cli("ping", "--count", "99999999999999999999999")
    assert code == 2
    assert _one_line(err) == (
        "poolctl: error: Invalid value for '--count': Input should be less than or equal to "
        "10000000 (see 'poolctl ping --help')"
    )


def test_a_float_option_given_nan_is_told_it_is_not_a_number(cli: RunCli) -> None:
    # NaN fails every bound: it was told "Input should be less than or equal to 86400"
    code, _, err = cli("doctor", "--timeout", "nan")
    assert code == 2
    assert _one_line(err) == (
        "poolctl: error: Invalid value for '--timeout': 'nan' is not a number "
        "(see 'poolctl doctor --help')"
    )


def test_a_pattern_weight_of_nan_is_told_it_is_not_finite(tmp_path: Path, cli: RunCli) -> None:
    builtin = Path(__file__).parents[1] / "poolctl" / "patterns" / "builtin"
    text = (builtin / "p3-checkout-timeout-waiters.yaml").read_text()
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "p3.yaml").write_text(text.replace("weight: 0.", "weight: .nan #", 1))
    line = 1 + text[: text.index("weight: 0.")].count("\n")
    code, _, err = cli("patterns", "list", "--patterns", str(mine))
    assert code == 2
    assert _one_line(err) == (
        f"poolctl: error: {mine}/p3.yaml:{line}: signals[0].weight: Input should be a finite number"
    )


def test_a_patterns_folder_that_is_not_there_is_told_so(tmp_path: Path, cli: RunCli) -> None:
    """A missing --patterns folder was "not a folder of pattern files", as a file given is."""
    missing = tmp_path / "no-such-patterns"
    code, _, err = cli("patterns", "list", "--patterns", str(missing))
    assert code == 2
    expected = "does not exist (a folder of pattern files is expected)"
    assert _one_line(err) == f"poolctl: error: {missing}: {expected}"
    (tmp_path / "a-file").write_text("")
    code, _, err = cli("patterns", "list", "--patterns", str(tmp_path / "a-file"))
    assert code == 2
    assert _one_line(err) == f"poolctl: error: {tmp_path / 'a-file'}: not a folder of pattern files"


def test_a_source_folder_that_is_not_there_is_bad_usage(tmp_path: Path, cli: RunCli) -> None:
    # a typo was taken as a folder of no sources: the cut-off test heads went unread, unsaid
    log = Path(__file__).parent / "fixtures" / "exunit" / "mix_after_run" / "warnings_as_errors.log"
    missing = tmp_path / "no-such-src"
    code, _, err = cli("triage", str(log), "--source", str(missing), "--no-history")
    assert code == 2
    assert _one_line(err) == f"poolctl: error: --source: does not exist: {missing}"
    # a file is the other mistake: the two were told alike ("not a directory")
    code, _, err = cli("triage", str(log), "--source", str(log), "--no-history")
    assert code == 2
    assert _one_line(err) == f"poolctl: error: --source: not a directory: {log}"


def test_a_full_standard_output_is_named_as_the_place(tmp_path: Path, processes: Processes) -> None:
    # `--version` printed a traceback; a report that could not be printed was blamed on the
    # run folder ("cannot write reports/…: No space left on device")
    log = Path(__file__).parent / "fixtures" / "exunit" / "mix_after_run" / "warnings_as_errors.log"
    for argv in (["--version"], ["--help"], ["triage", str(log), "--no-history", "-f", "json"]):
        script = f'exec "{sys.executable}" -m poolctl "$@" >/dev/full'
        done = processes.run(["bash", "-c", script, "bash", *argv], 60, env=_env(tmp_path))
        assert done.returncode == 2, argv
        said = _one_line(done.stderr)
        assert said == "poolctl: error: cannot write standard output: No space left on device"


def test_a_full_standard_error_costs_a_scenario_neither_its_run_nor_its_report(
    tmp_path: Path, processes: Processes
) -> None:
    # `2>/dev/full`: the first progress line's write failed, and the scenario ended there,
    # exit 2, with no report.json and its verdict unprinted; the error it raised could not be
    # said either (standard error was the stream that failed)
    run_dir = tmp_path / "run"
    argv = ["run-scenario", "healthy", "--no-history", "--run-dir", str(run_dir)]
    script = f'exec "{sys.executable}" -m poolctl "$@" 2>/dev/full'
    done = processes.run(["bash", "-c", script, "bash", *argv], 120, env=_env(tmp_path))
    assert done.returncode == 0, done.stdout
    assert done.stdout.startswith("✓ scenario healthy passed")
    report = json.loads((run_dir / "report.json").read_text())
    assert report["title"] == "scenario healthy: passed"


def test_a_run_folder_that_is_not_there_is_named_itself(tmp_path: Path, cli: RunCli) -> None:
    # its parent was named instead: "reports: no report.json (is it a poolctl run folder?)"
    missing = tmp_path / "reports" / "20261201T000000Z-triage"
    code, _, err = cli("report", str(missing))
    assert code == 2
    assert _one_line(err) == f"poolctl: error: {missing}: no such run folder or file"


def test_a_history_timeout_that_is_no_number_is_refused(
    tmp_path: Path, cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    # POOLCTL_KEEP_RUNS and POOLCTL_FLAKY_WINDOW were refused; this one was taken as 10 s
    monkeypatch.setenv("POOLCTL_HISTORY_TIMEOUT", "nan")
    log = Path(__file__).parent / "fixtures" / "exunit" / "mix_after_run" / "warnings_as_errors.log"
    store = tmp_path / "history.sqlite"
    code, out, err = cli("triage", str(log), "-q", "--history", str(store))
    assert code == 2
    assert "1 failure" in out  # the report first, as for any store that cannot be used
    assert _one_line(err) == (
        "poolctl: error: POOLCTL_HISTORY_TIMEOUT: not a number of seconds from 0 to 86400: 'nan'"
    )


def test_ping_args_nested_past_any_use_are_bad_usage(cli: RunCli) -> None:
    # json.loads raised RecursionError: "internal error", exit 3, a traceback saved
    deep = '{"a": ' + "[" * 20_000 + "]" * 20_000 + "}"
    code, _, err = cli("ping", "--args", deep)
    assert code == 2
    assert _one_line(err) == "poolctl: error: --args is nested more than 256 levels deep"


def test_ping_args_holding_nan_are_not_json(cli: RunCli) -> None:
    # Python's json reads NaN and writes it back: a strict worker (JSON.parse) refuses it
    code, _, err = cli("ping", "--args", '{"a": NaN}')
    assert code == 2
    assert _one_line(err) == "poolctl: error: --args is not JSON: NaN is no JSON value"


def test_a_report_json_python_cannot_decode_is_said_without_python_s_advice(
    tmp_path: Path, cli: RunCli
) -> None:
    run = tmp_path / "run"
    run.mkdir()
    report = run / "report.json"
    report.write_bytes(b'{\n"title": "\xff"}')  # was: 'utf-8' codec can't decode byte …
    code, _, err = cli("report", str(run))
    assert code == 2
    assert _one_line(err) == f"poolctl: error: {report}:2: not UTF-8: byte 0xff; not a report"
    report.write_text('{"schema_version": ' + "1" * 5000 + "}")  # was: use sys.set_int_max_…
    code, _, err = cli("report", str(run))
    assert code == 2
    assert _one_line(err) == (
        f"poolctl: error: {report}: cannot read the report: Exceeds the limit (4300 digits) for "
        "integer string conversion: value has 5000 digits"
    )


def test_history_of_a_test_with_an_empty_name_is_bad_usage(tmp_path: Path, cli: RunCli) -> None:
    # every test's name holds '': their outcomes were listed under the heading "Test : …"
    log = Path(__file__).parent / "fixtures" / "exunit" / "mix_after_run" / "warnings_as_errors.log"
    store = tmp_path / "history.sqlite"
    assert cli("triage", str(log), "-q", "--history", str(store))[0] == 1
    code, out, err = cli("history", "test", "", "--history", str(store))
    assert code == 2 and not out
    assert _one_line(err) == "poolctl: error: NAME is empty: give a test's name, or a part of it"


def test_a_log_that_is_a_fifo_nobody_writes_to_is_refused_not_waited_on_for_ever(
    tmp_path: Path, processes: Processes
) -> None:
    fifo = tmp_path / "test.log"
    os.mkfifo(fifo)  # `open` of it blocked for ever, and nothing was said
    argv = [sys.executable, "-m", "poolctl", "triage", str(fifo), "--no-history"]
    done = processes.run(argv, 60, cwd=tmp_path, env=_env(tmp_path))
    assert done.returncode == 2
    assert _one_line(done.stderr) == (
        f"poolctl: error: nothing could be read from the logs: {fifo}: cannot read: a FIFO, and "
        "nothing came on it in 1 s: no process writes to it"
    )


def test_a_log_fifo_a_writer_holds_is_waited_on_past_the_wait(
    tmp_path: Path, processes: Processes
) -> None:
    # the writer holds it open and writes late (a test run still compiling): no refusal
    fifo = tmp_path / "test.log"
    os.mkfifo(fifo)
    log = Path(__file__).parent / "fixtures" / "exunit" / "mix_after_run" / "warnings_as_errors.log"
    script = (
        f'(sleep 3; cat "{log}") > "{fifo}" & '
        f'exec "{sys.executable}" -m poolctl triage "{fifo}" --no-history -q'
    )
    done = processes.run(["bash", "-c", script], 60, cwd=tmp_path, env=_env(tmp_path))
    assert done.returncode == 1, done.stderr
    assert "1 failure" in done.stdout and not done.stderr


def test_an_output_that_is_a_fifo_nobody_reads_is_refused_not_waited_on_for_ever(
    tmp_path: Path, processes: Processes
) -> None:
    fifo = tmp_path / "report.md"
    os.mkfifo(fifo)  # opening it to write blocked for ever
    log = Path(__file__).parent / "fixtures" / "exunit" / "mix_after_run" / "warnings_as_errors.log"
    argv = ["triage", str(log), "--no-history", "-f", "md", "-o", str(fifo)]
    done = processes.run(
        [sys.executable, "-m", "poolctl", *argv], 60, cwd=tmp_path, env=_env(tmp_path)
    )
    assert done.returncode == 2
    assert _one_line(done.stderr) == (
        f"poolctl: error: --output: cannot write {fifo}: a FIFO, and no process opened it for "
        "reading in 1 s"
    )


def test_a_step_summary_that_is_a_fifo_nobody_reads_is_warned_of_not_waited_on(
    tmp_path: Path, processes: Processes
) -> None:
    fifo = tmp_path / "summary.md"
    os.mkfifo(fifo)  # appending to it blocked for ever, after the report was printed
    log = Path(__file__).parent / "fixtures" / "exunit" / "mix_after_run" / "warnings_as_errors.log"
    env = {**_env(tmp_path), "GITHUB_STEP_SUMMARY": str(fifo)}
    argv = [sys.executable, "-m", "poolctl", "triage", str(log), "--no-history", "-q"]
    done = processes.run(argv, 60, cwd=tmp_path, env=env)
    assert done.returncode == 1  # the log's failure: the summary is no reason to fail
    assert _one_line(done.stderr) == (
        f"poolctl: warning: cannot append to GITHUB_STEP_SUMMARY ({fifo}): a FIFO, and no "
        "process opened it for reading in 1 s"
    )


def test_a_fifo_wait_that_is_no_number_of_seconds_is_refused(
    tmp_path: Path, cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    fifo = tmp_path / "test.log"
    os.mkfifo(fifo)
    monkeypatch.setenv("POOLCTL_FIFO_WAIT", "nan")
    code, _, err = cli("triage", str(fifo), "--no-history")
    assert code == 2
    assert _one_line(err) == (
        "poolctl: error: POOLCTL_FIFO_WAIT: not a number of seconds from 0 to 86400: 'nan'"
    )


def test_a_variable_holding_a_byte_not_utf8_is_passed_on_not_an_internal_error(
    cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`FOO=$'\\xff' poolctl run-scenario …` (any variable of the environment, which a worker
    inherits): sizing the environment against the kernel's limit encoded it as UTF-8, a
    UnicodeEncodeError and exit 3 before any scenario ran."""
    monkeypatch.setenv("BADENV_NOT_UTF8", "caf\udce9")  # Python's name for the byte 0xe9
    code, out, err = cli("run-scenario", "--check", "p1-crash-at-start")
    assert (code, err) == (0, ""), err
    assert "p1-crash-at-start.yaml: valid" in out


@pytest.mark.parametrize("argv", [["run-scenario", "p5-required-field"], ["doctor", "--help"]])
def test_a_columns_of_0_is_no_width_not_an_empty_report(
    run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, argv: list[str]
) -> None:
    """`COLUMNS=0` (what a pseudo-terminal that reports no size leaves): rich took it as a width
    of 0 and printed nothing, a run-scenario's verdict and a command's help alike, exit 0."""
    monkeypatch.setenv("COLUMNS", "0")
    code, out, err = run_cli(*argv)
    assert code == 0, err
    said = "scenario p5-required-field passed" if argv[0] == "run-scenario" else "Exit codes:"
    assert said in out, out


def test_a_columns_past_any_screen_is_held_to_a_width_a_screen_has(
    cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`COLUMNS=99999999`: rich padded every line of a help to that width (500 MB and more
    before `timeout` ended it), and of a triage on a terminal (100 MB for 20 lines)."""
    from poolctl.termenv import MAX_COLUMNS

    monkeypatch.setenv("COLUMNS", str(MAX_COLUMNS * 5))
    code, out, err = cli("triage", "--help")
    assert code == 0 and "Exit codes:" in out, err
    # (rich's table of options runs a line a column or two past the width it is given)
    assert max(len(line) for line in out.splitlines()) < 2 * MAX_COLUMNS


@pytest.mark.parametrize("entry", ["console script", "python -m"])
def test_a_folder_as_standard_input_is_refused_by_python_before_poolctl_runs(
    tmp_path: Path, processes: Processes, entry: str
) -> None:
    """The README's limit: CPython's start-up refuses a folder as standard input before any
    code of poolctl's runs, whichever entry point starts it (`poolctl`, `python -m poolctl`)."""
    argv = (
        [str(Path(sys.executable).parent / "poolctl")]
        if entry == "console script"
        else [sys.executable, "-m", "poolctl"]
    )
    folder = os.open(tmp_path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        done = processes.run(
            [*argv, "triage", "-", "--no-history"], 60, stdin=folder, env=_env(tmp_path)
        )
    finally:
        os.close(folder)
    assert done.returncode == 1 and done.stdout == ""
    assert "init_sys_streams: <stdin> is a directory, cannot continue" in done.stderr
    assert not (tmp_path / "reports").exists()  # no code of poolctl's ran


def test_a_log_whose_lines_end_in_a_cr_alone_is_named_so(tmp_path: Path, cli: RunCli) -> None:
    # read as one line, it was "format not recognised (not ExUnit, pytest or JUnit XML output)"
    # though it is ExUnit output: the line ends were the problem, and the message did not say
    clean = Path(__file__).parent / "fixtures" / "exunit" / "app_start_failed.log"
    log = tmp_path / "cr.log"
    log.write_bytes(clean.read_bytes().replace(b"\n", b"\r"))
    code, _, err = cli("triage", str(log), "--no-history")
    assert code == 2
    assert _one_line(err) == (
        f"poolctl: error: nothing could be read from the logs: {log}: its lines end in a CR "
        f"alone (no newline in its first {log.stat().st_size:,} bytes), which poolctl does not "
        f"read: tr '\\r' '\\n' < {log} | poolctl triage -"
    )


@pytest.mark.parametrize(
    ("line", "said"),
    [
        # "no such directory: /tmp<NUL>x": the NUL went raw to the terminal, unnamed
        ('  cwd: "/tmp\\0x"', "worker.cwd: the path holds a NUL byte, which no path can"),
        # a NAME=VALUE under unset_env removed nothing and the run went on without a word
        (
            '  unset_env: ["A=B"]',
            "worker.unset_env: 'A=B' is no variable's name: a name is not empty and holds no "
            "'=' or NUL (to set a variable: env)",
        ),
    ],
)
def test_a_worker_path_or_unset_name_no_system_takes_is_refused_at_its_line(
    tmp_path: Path, cli: RunCli, line: str, said: str
) -> None:
    scenario = tmp_path / "s.yaml"
    scenario.write_text(
        f'name: x\nworker:\n  command: ["{{python}}", "-m", "poolctl.workers.reference"]\n{line}\n'
        "steps:\n  - request: {command: ping}\n"
    )
    code, _, err = cli("run-scenario", "--check", str(scenario))
    assert code == 2
    assert _one_line(err) == f"poolctl: error: {scenario}:4: {said}"


@pytest.mark.parametrize("command", ["ping", "doctor"])
def test_unset_env_given_a_name_and_value_is_bad_usage(cli: RunCli, command: str) -> None:
    # it was taken as the name `A=B`, which no variable has: exit 0, nothing unset, nothing said
    code, _, err = cli(command, "--unset-env", "A=B", "--no-history")
    assert code == 2
    assert _one_line(err) == (
        "poolctl: error: --unset-env expects a variable's NAME, got 'A=B' (to set a variable: "
        "--env NAME=VALUE)"
    )


def test_an_output_that_is_the_log_read_is_refused_and_the_log_kept(
    tmp_path: Path, cli: RunCli
) -> None:
    # `triage LOG -o LOG` read the log, then wrote the report over it: exit 1, the log gone
    log = tmp_path / "run.log"
    original = (Path(__file__).parent / "fixtures" / "exunit" / "app_start_failed.log").read_bytes()
    log.write_bytes(original)
    (tmp_path / "link.log").symlink_to(log)
    for output, named in ((log, ""), (tmp_path / "link.log", f" ({log})")):
        code, _, err = cli("triage", str(log), "-o", str(output), "--no-history")
        assert code == 2
        assert _one_line(err) == (
            f"poolctl: error: --output: {output}{named} is an input of this run: the report "
            "would overwrite it; name another file"
        )
        assert log.read_bytes() == original


@pytest.mark.parametrize("command", ["run-scenario", "doctor"])
def test_an_output_that_is_the_scenario_read_is_refused(
    tmp_path: Path, cli: RunCli, command: str
) -> None:
    scenario = tmp_path / "s.yaml"
    text = 'name: s\nworker:\n  command: ["{python}", "-m", "poolctl.workers.reference"]\n'
    scenario.write_text(text)
    code, _, err = cli(command, str(scenario), "-o", str(scenario), "--no-history")
    assert code == 2
    assert _one_line(err).startswith(f"poolctl: error: --output: {scenario} is an input")
    assert scenario.read_text() == text


def test_a_compressed_log_whose_lines_end_in_a_cr_alone_is_told_a_command_that_reads_it(
    tmp_path: Path, cli: RunCli
) -> None:
    # the advice was `tr '\r' '\n' < cr.log.gz | poolctl triage -`: tr of the gzip bytes
    clean = Path(__file__).parent / "fixtures" / "exunit" / "app_start_failed.log"
    log = tmp_path / "cr.log.gz"
    log.write_bytes(gzip.compress(clean.read_bytes().replace(b"\n", b"\r")))
    code, _, err = cli("triage", str(log), "--no-history")
    assert code == 2
    assert _one_line(err).endswith(
        f"which poolctl does not read: zcat {log} | tr '\\r' '\\n' | poolctl triage -"
    )


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (
            ["triage", "--no-history", "PATH"],
            "nothing could be read from the logs: PATH: cannot read",
        ),
        (["run-scenario", "--no-history", "PATH"], "PATH: file not found"),
        (["doctor", "PATH"], "PATH: file not found"),
        (["report", "PATH"], "PATH: no such run folder or file"),
        (["patterns", "test", "port-no-response", "PATH"], "PATH: cannot read"),
    ],
)
def test_a_path_with_a_newline_is_named_on_the_error_s_one_line(
    tmp_path: Path, cli: RunCli, argv: list[str], said: str
) -> None:
    # a file name may hold a newline (`$'ci\nrun.log'`): the error's one line broke in two at
    # it, the second half a line of its own that read as no error at all
    path = str(tmp_path / "ci\nrun.log")
    code, _, err = cli(*[path if a == "PATH" else a for a in argv])
    assert code == 2, err
    shown = str(tmp_path / "ci\\nrun.log")
    assert said.replace("PATH", shown) in _one_line(err)


def test_a_test_name_with_a_newline_is_titled_on_one_line_by_history(
    tmp_path: Path, cli: RunCli
) -> None:
    # `poolctl history test $'a\nb'`: its heading broke in two, "Test a" then "b: its outcomes"
    store = tmp_path / "history.sqlite"
    log = Path(__file__).parent / "fixtures" / "pytest" / "quiet.txt"
    assert cli("triage", str(log), "-q", "--history", str(store))[0] == 1
    code, out, _ = cli("history", "test", "test_pool\ncheckout", "--history", str(store))
    assert code == 0
    assert out.splitlines()[0] == "Test test_pool\\ncheckout: its outcomes, newest first"


def test_a_log_named_with_a_newline_is_titled_on_one_line(tmp_path: Path, cli: RunCli) -> None:
    log = tmp_path / "ci\nrun.log"
    log.write_bytes((Path(__file__).parent / "fixtures" / "pytest" / "pool_suite.txt").read_bytes())
    code, out, _ = cli("triage", str(log), "--no-history")
    assert code == 1
    assert out.splitlines()[0] == f"poolctl triage — triage of {tmp_path}/ci\\nrun.log"


@pytest.mark.parametrize("command", ["ping", "doctor", "run-scenario"])
def test_a_worker_command_that_is_a_fifo_is_no_program_not_a_wait_for_ever(
    tmp_path: Path, processes: Processes, command: str
) -> None:
    # poolctl read the program's first bytes (its #! line, its ELF machine) by opening it: a
    # FIFO's open waits for a writer, and each command hung there without a word, whether
    # the FIFO was marked executable or not
    fifo = tmp_path / "worker"
    os.mkfifo(fifo)
    fifo.chmod(0o755)
    argv = [command, "--run-dir", str(tmp_path / "run")]
    if command == "run-scenario":
        scenario = tmp_path / "fifo.yaml"
        scenario.write_text(
            f'worker: {{command: ["{fifo}"]}}\nsteps:\n  - request: {{command: ping}}\n'
        )
        argv += [str(scenario), "--no-history"]
    else:
        argv += ["--", str(fifo)]
    done = processes.run([sys.executable, "-m", "poolctl", *argv], 30, env=_env(tmp_path))
    said = f"{fifo} is a FIFO, not a program"
    if command == "doctor":  # its check of the worker command fails, and says why
        assert done.returncode == 1, done.stderr
        assert said in done.stdout
    else:
        assert done.returncode == 2, done.stderr
        assert said in _one_line(done.stderr)
