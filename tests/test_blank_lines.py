"""A line worker that ends each answer with a blank line ("\\r\\n\\r\\n"). Before, the blank
line was "response is not JSON (Expecting value at byte 0): b''", and doctor told the worker to
write its logs and banners to stderr, which it does not write: the fix is one newline."""

from __future__ import annotations

import shutil
import sys

import pytest

from poolctl.protocol import NotJSON, parse_message
from tests.conftest import RunCli
from tests.test_diagnose_workers import WORKERS


def test_an_empty_line_is_named_so() -> None:
    for blank in (b"", b"\r", b"  "):
        with pytest.raises(NotJSON, match=r"response is not JSON: an empty message \(a blank line"):
            parse_message(blank, 1)


@pytest.mark.skipif(shutil.which("perl") is None, reason="perl is not installed")
def test_doctor_tells_a_worker_writing_blank_lines_to_end_each_with_one_newline(
    run_cli: RunCli,
) -> None:
    worker = str(WORKERS / "ends_lines_twice.pl")
    _, out, _ = run_cli("doctor", "--framing", "line", "--timeout", "2", "--", "perl", worker)
    assert "not frames: response is not JSON: an empty message (a blank line" in out, out
    assert "End each message with one newline, not two" in out
    assert "write logs and banners to stderr" not in out


BLANK_FIRST = str(WORKERS / "prints_an_empty_line_first.py")
NAMED = "response is not JSON: an empty message (a blank line, in line framing): b''"


@pytest.mark.parametrize(
    "argv",
    [
        ["--framing", "line", "--", sys.executable, BLANK_FIRST],
        ["--protocol", "mcp", "--", sys.executable, str(WORKERS / "mcp_server.py"), "--blank-line"],
    ],
    ids=["line-worker", "mcp-server"],
)
def test_a_blank_line_before_the_first_message_is_named_as_those_after_answers(
    run_cli: RunCli, argv: list[str]
) -> None:
    """Before, the empty line broke the stream as stray text with nothing to quote, and ping
    said the worker read its request and waits for more input, its answer on stdout."""
    # 15 s: at 5 s the MCP case failed once beside other suites (a load of 18) and passed alone
    code, out, _ = run_cli("ping", "--timeout", "15", *argv)
    assert code == 0, out
    assert f"1 frame(s) arrived that answered no request: {NAMED}" in out


def test_doctor_tells_a_worker_with_a_blank_line_first_to_write_none(run_cli: RunCli) -> None:
    argv = ("--framing", "line", "--timeout", "2", "--", sys.executable, BLANK_FIRST)
    _, out, _ = run_cli("doctor", *argv)
    assert (
        f"1 line(s) on stdout that are not frames, the first before its first message: {NAMED}"
        in out
    )
    assert "Write nothing to stdout before the first message, not even an empty line" in out
    assert "write logs and banners to stderr" not in out
