"""A line worker that ends each answer with a blank line ("\\r\\n\\r\\n"). Before, the blank
line was "response is not JSON (Expecting value at byte 0): b''", and doctor told the worker to
write its logs and banners to stderr, which it does not write: the fix is one newline."""

from __future__ import annotations

import shutil

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
