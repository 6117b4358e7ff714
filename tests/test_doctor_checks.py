"""`doctor` check by check, with real processes: for every check a configuration that makes it
✗ (or !) and one that makes it ✓."""

from __future__ import annotations

import contextlib
import os
import re
import resource
import shutil
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol

import pytest

from poolctl.diagnose import pystack
from poolctl.diagnose.read_watch import ReadWatch
from poolctl.doctor import DoctorOptions, run_doctor
from poolctl.doctor.buffering import without_aids
from poolctl.doctor.interpreter import shim_kind
from poolctl.doctor.limits import check_limits, open_files
from poolctl.doctor.pool_settings import load_for_doctor
from poolctl.doctor.startup import parse_importtime, worker_imports
from poolctl.doctor.target import CheckList, describe
from poolctl.errors import InputError
from poolctl.model import Check, Report
from poolctl.rundir import create_run_dir
from poolctl.worker import StderrMode, WorkerSpec
from poolctl.worker_types import Answer
from tests.conftest import REFERENCE, REPO, Processes, SpawnWorker


class Doctor(Protocol):
    def __call__(
        self,
        argv: tuple[str, ...] | list[str],
        *sections: str,
        init_timeout: float = 5.0,
        **spec: Any,
    ) -> Report: ...


@pytest.fixture
def doctor(tmp_path: Path, processes: Processes) -> Doctor:
    """Run doctor's `sections` on the worker `argv`, which it starts as often as it needs."""

    def run(
        argv: tuple[str, ...] | list[str],
        *sections: str,
        init_timeout: float = 5.0,
        **spec: Any,
    ) -> Report:
        options = DoctorOptions(
            spec=WorkerSpec(argv=tuple(argv), **spec),
            init_timeout=init_timeout,
            sections=frozenset(sections),
        )
        run_dir = create_run_dir("doctor", tmp_path / "run")
        try:
            return run_doctor(options, run_dir)
        finally:
            # as the CLI ends a command: its traces closed, their flushing threads ended (one
            # left running made the next test's process unable to fork: `forked.can_fork`)
            run_dir.context.close()

    return run


def only(report: Report, section: str, name: str | None = None) -> Check:
    found = [c for c in report.checks if c.section == section and name in (None, c.name)]
    assert len(found) == 1, f"{section}/{name}: {found}"
    return found[0]


def script(path: Path, text: str, mode: int = 0o755) -> Path:
    path.write_text(textwrap.dedent(text).lstrip())
    path.chmod(mode)
    return path


# --- 1. interpreter ----------------------------------------------------------------------------


def test_a_fake_shim_in_front_of_python_is_found_with_its_cost(
    tmp_path: Path, doctor: Doctor
) -> None:
    shim = script(tmp_path / "python3", f'#!/bin/sh\nsleep 0.3\nexec {sys.executable} "$@"\n')
    report = doctor([str(shim), "-c", "pass"], "Interpreter")
    check = only(report, "Interpreter")
    assert check.status == "warn"
    assert f"{shim} is a wrapper script for {sys.executable}" in check.summary
    cost = float(check.summary.split("+")[1].split(" s")[0])
    assert 0.15 <= cost < 2.0  # the shim sleeps 0.3 s; starts on a busy machine vary
    assert sys.executable in check.remedy
    assert any("exec" in e.text for e in check.evidence)


def test_the_real_interpreter_is_fine(doctor: Doctor) -> None:
    check = only(doctor([sys.executable, "-c", "pass"], "Interpreter"), "Interpreter")
    assert check.status == "ok"
    assert f"Python {sys.version.split()[0]}" in check.summary
    assert "starts in" in check.summary


def test_an_interpreter_named_for_another_version_is_a_warning(
    tmp_path: Path, doctor: Doctor
) -> None:
    link = tmp_path / "python3.99"
    link.symlink_to(os.path.realpath(sys.executable))
    check = only(doctor([str(link), "-c", "pass"], "Interpreter"), "Interpreter")
    assert check.status == "warn"
    assert "named for Python 3.99, but runs 3." in check.summary


def test_shims_are_recognised_by_path_and_by_content(tmp_path: Path) -> None:
    assert shim_kind("/home/u/.pyenv/shims/python3") == "pyenv shim"
    assert shim_kind("/home/u/.asdf/shims/python") == "asdf shim"
    assert shim_kind(os.path.realpath(sys.executable)) is None
    wrapper = script(tmp_path / "python", '#!/bin/sh\nexec /usr/bin/python3 "$@"\n')
    assert shim_kind(str(wrapper)) == "wrapper script"


@pytest.mark.skipif(
    "/.pyenv/shims/" not in (os.popen("command -v python3").read()),
    reason="python3 on PATH is not a pyenv shim on this machine",
)
def test_this_machines_pyenv_shim(doctor: Doctor) -> None:
    check = only(doctor(["python3", "-c", "pass"], "Interpreter"), "Interpreter")
    assert check.status == "warn" and "is a pyenv shim for" in check.summary
    assert ".python-version" in check.remedy


