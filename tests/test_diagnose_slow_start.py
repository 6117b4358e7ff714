"""A start slowed by a loaded machine: a worker that exits after its timeout, while poolctl
waits on for a slow start, is judged as the exited worker it is, not as one still starting."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from poolctl.diagnose import diagnose_no_answer, procinfo
from poolctl.diagnose.hypotheses.crashed import NO_STDIO_SWITCH_FIX
from poolctl.rundir import create_run_dir
from poolctl.worker import NoAnswer, WorkerSpec
from tests.conftest import REFERENCE, Processes, RunCli, SpawnWorker
from tests.test_diagnose_workers import WORKERS, confirmed, diagnose

pytestmark = pytest.mark.slow

NEEDS_STDIO = str(WORKERS / "lsp_needs_stdio.py")
# s of CPU the starved copies' server spends before serving (its start: this and 0.5 s of the
# SDK's imports): eight copies side by side share the machine's CPUs for the diagnosis' 5 s
# wait, about 5 * CPUs / 8 s each, well short of it (3 s took 28 s of CPU with its copies)
STARVING_BURN = max(1.5, 0.75 * len(os.sched_getaffinity(0)))


def test_a_worker_exiting_while_poolctl_waits_on_past_its_timeout_is_judged_exited(
    run_cli: RunCli,
) -> None:
    """svelteserver held to 10% of a CPU (a loaded machine) exits silent 6-8 s after it
    starts, past ping's 5 s timeout: poolctl waited on for a slow start, saw it exit, and said
    it was stuck in initialization, "still starting 6.7 s after it started", to answer before
    its start-up work or raise the init timeout. It exited: the verdict is a quiet machine's,
    its experiment (the same command with `--stdio`) run. Here: an exit 5 s after its start,
    a 3 s timeout."""
    argv = (sys.executable, NEEDS_STDIO, "5", "0.5")
    d = diagnose(run_cli, "--protocol", "lsp", "--timeout", "3", "--", *argv)
    assert confirmed(d) == ["crashed"], d["cause"]
    assert d["cause"].endswith(
        "it was started without `--stdio`, and in a fresh process the same command with "
        "`--stdio` answered initialize"
    ), d["cause"]
    assert d["remediation"].startswith(f"Start it with `--stdio` (`{shlex.join(argv)} --stdio`)")
    exit_line = f"pid {d['facts']['pid']} exited with code 0"
    [ended] = [e for e in d["evidence"] if e["text"] == exit_line]
    assert ended["note"].startswith("how the process ended: "), ended
    assert ended["note"].endswith(
        "s after it started, past its 3 s timeout, while poolctl waited on for a slow start"
    ), ended
    assert d["facts"]["exited_at_s"] > 3


def test_an_opening_answered_late_beside_the_other_experiments_is_asked_again_as_long(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """`ping --protocol lsp --timeout 8` of an MCP server on the `mcp` SDK (tests/workers/
    mcp_server.py) at a load of 50: MCP's opening, asked in a fresh process during the wait
    beside eight other experiments, was answered 8.3 s after it, past its wait; asked again
    alone it was given the protocol wave's 4.2 s and answered at 5 s, cut: the verdict named
    line framing, a fix the server refuses as well, where a quiet machine's names mcp. Asked
    again, it is given as long as its late answer took (bounded by the timeout). Here the
    first start asked answers only as it is stopped (8 s after the request), the next after
    6 s."""
    counter = tmp_path / "starts"
    argv = (sys.executable, str(WORKERS / "mcp_slower_beside_others.py"), str(counter), "eof", "6")
    d = diagnose(run_cli, "--protocol", "lsp", "--timeout", "8", "--", *argv)
    assert confirmed(d) == ["envelope"], d["cause"]
    assert d["remediation"].startswith("Speak mcp to it (`poolctl ping --protocol mcp`"), d
    [mcp] = [e for e in d["facts"]["experiments"] if e["id"] == "protocol-mcp"]
    assert mcp["answered"] and mcp["detail"].startswith("answered in "), mcp
    assert counter.read_text() == "..", "MCP's opening was asked twice"


def test_a_fresh_start_with_stdio_answering_past_its_wait_is_not_said_to_lack_the_switch(
    run_cli: RunCli,
) -> None:
    """svelteserver's copy with `--stdio`, started 3 s late (a loaded machine), answered
    initialize 3.7 s after the request, as its stdin was closed at the end of its 3 s wait:
    the verdict said `--stdio` did not make it serve, and to find the switch in its `--help`
    (NO_STDIO_SWITCH_FIX). It answered: the switch is right, its start was slower than the
    wait. Here the copy answers once its stdin ends."""
    argv = (sys.executable, NEEDS_STDIO, "0", "eof")
    d = diagnose(run_cli, "--protocol", "lsp", "--timeout", "2", "--", *argv)
    assert confirmed(d) == ["crashed"], d["cause"]
    assert re.search(
        r"it was started without `--stdio`, and in a fresh process the same command with "
        r"`--stdio` answered initialize, past its wait \(no answer within 2 s; its answer came "
        r"only after its stdin was closed to stop it, [\d.]+ ms after the request\)$",
        d["cause"],
    ), d["cause"]
    assert d["remediation"].startswith(f"Start it with `--stdio` (`{shlex.join(argv)} --stdio`)")
    assert d["remediation"].endswith("with a longer `--timeout`: its answer came past the wait.")
    assert d["remediation"] != NO_STDIO_SWITCH_FIX


def test_an_answer_out_as_stdin_closed_that_no_buffering_change_released_is_not_a_buffer(
    run_cli: RunCli,
) -> None:
    """A worker that reads its input to the end (`[json.loads(line) for line in sys.stdin]`)
    and then answers, flushing each answer: its answer came out as poolctl closed its stdin,
    and no fresh process answered with stdout on a terminal or 512 requests at once. It was
    told its stdout is block-buffered, to flush after each frame, which it does; then that an
    answer held in a buffer and one that came late as its stdin closed look the same there, and
    no hypothesis was confirmed. 512 answers at once are more than a stdio buffer holds: a
    buffer would have flushed, and the fresh process's answers too came only as its stdin
    closed. It answers only once its input ends (waiting-for-input), and buffered is ruled
    out by that experiment."""
    argv = (sys.executable, str(WORKERS / "answers_as_input_ends.py"))
    # it runs unbuffered, whatever the environment: that experiment needs no process
    options = ("--protocol", "jsonrpc", "--timeout", "1", "--env", "PYTHONUNBUFFERED=1")
    d = diagnose(run_cli, *options, "--", *argv)
    assert confirmed(d) == ["waiting-for-input"], d["cause"]
    assert d["cause"].startswith(
        "The worker answers only once its stdin ends: it read the 53-byte request, waited for "
        "more input, and its answer came out as its stdin closed"
    ), d["cause"]
    assert d["facts"]["stdin_closed"]["answer_flushed"] is True
    texts = [e["text"] for e in d["evidence"]]
    assert any(
        re.fullmatch(
            r"with 512 requests at once \([\d,]+ bytes of answers at \d+ bytes each, more than "
            r"an 8,192-byte stdio buffer holds\): no answer within 1 s; its answer came only "
            r"after its stdin was closed to stop it, [\d.]+ ms after the request",
            t,
        )
        for t in texts
    ), texts
    assert "`sys.stdin.read()`, `readlines()`" in d["remediation"]
    [held] = [h for h in d["hypotheses"] if h["id"] == "buffered"]
    assert held["status"] == "ruled-out", held
    assert held["reason"] == (
        "its answer waited for the end of its input, not in a buffer (see waiting-for-input)"
    ), held


def test_an_event_loops_answer_after_its_stdin_closed_is_no_wait_for_more_input(
    run_cli: RunCli,
) -> None:
    """An asyncio worker whose handler took longer than the timeout (as a loaded machine
    makes it) waits in epoll on its stdin while a task works; its stdin closed, it finishes
    the task and answers, later than the close probe waited: poolctl said the request 'was not
    a complete message for it' (waiting-for-input), the answer it wrote unread. Here each
    answer comes 1.5 s after its stdin ends, a 2 s timeout: its answer, read once the
    experiments end, rules that out, and buffered (held back until its input ended) stays
    untested. (It came 4 s after its request before, a clock too thin beside six busy loops on
    two cores: 3 runs of 3 failed, the look at the worker past its timeout taking over 2 s, so
    that the answer came before its stdin was closed, or inside the close probe's second.)"""
    argv = (sys.executable, str(WORKERS / "event_loop_answers_late.py"), "eof+1.5")
    d = diagnose(run_cli, "--framing", "line", "--protocol", "jsonrpc", "--timeout", "2", "--",
                 *argv)  # fmt: skip
    assert confirmed(d) == [], d["cause"]
    statuses = {h["id"]: h for h in d["hypotheses"]}
    assert statuses["waiting-for-input"]["status"] == "ruled-out"
    assert statuses["waiting-for-input"]["reason"].startswith(
        "it answered the request after all, once its stdin had closed (by "
    )
    assert statuses["buffered"]["status"] == "untested"
    assert "its answer came after its stdin closed, by " in d["cause"], d["cause"]
    [came] = [e for e in d["evidence"] if e["note"].startswith("what it wrote after its stdin")]
    assert came["text"] == '\'{"jsonrpc": "2.0", "id": 1, "result": "pong"}\\n\''


def test_a_request_read_past_the_timeout_and_left_unanswered_is_judged_once_read(
    run_cli: RunCli,
) -> None:
    """mcp-server-fetch 2026.10.24 (mcp 1.x SDK), spoken lsp with a 1 s timeout: its imports
    took 1.5-2.3 s, so the request lay unread at the timeout; poolctl waited on, saw it read
    (the SDK reads the Content-Length header as a line and waits for the end of the next), and
    said it was stuck in initialization ("its start-up was over, the request left unanswered")
    with the fix to raise the init timeout: raised, it still would not answer. Judged once it
    read, as the silent worker it then is, it is an MCP server spoken lsp. Here the `mcp` 2.x
    SDK's server (tests/workers/mcp_server.py) serves 2 s after its spawn."""
    argv = (sys.executable, str(WORKERS / "mcp_server.py"), "--serve-at", "2")
    d = diagnose(run_cli, "--protocol", "lsp", "--timeout", "1", "--", *argv)
    assert "stuck-in-init" not in confirmed(d), d["cause"]
    if "envelope" in confirmed(d):
        assert d["cause"].startswith("The worker does not speak lsp: it read the "), d["cause"]
        if d["remediation"].startswith("Speak jsonrpc to it"):
            # a starved machine (make test at a load of 6): MCP's opening got nothing in its
            # copy's wait, and an MCP server answers JSON-RPC's ping too: what answered is named
            texts = [e["text"] for e in d["evidence"]]
            assert not any(t.startswith("speaking mcp") and "answered" in t for t in texts), d
        else:
            assert d["remediation"].startswith("Speak mcp to it (`poolctl ping --protocol mcp`"), d
    else:  # a starved machine: the fresh copies asking MCP's opening got nothing in their wait
        assert confirmed(d) == ["framing"], d["cause"]
        [envelope] = [h for h in d["hypotheses"] if h["id"] == "envelope"]
        assert envelope["status"] == "untested", envelope
    [stuck] = [h for h in d["hypotheses"] if h["id"] == "stuck-in-init"]
    # (read before the diagnosis' first look, on a loaded machine: its read is seen then)
    assert re.fullmatch(
        r"it read the \d+-byte request (by )?[\d.]+ s after it started, past its 1 s timeout, "
        r"(while poolctl waited on|before poolctl looked), and answered nothing: a slow start "
        r"explains the wait, not the silence( \(judged once it had read\))?",
        stuck["reason"],
    ), stuck["reason"]


def test_another_protocols_opening_answered_only_past_its_wait_is_no_refusal(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """`doctor --protocol lsp --timeout 3` of mcp-server-fetch 2026.10.24: its probe's copies
    asked MCP's and JSON-RPC's openings (beside a dozen other fresh Python processes, each
    importing for 2 s) answered 2.9 s after the request, as they were stopped at the end of
    their 2.1 s wait; the protocol mismatch was ruled out ("no other protocol's opening got an
    answer in a fresh process") and Framing's fix was to frame in line, which the server
    refuses as well (-32602 to LSP's initialize). An MCP server's answer that came past the
    wait is a slow start, not a refusal. Here every start asked MCP's opening answers only as
    its stdin ends."""
    counter = tmp_path / "starts"
    argv = (sys.executable, str(WORKERS / "mcp_slower_beside_others.py"), str(counter), "eof")
    d = diagnose(run_cli, "--protocol", "lsp", "--timeout", "2", "--", *argv)
    assert confirmed(d) == ["envelope"], d["cause"]
    assert re.search(
        r"while in a fresh process the mcp opening \(initialize\) gets an answer \(server "
        r"'slower-beside-others' 1\), past its wait \(no answer within [\d.]+ s; its answer came "
        r"only after its stdin was closed to stop it, [\d.]+ ms after the request\)$",
        d["cause"],
    ), d["cause"]
    assert d["remediation"].startswith("Speak mcp to it (`poolctl ping --protocol mcp`"), d
    assert d["remediation"].endswith("with a longer `--timeout`: its answer came past the wait.")


def test_the_failed_requests_own_late_answer_is_no_earlier_request_answered(
    tmp_path: Path, spawn_worker: SpawnWorker
) -> None:
    """An event-loop worker whose answer came once the timeout had passed, while poolctl
    looked at it (the close probe still to come; on a loaded machine the checks after the
    timeout take seconds): waiting-for-input counted that answer as an earlier request's, "it
    answered 1 earlier request(s) of this session", while stuck-in-init, framing and buffered
    read it as this request's, late. Here the answer is in the pipe, unread, as the diagnosis
    begins."""
    run = create_run_dir("late", tmp_path / "run")
    argv = (sys.executable, str(WORKERS / "event_loop_answers_late.py"), "0.3")
    spec = WorkerSpec(argv=argv, protocol="jsonrpc", framing="line")
    worker = spawn_worker(spec, run.workers)
    with worker:
        slow = worker.exchange("ping", timeout=0.05)
        assert isinstance(slow, NoAnswer)
        deadline = time.monotonic() + 10
        while not procinfo.unread_bytes(worker.stdout_fd) and time.monotonic() < deadline:
            time.sleep(0.02)  # the answer is in the pipe, not read
        d = diagnose_no_answer(worker, slow, experiments=False, run_dir=run, timeout=0.05)
    statuses = {h.id: h for h in d.hypotheses}
    assert [h.id for h in d.hypotheses if h.status == "confirmed"] == [], d
    waiting = statuses["waiting-for-input"]
    assert waiting.status == "ruled-out", waiting
    assert re.fullmatch(
        r"it answered the request after all, by [\d.]+ s after it, its stdin still open: the "
        r"request was a whole message for it",
        waiting.reason,
    ), waiting.reason
    assert statuses["stuck-in-init"].reason.startswith("it read the "), statuses["stuck-in-init"]


def test_a_stdio_copy_left_no_time_is_said_untried_not_left_out(
    run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At a load of 17 the worker that exits silent without `--stdio` (exiting 5 s after its
    start, a 3 s timeout) was seen exited only as the diagnosis began, and its budget was spent
    before the same command with `--stdio` could run ("no time left in the diagnosis budget"):
    the verdict left the copy out and sent its user to look for a code path that exits on
    purpose, as if the switch had been ruled out. Now it says the copy was not tried and names
    the switch as the thing to try. Here every experiment is given too little time to run."""
    from poolctl.diagnose import experiments

    monkeypatch.setattr(experiments, "MIN_TIME", 1000.0)
    argv = (sys.executable, NEEDS_STDIO, "0.5", "0.5")
    d = diagnose(run_cli, "--protocol", "lsp", "--timeout", "3", "--", *argv)
    assert confirmed(d) == ["crashed"], d["cause"]
    assert d["cause"].endswith(
        "; the same command with `--stdio` was not tried in a fresh process (no time left in "
        "the diagnosis budget)"
    ), d["cause"]
    assert d["remediation"].startswith(f"Ping it started with `--stdio` (`{shlex.join(argv)} "), d


def test_copies_starved_of_cpu_by_each_other_are_asked_again_a_few_at_a_time(
    run_cli: RunCli,
) -> None:
    """mcp-server-fetch 2026.10.24 pinged in dspex at the default 5 s timeout, beside six busy
    loops on two cores: its nine fresh copies (framings, buffering, other protocols' openings),
    started side by side, were all still starting when stopped (about 1.0 s of CPU each, 18% of
    a CPU; the worker's start took 1.08 s), and the verdict said the request was not a whole
    message for it, "no framing got anything within 5 s", with the fix to ping again with
    `--timeout 30 --framing auto`. Copies still starting, with less CPU than twice the worker's
    start, were starved by each other: the likeliest are asked again two at a time, and one run
    names the protocol. Here an MCP server that spends `STARVING_BURN` s of CPU before serving
    (1.5 s on two CPUs), with a 1 s timeout: no copy can start within its wait beside the
    others (measured: at most 28% of a CPU each), and two at a time one does.

    Its premise is a machine whose load is mostly the copies: one copy alone gets through its
    2 s of CPU within poolctl's wait. At a load of 16 (other suites beside it) the worker
    itself was still in its burn loop when the wait ended, 7.4 s after it started, and its
    verdict, stuck in initialization, was right for what poolctl saw: no copy could be asked
    then. That verdict is checked, and the test skipped, saying so."""
    argv = (sys.executable, str(WORKERS / "mcp_server.py"), "--burn", str(STARVING_BURN))
    d = diagnose(run_cli, "--timeout", "1", "--", *argv)
    if confirmed(d) == ["stuck-in-init"]:
        burning = "mcp_server.py:58 in `<module>`: `while time.process_time() < burn_until:`"
        assert burning in d["cause"], d["cause"]
        [still] = [e["text"] for e in d["evidence"] if e["text"].startswith("still starting ")]
        assert "poolctl kept waiting, no answer came, and the request was still unread" in still
        # it waited its least, max(5 s, 4 timeouts), past the 1 s timeout: not stopped early
        waited = re.match(r"still starting ([\d.]+) s after it started", still)
        assert waited is not None and float(waited[1]) >= 6, still
        pytest.skip(f"the machine's load kept the worker's own start past poolctl's wait: {still}")
    assert confirmed(d) == ["envelope"], d["cause"]
    assert d["remediation"].startswith("Speak mcp to it (`poolctl ping --protocol mcp`"), d
    [mcp] = [e for e in d["facts"]["experiments"] if e["id"] == "protocol-mcp"]
    if not mcp["answered"]:
        # the suite's own load (a fresh clone's make test, 4 processes on 2 cores): the copy got
        # through its 3.5 s of CPU only past its wait, and its late answer named MCP all the same
        assert "its answer came" in mcp["detail"], mcp
        pytest.skip(f"the machine's load kept MCP's copy past its wait: {mcp['detail']}")
    assert mcp["worker_id"].endswith("-again-exp-protocol-mcp"), mcp
    [again] = [e["text"] for e in d["evidence"] if "were asked again" in e["text"]]
    assert re.search(
        r"^\d+ of the \d+ silent fresh copies were still starting when stopped, given at most "
        r"\d+% of a CPU \(\d+ processes side by side on \d+ CPUs; the worker's start took "
        r"[\d.]+ s of CPU\): \d+ of them were asked again, 2 at a time, each given [\d.]+ s "
        r"once started \(one still starting then was waited for\), within at most 20 s more "
        r"\(it took [\d.]+ s\): speaking mcp \(initialize in line\) "
        r"answered$",
        again,
    ), again


def test_a_worker_gone_past_its_timeout_as_its_diagnosis_begins_is_said_to_have_exited_late(
    run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker that exits silent without `--stdio` (5 s after its start, a 3 s timeout),
    beside four busy loops on two cores: its exit came after its timeout but before its
    diagnosis had its first look, and the evidence of its exit said only "how the process
    ended", as for one that exited within its timeout: that it was alive at its timeout and
    its start was that slow went unsaid (1 run of 3). Here the diagnosis begins 1.5 s late,
    its worker exiting 3.5 s after its start."""
    from poolctl.diagnose import engine, observe

    def late_collect(*args: Any) -> Any:
        time.sleep(1.5)
        return observe.collect(*args)

    monkeypatch.setattr(engine, "collect", late_collect)
    argv = (sys.executable, NEEDS_STDIO, "3.5", "0.5")
    d = diagnose(run_cli, "--protocol", "lsp", "--timeout", "3", "--", *argv)
    assert confirmed(d) == ["crashed"], d["cause"]
    [ended] = [e for e in d["evidence"] if e["text"].startswith(f"pid {d['facts']['pid']} exited")]
    assert re.fullmatch(
        r"how the process ended: [\d.]+ s after it started, past its 3 s timeout, while poolctl "
        r"waited on for a slow start",
        ended["note"],
    ), ended
    assert d["facts"]["exited_at_s"] > 3


@pytest.mark.parametrize(
    ("argv", "answered"),
    [((*REFERENCE, "--init-delay", "2.5"), True), (("sh", "-c", "cat >/dev/null"), False)],
)
def test_a_copy_asked_again_still_starting_past_its_wait_is_waited_for_until_it_begins(
    tmp_path: Path, processes: Processes, argv: tuple[str, ...], answered: bool
) -> None:
    """A copy asked again because the first ones were starved of CPU was given a fixed wait: at
    a load of 10, two copies at a time of a server needing 2.5 s of CPU to start were all stopped
    still starting at 7.1 s, and the protocol they would have named was never told. With
    `starting_until`, a copy still starting when its wait is up (here sleeping 2.5 s before it
    reads, a 0.5 s wait) is waited for until it has read its request, then given its wait; one
    that had begun within its wait (read its request, and answers nothing) ends at it."""
    from poolctl.diagnose import experiments

    spec = WorkerSpec(argv=argv, framing="packet-4")
    started = time.monotonic()
    [outcome] = experiments.run_experiments(
        [experiments.framing_experiment(spec, "packet-4")],
        command="ping",
        args={},
        timeout=0.5,
        deadline=started + 30,
        capture_dir=tmp_path,
        base_id="w1",
        starting_until=started + 20,
    )
    assert isinstance(outcome, experiments.Outcome) and outcome.answered is answered, outcome
    if answered:
        said = re.fullmatch(r"answered in ([\d.]+) ms", outcome.detail)
        assert said is not None and float(said[1]) >= 2500, outcome.detail
    else:
        assert outcome.detail == "no answer within 0.5 s", outcome.detail


@pytest.mark.skipif(shutil.which("javac") is None, reason="javac is not installed")
def test_a_start_that_ends_past_the_timeout_before_the_first_look_is_a_slow_start(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A JVM worker that fills a table for 3 s before it reads its stdin (tests/workers/
    SlowStart.java), pinged with a 1 s timeout: when it read its request after the timeout
    but before the diagnosis' first look (`ping --framing line --timeout 0.95` of a 1 s start,
    1 run in 3 here), the look found its stdin pipe empty and the verdict said "the worker is
    slow, not broken … make this request faster", blaming the request for the start. Here the
    first look waits until the worker has read its request (its stdin pipe empty)."""
    from poolctl.diagnose import engine, observe

    def look_once_read(worker: Any, *args: Any) -> Any:
        assert worker.proc is not None and worker.proc.stdin is not None
        end = time.monotonic() + 60
        while procinfo.unread_bytes(worker.proc.stdin.fileno()) and time.monotonic() < end:
            time.sleep(0.01)
        return observe.collect(worker, *args)

    monkeypatch.setattr(engine, "collect", look_once_read)
    subprocess.run(["javac", "-d", str(tmp_path), str(WORKERS / "SlowStart.java")], check=True)
    argv = ("--framing", "line", "--timeout", "1", "--", "java", "-cp", str(tmp_path))
    d = diagnose(run_cli, *argv, "SlowStart", "3")
    assert confirmed(d) == ["stuck-in-init"], d["cause"]
    said = re.match(
        r"The worker is stuck in initialization: it had not yet read the request 1 s after it "
        r"was sent \(its timeout\): its start is slow; it read it by ([\d.]+) s after it started, "
        r"and answered ([\d.]+) s after it started",
        d["cause"],
    )
    assert said is not None, d["cause"]
    assert float(said[1]) > 1, d["cause"]
    assert "make this request faster" not in d["remediation"], d["remediation"]
    assert d["remediation"].startswith("Give the first request a longer timeout"), d


def test_a_request_read_by_its_timeout_and_answered_late_is_said_read(run_cli: RunCli) -> None:
    """A worker that reads its request at once and answers it 1.5 s later (tests/workers/
    answers_late.py), pinged with a 0.5 s timeout, is slow with the request, not the start:
    the verdict's "make this request faster" now rests on its stdin pipe found empty at the
    timeout."""
    argv = (sys.executable, str(WORKERS / "answers_late.py"), "1.5")
    d = diagnose(run_cli, "--timeout", "0.5", "--", *argv)
    assert confirmed(d) == [], d["cause"]
    assert "make this request faster" in d["remediation"], d["remediation"]
    [read] = [
        e for e in d["evidence"] if e["origin"] == "FIONREAD on the stdin pipe at the timeout"
    ]
    assert read["text"] == (
        "its stdin pipe was empty as its 0.5 s timeout ended the wait: it had read the "
        "request, its start over or going on beside it"
    ), read
