"""Framing faults whose fix is a call in the worker's own language, given in that language:
Java's `DataOutputStream.writeUTF` (a 2-byte length: packet-2) where packet-4 is read, a Java
Content-Length counting `String.length()` (characters), a Tcl worker writing binary frames to
a stdout left in text mode (bytes over 127 encoded again as UTF-8). Before, each fix named only
Python, Node, Elixir or Perl calls, or none (the Content-Length's)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import RunCli
from tests.test_diagnose_workers import WORKERS, confirmed, diagnose

javac = pytest.mark.skipif(shutil.which("javac") is None, reason="javac is not installed")


def _java(tmp_path: Path, source: str) -> tuple[str, ...]:
    subprocess.run(["javac", "-d", str(tmp_path), str(WORKERS / source)], check=True)
    return ("java", "-cp", str(tmp_path), source.removesuffix(".java"))


@javac
def test_java_write_utf_is_told_write_int(run_cli: RunCli, tmp_path: Path) -> None:
    d = diagnose(run_cli, "--timeout", "5", "--", *_java(tmp_path, "WriteUtf.java"))
    assert confirmed(d) == ["framing"], d["cause"]
    assert d["cause"].startswith("The worker answers in packet-2, not packet-4")
    assert "in Java `out.writeInt(body.length); out.write(body)`" in d["remediation"]
    assert "not `out.writeUTF(json)`, which writes a 2-byte length" in d["remediation"]


@javac
def test_a_content_length_of_characters_is_told_the_byte_count(
    run_cli: RunCli, tmp_path: Path
) -> None:
    argv = ("--timeout", "5", "--protocol", "jsonrpc", "--framing", "content-length")
    d = diagnose(run_cli, *argv, "--", *_java(tmp_path, "LspLength.java"))
    assert confirmed(d) == ["framing"], d["cause"]
    assert "counts the message's characters, not its bytes" in d["cause"]
    assert "Java `body.getBytes(StandardCharsets.UTF_8).length`" in d["remediation"]


@pytest.mark.skipif(shutil.which("tclsh") is None, reason="tclsh is not installed (tcl)")
def test_tcl_in_text_mode_is_told_translation_binary(run_cli: RunCli) -> None:
    d = diagnose(
        run_cli, "--timeout", "2", "--", "tclsh", str(WORKERS / "tcl_writes_in_text_mode.tcl")
    )
    assert confirmed(d) == ["framing"], d["cause"]
    assert d["cause"].startswith("The worker's frames are encoded again on their way out")
    assert (
        "in Tcl `fconfigure stdout -translation binary` before the first frame"
        in (d["remediation"])
    )


@javac
def test_java_print_without_a_newline_is_told_println(run_cli: RunCli, tmp_path: Path) -> None:
    argv = ("--timeout", "5", "--framing", "line", "--")
    d = diagnose(run_cli, *argv, *_java(tmp_path, "PrintNoNewline.java"))
    assert confirmed(d) == ["framing"], d["cause"]
    assert d["cause"].startswith("The worker never ends its line")
    assert "Java: `System.out.println(json)`, not `System.out.print(json)`" in d["remediation"]


def test_a_rust_binary_that_never_flushes_is_told_rust_s_flush(
    run_cli: RunCli, tmp_path: Path
) -> None:
    rustc = shutil.which("rustc") or str(Path.home() / ".cargo" / "bin" / "rustc")
    if not Path(rustc).exists():
        pytest.skip("rustc is not installed (.ci/run installs Debian's rustc)")
    worker = tmp_path / "never_flushes"
    subprocess.run([rustc, "-o", str(worker), str(WORKERS / "rust_never_flushes.rs")], check=True)
    d = diagnose(run_cli, "--timeout", "2", "--", str(worker))
    assert confirmed(d) == ["buffered"], d["cause"]
    assert "`io::stdout().flush()` in Rust" in d["remediation"]
