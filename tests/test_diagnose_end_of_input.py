"""A worker that answers only once its stdin ends: a one-shot script put behind a pool
(`sys.stdin.buffer.read()`, Node's `process.stdin.on("end")`). Its answer comes out as poolctl
closes its stdin, like a block-buffered worker's; 512 requests at once (more answers than a
stdio buffer holds) and its Python stack tell it from one."""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REFERENCE, RunCli
from tests.test_diagnose_workers import WORKERS, confirmed, diagnose
from tests.test_stop_at_work import starving_cgroup

__all__ = ["starving_cgroup"]  # the fixture, used by name

VERDICT = (
    "The worker answers only once its stdin ends: it read the {size}-byte request, waited for "
    "more input, and its answer came out as its stdin closed; a pool keeps its workers' stdin "
    "open, so no answer comes"
)
MANY = re.compile(
    r"with 512 requests at once \([\d,]+ bytes of answers at \d+ bytes each, more than an "
    r"8,192-byte stdio buffer holds\): no answer within 1 s; its answer came only after its "
    r"stdin was closed to stop it, [\d.]+ ms after the request"
)


def _texts(d: dict[str, Any]) -> list[str]:
    return [e["text"] for e in d["evidence"]]


def _buffered(d: dict[str, Any]) -> dict[str, Any]:
    [held] = [h for h in d["hypotheses"] if h["id"] == "buffered"]
    return dict(held)


def test_a_python_script_reading_its_whole_stdin_is_told_so_by_its_stack_and_many_requests(
    run_cli: RunCli,
) -> None:
    """Before, no hypothesis was confirmed: buffered was untested ("an answer held in a buffer
    and one slower than the timeout look the same here") and waiting-for-input ruled out ("it
    answered the request after all, once its stdin had closed")."""
    d = diagnose(run_cli, "--timeout", "1", "--", "python3", str(WORKERS / "reads_whole_input.py"))
    assert confirmed(d) == ["waiting-for-input"], d["cause"]
    assert d["cause"] == VERDICT.format(size=81), d["cause"]
    texts = _texts(d)
    assert any(MANY.fullmatch(t) for t in texts), texts
    assert any(
        t.startswith("its Python stack is in ") and "`data = sys.stdin.buffer.read()" in t
        for t in texts
    ), texts
    assert any(
        re.fullmatch(
            r"its answer came out only as its stdin closed, [\d.]+ s after the request, and it "
            r"exited with code 0 within \d+ ms of the close",
            t,
        )
        for t in texts
    ), texts
    assert d["remediation"].startswith("Read one message at a time and answer it")
    held = _buffered(d)
    assert held["status"] == "ruled-out", held
    assert held["reason"].startswith("its answer waited for the end of its input, not in a buffer")


def test_many_requests_answered_by_a_copy_starved_of_cpu_after_its_stdin_closed_are_read(
    run_cli: RunCli, starving_cgroup: Path
) -> None:
    """The experiment's copy answers its 512 requests once its stdin closes, held to 2% of a
    CPU: 30 ms of CPU in about 1.5 s, as on a loaded machine. It was stopped by SIGTERM a second
    after the close, its answers unwritten, and the many requests' evidence was missing (seen
    at a load of 14): a copy at work after the close is waited for by the CPU time it is
    given, not by the wall clock."""
    argv = (sys.executable, str(WORKERS / "reads_whole_input_starved.py"))
    d = diagnose(
        run_cli, "--timeout", "1", "--env", f"STARVE_CGROUP={starving_cgroup}", "--", *argv
    )
    assert confirmed(d) == ["waiting-for-input"], d["cause"]
    assert any(MANY.fullmatch(t) for t in _texts(d)), _texts(d)


def test_without_experiments_its_stack_alone_shows_it(run_cli: RunCli) -> None:
    argv = ("python3", str(WORKERS / "reads_whole_input.py"))
    d = diagnose(run_cli, "--timeout", "1", "--no-experiments", "--", *argv)
    assert confirmed(d) == ["waiting-for-input"], d["cause"]
    assert not any(MANY.fullmatch(t) for t in _texts(d))


