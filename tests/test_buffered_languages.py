"""A block-buffered worker whose command names its language is told that language's flush:
Ruby's `$stdout.sync = true` (Ruby block-buffers $stdout on a pipe), Java's `flush()` of the
BufferedWriter it never flushes. Before, ping told every one of them `sys.stdout.flush()`, `$|
= 1` in Perl or `fflush(stdout)` in C, and that `python -u` only helps a Python worker
(doctor's Buffering check knew Ruby's, not Java's)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from poolctl.languages import command_language, language_named
from tests.conftest import RunCli
from tests.test_diagnose_workers import WORKERS, confirmed, diagnose


def test_a_versioned_interpreter_names_its_language() -> None:
    for program, name in [("ruby3.1", "Ruby"), ("/usr/bin/php8.2", "PHP"), ("tclsh8.6", "Tcl")]:
        found = language_named([program])
        assert found is not None and found.name == name, program
    assert language_named(["python3.12"]) is not None
    assert language_named(["/opt/worker/bin/serve"]) is None
    found = command_language((str(WORKERS / "ruby_never_syncs.rb"),), None)  # by its #! line
    assert found is not None and found.name == "Ruby"


@pytest.mark.skipif(shutil.which("ruby") is None, reason="ruby is not installed")
def test_ruby_is_told_stdout_sync(run_cli: RunCli) -> None:
    worker = str(WORKERS / "ruby_never_syncs.rb")
    d = diagnose(run_cli, "--timeout", "2", "--framing", "line", "--", "ruby", worker)
    assert confirmed(d) == ["buffered"], d["cause"]
    assert d["remediation"] == "In Ruby, flush stdout after every frame (`$stdout.sync = true`)."


@pytest.mark.skipif(shutil.which("javac") is None, reason="javac is not installed")
def test_java_is_told_to_flush_its_writer(run_cli: RunCli, tmp_path: Path) -> None:
    subprocess.run(["javac", "-d", str(tmp_path), str(WORKERS / "NeverFlushes.java")], check=True)
    argv = ("--timeout", "5", "--framing", "line", "--", "java", "-cp", str(tmp_path))
    d = diagnose(run_cli, *argv, "NeverFlushes")
    assert confirmed(d) == ["buffered"], d["cause"]
    assert d["remediation"].startswith("In Java, flush stdout after every frame (`out.flush()`")
    assert "python -u" not in d["remediation"]
