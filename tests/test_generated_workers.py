"""`ping` against generated hostile workers (tests/workers/behaves.py, driven by the behaviours
of tests/behaviours.py): whatever the worker does, the exit code is in the README's set, the
output is one report and no traceback, every byte string the verdict quotes from its stdout or
stderr was written by it, the hypothesis confirmed matches what it did, nothing is ruled out
by an experiment that did not run, and no process of it is left when ping returns.

A few derandomized examples here (the suite's time is tight); more by hand:
`FUZZPING_EXAMPLES=200 pytest tests/test_generated_workers.py` (add `FUZZPING_RANDOM=1` to draw
new ones).
"""

from __future__ import annotations

import json
import os
import shlex
import uuid
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from tests.behaviours import (
    HELD,
    MARKER,
    POOLCTL_FRAME,
    Behaviour,
    behaves_argv,
    behaviours,
    check,
    marked,
    outcome,
)
from tests.conftest import RunCli

pytestmark = pytest.mark.slow

EXAMPLES = int(os.environ.get("FUZZPING_EXAMPLES", "5"))


def ping_behaviour(
    run_cli: RunCli, b: Behaviour, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[list[str], dict[str, Any]]:
    """Ping the worker `b` describes: every invariant the run broke, and its diagnosis."""
    run = folder / uuid.uuid4().hex
    log = run / "log"
    log.mkdir(parents=True)
    monkeypatch.setenv("BEHAVES_LOG", str(log))
    code, out, err = run_cli("ping", "--no-history", "--run-dir", str(run / "rd"), *b.ping_argv())
    broken = check(b, code, out, err, log, run / "rd")
    left = marked(b.marker)
    if left:
        broken.append(f"processes of the worker left when ping returned: {left}")
    return broken, outcome(json.loads(out)) if out.startswith("{") else {}


@settings(
    max_examples=EXAMPLES,
    derandomize=not os.environ.get("FUZZPING_RANDOM"),
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(b=behaviours())
def test_every_verdict_on_a_generated_worker_keeps_the_invariants(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, b: Behaviour
) -> None:
    assert ping_behaviour(run_cli, b, tmp_path, monkeypatch)[0] == []


@pytest.mark.parametrize(
    ("framing", "delta", "said"),
    [
        (
            "content-length",
            3,
            "a content-length header announcing 44 bytes (its header 'Content-Length: "
            "44\\r\\n\\r\\n'), before a whole JSON message of 41 bytes",
        ),
        (
            "content-length",
            -3,
            "a content-length header announcing 38 bytes (its header 'Content-Length: "
            "38\\r\\n\\r\\n') before a whole JSON message of 41 bytes: the header does not "
            "count the message it leads, and the 3 byte(s) it leaves out ('{}}') are read as "
            "the next frame",
        ),
        (
            "packet-2",
            7,
            "a packet-2 header announcing 61 bytes (its header '\\x00='), before a "
            "whole JSON message of 54 bytes",
        ),
        (
            "packet-4",
            -5,
            "a packet-4 header announcing 49 bytes (its header '\\x00\\x00\\x001') "
            "before a whole JSON message of 54 bytes: the header does not count the message it "
            "leads, and the 5 byte(s) it leaves out ('ok\"}}') are read as the next frame",
        ),
    ],
)
def test_an_answer_whose_header_miscounts_it_by_a_few_bytes_is_a_wrong_header(
    run_cli: RunCli,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    framing: str,
    delta: int,
    said: str,
) -> None:
    """Its whole answer, behind a header 7 bytes over: before, 'waits for more input without
    answering: the request was not a complete message for it' (waiting for input). 5 bytes
    under: before, 'prints text to its framed stdout: 'ok"}}' arrived before its first
    message', the answer's last bytes called text written before any. A Content-Length 3
    bytes over or under (JSON-RPC): before, 'waits for more input' both."""
    steps = (("read", framing), ("answer", framing, "ok", delta))
    protocol = "jsonrpc" if framing == "content-length" else "dspex"
    b = Behaviour(
        "wrong-length",
        steps,
        framing,
        then="hang",
        experiments=False,
        confirms=frozenset({"framing"}),
        protocol=protocol,
    )
    broken, d = ping_behaviour(run_cli, b, tmp_path, monkeypatch)
    assert broken == []
    assert d["cause"].startswith(f"The worker's answer has a wrong length header: {said}")
    count = "f'Content-Length: {len(body)}" if protocol == "jsonrpc" else "struct.pack("
    assert count in d["remediation"]


PNG = "89504e470d0a1a0a0000000d4948445200000010"  # a plot's first bytes, sent to stdout


@pytest.mark.parametrize(
    ("framing", "steps", "said"),
    [
        ("packet-2", (("write", "out", PNG), ("read", "packet-2")), "'\\x89PNG"),
        ("packet-1", (("write", "out", PNG), ("read", "packet-1")), "'\\x89PNG"),
        ("packet-2", (("flood", "out", 1 << 20),), "'"),
        ("packet-1", (("flood", "out", 1 << 20),), "'\\x00\\x01\\x02"),
        ("packet-4", (("flood", "out", 1 << 20),), "'"),
        ("packet-4", (("write", "out", "00" * 8), ("read", "packet-4")), "'\\x00\\x00"),
    ],
)
def test_binary_data_on_stdout_in_a_short_header_framing_is_named_so(
    run_cli: RunCli,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    framing: str,
    steps: tuple[tuple[Any, ...], ...],
    said: str,
) -> None:
    """A PNG header, or a megabyte of binary flooding stdout: its first bytes read as a length
    within the maximum. Before, the PNG was 'a truncated frame' and the worker said to wait
    for more input (waiting for input confirmed); the flood got 'No hypothesis was confirmed',
    with 'no text arrived on stdout' and 'its messages arrive as valid packet-2 frames'. In
    packet-1 every byte reads as a length, and 8 NUL bytes are two empty packet-4 frames: both
    were 'wrote N frames, none of them its answer' (envelope, the fix to answer in the dspex
    envelope), with 'no text arrived on stdout'."""
    b = Behaviour(
        "binary",
        steps,
        framing,
        then="hang",
        experiments=False,
        confirms=frozenset({"stdout-text"}),
    )
    broken, d = ping_behaviour(run_cli, b, tmp_path, monkeypatch)
    assert broken == []
    assert d["cause"].startswith(f"The worker prints binary data to its framed stdout: {said}")
    assert "arrived before its first message" in d["cause"]


def test_a_log_line_after_its_first_answer_in_line_framing_is_a_print_not_an_envelope(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Line framing sets a line that is no JSON aside after the first message. Before, that
    line was 'a frame that is not its answer' (envelope confirmed, the fix to answer in the
    dspex envelope, which it did), while 'prints to stdout' was ruled out with 'no text
    arrived on stdout' beside the very line quoted."""
    line = b"INFO: request served\n".hex()
    steps = (("read", "line"), ("answer", "line", "ok", 0), ("read", "line"))
    b = Behaviour(
        "answers-then-fails",
        (*steps, ("write", "out", line)),
        "line",
        then="hang",
        count=2,
        experiments=False,
        confirms=frozenset({"stdout-text"}),
    )
    broken, d = ping_behaviour(run_cli, b, tmp_path, monkeypatch)
    assert broken == []
    assert d["cause"] == (
        "The worker prints text to its framed stdout: 'INFO: request served' arrived between "
        "its messages"
    )
    assert d["remediation"].startswith("Point the logging handler at stderr")
    assert "envelope" not in d["remediation"]


def test_text_after_its_first_answer_is_not_said_to_come_before_it(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--count 2`: it answers the first ping, then writes a log line on stdout. Before, the
    verdict said the line 'arrived before its first message' (a length no frame can have was
    taken for the first thing on stdout)."""
    line = b"INFO: request served\n".hex()
    steps = (("read", "packet-4"), ("answer", "packet-4", "ok", 0), ("read", "packet-4"))
    b = Behaviour(
        "answers-then-fails",
        (*steps, ("write", "out", line)),
        then="hang",
        count=2,
        experiments=False,
        confirms=frozenset({"stdout-text"}),
    )
    broken, d = ping_behaviour(run_cli, b, tmp_path, monkeypatch)
    assert broken == []
    assert d["cause"].startswith(
        "The worker prints text to its framed stdout: 'INFO: request served' arrived between "
        "its messages"
    )
    held = next(h for h in d["hypotheses"] if h["id"] == "buffered")
    assert held["reason"] == "the stream broke on other bytes before any answer to this request"


def test_text_printed_without_its_newline_in_line_framing_is_a_print(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """'Loading model...' with no newline, then it reads its request. Before: 'waits for more
    input without answering: the request was not a complete message for it', and prints to
    stdout ruled out with 'no text arrived on stdout' (the text quoted under another
    hypothesis)."""
    banner = b"Loading model...".hex()
    b = Behaviour(
        "text-first",
        (("write", "out", banner), ("read", "line")),
        "line",
        then="hang",
        experiments=False,
        confirms=frozenset({"stdout-text"}),
    )
    broken, d = ping_behaviour(run_cli, b, tmp_path, monkeypatch)
    assert broken == []
    assert d["cause"] == (
        "The worker prints text to its framed stdout: 'Loading model...' arrived before its "
        "first message"
    )


HOLDS_ON = (("ignore", "SIGTERM"),)  # and a setsid grandchild holding its pipes (below)
SAMPLES = {
    "answers": Behaviour(
        "answers",
        (*HOLDS_ON, ("read", "packet-4"), ("answer", "packet-4", "ok", 0)),
        timeout=2.0,
        holder="setsid",
        answers=True,
    ),
    "killed": Behaviour(
        "killed", (*HOLDS_ON, ("read", "line"), ("kill", "SIGSEGV")), "line", holder="setsid"
    ),
    "floods": Behaviour(
        "flood", (*HOLDS_ON, ("flood", "out", 1 << 20)), "packet-2", then="hang", holder="child"
    ),
}


@pytest.mark.parametrize("command", ["doctor", "run-scenario"])
@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_doctor_and_a_one_worker_pool_on_generated_workers_keep_the_invariants(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str, sample: str
) -> None:
    """Exit 0 exactly when the worker answers, one JSON report, no traceback of poolctl's,
    and no process of the worker left (it ignores SIGTERM, a setsid grandchild or a child
    holds its pipes)."""
    b = SAMPLES[sample]
    log = tmp_path / "log"
    log.mkdir()
    monkeypatch.setenv("BEHAVES_LOG", str(log))
    if command == "doctor":
        argv = ["doctor", "--json", "--timeout", str(b.timeout), "--framing", b.framing]
        argv += ["--env", f"{MARKER}={b.marker}", "--unset-env", "PYTHONUNBUFFERED"]
        argv += ["--", *b.worker_argv()]
    else:
        scenario = tmp_path / "one-worker.yaml"
        scenario.write_text(b.scenario(log))
        argv = ["run-scenario", str(scenario), "--json", "--no-history"]
    code, out, err = run_cli(*argv, "--run-dir", str(tmp_path / "rd"))
    assert code == (0 if b.answers else 1), out[-2000:]
    assert json.loads(out)["kind"] == ("doctor" if command == "doctor" else "scenario")
    assert "Traceback (most recent call last)" not in err and not POOLCTL_FRAME.search(out)
    assert marked(b.marker) == []


def test_a_banner_with_no_line_end_in_content_length_framing_is_a_print(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """'Starting server...' with no line end, then it reads its request (JSON-RPC). Before:
    'waits for more input without answering: the request was not a complete message for it',
    the banner 'an incomplete content-length message'."""
    banner = b"Starting server...".hex()
    steps = (("write", "out", banner), ("read", "content-length"))
    b = Behaviour(
        "text-first",
        steps,
        "content-length",
        then="hang",
        experiments=False,
        protocol="jsonrpc",
        confirms=frozenset({"stdout-text"}),
    )
    broken, d = ping_behaviour(run_cli, b, tmp_path, monkeypatch)
    assert broken == []
    assert d["cause"] == (
        "The worker prints text to its framed stdout: 'Starting server...' arrived before its "
        "first message"
    )


def test_the_offset_of_a_quote_in_a_repeating_flood_is_where_its_bytes_are(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A megabyte of bytes 0-255 over and over, in packet-4: its first 4 bytes read as a length
    of 66,051, a frame taken whole; the next header, bytes 7-10, reads as one over the maximum.
    Before, the quote was placed at 'workers/w1.stdout.bin bytes 7-65542', the first repeat of
    its bytes found by a search, while they start past the first frame."""
    b = Behaviour(
        "flood",
        (("flood", "out", 1 << 20),),
        then="hang",
        experiments=False,
        confirms=frozenset({"stdout-text"}),
    )
    broken, d = ping_behaviour(run_cli, b, tmp_path, monkeypatch)
    assert broken == []
    stdout = next(tmp_path.glob("*/rd/workers/w1.stdout.bin")).read_bytes()
    at = 0  # walk the packet-4 headers to the first that announces more than the maximum
    while (length := int.from_bytes(stdout[at : at + 4], "big")) <= 64 << 20:
        at += 4 + length
    origins = [e["origin"] for e in d["evidence"] if "stdout.bin bytes" in e["origin"]]
    assert origins and all(o.startswith(f"workers/w1.stdout.bin bytes {at}-") for o in origins)
    assert at > 65_536


def test_text_behind_a_message_that_holds_the_same_bytes_is_quoted_from_where_it_came(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A JSON-RPC server writes a log notification in its Content-Length frame, then the same
    JSON again on a line with no header. Before, the bytes behind the frame were looked up by
    their first 64 bytes, found in the frame's own body: the verdict quoted the valid message
    as text 'between its messages' at bytes 22-178, the frame's body on; now the line (bytes
    100-178) is read for what it is."""
    body = b'{"jsonrpc": "2.0", "method": "window/logMessage", "params": {"message": "up"}}'
    written = b"Content-Length: %d\r\n\r\n" % len(body) + body + body + b"\n"
    b = Behaviour(
        "text-first",
        (("write", "out", written.hex()), ("read", "content-length")),
        "content-length",
        then="hang",
        experiments=False,
        protocol="jsonrpc",
    )
    broken, d = ping_behaviour(run_cli, b, tmp_path, monkeypatch)
    assert broken == []
    start = len(written) - len(body) - 1  # the line behind the frame
    quoted = [e for e in d["evidence"] if "stdout.bin bytes" in e["origin"]]
    end = len(written) - 1
    assert quoted and quoted[0]["origin"] == f"workers/w1.stdout.bin bytes {start}-{end}"


SERVER = (("sleep", HELD), ("read", "packet-4"), ("answer", "packet-4", "ok", 0))


def test_a_worker_that_daemonizes_and_closes_its_stdin_is_not_stuck_in_initialization(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It forks, the child calls setsid() and forks again, the grandchild holds the stdin pipe
    and sleeps; the worker closes its own fd 0. Before: 'stuck in initialization', the
    worker's own sleep quoted as its start-up, the fix to raise the init timeout."""
    b = Behaviour(
        "daemonizes",
        (("fork", True, HELD), ("close", 0), ("sleep", HELD)),
        experiments=False,
        confirms=frozenset({"crashed"}),
    )
    broken, d = ping_behaviour(run_cli, b, tmp_path, monkeypatch)
    assert broken == []
    assert d["cause"].startswith(
        "The worker closed its stdin while it keeps running: its fd 0 is closed, and the pipe "
        "poolctl writes its requests to is held only by pid "
    )
    assert "a daemon it detached (a session of its own, its parent gone)" in d["cause"]
    holder = d["evidence"][0]["text"]
    assert "in a session of its own (session " in holder and "re-parented to " in holder
    stuck = next(h for h in d["hypotheses"] if h["id"] == "stuck-in-init")
    assert stuck["status"] == "ruled-out"


def test_a_worker_that_points_its_stdout_at_its_stderr_is_not_told_to_drop_a_redirect(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It answers its first request, then copies its stderr onto its stdout (`os.dup2(2,
    1)`): its second answer lands in its stderr log. Before: 'its stdout points to
    /…/workers/w1.stderr.log, where its answers go', as if that (poolctl's own capture file)
    were a file its command redirected to, with the fix to remove a `> file` from its
    command; the first answer unsaid."""
    b = Behaviour(
        "stdout-onto-stderr",
        (("read", "packet-4"), ("answer", "packet-4", "ok", 0), ("dup2", 2, 1)),
        count=2,
        experiments=False,
        confirms=frozenset({"crashed"}),
    )
    broken, d = ping_behaviour(run_cli, b, tmp_path, monkeypatch)
    assert broken == []
    assert d["cause"].startswith(
        "The worker pointed its stdout at its stderr: after it answered 1 request(s) on its "
        "stdout, its fd 1 is its fd 2 (workers/w1.stderr.log, poolctl's capture of its stderr)"
    )
    assert "os.dup2(2, 1)" in d["remediation"] and "> file" not in d["remediation"]
    there = next(e for e in d["evidence"] if e["note"] == "what it wrote there")
    assert there["origin"] == "workers/w1.stderr.log"
    assert '"id": 2' in there["text"]


@pytest.mark.parametrize(
    ("moved", "said", "kcmp"),
    [
        (
            ("dup2", 2, 1),
            "The worker pointed its stdout at its stderr: after it answered 1 request(s) on its "
            "stdout, its fd 1 is the very /dev/null poolctl gave it as its stderr (`--stderr "
            "discard`), so its answers are thrown away",
            "fd 1 is the open /dev/null poolctl gave it as its stderr (--stderr discard)",
        ),
        (  # a /dev/null of its own, as before: told apart from the one poolctl gave it
            ("exec", ["sh", "-c", "exec sleep 30 >/dev/null"]),
            "The worker's stdout is not the pipe poolctl reads: after it answered 1 request(s) "
            "on its stdout, it points to a /dev/null it opened itself",
            "fd 1 is not the open /dev/null poolctl gave it as its stderr: a /dev/null of its own",
        ),
    ],
)
def test_a_worker_that_points_its_stdout_at_its_discarded_stderr_is_told_so(
    run_cli: RunCli,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    moved: tuple[Any, ...],
    said: str,
    kcmp: str,
) -> None:
    """With `--stderr discard` its stderr is /dev/null, and so, after `os.dup2(2, 1)`, is its
    stdout. Before: 'it points to /dev/null, which throws its answers away', and the fix to
    remove a `>/dev/null` from its command, of a worker whose command has none. The kernel
    (kcmp) tells the /dev/null poolctl gave it from one it opened itself."""
    b = Behaviour(
        "stdout-onto-discarded-stderr",
        (("read", "packet-4"), ("answer", "packet-4", "ok", 0), moved),
        count=2,
        experiments=False,
        stderr="discard",
        confirms=frozenset({"crashed"}),
    )
    broken, d = ping_behaviour(run_cli, b, tmp_path, monkeypatch)
    assert broken == []
    assert d["cause"].startswith(said), d["cause"]
    (where,) = [e for e in d["evidence"] if e["note"] == "where its stdout points"]
    assert where["text"] == "fd 1 = /dev/null, fd 2 = /dev/null"
    (told,) = [e for e in d["evidence"] if e["origin"] == "kcmp, with stack-w1.txt"]
    assert told["text"] == kcmp
    if moved[0] == "dup2":
        assert "os.dup2(2, 1)" in d["remediation"] and ">/dev/null" not in d["remediation"]
    else:
        assert ">/dev/null" in d["remediation"]


@pytest.mark.parametrize("setsid", [False, True])
def test_a_wrapper_whose_server_is_slow_to_start_is_stuck_in_its_servers_start_up(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, setsid: bool
) -> None:
    """A wrapper starts its server (a child holding the stdin pipe, maybe in a session of its
    own), closes its own fd 0 and waits for it; the server sleeps before it reads. Stuck in
    initialization, as before, but the start-up named is the server's: before, the verdict
    quoted the wrapper's `os.wait()` as where its start-up goes."""
    b = Behaviour(
        "wrapper",
        (("spawn", setsid, SERVER, "loop"), ("close", 0), ("wait",)),
        experiments=False,
        confirms=frozenset({"stuck-in-init"}),
    )
    broken, d = ping_behaviour(run_cli, b, tmp_path, monkeypatch)
    assert broken == []
    assert ", the process it handed its stdin to, has not read its request" in d["cause"]
    assert "`time.sleep(args[0])`" in d["cause"] and "os.wait()" not in d["cause"]
    held = next(e["text"] for e in d["evidence"] if e.get("note") == "who holds its stdin pipe")
    assert "which waits for it in wait4: the worker handed its stdin to it" in held


def test_a_launcher_keeping_its_stdin_while_it_waits_for_its_server_names_the_server(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A launcher runs its server on its own stdin and waits for it, keeping its fd 0 open (as
    `subprocess.run` does: basedpyright's Python entry point runs node, which held the request
    unread, busy, 11 s on). Before: stuck in initialization on the launcher's own
    `os.waitpid` (basedpyright: `Popen._try_wait`), the server that would read unnamed. Its
    server is named as the reader, and its start-up is where the verdict looks."""
    b = Behaviour(
        "wrapper",
        (("spawn", False, SERVER, "loop"), ("wait",)),
        experiments=False,
        confirms=frozenset({"stuck-in-init"}),
    )
    broken, d = ping_behaviour(run_cli, b, tmp_path, monkeypatch)
    assert broken == []
    assert ", the process it handed its stdin to, has not read its request" in d["cause"]
    assert "`time.sleep(args[0])`" in d["cause"] and "os.wait()" not in d["cause"]
    held = next(e["text"] for e in d["evidence"] if e.get("note") == "who holds its stdin pipe")
    assert held.startswith("its fd 0 is still its stdin pipe (pipe:["), held
    assert "unread while it waits for its child; its stdin pipe is held by pid " in held
    assert "which waits for it in wait4: the worker handed its stdin to it" in held


def test_a_child_holding_stdin_that_nothing_waits_for_is_said_to_be_either(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker forks a child (same session) that holds the stdin pipe and sleeps, closes
    its fd 0 and sleeps, waiting for no one: a server still starting or a helper that never
    reads, /proc cannot tell. Before: stuck in initialization confirmed, on the worker's own
    sleep."""
    b = Behaviour(
        "daemonizes",
        (("fork", False, HELD), ("close", 0), ("sleep", HELD)),
        experiments=False,
        never=frozenset({"stuck-in-init", "crashed"}),
    )
    broken, d = ping_behaviour(run_cli, b, tmp_path, monkeypatch)
    assert broken == []
    stuck = next(h for h in d["hypotheses"] if h["id"] == "stuck-in-init")
    assert stuck["status"] == "untested"
    assert "in the worker's session; no process of the worker waits for it" in stuck["reason"]
    assert stuck["reason"].endswith(
        "A server still starting and a child that will never read it look the same in /proc"
    )


def test_the_stack_of_a_daemon_it_left_behind_is_not_quoted_as_the_workers_start_up(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It forks a setsid grandchild (a daemon, sleeping in Python) and execs `sleep 60`, which
    never reads. Before, the verdict said the worker 'is in behaves.py:111 in `fork_holder`:
    `time.sleep(seconds)`', the daemon's stack, the only Python one, taken for the worker's."""
    b = Behaviour(
        "execs",
        (("exec", ["sleep", "60"]),),
        holder="setsid",
        experiments=False,
        confirms=frozenset({"stuck-in-init"}),
    )
    broken, d = ping_behaviour(run_cli, b, tmp_path, monkeypatch)
    assert broken == []
    assert "fork_holder" not in d["cause"]
    assert "it has not read its request; pid " in d["cause"]
    assert "(sleep) is sleeping (clock_nanosleep)" in d["cause"]


@pytest.mark.parametrize(("setsid", "late"), [(False, 0), (True, 0), (True, 0.2)])
def test_an_answer_from_a_child_the_worker_left_as_it_exited_is_said_so(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, setsid: bool, late: float
) -> None:
    """It forks and exits at once (a daemon's step, maybe with setsid), its child answering on
    the pipes. Before, a plain round trip ('answered ping in 316 ms (pid N)', naming the pid
    that had exited), with no word that the process a pool watches is gone. `late`: the parent
    runs on for 0.2 s before its exit, as when the scheduler runs it after the child has
    answered (before, the child waiting for the next request ended ping's wait: no note)."""
    steps = (("detach", setsid, late), ("read", "packet-4"), ("answer", "packet-4", "ok", 0))
    b = Behaviour("detaches", steps, timeout=2.0, answers=True)
    broken, _ = ping_behaviour(run_cli, b, tmp_path, monkeypatch)
    assert broken == []
    report = json.loads((next(tmp_path.glob("*/rd/report.json"))).read_text())
    notes = " ".join(report.get("notes", ()))
    assert "the process poolctl started, exited with code 0, yet the answer came" in notes
    assert ", python" in notes and ("in a session of its own" in notes) == setsid


@pytest.mark.parametrize("redirect", [">/dev/null", ">{log}/answers.bin"])
def test_a_server_a_shell_starts_with_its_stdout_elsewhere_cannot_answer(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, redirect: str
) -> None:
    """`sh -c 'server >/dev/null; exit $?'`: the server reads the request and answers into
    /dev/null (or a file), while the shell, waiting for it, holds the stdout pipe open: no end
    of file comes. Before: 'read the 81-byte request and waits for more input without
    answering: the request was not a complete message for it' (waiting for input)."""
    server = behaves_argv((("read", "packet-4"), ("answer", "packet-4", "ok", 0)), "hang")
    line = f"{shlex.join(server)} {redirect.format(log=tmp_path)}; exit $?"
    b = Behaviour(
        "wrapper-redirects",
        (("exec", ["sh", "-c", line]),),
        experiments=False,
        confirms=frozenset({"crashed"}),
        never=frozenset({"waiting-for-input"}),
    )
    broken, d = ping_behaviour(run_cli, b, tmp_path, monkeypatch)
    assert broken == []
    target = "/dev/null" if "null" in redirect else f"{tmp_path}/answers.bin"
    assert d["cause"].startswith("The worker's answers cannot reach poolctl: pid ")
    assert "which reads its requests, holds no end of the stdout pipe poolctl reads" in d["cause"]
    assert f"its fd 1 is {target} (pid " in d["cause"] and "(sh): sleeping in wait4" in d["cause"]


@pytest.mark.parametrize("late", [0, 0.2])
def test_doctor_warns_of_a_worker_whose_answer_came_from_a_child_it_left_as_it_exited(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, late: float
) -> None:
    """The same worker (fork, setsid, the parent exits, the child answers): before, doctor's
    start-up was '✓ ready in 0.56 s', nothing said of the process a pool watches being gone.
    `late`: its parent exits 0.2 s after the fork, the answer long come (before, doctor looked
    at once: no warning; CI met it when the scheduler ran the parent late)."""
    steps = (("detach", True, late), ("read", "packet-4"), ("answer", "packet-4", "ok", 0))
    b = Behaviour("detaches", steps, timeout=2.0, answers=True)
    monkeypatch.setenv("BEHAVES_LOG", str(tmp_path))
    argv = ["doctor", "--json", "--timeout", "2", "--env", f"{MARKER}={b.marker}"]
    code, out, _ = run_cli(*argv, "--run-dir", str(tmp_path / "rd"), "--", *b.worker_argv())
    checks = {(c["section"], c["name"]): c for c in json.loads(out)["checks"]}
    gone = checks[("Start-up", "exited")]
    assert gone["status"] == "warn" and code == 0
    assert (
        ", exited with code 0, yet the answer came, and its stdout is held by pid "
        in (gone["summary"])
    )
    assert ", in a session of its own (a process it left" in gone["summary"]
    assert "poolctl" not in gone["summary"].split("held by")[1]
    assert marked(b.marker) == []


@pytest.mark.parametrize("then", [("sleep", HELD), ("exec", ["sleep", "60"])])
def test_a_worker_silent_after_its_first_answer_is_not_stuck_in_initialization(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, then: tuple[Any, ...]
) -> None:
    """`--count 2`: it answers the first ping, then sleeps (or execs `sleep 60`, so soon that
    /proc may show `sleep` as the program that answered). Before: 'stuck in initialization:
    it has not read its request', its start-up long over."""
    steps = (("read", "packet-4"), ("answer", "packet-4", "ok", 0), then)
    b = Behaviour(
        "answers-then-fails",
        steps,
        count=2,
        experiments=False,
        never=frozenset({"stuck-in-init"}),
    )
    broken, d = ping_behaviour(run_cli, b, tmp_path, monkeypatch)
    assert broken == []
    stuck = next(h for h in d["hypotheses"] if h["id"] == "stuck-in-init")
    assert stuck["reason"] == (
        "it answered 1 request(s) before, as this same process: its start-up was over"
    )


def test_a_worker_that_reads_late_is_stuck_in_initialization_when_its_answer_comes_late(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It sleeps 2 s, past its 1 s timeout, then reads and answers: its late answer to the
    request that failed is no answer to one before it (the start-up is what was slow)."""
    steps = (("sleep", 2.0), ("read", "packet-4"), ("answer", "packet-4", "ok", 0))
    b = Behaviour("reads-late", steps, confirms=frozenset({"stuck-in-init"}))
    broken, d = ping_behaviour(run_cli, b, tmp_path, monkeypatch)
    assert broken == []
    assert d["cause"].startswith("The worker is stuck in initialization: ")


@pytest.mark.parametrize("wrapper", [["timeout", "30"], ["stdbuf", "-o0"], ["nohup"]])
def test_a_worker_under_a_wrapper_that_keeps_its_pipes_answers_with_no_blank_note(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, wrapper: list[str]
) -> None:
    """`timeout 30 worker`, `stdbuf -o0 worker`, `nohup worker`: a round trip. Before (since
    ping says when the process it started has exited), a blank 'note:' followed the answer of
    every worker whose process ran on."""
    steps = (
        (
            "exec",
            [*wrapper, *behaves_argv((("read", "packet-4"), ("answer", "packet-4", "ok", 0)))],
        ),
    )
    b = Behaviour("wrapped", steps, timeout=2.0, answers=True)
    broken, _ = ping_behaviour(run_cli, b, tmp_path, monkeypatch)
    assert broken == []