# --- 2. worker command -------------------------------------------------------------------------


def test_a_missing_command_fails_and_skips_the_worker_checks(doctor: Doctor) -> None:
    report = doctor(["no-such-worker-cmd"], "Worker command", "Framing", "Start-up")
    check = only(report, "Worker command")
    assert check.status == "fail" and "command not found" in check.summary
    assert [c.section for c in report.checks] == ["Worker command"]
    assert any("not run: Start-up, Framing" in n for n in report.notes)


@pytest.mark.parametrize(
    ("program", "said"),
    [
        ("/no/such/worker", "command not found: /no/such/worker"),
        ("bin/worker", "command not found (in .): bin/worker"),
    ],
)
def test_a_missing_command_by_path_is_said_where_it_was_looked_for(
    doctor: Doctor, program: str, said: str
) -> None:
    """An absolute path was said to be looked for "(in .)"."""
    check = only(doctor([program], "Worker command"), "Worker command")
    assert check.status == "fail" and check.summary == said


def test_a_script_with_a_syntax_error_fails_with_its_line(tmp_path: Path, doctor: Doctor) -> None:
    bad = script(tmp_path / "worker.py", "import sys\ndef broken(:\n    pass\n", 0o644)
    check = only(doctor([sys.executable, str(bad)], "Worker command"), "Worker command")
    assert check.status == "fail"
    assert f"{bad}:2" in check.summary and "syntax" in check.remedy


@pytest.mark.parametrize("there", [False, True], ids=["missing", "there"])
@pytest.mark.parametrize("interpreter", ["node", "ruby", "php", "perl"])
def test_a_script_missing_for_another_interpreter_fails(
    tmp_path: Path, doctor: Doctor, interpreter: str, there: bool
) -> None:
    """`node server.js` with no server.js was '/usr/bin/node is found and executable' (✓):
    only a Python script was looked for. The interpreter starts and dies at once."""
    if shutil.which(interpreter) is None:
        pytest.skip(f"no {interpreter} here")
    suffix = {"node": ".js", "ruby": ".rb", "php": ".php", "perl": ".pl"}[interpreter]
    (tmp_path / "work").mkdir()
    if there:
        (tmp_path / "work" / f"server{suffix}").write_text("\n")
    argv = [interpreter, f"server{suffix}"]
    check = only(doctor(argv, "Worker command", cwd=str(tmp_path / "work")), "Worker command")
    if there:
        assert check.status == "ok", check.summary
    else:
        assert check.status == "fail", check.summary
        assert check.summary == f"script server{suffix}: not found (in {tmp_path / 'work'})"


def test_a_script_that_is_not_executable_fails(tmp_path: Path, doctor: Doctor) -> None:
    worker = script(tmp_path / "worker", "#!/bin/sh\nexit 0\n", 0o644)
    check = only(doctor([str(worker)], "Worker command"), "Worker command")
    assert check.status == "fail" and "not executable" in check.summary


def test_a_module_that_cannot_be_found_fails(doctor: Doctor) -> None:
    argv = [sys.executable, "-m", "poolctl.workers.no_such_worker"]
    check = only(doctor(argv, "Worker command"), "Worker command")
    assert check.status == "fail" and "no_such_worker" in check.summary


def test_a_module_whose_package_import_is_hidden_by_a_file_names_that_file(
    tmp_path: Path, doctor: Doctor
) -> None:
    """`doctor -- python -m mcp_server_fetch` (2026.10.24) started in a folder holding an
    `mcp.py`: the module is found, and its package's `from mcp.server import ...` fails (`No
    module named 'mcp.server'; 'mcp' is not a package`); the remedy was to "make the module
    importable from the worker's directory (PYTHONPATH, an install)", which it is. Here a
    package `srv` importing `dep.server`, hidden by a `dep.py` in the worker's folder."""
    site = tmp_path / "site"
    (site / "srv").mkdir(parents=True)
    (site / "srv" / "__init__.py").write_text("from dep.server import Server\n")
    (site / "srv" / "__main__.py").write_text("")
    (site / "dep").mkdir()
    (site / "dep" / "__init__.py").write_text("")
    (site / "dep" / "server.py").write_text("class Server: pass\n")
    work = tmp_path / "work"
    work.mkdir()
    (work / "dep.py").write_text("# my notes\n")
    argv = [sys.executable, "-m", "srv"]
    report = doctor(argv, "Worker command", cwd=str(work), env={"PYTHONPATH": str(site)})
    check = only(report, "Worker command")
    assert check.status == "fail"
    assert check.summary.endswith(
        f"`dep` was imported from {work / 'dep.py'} (in its working directory {work}, first on "
        "sys.path with -m or -c), which hides the installed `dep` package: that file has no "
        "module dep.server"
    ), check.summary
    assert check.remedy.startswith(f"Rename or move {work / 'dep.py'} (its name, dep.py,"), check


