"""A worker whose stdin closed while the pool was writing it a large request (EPIPE midway):
the request's no_response says how many bytes the pipe took first, and the finding tells a
worker that read some of them (it ended in the request) from one that read none (between
requests). Both were told 'not a byte of it was read'."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from tests.conftest import RunCli

WORKER = Path(__file__).parent / "workers" / "closes_stdin_in_a_request.py"
BLOB = "x" * 1_000_000  # far more than a pipe holds (64 KiB)
SCENARIO = """\
name: cut-write
description: a worker that closes its stdin while a large request is written to it
worker:
  command: [{python}, {worker}{extra}]
pool: {{size: 1, checkout_timeout: 5, request_timeout: 5}}
steps:
  - request: {{command: echo, args: {{blob: {blob}}}, count: 1}}
"""


@pytest.mark.parametrize("read", [True, False])
def test_a_request_cut_by_the_workers_closed_stdin_says_what_it_read(
    run_cli: RunCli, tmp_path: Path, read: bool
) -> None:
    path = tmp_path / "cut.yaml"
    extra = ', "read"' if read else ""
    dumps = json.dumps
    text = SCENARIO.format(
        python=dumps(sys.executable), worker=dumps(str(WORKER)), extra=extra, blob=BLOB
    )
    path.write_text(text)
    code, out, _ = run_cli("run-scenario", str(path), "--json", "--run-dir", str(tmp_path / "r"))
    assert code == 1, out
    events = [json.loads(x) for x in (tmp_path / "r" / "events.jsonl").read_text().splitlines()]
    [unanswered] = [e for e in events if e["type"] == "no_response"]
    assert unanswered["reason"] == "write-failed", unanswered
    written = unanswered["written"]
    assert written >= 4, unanswered  # the pipe took the first bytes before it closed
    assert unanswered["detail"] == (
        f"could not write the request: its stdin closed after {written:,} of its "
        f"{unanswered['bytes_out']:,} bytes were written"
    )
    (finding,) = json.loads(out)["findings"]
    cause = finding["outcome"]["cause"]
    assert "not a byte of it was read" not in cause, cause
    if read:
        assert "it ended in the request, not between requests" in cause, cause
        assert "between requests, each answer whole" not in cause, cause
    else:
        assert f"the {written:,} bytes that went in were still unread in its stdin pipe" in cause, (
            cause
        )
        assert "between requests, each answer whole" in cause, cause


def test_a_worker_that_exits_after_reading_a_part_of_a_request_is_told_how_much(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """It reads a 1 MB request's header and exits: whether the pool saw its exit or the failed
    write first, the cause says it read a part of the request, not the whole ('it had read the
    request (its bytes were gone from its stdin)') nor none ('not a byte of it was read')."""
    path = tmp_path / "cut.yaml"
    text = SCENARIO.format(
        python=json.dumps(sys.executable),
        worker=json.dumps(str(WORKER)),
        extra=', "exit"',
        blob=BLOB,
    )
    path.write_text(text)
    code, out, _ = run_cli("run-scenario", str(path), "--json", "--run-dir", str(tmp_path / "r"))
    assert code == 1, out
    (finding,) = json.loads(out)["findings"]
    cause = finding["outcome"]["cause"]
    assert re.search(r"; it had read [\d,]+ bytes of (it|the 1,000,090-byte request)", cause), cause
    assert "it had read the request" not in cause, cause
    assert "not a byte of it was read" not in cause, cause
