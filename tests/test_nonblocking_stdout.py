"""A worker whose stdout is non-blocking writes an answer larger than the pipe's free room: the
write takes what fits, fails for the rest (EAGAIN), and Python's buffered writer returns the
count with no error, so the worker goes back to reading its stdin with its answer cut short.
Before, ping's verdict was 'The worker read the 81-byte request and waits for more input
without answering …: the request was not a complete message for it' (waiting-for-input), the
cut frame on its stdout left unsaid; the worker's fd 1 is now read for O_NONBLOCK (its
fdinfo), and the cut answer is blocked-writing's."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from tests.conftest import RunCli

WORKER = Path(__file__).resolve().parent / "workers" / "writes_nonblocking.py"


def test_an_answer_cut_by_a_non_blocking_stdout_is_said_so(run_cli: RunCli, tmp_path: Path) -> None:
    code, out, err = run_cli(
        "ping", "--json", "--timeout", "2", "--run-dir", str(tmp_path / "r"), "--",
        sys.executable, str(WORKER),
    )  # fmt: skip
    assert code == 1, err
    outcome: dict[str, Any] = json.loads(out)["findings"][0]["outcome"]
    assert outcome["cause"].startswith(
        "The worker's stdout is non-blocking (O_NONBLOCK), and its answer was cut short: a "
        "truncated packet-4 frame: the header announces 4,000,"
    ), outcome["cause"]
    assert "failed for the rest (EAGAIN)" in outcome["cause"]
    notes = [e["note"] for e in outcome["evidence"]]
    assert "not writing the rest" in notes
    (flags,) = [e["text"] for e in outcome["evidence"] if "O_NONBLOCK (flags" in e["text"]]
    assert "has its stdout (fd 1, pipe:[" in flags
    assert "waits for more input" not in out