def test_a_shebang_naming_a_missing_python_fails(tmp_path: Path, doctor: Doctor) -> None:
    worker = script(tmp_path / "worker", "#!/nonexistent/bin/python3\nprint('hi')\n")
    report = doctor([str(worker)], "Worker command", "Interpreter")
    assert only(report, "Worker command").status == "fail"
    assert "/nonexistent/bin/python3" in only(report, "Worker command").summary
    assert only(report, "Interpreter").status == "fail"


def test_the_reference_worker_compiles(doctor: Doctor) -> None:
    check = only(doctor(REFERENCE, "Worker command"), "Worker command")
    assert check.status == "ok"
    assert "module poolctl.workers.reference compiles" in check.summary


def test_a_python_script_through_its_shebang_is_compiled(tmp_path: Path, doctor: Doctor) -> None:
    worker = script(tmp_path / "worker", f"#!{sys.executable}\nimport sys\nprint(sys.argv)\n")
    target = describe(WorkerSpec(argv=(str(worker),)))
    assert target.python is not None and target.python.kind == "script"
    check = only(doctor([str(worker)], "Worker command"), "Worker command")
    assert check.status == "ok" and "compiles" in check.summary


# --- 3. start-up -------------------------------------------------------------------------------


def test_a_slow_import_under_twice_the_init_timeout_is_a_warning(doctor: Doctor) -> None:
    # 1.8 s of import: over half the 3.5 s timeout however fast the machine, and under it
    # with 1.7 s to spare for a start on a loaded one
    argv = [*REFERENCE, "--import-delay", "1.8"]
    check = only(doctor(argv, "Start-up", init_timeout=3.5), "Start-up")
    assert check.status == "warn", check.summary
    slowest = re.search(r"slowest poolctl\.workers\.slow_module (\d+\.\d+) s", check.summary)
    assert slowest and 1.8 <= float(slowest[1]) < 3.0, check.summary  # its sleep, and no less
    assert "under 2x" in check.summary
    assert "import poolctl.workers.slow_module lazily" in check.remedy


def test_a_slow_installed_package_is_not_the_users_to_import_lazily(
    tmp_path: Path, doctor: Doctor
) -> None:
    """`doctor -- /venv/bin/mcp-server-fetch` (2026.10.24, its console script): the fix said
    "import mcp_server_fetch lazily", advice for the server's author, not for its user. Here a
    console script whose package, installed in a site-packages folder, imports for 1.8 s."""
    site = tmp_path / "lib" / "python3" / "site-packages"
    (site / "slowpkg").mkdir(parents=True)
    (site / "slowpkg" / "__init__.py").write_text("import time\ntime.sleep(1.8)\n")
    (tmp_path / "bin").mkdir()
    console = script(
        tmp_path / "bin" / "slow-server",
        f"#!{sys.executable}\nimport slowpkg\nimport runpy\n"
        "runpy.run_module('poolctl.workers.reference', run_name='__main__')\n",
    )
    env = {"PYTHONPATH": f"{site}{os.pathsep}{REPO}"}
    check = only(doctor([str(console)], "Start-up", init_timeout=3.5, env=env), "Start-up")
    assert check.status == "warn", check.summary
    assert "slowest slowpkg" in check.summary
    assert "lazily" not in check.remedy
    assert check.remedy.startswith("raise the init timeout to at least "), check.remedy
    assert check.remedy.endswith(
        "its slowest import, slowpkg, is installed code, not yours to make lazy (that is for its "
        "author)"
    ), check.remedy
    where = site / "slowpkg" / "__init__.py"
    assert any(e.text == f"slowpkg is imported from {where}" for e in check.evidence)


def test_a_start_longer_than_the_init_timeout_fails(doctor: Doctor) -> None:
    # over the 1.5 s timeout however fast the machine; answered within the 3 s doctor waits
    # with 1.4 s to spare for a start on a loaded one (else it is judged as ping judges it)
    argv = [*REFERENCE, "--import-delay", "1.6"]
    check = only(doctor(argv, "Start-up", init_timeout=1.5), "Start-up")
    assert check.status == "fail", check.summary
    assert "over it by" in check.summary and "slow_module" in check.summary


def test_a_slow_first_answer_is_not_called_a_slow_start(doctor: Doctor) -> None:
    """A worker that reads its ping at once and answers it 2.6 s later: before, the 2.6 s was
    'its own init', though its start-up was over when it read the ping. The init timeout leaves
    its interpreter 2.5 s to start and read."""
    argv = [sys.executable, str(Path(__file__).parent / "workers" / "answers_late.py"), "2.6"]
    check = only(doctor(argv, "Start-up", init_timeout=2.5), "Start-up")
    assert check.status == "fail", check.summary
    assert re.search(
        r"it read its ping [\d.]+ m?s after spawn and answered [\d.]+ s later", check.summary
    )
    assert "its own init" not in check.summary, check.summary
    assert check.remedy.startswith("answer the ping at once: it took "), check.remedy


