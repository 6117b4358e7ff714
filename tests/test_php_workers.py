"""PHP workers that print on stdout without meaning to. PHP's CLI shows a warning on stdout
while display_errors is on, after a blank line (`\\nWarning: … on line 19\\n`), and prints what
follows a file's closing `?>` tag (past one newline) where the file is included. Before, a line
worker's blank first line was quoted as '' and read as no text at all: the verdict was 'waits
for more input without answering' with no fix, and in packet-4 it was "'' arrived", told to
send banners to stderr."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from poolctl.framing_explain import explain
from tests.conftest import RunCli
from tests.test_diagnose_workers import WORKERS, confirmed, diagnose

php = pytest.mark.skipif(shutil.which("php") is None, reason="php is not installed (php-cli)")
WARNS = str(WORKERS / "php_shows_warnings.php")
CLOSING_TAG = str(WORKERS / "php_closing_tag.php")


def test_a_blank_line_first_is_named_with_what_follows_it() -> None:
    said = explain(b'\n{"id": 1, "success": true}\n', "line")
    assert said.kind == "text"
    assert said.text.startswith("a blank line (an empty message that JSON readers refuse)")
    said = explain(b"\nWarning: Undefined variable $x in /w.php on line 3\n{}\n", "line")
    assert said.text.endswith("then text: 'Warning: Undefined variable $x in /w.php on line 3'")


@php
@pytest.mark.parametrize("framing", ["line", "packet-4"])
def test_a_warning_php_shows_on_stdout_is_named_with_display_errors_stderr(
    run_cli: RunCli, framing: str
) -> None:
    d = diagnose(run_cli, "--timeout", "2", "--framing", framing, "--", "php", WARNS, framing)
    assert confirmed(d) == ["stdout-text"], d["cause"]
    assert d["cause"].startswith(
        "The worker prints PHP's warning to its framed stdout: 'Warning: Undefined array key "
        f'"user" in {WARNS} on line 19\' arrived before its first message'
    ), d["cause"]
    assert "`ini_set('display_errors', 'stderr')`" in d["remediation"]
    assert d["remediation"].endswith(f"at {WARNS} line 19.")


SETTINGS = str(WORKERS / "php_settings.php")


@php
def test_a_newline_after_a_closing_tag_names_the_file(run_cli: RunCli) -> None:
    argv = ("--timeout", "2", "--framing", "packet-4", "--", "php", CLOSING_TAG, "packet-4")
    d = diagnose(run_cli, *argv)
    assert confirmed(d) == ["stdout-text"], d["cause"]
    assert d["cause"].startswith("The worker prints text to its framed stdout: a newline arrived")
    assert f"; {SETTINGS} prints it after its closing `?>` tag" in d["cause"]
    assert d["remediation"].startswith(
        f"Leave out the closing `?>` at the end of files that hold only PHP ({SETTINGS})"
    )


@php
def test_doctor_names_the_closing_tag_of_a_line_worker_s_blank_first_line(
    run_cli: RunCli,
) -> None:
    """In line framing the blank line is an empty message, set aside as those after answers
    are (ping is answered, with a note); doctor's Output hygiene names the file that prints it."""
    argv = ("ping", "--timeout", "2", "--framing", "line", "--", "php", CLOSING_TAG, "line")
    code, out, _ = run_cli(*argv)
    assert code == 0, out
    assert "an empty message (a blank line, in line framing)" in out
    argv = ("doctor", "--framing", "line", "--timeout", "2", "--", "php", CLOSING_TAG, "line")
    _, out, _ = run_cli(*argv)
    assert "the first before its first message: response is not JSON: an empty message" in out
    assert f"Leave out the closing `?>` at the end of files that hold only PHP ({SETTINGS})" in out


@php
def test_doctor_gives_php_s_own_fix(run_cli: RunCli) -> None:
    argv = ("doctor", "--framing", "line", "--timeout", "2", "--", "php", WARNS, "line")
    _, out, _ = run_cli(*argv)
    assert "it writes a blank line, then 'Warning: Undefined array key" in out, out
    assert out.count("show them on stderr with `ini_set('display_errors', 'stderr')`") == 2
    assert "write logs and banners to stderr" not in out


@php
def test_a_pool_of_them_is_told_the_same(run_cli: RunCli, tmp_path: Path) -> None:
    scenario = tmp_path / "php.yaml"
    scenario.write_text(
        "name: php-closing-tag\n"
        "worker:\n"
        f"  command: [php, {CLOSING_TAG}, packet-4]\n"
        "  framing: packet-4\n"
        "  init_timeout: 2\n"
        "pool: {size: 1, checkout_timeout: 1}\n"
        "steps:\n"
        "  - request: {command: ping}\n"
    )
    _, out, _ = run_cli(
        "run-scenario", str(scenario), "--no-history", "--run-dir", str(tmp_path / "r")
    )
    assert "Leave out the closing `?>` at the end of files that hold only PHP" in out, out


@php
def test_an_output_buffer_is_named_beside_a_read_of_all_input(run_cli: RunCli) -> None:
    """ob_start() with no size holds every answer until the script ends: from outside it looks
    as a read of the whole input does (waits in read, answers at the close, none with many
    requests). Before, the verdict named the read alone, told `sys.stdin.readline()`, and its
    evidence said 'a buffer would have filled and flushed', which PHP's does not."""
    worker = str(WORKERS / "php_output_buffer.php")
    d = diagnose(run_cli, "--timeout", "2", "--framing", "line", "--", "php", worker)
    assert confirmed(d) == ["waiting-for-input"], d["cause"]
    assert "; in PHP an output buffer (`ob_start()`) holds what `echo` writes" in d["cause"]
    assert d["remediation"].startswith("Find which of the two it is (not told apart from outside)")
    assert "call `ob_flush()` after each" in d["remediation"]
    assert "a buffer would have filled" not in str(d["evidence"])


@php
@pytest.mark.parametrize("framing", ["line", "packet-4"])
def test_a_file_saved_with_a_byte_order_mark_is_named(run_cli: RunCli, framing: str) -> None:
    """Before, the mark was named and the fix was .NET's and Python's encodings."""
    worker = str(WORKERS / "php_saved_with_bom.php")
    d = diagnose(run_cli, "--timeout", "2", "--framing", framing, "--", "php", worker, framing)
    assert confirmed(d) == ["stdout-text"], d["cause"]
    assert d["cause"].startswith("The worker's stdout starts with a UTF-8 byte order mark")
    assert d["cause"].endswith(f"; {worker} begins with it"), d["cause"]
    assert d["remediation"].startswith(
        f"Save the PHP file(s) as UTF-8 without a byte order mark ({worker})"
    )
