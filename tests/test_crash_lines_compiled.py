"""Workers in compiled languages that die at start: a Rust `unwrap()` that panics (exit code
101; Rust 1.88+ names the thread's id, `thread 'main' (23884) panicked at …:`, and writes the
message on the next line), a Java exception out of main (exit code 1, its stack on stderr).
Before, neither verdict named why it died: the Rust panic line did not match with the id, and
Java's `Exception in thread "main"` line was not looked for; the verdict quoted the last stack
frames as 'the end of its stderr'."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import RunCli
from tests.test_diagnose_workers import WORKERS, confirmed, diagnose

RUSTC = shutil.which("rustc") or str(Path.home() / ".cargo" / "bin" / "rustc")


def test_a_rust_panic_names_its_message(run_cli: RunCli, tmp_path: Path) -> None:
    if not Path(RUSTC).exists():
        pytest.skip("rustc is not installed (.ci/run installs Debian's rustc)")
    worker = tmp_path / "unwraps_env"
    subprocess.run([RUSTC, "-o", str(worker), str(WORKERS / "rust_unwraps_env.rs")], check=True)
    argv = ("--timeout", "2", "--framing", "line", "--env", "RUST_BACKTRACE=1")
    d = diagnose(run_cli, *argv, "--unset-env", "WORKER_PORT", "--", str(worker))
    assert confirmed(d) == ["crashed"], d["cause"]
    assert "exited with code 101, after the exception `thread 'main'" in d["cause"], d["cause"]
    assert "panicked at " in d["cause"]
    assert d["cause"].endswith("called `Result::unwrap()` on an `Err` value: NotPresent`")


@pytest.mark.skipif(shutil.which("javac") is None, reason="javac is not installed")
def test_a_java_exception_names_its_line(run_cli: RunCli, tmp_path: Path) -> None:
    subprocess.run(["javac", "-d", str(tmp_path), str(WORKERS / "Throws.java")], check=True)
    argv = ("--timeout", "5", "--framing", "line")
    d = diagnose(run_cli, *argv, "--", "java", "-cp", str(tmp_path), "Throws")
    assert confirmed(d) == ["crashed"], d["cause"]
    assert d["cause"].endswith(
        'exited with code 1, after the exception `Exception in thread "main" '
        "java.lang.NumberFormatException: Cannot parse null string`"
    ), d["cause"]