def test_a_worker_still_importing_is_caught_inside_the_import(doctor: Doctor) -> None:
    argv = [*REFERENCE, "--import-delay", "4"]
    check = only(doctor(argv, "Start-up", init_timeout=0.5), "Start-up")
    assert check.status == "fail", check.summary
    # the no-answer engine's verdict, as `ping` gives it
    assert "The worker is stuck in initialization" in check.summary
    assert "it has not read its request" in check.summary
    assert any("still unread in its stdin pipe" in e.text for e in check.evidence)
    if pystack.py_spy_path() is not None:  # the stack dump says which import
        assert "inside `import poolctl.workers.slow_module`" in check.summary
        assert check.remedy.startswith("Move the heavy `import poolctl.workers.slow_module`")


def test_a_fast_start_is_fine(doctor: Doctor) -> None:
    # ok under half the init timeout: 5 s for a loaded machine's start (2.5 s at the default)
    check = only(doctor(REFERENCE, "Start-up", init_timeout=10.0), "Start-up")
    assert check.status == "ok", check.summary
    assert "ready in" in check.summary and "interpreter" in check.summary


def test_importtime_lines_are_read_by_depth() -> None:
    text = textwrap.dedent(
        """\
        import time: self [us] | cumulative | imported package
        import time:       129 |        129 |   _io
        import time:       330 |        777 | encodings
        import time:      1006 |       1006 |   poolctl.errors
        import time:      5148 |      13904 | poolctl.framing
        import time:    200429 |     200429 | slow_module
        """
    )
    lines = parse_importtime(text)
    assert [(i.name, i.depth) for i in lines][:2] == [("_io", 1), ("encodings", 0)]
    mine = worker_imports(lines, baseline={"encodings", "_io"})
    assert [i.name for i in mine] == ["slow_module", "poolctl.framing"]
    assert mine[0].seconds == pytest.approx(0.200429)


# --- 4. output hygiene -------------------------------------------------------------------------


def test_a_banner_on_stdout_fails(doctor: Doctor) -> None:
    argv = [*REFERENCE, "--stdout-noise", "Warming up"]
    report = doctor(argv, "Output hygiene", init_timeout=2.0)
    check = only(report, "Output hygiene", "stdout")
    assert check.status == "fail" and "'Warming up'" in check.summary
    assert "stderr" in check.remedy


def test_a_banner_line_in_line_framing_fails_as_ping_says(doctor: Doctor) -> None:
    """Text before the first line message breaks the stream (as for a strict reader), though
    the answer follows it: the engine confirms it prints to stdout, and hygiene says so."""
    argv = [*REFERENCE, "--framing", "line", "--stdout-noise", "Warming up"]
    report = doctor(argv, "Output hygiene", "Framing", init_timeout=2.0, framing="line")
    check = only(report, "Output hygiene", "stdout")
    assert check.status == "fail"
    assert check.summary.startswith("it writes 'Warming up' to stdout before any frame: ")
    # the answer follows the text: a strict client fails, a tolerant one reads on
    assert "a strict client" in check.summary and "a tolerant one" in check.summary
    assert any("its answer arrived right behind the text" in e.text for e in check.evidence)
    framing = only(report, "Framing")
    assert framing.status == "fail" and "prints text to its framed stdout" in framing.summary


def test_a_line_between_answers_fails_though_each_answer_comes(
    tmp_path: Path, doctor: Doctor
) -> None:
    worker = script(
        tmp_path / "ticker.sh",
        """\
        #!/bin/sh
        # answers each request line, then prints a line of text after it
        while IFS= read -r line; do
            id=$(printf '%s\\n' "$line" | sed -n 's/.*"id":\\([0-9]*\\).*/\\1/p')
            printf '{"id":%s,"success":true,"result":{}}\\ntick\\n' "$id"
        done
        """,
    )
    report = doctor([str(worker)], "Output hygiene", framing="line")
    check = only(report, "Output hygiene", "stdout")
    assert check.status == "fail", check.summary
    assert "between its answers that are not frames" in check.summary and "tick" in check.summary


def test_a_banner_before_a_crash_is_a_warning_beside_the_crash(doctor: Doctor) -> None:
    """The engine finds the crash first; hygiene still names the banner, without a second ✗."""
    argv = [*REFERENCE, "--stdout-noise", "Warming up", "--crash-on-start", "3"]
    report = doctor(argv, "Output hygiene", "Framing", init_timeout=2.0)
    check = only(report, "Output hygiene", "stdout")
    assert check.status == "warn", check.summary
    assert "'Warming up'" in check.summary and "the worker exited (see crashed)" in check.summary
    stderr = only(report, "Output hygiene", "stderr")
    assert stderr.status == "ok" and "they tell why it exited" in stderr.summary
    assert "exited before answering" in only(report, "Framing").summary