def test_without_experiments_a_start_starved_of_cpu_is_waited_out_before_its_stack_is_read(
    run_cli: RunCli,
) -> None:
    """Its start outlasts the timeout and the first look for want of a CPU (a Python worker
    beside CPU hogs, seen at a load of 15-20): it was said stuck-in-init, its stack in its start.
    Waited for as with experiments, it reads its request and its stack shows it reading to
    the end of its input."""
    argv = ("python3", str(WORKERS / "starts_starved_reads_whole_input.py"))
    d = diagnose(run_cli, "--timeout", "1", "--no-experiments", "--", *argv)
    assert confirmed(d) == ["waiting-for-input"], d["cause"]


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node")
def test_a_node_script_answering_at_its_stdin_s_end_is_told_so_by_many_requests(
    run_cli: RunCli,
) -> None:
    """No Python stack: 512 requests at once, none answered before a fresh process's stdin
    closed, show it, beside a stdout buffer larger than their answers, which they do not rule
    out (it was ruled out, 'a buffer would have filled and flushed')."""
    argv = (str(WORKERS / "node_reads_to_end.js"),)
    d = diagnose(run_cli, "--timeout", "1", "--framing", "line", "--", *argv)
    assert confirmed(d) == ["waiting-for-input"], d["cause"]
    assert d["cause"].startswith(VERDICT.format(size=78).split("; a pool")[0]), d["cause"]
    assert "or a stdout buffer of its own larger than " in d["cause"], d["cause"]
    assert any(MANY.fullmatch(t) for t in _texts(d)), _texts(d)
    assert _buffered(d)["status"] == "untested"


def test_a_block_buffered_worker_is_still_told_buffered(run_cli: RunCli) -> None:
    """Its answers are flushed by many requests at once: no reader of the whole input."""
    argv = (*REFERENCE, "--buffered")
    d = diagnose(run_cli, "--timeout", "1", "--unset-env", "PYTHONUNBUFFERED", "--", *argv)
    assert confirmed(d) == ["buffered"], d["cause"]
    [waiting] = [h for h in d["hypotheses"] if h["id"] == "waiting-for-input"]
    assert waiting["status"] == "ruled-out", waiting


def test_a_stdout_buffer_larger_than_many_requests_answers_stays_beside_a_whole_read(
    run_cli: RunCli,
) -> None:
    """A 1 MiB buffer of its own, flushed only as it exits, holds the 512 answers too (28,160
    bytes), and its stack is in `for line in sys.stdin:`. Before: 'The worker answers only once
    its stdin ends', told to read one message at a time, which it does, and buffered ruled out
    by the 512 requests ('a buffer would have filled and flushed'), which no 1 MiB one does."""
    argv = (sys.executable, str(WORKERS / "buffers_a_mebibyte.py"))
    d = diagnose(run_cli, "--timeout", "1", "--framing", "line", "--", *argv)
    assert confirmed(d) == ["waiting-for-input"], d["cause"]
    assert d["cause"].startswith(VERDICT.format(size=78).split("; a pool")[0]), d["cause"]
    assert (
        "as the answers to 512 requests at once (28,160 bytes) did in a fresh process; either it "
        "reads its whole input before it answers, or a stdout buffer of its own larger than "
        "28,160 bytes holds its answers until it exits: nothing seen here tells them apart "
        "(untested)"
    ) in d["cause"], d["cause"]
    assert d["remediation"].startswith("Find which of the two it is (not told apart from outside)")
    assert "a stdout buffer larger than 28,160 bytes" in d["remediation"]
    texts = _texts(d)
    assert any(MANY.fullmatch(t) for t in texts), texts
    (on_pty,) = [t for t in texts if t.startswith("with stdout on a pseudo-terminal")]
    assert "no answer within 1 s" in on_pty, on_pty
    held = _buffered(d)
    assert held["status"] == "untested", held
    said = "a stdout buffer larger than 28,160 bytes and a read of its whole input"
    assert said in held["reason"], held


def test_a_large_buffer_flushed_on_a_terminal_is_told_buffered_by_the_terminal_copy(
    run_cli: RunCli,
) -> None:
    """The same buffer flushed after each answer on a terminal: the terminal's copy answers."""
    argv = (sys.executable, str(WORKERS / "buffers_a_mebibyte.py"), "terminal")
    d = diagnose(run_cli, "--timeout", "1", "--framing", "line", "--", *argv)
    assert confirmed(d) == ["buffered"], d["cause"]
    assert d["cause"].endswith("; with stdout on a terminal a fresh process answers"), d["cause"]
