"""A line worker whose answer never ends its line and whose stdout writes at each newline:
Rust's `print!` with no `\\n` (Rust's stdout is line-buffered even on a pipe), Tcl's `puts
-nonewline` (Tcl's stdout is line-buffered too). Nothing reaches the pipe until the worker
exits at end of input, and then its answer comes out with no newline. Before, the verdict was
'waits for more input without answering: the request was not a complete message for it',
with no fix, and buffering was ruled out as 'nothing held back'."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import RunCli
from tests.test_diagnose_workers import WORKERS, confirmed, diagnose

RUSTC = shutil.which("rustc") or str(Path.home() / ".cargo" / "bin" / "rustc")


@pytest.fixture(scope="module")
def rust_worker(tmp_path_factory: pytest.TempPathFactory) -> str:
    if not Path(RUSTC).exists():
        pytest.skip("rustc is not installed (.ci/run installs Debian's rustc)")
    built = tmp_path_factory.mktemp("rust") / "print_no_newline"
    source = str(WORKERS / "rust_print_no_newline.rs")
    subprocess.run([RUSTC, "-o", str(built), source], check=True)
    return str(built)


def _held(run_cli: RunCli, *command: str) -> None:
    d = diagnose(run_cli, "--timeout", "2", "--framing", "line", "--", *command)
    assert confirmed(d) == ["framing"], d["cause"]
    assert d["cause"].startswith(
        'The worker never ends its line: its answer, \'{"id":1,"success":true,'
    ), d["cause"]
    assert (
        "came out only when its stdin closed and it exited, with no newline after it"
        in (d["cause"])
    )
    assert "in Rust `println!` (not `print!`)" in d["remediation"]
    buffered = next(h for h in d["hypotheses"] if h["id"] == "buffered")
    assert "held it for want of a newline" in buffered["reason"]


def test_rust_print_without_a_newline(run_cli: RunCli, rust_worker: str) -> None:
    _held(run_cli, rust_worker)


@pytest.mark.skipif(shutil.which("tclsh") is None, reason="tclsh is not installed (tcl)")
def test_tcl_puts_nonewline(run_cli: RunCli) -> None:
    _held(run_cli, "tclsh", str(WORKERS / "tcl_puts_nonewline.tcl"))


def test_a_pool_of_them_is_told_to_end_each_line(
    run_cli: RunCli, rust_worker: str, tmp_path: Path
) -> None:
    scenario = tmp_path / "rust.yaml"
    scenario.write_text(
        "name: rust-print\n"
        f"worker: {{command: [{rust_worker}], framing: line, init_timeout: 2}}\n"
        "pool: {size: 1, checkout_timeout: 1}\n"
        "steps:\n"
        "  - request: {command: ping}\n"
    )
    argv = ("run-scenario", str(scenario), "--no-history", "--run-dir", str(tmp_path / "r"))
    _, out, _ = run_cli(*argv)
    assert "End each message with a newline, and flush it: in Rust `println!`" in out, out