def test_a_worker_that_points_its_stdout_at_its_stderr_is_not_said_to_have_exited(
    doctor: Doctor,
) -> None:
    """It answers its first request, then `os.dup2(2, 1)` and writes its second answer there.
    Before: "1 line(s) on stderr at start ('\\x00\\x00\\x00…'): kept apart from stdout; they
    tell why it exited": the line is its answer, written after its start, and it runs on."""
    argv = [sys.executable, str(REPO / "tests" / "workers" / "dies_on_second_request.py"), "dup2"]
    report = doctor(argv, "Output hygiene", "Framing", init_timeout=2.0)
    assert "pointed its stdout at its stderr" in only(report, "Framing").summary
    stderr = only(report, "Output hygiene", "stderr")
    assert stderr.status == "ok", stderr.summary
    assert "it runs on without its stdout" in stderr.summary, stderr.summary
    assert "why it exited" not in stderr.summary and " at start" not in stderr.summary


def test_stderr_chatter_fails_when_stderr_is_merged(doctor: Doctor) -> None:
    argv = [*REFERENCE, "--stderr-noise", "Warning: DSPy not available"]
    report = doctor(argv, "Output hygiene", init_timeout=2.0, stderr=StderrMode.MERGE)
    assert only(report, "Output hygiene", "stdout").status == "ok"
    check = only(report, "Output hygiene", "stderr")
    assert check.status == "fail"
    assert "Warning: DSPy not available" in check.summary and "merged" in check.summary


def test_stderr_chatter_is_harmless_when_kept_apart(doctor: Doctor) -> None:
    argv = [*REFERENCE, "--stderr-noise", "Warning: DSPy not available"]
    check = only(doctor(argv, "Output hygiene"), "Output hygiene", "stderr")
    assert check.status == "ok" and "harmless" in check.summary


def test_an_error_line_on_stderr_is_not_called_harmless(doctor: Doctor) -> None:
    argv = [*REFERENCE, "--stderr-noise", "ERROR: could not load the model, using the mock"]
    report = doctor(argv, "Output hygiene", init_timeout=2.0)
    check = only(report, "Output hygiene", "stderr")
    assert check.status == "warn"
    assert "error line(s) on stderr" in check.summary
    assert "harmless while" not in check.summary and "an error is not harmless" in check.summary
    assert "'ERROR: could not load the model, using the mock'" in check.summary


# `ty server` (0.0.108) writes nothing until its stdin closes, then this, and exits with code 2
# (recorded: tests/fixtures/README.md)
TY_AT_EOF = (REPO / "tests/fixtures/peers/ty_server_stdin_closed.stderr").read_text()


@pytest.mark.parametrize("at_start", ["", "ERROR: no config found\n"])
def test_what_it_writes_to_stderr_once_its_stdin_closes_is_not_called_its_start(
    tmp_path: Path, doctor: Doctor, at_start: str
) -> None:
    """`doctor -- ty server` (a language server spoken dspex): its stderr, written only as its
    stdin closed (the engine's probe and the stop close it), was '3 error line(s) on stderr at
    start ('ty failed')', with 'the worker reports a problem as it starts'. What came before the
    close is its start; what came after is said apart, as how it ended."""
    worker = script(
        tmp_path / "eof_error.py",
        f"""\
        import sys
        sys.stderr.write({at_start!r})
        sys.stderr.flush()
        sys.stdin.buffer.read()  # to the end of its input: it never answers
        sys.stderr.write({TY_AT_EOF!r})
        sys.exit(2)
        """,
    )
    report = doctor([sys.executable, str(worker)], "Output hygiene", init_timeout=1.0)
    check = only(report, "Output hygiene", "stderr")
    closed = "once its stdin closed ('ty failed'): how it ended when its input did, not how it "
    if at_start:
        assert check.status == "warn", check.summary
        assert check.summary.startswith("1 error line(s) on stderr at start ('ERROR: no config")
        assert "ty failed" not in check.summary
    else:
        assert check.status == "ok", check.summary
        assert check.summary == f"nothing on stderr at start; 3 line(s) {closed}started"
        [said] = check.evidence
        assert said.text == TY_AT_EOF.rstrip("\n")
        assert said.note == "what it wrote to stderr once its stdin closed"


def test_a_secret_written_across_its_stdin_closing_is_redacted_whole(
    tmp_path: Path, doctor: Doctor
) -> None:
    """Its stderr is read in two parts, before its stdin closed and after, split at the size
    its log had then: a secret written half before and half after was redacted in halves,
    neither a secret alone, and its first half was quoted ('connecting with token tok-3f9a').
    It is redacted whole now, then split."""
    secret = "tok-3f9a1c7e5b2d"
    worker = REPO / "tests" / "workers" / "splits_a_secret.py"
    report = doctor(
        [sys.executable, str(worker)],
        "Output hygiene",
        init_timeout=1.0,
        env={"SERVICE_TOKEN": secret},
    )
    check = only(report, "Output hygiene", "stderr")
    said = [t for c in report.checks for t in (c.summary, *(e.text for e in c.evidence))]
    assert [e.text for e in check.evidence] == ["connecting with token "]
    assert check.summary.startswith("1 line(s) on stderr at start ('connecting with token ')")
    for half in (secret[:8], secret[8:]):
        assert not [t for t in said if half in t], said
    # the worker wrote the two halves as meant: the log, not yet scrubbed, holds them
    logs = [p.read_text() for p in tmp_path.glob("run/**/probe.stderr.log")]
    assert logs == [f"connecting with token {secret}\n"]


