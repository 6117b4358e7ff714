"""`doctor`'s buffering check names a language's fix only for a worker whose command names the
language, or whose running process shows it (a start script that `exec`s it), and
PYTHONUNBUFFERED only where it can matter; real workers in Perl, node and sh."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from poolctl.doctor.language import GENERIC_FLUSH, PYTHON, worker_language
from poolctl.doctor.target import describe
from poolctl.worker import WorkerSpec
from tests.conftest import REFERENCE
from tests.test_doctor_checks import Doctor, doctor, only, script

__all__ = ["doctor"]  # the fixture, used by name

PERL = shutil.which("perl")
NODE = shutil.which("node")
# A line-framed worker that answers into perl's stdout buffer and never flushes it.
PERL_NO_FLUSH = r"""
    #!/usr/bin/env perl
    while (my $line = <STDIN>) {
      my ($id) = $line =~ /"id"\s*:\s*(\d+)/;
      print "{\"id\": $id, \"success\": true, \"result\": {\"status\": \"ok\"}}\n";
    }
"""
NODE_FLUSHES = r"""
    #!/usr/bin/env node
    require('readline').createInterface({ input: process.stdin }).on('line', (line) => {
      const { id } = JSON.parse(line);
      process.stdout.write(JSON.stringify({ id, success: true, result: { status: 'ok' } }) + '\n');
    });
"""


def test_the_language_comes_from_the_interpreter_or_the_shebang(tmp_path: Path) -> None:
    pl = script(tmp_path / "w.pl", PERL_NO_FLUSH)
    start = script(tmp_path / "start.sh", f"#!/bin/sh\nexec {REFERENCE[0]} -m x\n")
    assert worker_language(describe(WorkerSpec(argv=(*REFERENCE,)))) is PYTHON
    if PERL:
        for argv in (("perl", str(pl)), (str(pl),)):
            found = worker_language(describe(WorkerSpec(argv=argv)))
            assert found is not None and found.name == "Perl", argv
    # a start script may exec anything, a binary may be written in anything
    assert worker_language(describe(WorkerSpec(argv=(str(start),)))) is None
    assert worker_language(describe(WorkerSpec(argv=("/bin/sleep", "1")))) is None


@pytest.mark.skipif(PERL is None, reason="no perl on this machine")
def test_a_perl_worker_that_never_flushes_gets_perls_fix_and_no_python_aid(
    tmp_path: Path, doctor: Doctor
) -> None:
    pl = script(tmp_path / "w.pl", PERL_NO_FLUSH)
    report = doctor([str(pl)], "Buffering", init_timeout=2.0, framing="line",
                    env={"PYTHONUNBUFFERED": "1"})  # fmt: skip
    check = only(report, "Buffering")
    assert check.status == "fail", check.summary
    assert "does not flush" in check.summary and "pseudo-terminal" in check.summary
    assert "$| = 1" in check.remedy
    # (its evidence still lists the engine's experiments, PYTHONUNBUFFERED=1 among them)
    said = check.summary + check.remedy
    assert "PYTHONUNBUFFERED" not in said and "sys.stdout" not in said


@pytest.mark.skipif(PERL is None, reason="no perl on this machine")
def test_a_start_script_that_never_flushes_even_with_the_aid_is_no_aid_case(
    tmp_path: Path, doctor: Doctor
) -> None:
    pl = script(tmp_path / "w.pl", PERL_NO_FLUSH)
    start = script(tmp_path / "start.sh", f"#!/bin/sh\nexec perl {pl}\n")
    report = doctor([str(start)], "Buffering", init_timeout=2.0, framing="line",
                    env={"PYTHONUNBUFFERED": "1"})  # fmt: skip
    check = only(report, "Buffering")
    # with the aid it did not answer either: the aid hides nothing, the worker fails; once its
    # process is seen to be perl, PYTHONUNBUFFERED is no aid the summary speaks of
    assert check.status == "fail", check.summary
    assert "only thanks to" not in check.summary
    assert "PYTHONUNBUFFERED" not in check.summary, check.summary
    # the script names no language; its process, once it has exec'd perl, does
    assert check.remedy == "flush stdout after every frame (`$| = 1;` before the loop)"


def test_a_start_script_that_answers_only_with_pythonunbuffered_gets_its_process_s_fix(
    tmp_path: Path, doctor: Doctor
) -> None:
    start = script(
        tmp_path / "start.sh",
        f"#!/bin/sh\nexec {' '.join(REFERENCE)} --framing line --buffered\n",
    )
    report = doctor([str(start)], "Buffering", init_timeout=2.0, framing="line",
                    env={"PYTHONUNBUFFERED": "1"})  # fmt: skip
    check = only(report, "Buffering")
    assert check.status == "warn" and "only thanks to PYTHONUNBUFFERED" in check.summary
    # it exec'd Python (it gave the generic fix, the script naming no language)
    assert check.remedy.startswith(PYTHON.flush), check.remedy


@pytest.mark.skipif(NODE is None, reason="no node on this machine")
def test_a_node_worker_that_flushes_is_not_said_to_run_with_a_python_aid(
    tmp_path: Path, doctor: Doctor
) -> None:
    js = script(tmp_path / "w.js", NODE_FLUSHES)
    report = doctor([str(js)], "Buffering", framing="line", env={"PYTHONUNBUFFERED": "1"})
    check = only(report, "Buffering")
    assert check.status == "ok", check.summary
    assert check.summary == "flushes each frame: answers on a pipe"


@pytest.mark.skipif(shutil.which("go") is None, reason="no go on this machine")
def test_a_go_binary_that_never_flushes_gets_gos_fix(tmp_path: Path, doctor: Doctor) -> None:
    """A Go binary names no interpreter: its build ID's note tells its language, and its
    fix is a bufio.Writer's Flush, not the generic one (`stdbuf -oL` does nothing to Go)."""
    built = tmp_path / "never_flushes"
    source = str(Path(__file__).parent / "workers" / "go_never_flushes.go")
    env = {**os.environ, "GO111MODULE": "off"}  # one file, no module
    subprocess.run(["go", "build", "-o", str(built), source], check=True, env=env)
    found = worker_language(describe(WorkerSpec(argv=(str(built),))))
    assert found is not None and found.name == "Go"
    report = doctor([str(built)], "Buffering", init_timeout=2.0, framing="line")
    check = only(report, "Buffering")
    assert check.status == "fail", check.summary
    assert "`w.Flush()`" in check.remedy and check.remedy != GENERIC_FLUSH, check.remedy