def test_a_quiet_worker_is_clean(doctor: Doctor) -> None:
    report = doctor(REFERENCE, "Output hygiene")
    assert [c.status for c in report.checks] == ["ok", "ok"]


# --- 5. framing --------------------------------------------------------------------------------


def test_a_framing_mismatch_fails_with_the_framing_that_works(doctor: Doctor) -> None:
    argv = [*REFERENCE, "--framing", "line"]
    check = only(doctor(argv, "Framing", init_timeout=1.5), "Framing")
    assert check.status == "fail"
    assert "no answer in packet-4" in check.summary and "it answers in line" in check.summary
    assert "line" in check.remedy
    assert any(e.origin == "hypothesis" for e in check.evidence)


def test_a_framing_that_gets_only_an_error_reply_is_not_said_to_answer(doctor: Doctor) -> None:
    """`doctor --protocol lsp` of mcp-server-fetch 2026.10.24 (an MCP server): Framing ended
    "...; it answers in line", its line-framed copy's answer being -32602 'Invalid request
    parameters', the refusal of LSP's initialize read whole. Here tests/workers/
    lines_refuse_lsp.py, which mirrors it."""
    argv = [sys.executable, str(REPO / "tests" / "workers" / "lines_refuse_lsp.py"), "0"]
    spec = {"protocol": "lsp", "framing": "content-length"}
    check = only(doctor(argv, "Framing", init_timeout=2, **spec), "Framing")
    assert check.status == "fail"
    assert check.summary.endswith("; in line it answers only with an error"), check.summary
    assert "it answers in line" not in check.summary


def test_a_ping_in_the_right_framing_is_fine(doctor: Doctor) -> None:
    argv = [*REFERENCE, "--framing", "packet-2"]
    check = only(doctor(argv, "Framing", framing="packet-2"), "Framing")
    assert check.status == "ok" and "answers a ping in packet-2" in check.summary


# --- 6. buffering ------------------------------------------------------------------------------


def test_a_worker_that_never_flushes_fails(doctor: Doctor) -> None:
    argv = [*REFERENCE, "--framing", "line", "--buffered"]
    report = doctor(
        argv,
        "Buffering",
        init_timeout=2.0,
        framing="line",
        unset_env=("PYTHONUNBUFFERED",),
    )
    check = only(report, "Buffering")
    assert check.status == "fail", check.summary
    assert "does not flush" in check.summary and "pseudo-terminal" in check.summary
    assert "flush" in check.remedy


def test_pythonunbuffered_hiding_a_worker_that_never_flushes_is_a_warning(doctor: Doctor) -> None:
    argv = [*REFERENCE, "--buffered"]
    report = doctor(argv, "Buffering", init_timeout=2.0, env={"PYTHONUNBUFFERED": "1"})
    check = only(report, "Buffering")
    assert check.status == "warn", check.summary
    assert "only thanks to PYTHONUNBUFFERED" in check.summary
    assert any("set for the worker" in e.text for e in check.evidence)


def test_dash_u_hiding_a_worker_that_never_flushes_is_a_warning(doctor: Doctor) -> None:
    argv = [REFERENCE[0], "-u", *REFERENCE[1:], "--buffered"]
    report = doctor(argv, "Buffering", init_timeout=2.0, unset_env=("PYTHONUNBUFFERED",))
    check = only(report, "Buffering")
    assert check.status == "warn" and "only thanks to -u" in check.summary


def test_aids_are_removed_for_the_test() -> None:
    spec = WorkerSpec(argv=("python3", "-uB", "w.py", "-u"), env={"PYTHONUNBUFFERED": "1"})
    plain = without_aids(describe(spec))
    assert plain.argv == ("python3", "-B", "w.py", "-u")
    assert "PYTHONUNBUFFERED" not in plain.environment()


def test_a_worker_that_flushes_is_fine(doctor: Doctor) -> None:
    check = only(doctor(REFERENCE, "Buffering"), "Buffering")
    assert check.status == "ok" and "flushes each frame" in check.summary


# --- 7. pool settings --------------------------------------------------------------------------


def scenario_file(tmp_path: Path, pool: str, worker_args: str = "", concurrency: int = 2) -> Path:
    """A scenario whose `pool:` section (from line 6) is `pool`, one `key: value` a line."""
    path = tmp_path / "scenario.yaml"
    lines = [
        "name: doctor-test",
        "worker:",
        f'  command: ["{{python}}", "-m", "poolctl.workers.reference"{worker_args}]',
        "  init_timeout: 5",
        "pool:",
        *("  " + line for line in pool.splitlines()),
        "steps:",
        "  - request:",
        "      command: ping",
        f"      count: {concurrency}",
        f"      concurrency: {concurrency}",
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


PoolChecks = Callable[[Path], dict[str, list[Check]]]


@pytest.fixture
def pool_checks(tmp_path: Path, processes: Processes) -> PoolChecks:
    """The Pool settings checks of the scenario at `path`, by check name."""

    def run(path: Path) -> dict[str, list[Check]]:
        scenario, unknown = load_for_doctor(path)
        options = DoctorOptions(
            spec=scenario.worker_spec(),
            init_timeout=scenario.worker.init_timeout,
            scenario=scenario,
            unknown_settings=unknown,
            sections=frozenset({"Pool settings"}),
        )
        report = run_doctor(options, create_run_dir("doctor", tmp_path / "run"))
        found: dict[str, list[Check]] = {}
        for check in report.checks:
            found.setdefault(check.name, []).append(check)
        return found

    return run


def test_a_pool_too_small_for_the_peak_concurrency_is_a_warning(
    tmp_path: Path, pool_checks: PoolChecks
) -> None:
    path = scenario_file(tmp_path, "size: 2\nmax_overflow: 0\n", concurrency=6)
    (check,) = pool_checks(path)["capacity"]
    assert check.status == "warn"
    assert "6 callers at once, 2 worker(s)" in check.summary and "4 wait" in check.summary
    assert "raise size to 6" in check.remedy


def test_a_lazy_pool_whose_init_outlasts_the_checkout_timeout_fails(
    tmp_path: Path, pool_checks: PoolChecks
) -> None:
    pool = "size: 2\nlazy: true\ncheckout_timeout: 0.4\n"
    path = scenario_file(tmp_path, pool, ', "--init-delay", "0.8"')
    (check,) = pool_checks(path)["start"]
    assert check.status == "fail", check.summary
    assert "lazy" in check.summary and "over checkout_timeout 0.4 s" in check.summary
    assert "lazy: false" in check.remedy


def test_unknown_pool_settings_are_reported_with_line_and_meaning(
    tmp_path: Path, pool_checks: PoolChecks
) -> None:
    pool = "pool_size: 4\nmaximumPoolSize: 4\noverfow: 1\nmax_waiting: 10\nlazy: false\n"
    path = scenario_file(tmp_path, pool)
    checks = {c.summary.split()[0]: c for c in pool_checks(path)["unknown"]}
    assert set(checks) == {
        "pool.pool_size",
        "pool.maximumPoolSize",
        "pool.overfow",
        "pool.max_waiting",
    }
    assert all(c.status == "fail" for c in checks.values())
    assert f"{path}:6" in checks["pool.pool_size"].summary
    assert "SQLAlchemy" in checks["pool.pool_size"].summary
    assert checks["pool.pool_size"].remedy == "rename pool_size to size"
    assert "HikariCP" in checks["pool.maximumPoolSize"].summary
    assert checks["pool.overfow"].remedy == "rename overfow to max_overflow"
    assert "psycopg_pool" in checks["pool.max_waiting"].summary


def test_other_errors_keep_the_users_file_and_line(tmp_path: Path) -> None:
    path = scenario_file(tmp_path, "pool_size: 4\nsize: zero\n")
    with pytest.raises(InputError) as err:
        load_for_doctor(path)
    assert err.value.where == f"{path}:7"


def test_a_pool_with_only_unknown_settings_still_loads(tmp_path: Path) -> None:
    path = scenario_file(tmp_path, "worker:\n  module: MyWorker\n  arg: []\n")
    scenario, unknown = load_for_doctor(path)
    assert [u.key for u in unknown] == ["worker"] and scenario.pool.size == 2
    assert "NimblePool" in unknown[0].why and scenario.path == path


def test_a_pool_that_fits_is_fine(tmp_path: Path, pool_checks: PoolChecks) -> None:
    # ok while the measured start is under half the checkout timeout: 5 s for a loaded
    # machine's start (2.5 s before), and nothing waits on it
    path = scenario_file(tmp_path, "size: 2\nlazy: false\ncheckout_timeout: 10\n", concurrency=2)
    checks = pool_checks(path)
    assert {name: [c.status for c in cs] for name, cs in checks.items()} == {
        "unknown": ["ok"],
        "capacity": ["ok"],
        "start": ["ok"],
    }


# --- 8. limits ---------------------------------------------------------------------------------


@contextlib.contextmanager
def soft_nofile(limit: int) -> Iterator[None]:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_an_open_files_limit_below_what_the_pool_needs_fails() -> None:
    out = CheckList("Limits")
    with soft_nofile(len(os.listdir("/proc/self/fd")) + 10):
        open_files(20, "size 20 + max_overflow 0", out)
    (check,) = out.checks
    assert check.status == "fail" and "EMFILE" in check.summary
    assert "ulimit -n" in check.remedy


def test_an_open_files_limit_with_room_is_fine() -> None:
    out = CheckList("Limits")
    with soft_nofile(4096):
        open_files(2, "size 2", out)
    assert out.checks[0].status == "ok"


def test_refused_stack_dumps_are_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, processes: Processes
) -> None:
    fake = script(
        tmp_path / "py-spy",
        "#!/bin/sh\necho 'Error: Operation not permitted (os error 1)' >&2\nexit 1\n",
    )
    monkeypatch.setattr(pystack, "py_spy_path", lambda: str(fake))
    check = next(c for c in check_limits(2, "test").checks if c.name == "ptrace")
    assert check.status == "warn" and "Operation not permitted" in check.summary
    assert "ptrace_scope" in check.remedy


@pytest.mark.skipif(shutil.which("node") is None, reason="no node here")
def test_a_node_worker_needs_no_python_stack_dumps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, doctor: Doctor
) -> None:
    """py-spy reads Python stacks only: a ptrace that refuses it, or a py-spy not installed,
    is nothing a Node worker needs (its fix was to allow ptrace or `pip install py-spy`)."""
    fake = script(
        tmp_path / "py-spy",
        "#!/bin/sh\necho 'Error: Operation not permitted (os error 1)' >&2\nexit 1\n",
    )
    monkeypatch.setattr(pystack, "py_spy_path", lambda: str(fake))
    worker = REPO / "tests" / "workers" / "node_worker.js"
    check = only(doctor(["node", str(worker)], "Limits"), "Limits", "ptrace")
    assert check.status == "ok", check.summary
    assert check.summary.startswith("stack dumps: not checked for a JavaScript worker")
    assert not check.remedy


@pytest.mark.skipif(shutil.which("elixir") is None, reason="no elixir here")
def test_an_elixir_worker_s_stack_dumps_are_said_in_good_english(doctor: Doctor) -> None:
    """It said 'not checked for a Elixir worker'."""
    worker = REPO / "tests" / "workers" / "elixir_puts_a_banner.exs"
    check = only(doctor(["elixir", str(worker)], "Limits"), "Limits", "ptrace")
    assert check.summary.startswith("stack dumps: not checked for an Elixir worker"), check.summary


def test_stack_dumps_work_here(processes: Processes) -> None:
    if pystack.py_spy_path() is None:
        pytest.skip("py-spy is not installed")
    check = next(c for c in check_limits(2, "test").checks if c.name == "ptrace")
    if check.status != "ok":
        pytest.skip(f"ptrace is not allowed on this machine: {check.summary}")
    assert "stack dumps of hung workers work" in check.summary


def test_a_byte_order_mark_before_the_first_line_fails_with_its_own_fix(doctor: Doctor) -> None:
    """Before, the BOM-led answer passed as a frame: 'nothing on stdout before its first frame'."""
    worker = Path(__file__).resolve().parent / "workers" / "writes_a_bom.py"
    argv = [sys.executable, str(worker), "line"]
    report = doctor(argv, "Output hygiene", "Framing", init_timeout=2.0, framing="line")
    check = only(report, "Output hygiene", "stdout")
    assert check.status == "fail"
    assert check.summary.startswith("it writes a UTF-8 byte order mark (EF BB BF) before its ")
    assert "utf-8-sig" in check.remedy and "banner" not in check.remedy
    assert any("\\ufeff{" in e.text for e in check.evidence)


def test_a_question_on_stdout_fails_with_the_fix_for_a_prompt(doctor: Doctor) -> None:
    """input() waits for a reply: moving its question to stderr (the banner's fix) cures
    nothing."""
    worker = Path(__file__).resolve().parent / "workers" / "asks_a_question.py"
    report = doctor([sys.executable, str(worker)], "Output hygiene", "Framing", init_timeout=2.0)
    check = only(report, "Output hygiene", "stdout")
    assert check.status == "fail" and "'Overwrite the existing cache? [y/N] '" in check.summary
    assert "--no-input" in check.remedy and "stderr" not in check.remedy


def _reading_stdin(pid: int) -> bool:
    """Whether the process sits in a read() of its fd 0 (Linux's /proc/PID/syscall)."""
    with contextlib.suppress(OSError):
        fields = Path(f"/proc/{pid}/syscall").read_text().split()
        return fields[:2] == ["0", "0x0"]
    return False


def test_a_request_taken_at_once_by_a_waiting_worker_is_seen_read(
    spawn_worker: SpawnWorker,
) -> None:
    """A worker already in its read() takes the request as it is written, between two of the
    watch's samples: it was never seen waiting in the pipe, and its read went unnoticed (the
    slow-first-answer check then called the answer's 4.1 s 'its own init' under load)."""
    argv = (sys.executable, str(Path(__file__).parent / "workers" / "answers_late.py"), "0.3")
    worker = spawn_worker(WorkerSpec(argv=argv))
    assert worker.proc is not None
    deadline = time.monotonic() + 30
    while not _reading_stdin(worker.proc.pid) and time.monotonic() < deadline:
        time.sleep(0.01)
    with ReadWatch(worker) as watch:
        answer = worker.exchange("ping", timeout=30)
    assert isinstance(answer, Answer), answer
    assert watch.read_at is not None
    assert watch.read_at + 0.25 <= worker.elapsed()  # read as written, 0.3 s before its answer
