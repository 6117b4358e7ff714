"""The diagnosis on workers that are not the reference worker (shell, Perl, Node.js, Erlang), so
the engine is not tuned to one implementation. Each names the one cause it must find."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REFERENCE, RunCli

pytestmark = pytest.mark.slow

WORKERS = Path(__file__).resolve().parent / "workers"


def needs(program: str) -> pytest.MarkDecorator:
    return pytest.mark.skipif(shutil.which(program) is None, reason=f"{program} is not installed")


def diagnose(run_cli: RunCli, *argv: str) -> dict[str, Any]:
    code, out, _ = run_cli("ping", "--json", *argv)
    assert code == 1, out
    report = json.loads(out)
    diagnosis: dict[str, Any] = report["findings"][0]["outcome"]
    return diagnosis


def confirmed(d: dict[str, Any]) -> list[str]:
    return [h["id"] for h in d["hypotheses"] if h["status"] == "confirmed"]


def test_shell_worker_that_never_reads_is_stuck_in_initialization(
    run_cli: RunCli,
) -> None:
    # its start outlasts the diagnosis (at most its 7 s budget): a worker that exits while
    # poolctl waits on is judged exited, and a 5 s one did on a loaded machine
    d = diagnose(run_cli, "--timeout", "1", "--", str(WORKERS / "never_reads.sh"), "30")
    assert confirmed(d) == ["stuck-in-init"]
    # Not Python: /proc says where it is (the shell's child, sleeping).
    assert re.search(
        r"\(sleep, a child of the worker pid \d+\) is sleeping \(clock_nanosleep\)", d["cause"]
    )
    assert "not a Python process" in json.dumps(d["evidence"])
    # the verdict gives the last time its request was seen unread, not the first look's
    [still] = [e["text"] for e in d["evidence"] if e["text"].startswith("still starting ")]
    waited = re.match(r"still starting ([\d.]+) s after it started", still)
    assert waited is not None, still
    assert d["cause"].startswith(
        f"The worker is stuck in initialization: {waited[1]} s after it started (timeout 1 s)"
    ), d["cause"]


def test_shell_line_worker_pinged_in_packet_4_is_a_framing_mismatch(
    run_cli: RunCli,
) -> None:
    d = diagnose(run_cli, "--timeout", "2", "--", str(WORKERS / "line_worker.sh"))
    assert confirmed(d) == ["framing"]
    assert d["cause"].startswith("The worker speaks line, not packet-4")
    assert "--framing line" in d["remediation"]


@pytest.mark.parametrize("framing", ["packet-4", "line"])
def test_a_worker_writing_binary_data_to_stdout_is_named_so(run_cli: RunCli, framing: str) -> None:
    """A PNG header where the first frame should be: binary data, neither text nor a frame."""
    worker = str(WORKERS / "writes_binary.sh")
    d = diagnose(run_cli, "--timeout", "1", "--framing", framing, "--", worker)
    assert confirmed(d) == ["stdout-text"]
    assert d["cause"].startswith("The worker prints binary data to its framed stdout: '\\x89PNG")
    assert "an image, an archive or a pickle" in d["remediation"]
    framing_check = next(h for h in d["hypotheses"] if h["id"] == "framing")
    assert framing_check["reason"].startswith("the bytes on stdout are binary data, not a frame")


def test_a_worker_that_segfaults_is_a_crash_in_its_native_code(run_cli: RunCli) -> None:
    """SIGSEGV is the worker's own fault, not a signal from outside; faulthandler shows where."""
    argv = ("--timeout", "2", "--", sys.executable, str(WORKERS / "segfaults.py"))
    d = diagnose(run_cli, "--unset-env", "PYTHONFAULTHANDLER", *argv)
    assert confirmed(d) == ["crashed"]
    assert "killed by SIGSEGV (11) (a crash in its own native code" in d["cause"]
    assert "PYTHONFAULTHANDLER=1" in d["remediation"]
    d = diagnose(run_cli, "--env", "PYTHONFAULTHANDLER=1", *argv)
    stack = next(e for e in d["evidence"] if "stack of the crash" in e["note"])
    assert stack["text"].startswith("Fatal Python error: Segmentation fault")
    assert 'segfaults.py", line 12' in stack["text"] and "_bootstrap" not in stack["text"]
    assert d["remediation"].startswith("Read the stack of the crash in its stderr")


def test_part_of_a_frame_when_the_answer_was_due_is_quoted(run_cli: RunCli) -> None:
    """An answer written a byte at a time: what had arrived is the evidence."""
    worker = str(WORKERS / "trickles.py")
    d = diagnose(run_cli, "--timeout", "1", "--no-experiments", "--", sys.executable, worker)
    assert confirmed(d) == []
    assert "bytes of a frame had arrived (quoted)" in d["cause"]
    part = next(e for e in d["evidence"] if "truncated packet-4 frame" in e["note"])
    assert part["text"].startswith("'\\x00\\x00\\x00({\"i")
    assert "the header announces 40 bytes" in part["note"]


def test_a_worker_that_answers_once_and_exits_is_told_to_loop(run_cli: RunCli) -> None:
    """`--count 2`: the first ping is answered, the second finds the worker gone (exit 0)."""
    worker = str(WORKERS / "answers_once.py")
    d = diagnose(run_cli, "--count", "2", "--timeout", "2", "--", sys.executable, worker)
    assert confirmed(d) == ["crashed"]
    assert d["cause"].startswith("The worker exited after answering 1 request(s), before the next")
    assert "exited with code 0" in d["cause"]
    assert d["remediation"].startswith("It answers 1 request(s) and exits: a pool worker loops")


def test_shell_line_worker_answers_with_framing_auto(run_cli: RunCli) -> None:
    worker = str(WORKERS / "line_worker.sh")
    code, out, _ = run_cli("ping", "--json", "--framing", "auto", "--", worker)
    report = json.loads(out)
    assert code == 0
    assert report["extra"]["framing_auto"]["used"] == "line"
    assert report["extra"]["response"]["result"]["worker"] == "sh"


def test_shell_worker_echoing_a_banner_prints_to_stdout(
    run_cli: RunCli,
) -> None:
    d = diagnose(
        run_cli,
        "--timeout",
        "2",
        "--framing",
        "packet-2",
        "--",
        str(WORKERS / "line_worker.sh"),
        "--banner",
    )
    assert confirmed(d) == ["stdout-text"]
    assert "'line_worker.sh ready'" in d["cause"]
    assert f"{int.from_bytes(b'li', 'big'):,}" in d["cause"]


def test_wrapper_script_merging_stderr_with_2_to_1_is_found_in_proc(
    run_cli: RunCli,
) -> None:
    """poolctl captures stderr apart, yet the worker's own `2>&1` merges it: /proc shows it."""
    worker = " ".join(REFERENCE) + " --stderr-noise 'Warning: DSPy not available' 2>&1"
    d = diagnose(run_cli, "--timeout", "3", "--", "sh", "-c", f"exec {worker}")
    assert confirmed(d) == ["stderr-merged"]
    assert "the worker merges its own stderr" in json.dumps(d["evidence"])


def test_wrapper_script_whose_merged_command_exited_is_found_in_its_script(
    run_cli: RunCli,
) -> None:
    """The command it merged (`… 2>&1; sleep 5`) logged and exited, the shell running on: no
    process in /proc had its stderr on the stdout pipe any more, and the log lines were said
    written to stdout ('stderr is captured apart and no process of the worker writes stderr to
    the stdout pipe'), with a logging fix. The `2>&1` is read in the shell's command."""
    server = f"{sys.executable} {WORKERS / 'logs_an_error_and_exits.py'} /no/such/repo"
    d = diagnose(run_cli, "--timeout", "1", "--", "sh", "-c", f"{server} 2>&1; sleep 5")
    assert confirmed(d) == ["stderr-merged"], d["cause"]
    said = json.dumps(d["evidence"])
    assert (
        f"its `sh -c` command merges a command's stderr into the stdout pipe: `{server} 2>&1`"
        in said
    )
    assert d["remediation"].startswith(
        f"Keep stderr apart from the framed stdout: take the `2>&1` out of `{server} 2>&1` in its "
        "`sh -c` command"
    ), d["remediation"]


@needs("bash")
def test_worker_whose_stderr_nobody_drains_is_blocked_writing(
    run_cli: RunCli,
) -> None:
    d = diagnose(run_cli, "--timeout", "1", "--", str(WORKERS / "blocked_stderr.sh"))
    assert confirmed(d) == ["blocked-writing"]
    assert "blocked in write(" in d["cause"]
    assert "(sleep) holds that pipe" in d["cause"]


def test_a_worker_still_writing_an_answer_that_never_ends_is_named_so(run_cli: RunCli) -> None:
    """Its stdout is full only because poolctl stopped reading at the timeout: what matters is
    that no answer ended (it was "blocked writing: drain every pipe")."""
    worker = ("--", sys.executable, str(WORKERS / "floods_stdout.py"), "endless-line")
    d = diagnose(run_cli, "--timeout", "1", "--no-experiments", "--framing", "line", *worker)
    assert confirmed(d) == ["blocked-writing"]
    assert d["cause"].startswith("The worker was still writing to its stdout when the answer")
    assert "none of them ended an answer" in d["cause"]
    assert "a line with no newline" in d["remediation"]


def test_a_worker_flooding_frames_that_answer_nothing_is_named_so(run_cli: RunCli) -> None:
    worker = ("--", sys.executable, str(WORKERS / "floods_stdout.py"), "frames")
    d = diagnose(run_cli, "--timeout", "1", "--no-experiments", *worker)
    assert confirmed(d) == ["envelope"]
    assert re.search(r"wrote [\d,]+ frames, none of them its answer", d["cause"]), d["cause"]
    [blocked] = [h for h in d["hypotheses"] if h["id"] == "blocked-writing"]
    assert blocked["status"] == "ruled-out", blocked


@needs("perl")
def test_perl_worker_without_autoflush_is_block_buffered(
    run_cli: RunCli,
) -> None:
    d = diagnose(
        run_cli, "--timeout", "2", "--framing", "line", "--", str(WORKERS / "buffered_line.pl")
    )
    assert confirmed(d) == ["buffered"]
    experiments = {e["id"]: e for e in d["facts"]["experiments"]}
    assert experiments["pty"]["answered"] is True  # Perl line-buffers a terminal
    assert experiments["unbuffered"]["answered"] is False  # PYTHONUNBUFFERED means nothing to it
    assert "In Perl, flush stdout after every frame (`$| = 1;` before the loop)" in d["remediation"]


def test_a_worker_whose_header_arrived_and_body_is_buffered_is_not_said_to_send_nothing(
    run_cli: RunCli,
) -> None:
    """Its header reaches the pipe at once (os.write), its body waits in Python's text buffer.
    Before: 'block-buffered: nothing reached the pipe, yet its answer came out when its stdin
    closed', the 4 bytes that did arrive unquoted, and the fix said 'it writes through the
    binary layer (`sys.stdout.buffer`)', which it does not."""
    worker = str(WORKERS / "buffers_the_body.py")
    d = diagnose(
        run_cli, "--timeout", "2", "--unset-env", "PYTHONUNBUFFERED", "--", sys.executable, worker
    )
    assert confirmed(d) == ["buffered"]
    body = json.dumps({"id": 1, "success": True, "result": {"status": "ok"}})
    header = "\\x00\\x00\\x00" + chr(len(body))  # as quoted: a printable length byte
    assert d["cause"].startswith(
        "The worker's stdout is block-buffered: only 4 byte(s) of its answer reached the pipe "
        f"('{header}', written apart), yet the rest came out when its stdin closed"
    ), d["cause"]
    (arrived,) = [e for e in d["evidence"] if e["note"].startswith("what reached the pipe")]
    assert arrived["origin"] == "workers/w1.stdout.bin bytes 0-3"
    assert "which a tty does not line-buffer" not in d["remediation"]


@needs("node")
def test_node_worker_that_forgets_to_answer_waits_for_input(
    run_cli: RunCli,
) -> None:
    d = diagnose(run_cli, "--timeout", "2", "--", str(WORKERS / "node_worker.js"), "--forget")
    assert confirmed(d) == ["waiting-for-input"]
    assert "its event loop, which watches its stdin" in d["cause"]


@needs("node")
def test_node_worker_with_a_console_log_banner_prints_to_stdout(
    run_cli: RunCli,
) -> None:
    d = diagnose(run_cli, "--timeout", "3", "--", str(WORKERS / "node_worker.js"), "--banner")
    assert confirmed(d) == ["stdout-text"]
    assert "'node worker starting'" in d["cause"]


@needs("node")
def test_node_worker_with_merged_stderr(run_cli: RunCli) -> None:
    d = diagnose(
        run_cli,
        "--timeout",
        "3",
        "--stderr",
        "merge",
        "--",
        str(WORKERS / "node_worker.js"),
        "--stderr-banner",
    )
    assert confirmed(d) == ["stderr-merged"]
    assert "'Warning: model cache not found'" in d["cause"]


@needs("escript")
def test_erlang_port_program_printing_a_banner_prints_to_stdout(
    run_cli: RunCli,
) -> None:
    d = diagnose(run_cli, "--timeout", "10", "--", str(WORKERS / "erlang_worker.escript"), "banner")
    assert confirmed(d) == ["stdout-text"]
    assert "'erlang worker starting'" in d["cause"]


@pytest.mark.parametrize("protocol", ["dspex", "mcp"])
def test_a_program_that_echoes_its_input_is_named_so(run_cli: RunCli, protocol: str) -> None:
    """`cat` writes the request back: that is no answer, and no other protocol's opening is
    answered either (before, the echo of poolctl's own reply read as one)."""
    d = diagnose(run_cli, "--timeout", "1", "--protocol", protocol, "--", "cat")
    assert confirmed(d) == ["envelope"]
    assert d["cause"].startswith("The worker echoes what it reads")
    assert "Check the worker command" in d["remediation"]
    [echo] = d["evidence"]
    assert echo["note"] == "the request, written back as read"


@pytest.mark.parametrize(
    ("mode", "said", "fix"),
    [
        ("id-string", "response for id '1'", "the same value and type (1 here)"),
        ("no-success", "response lacks a boolean 'success' field", "Answer in the dspex envelope"),
    ],
)
def test_an_answer_not_taken_as_the_answer_is_named_with_its_frame(
    run_cli: RunCli, mode: str, said: str, fix: str
) -> None:
    """The worker answers at once, framed, but with the id as a string or no `success`: it was
    "waiting for more input: the request was not a complete message for it"."""
    argv = ("--timeout", "1", "--no-experiments", "--", sys.executable)
    d = diagnose(run_cli, *argv, str(WORKERS / "answers_askew.py"), mode)
    assert confirmed(d) == ["envelope"], d["hypotheses"]
    assert d["cause"].startswith("The worker read the 81-byte dspex request and wrote a frame th")
    assert said in d["cause"] and fix in d["remediation"]
    assert d["evidence"][0]["note"] == "a frame that answered no request, set aside"


def test_a_request_larger_than_the_pipe_to_a_worker_that_never_reads_is_unread(
    run_cli: RunCli,
) -> None:
    """120 KB of request: the pipe takes 64 KiB and the rest cannot be written; all that reached
    the pipe is still there. It was "it read the request: 54554 of 120090 bytes left its stdin
    pipe", and no hypothesis confirmed."""
    args = json.dumps({"blob": "q" * 120_000})
    argv = ("--timeout", "1", "--no-experiments", "--args", args)
    d = diagnose(run_cli, *argv, "--", "sh", str(WORKERS / "never_reads.sh"), "10")
    assert confirmed(d) == ["stuck-in-init"], d["hypotheses"]
    unread = d["evidence"][0]["text"]
    assert "of the 120,090-byte request that reached its stdin pipe are still there" in unread
    assert "more could not be written): it has not started reading" in unread


def test_a_crash_with_stderr_discarded_points_at_no_missing_file(run_cli: RunCli) -> None:
    """The fix said to read workers/w1.stderr.log, which `--stderr discard` never writes."""
    argv = ("--timeout", "2", "--no-experiments", "--stderr", "discard")
    d = diagnose(run_cli, *argv, "--", sys.executable, "-c", "import no_such_module_here")
    assert confirmed(d) == ["crashed"]
    assert "stderr.log" not in d["remediation"]
    assert "discarded here: `--stderr capture`" in d["remediation"]


def test_other_protocols_that_got_nothing_in_time_leave_the_protocol_untested(
    run_cli: RunCli,
) -> None:
    """A shell loop reads every request and never writes: the other protocols' openings in
    fresh processes got nothing within their time, which shows nothing (a slow server, run
    beside the other experiments, gets as little); it was "ruled out" on that. (`cat
    >/dev/null`, the worker here before, is told now by its stdout: /dev/null.)"""
    loop = "while read -r line; do :; done"
    argv = ("--timeout", "1", "--protocol", "jsonrpc", "--", "sh", "-c", loop)
    d = diagnose(run_cli, *argv)
    [envelope] = [h for h in d["hypotheses"] if h["id"] == "envelope"]
    assert envelope["status"] == "untested", envelope
    assert "got nothing within their time" in envelope["reason"]


def test_a_stopped_worker_is_named_stopped_and_not_waited_for(run_cli: RunCli) -> None:
    """A stopped process cannot start reading: the diagnosis says so at once, rather than
    waiting longer for a start-up that cannot go on."""
    d = diagnose(run_cli, "--timeout", "1", "--", str(WORKERS / "stops_itself.sh"))
    assert confirmed(d) == ["stuck-in-init"]
    assert "(stops_itself.sh) is stopped (by SIGSTOP or SIGTSTP" in d["cause"]
    assert "SIGCONT" in d["remediation"]
    evidence = json.dumps(d["evidence"])
    # the stack is taken when the answer is due (1.1 s in one loaded CI run), not later
    assert "poolctl kept waiting" not in evidence
    assert re.search(r"1\.[0-4] s into start-up against a 1 s timeout", evidence), evidence


def test_a_stopped_worker_beside_its_sleeping_helper_is_named_stopped(run_cli: RunCli) -> None:
    """A helper asleep beside the stopped worker was named as the process at work ('pid 739
    (sleep, a child of the worker pid 697) is sleeping'), and poolctl waited 6.5 s on for a
    start-up that could not go on: the stopped worker is named, and not waited for."""
    d = diagnose(run_cli, "--timeout", "1", "--", str(WORKERS / "stops_itself_beside_a_child.sh"))
    assert confirmed(d) == ["stuck-in-init"]
    assert "(stops_itself_be) is stopped (by SIGSTOP or SIGTSTP" in d["cause"], d["cause"]
    assert "(sleep, a child of the worker" not in d["cause"], d["cause"]
    assert d["remediation"].startswith("Let it run: find what stops it"), d["remediation"]
    assert "poolctl kept waiting" not in json.dumps(d["evidence"])


def test_a_worker_that_closed_its_stdout_is_named_so(run_cli: RunCli) -> None:
    """It runs on, but no answer can come: end of file on its stdout says so at once."""
    d = diagnose(run_cli, "--timeout", "1", "--", str(WORKERS / "closes_stdout.sh"))
    assert confirmed(d) == ["crashed"]
    assert d["cause"].startswith("The worker closed its stdout while it keeps running")
    assert "file descriptor 1" in d["remediation"]


@pytest.mark.parametrize("target", ["file", "/dev/null"])
def test_a_worker_whose_stdout_was_sent_elsewhere_is_told_where(
    run_cli: RunCli, tmp_path: Path, target: str
) -> None:
    """A wrapper that runs the worker with `> file`: poolctl's pipe reads end of file, and the
    worker's fd 1 (from /proc) says where its answers went."""
    where = str(tmp_path / "answers.out") if target == "file" else target
    wrapper = f"exec {' '.join(REFERENCE)} > {where}"
    d = diagnose(run_cli, "--timeout", "2", "--", "/bin/sh", "-c", wrapper)
    assert confirmed(d) == ["crashed"]
    assert d["cause"].startswith(
        f"The worker's stdout is not the pipe poolctl reads: it points to {where}"
    )
    assert f"fd 1 = {where}" in [e["text"] for e in d["evidence"]]
    assert "remove the redirection" in d["remediation"]
    ruled = {h["id"]: h["reason"] for h in d["hypotheses"] if h["status"] == "ruled-out"}
    assert ruled["waiting-for-input"].startswith("its stdout is not the pipe poolctl reads")


def test_a_worker_serving_on_a_tcp_port_is_told_to_use_its_pipes(run_cli: RunCli) -> None:
    """Not stuck in start-up: it listens on a port (/proc/net/tcp) and its request was never
    read from the stdin pipe."""
    # its own evidence: no experiment in a fresh process is needed
    worker = str(WORKERS / "serves_tcp.py")
    d = diagnose(run_cli, "--timeout", "2", "--no-experiments", "--", sys.executable, worker)
    assert confirmed(d) == ["serves-socket"]
    assert re.match(
        r"The worker serves on 127\.0\.0\.1:\d+, not on its stdin and stdout", d["cause"]
    )
    texts = [e["text"] for e in d["evidence"]]
    assert any(
        re.match(r"pid \d+ \(python3?[\d.]*\) listens on 127\.0\.0\.1:\d+ \(fd \d+\)", t)
        for t in texts
    )
    assert "--stdio" in d["remediation"]
    ruled = {h["id"]: h["reason"] for h in d["hypotheses"] if h["status"] == "ruled-out"}
    assert ruled["stuck-in-init"].startswith("it listens on a socket")


def test_a_worker_serving_on_a_tcp_port_is_not_waited_for_as_a_slow_start(run_cli: RunCli) -> None:
    """Listening, its request unread and none of it running: its start-up is over (stuck in
    init says so), yet the diagnosis waited on for that start to the end of its budget
    (context7-mcp `--transport http`: 6.5 s past its timeout, `gave_up_at_s` in its facts)."""
    worker = str(WORKERS / "serves_tcp.py")
    d = diagnose(run_cli, "--timeout", "1", "--", sys.executable, worker)
    assert confirmed(d) == ["serves-socket"]
    assert "gave_up_at_s" not in d["facts"], d["facts"]


def test_a_worker_serving_on_a_port_after_a_banner_on_stdout_is_told_to_use_its_pipes(
    run_cli: RunCli,
) -> None:
    """An MCP server started with its HTTP transport prints a banner on stdout and listens on
    a port: both are confirmed, and the port is the verdict (it was "move the banner to
    stderr", which changes nothing: it still never reads its stdin)."""
    worker = str(WORKERS / "serves_tcp.py")
    argv = ("--timeout", "2", "--no-experiments", "--", sys.executable, worker, "--banner")
    d = diagnose(run_cli, *argv)
    assert confirmed(d) == ["stdout-text", "serves-socket"]
    assert re.match(r"The worker serves on 127\.0\.0\.1:\d+, not on its stdin", d["cause"])
    assert "--stdio" in d["remediation"]


def test_the_command_to_run_by_hand_is_quoted_for_a_shell(run_cli: RunCli) -> None:
    """The fix says to run the worker by hand: its words were joined with spaces, so pasting
    `sh -c echo starting >&2; exit 3` ran `exit 3` in the user's own shell."""
    d = diagnose(run_cli, "sh", "-c", "echo starting >&2; exit 3")
    assert confirmed(d) == ["crashed"]
    assert "run `sh -c 'echo starting >&2; exit 3'` by hand" in d["remediation"], d


def test_a_worker_asking_for_a_password_is_named_waiting_at_the_prompt(run_cli: RunCli) -> None:
    """getpass with no terminal reads its reply from stdin: the request went to the prompt, and
    no framing can help (before, the verdict sent the user to check the framing)."""
    worker = str(WORKERS / "asks_password.py")
    d = diagnose(run_cli, "--timeout", "2", "--", sys.executable, worker)
    assert confirmed(d) == ["waiting-for-input"]
    assert d["cause"].startswith("The worker waits at a password prompt: getpass at ")
    assert "asks_password.py:10" in d["cause"]
    assert "environment variable" in d["remediation"]
    assert "framing" not in d["remediation"]
    said = json.dumps(d["evidence"])
    assert "getpass.py" in said and "'Vault password' and a colon" in said


@pytest.mark.parametrize(
    ("argv", "mode", "who"),
    [
        (["--framing", "line"], "line", "JSON readers refuse it"),
        (["--protocol", "lsp"], "lsp", "a header reader finds no Content-Length header"),
    ],
)
def test_a_byte_order_mark_before_the_first_message_is_named(
    run_cli: RunCli, argv: list[str], mode: str, who: str
) -> None:
    """Python's json.loads takes a BOM off bytes, so a line answer led by one passed as an
    answer, though Node's JSON.parse and a text reader refuse it; before a Content-Length
    header it was called a banner, with a banner's fix."""
    worker = str(WORKERS / "writes_a_bom.py")
    d = diagnose(run_cli, "--timeout", "2", *argv, "--", sys.executable, worker, mode)
    assert confirmed(d) == ["stdout-text"]
    assert d["cause"].startswith(
        "The worker's stdout starts with a UTF-8 byte order mark (bytes EF BB BF) before its "
        "first message: '\\ufeff"
    )
    assert who in d["cause"]
    assert "utf-8-sig" in d["remediation"] and "banner" not in d["remediation"]


def test_a_worker_that_daemonizes_and_exits_names_the_daemon_holding_its_stdout(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """Before, the verdict was only 'exited with code 0', with 'find why it exits': the daemon
    it left holding the stdout pipe, the reason no end of file came, went unnamed."""
    pidfile = tmp_path / "daemon.pid"
    worker = str(WORKERS / "daemonizes.py")
    try:
        d = diagnose(run_cli, "--timeout", "2", "--", sys.executable, worker, str(pidfile))
        daemon = int(pidfile.read_text())
        assert confirmed(d) == ["crashed"]
        assert d["cause"].startswith("The worker exited before answering: pid ")
        assert f"exited with code 0, leaving pid {daemon} (" in d["cause"]
        assert "in another session" in d["cause"]
        assert d["cause"].endswith("holding its stdout open: it went into the background")
        assert "foreground" in d["remediation"]
        said = json.dumps(d["evidence"])
        assert f"pid {daemon} (" in said and "holds fd 1 on the worker's stdout pipe" in said
    finally:
        if pidfile.exists():
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(pidfile.read_text()), signal.SIGKILL)


def test_a_worker_asking_a_question_on_stdout_is_told_to_run_without_asking(
    run_cli: RunCli,
) -> None:
    """input() prints its question on the framed stdout and reads the reply from stdin: before,
    the fix was to send the text to stderr, which leaves it waiting for a reply all the same."""
    worker = str(WORKERS / "asks_a_question.py")
    d = diagnose(run_cli, "--timeout", "2", "--", sys.executable, worker)
    assert confirmed(d) == ["stdout-text"]
    assert d["cause"].startswith(
        "The worker asks a question on its framed stdout and waits for the reply on its stdin: "
        "'Overwrite the existing cache? [y/N] ' arrived before its first message"
    )
    assert "`input()` at " in d["cause"] and "asks_a_question.py:9" in d["cause"]
    assert "--no-input" in d["remediation"] and "stderr" not in d["remediation"]


def test_a_worker_that_logs_an_error_and_exits_is_told_that_error(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """No traceback, an error-level log record, exit 1: before, the verdict was only 'exited
    with code 1' and the fix 'find why it exits'. The path it logs as missing is its argument:
    the fix is to give one that exists (mcp-server-git's case: test_jsonrpc_peers_programs.py)."""
    missing = str(tmp_path / "no-such-repository")
    worker = str(WORKERS / "logs_an_error_and_exits.py")
    d = diagnose(run_cli, "--timeout", "2", "--", sys.executable, worker, missing)
    assert confirmed(d) == ["crashed"]
    logged = f"ERROR:worker.config:{missing} does not exist"
    assert d["cause"].endswith(
        f"exited with code 1, after logging `{logged}`; `{missing}` names a path that does not "
        "exist"
    ), d["cause"]
    assert d["remediation"] == f"Give it a path that exists: `{missing}` does not."
    notes = [e["note"] for e in d["evidence"] if e["text"] == logged]
    assert notes == ["the error it logged before it exited"]


def test_a_worker_that_logs_an_error_and_exits_with_code_0_is_told_that_error(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """mcp-server-git 2026.10.19 given a folder that is no repository logs `ERROR:mcp_server_
    git.server:/tmp is not a valid Git repository` and returns from its main: exit code 0.
    The verdict was 'exited with code 0' and the fix 'find why it exits', its error-level log
    record in the evidence only as the end of its stderr: it was quoted for a non-zero code
    alone."""
    worker = str(WORKERS / "logs_an_error_and_exits.py")
    d = diagnose(run_cli, "--timeout", "2", "--", sys.executable, worker, str(tmp_path))
    assert confirmed(d) == ["crashed"]
    logged = f"ERROR:worker.config:{tmp_path} is not a valid Git repository"
    assert d["cause"].endswith(f"exited with code 0, after logging `{logged}`"), d["cause"]
    assert d["remediation"].startswith(f"Fix the error it logs (`{logged}`)"), d["remediation"]


def test_a_worker_whose_setsid_fails_is_told_a_pool_made_it_a_group_leader(
    run_cli: RunCli,
) -> None:
    """poolctl (as an Erlang port) starts a worker leading its own session and group, where
    `os.setsid()` fails with EPERM: before, the fix was 'fix the error it reports', whose
    cause is how the worker was started, not its code."""
    worker = str(WORKERS / "calls_setsid.py")
    d = diagnose(run_cli, "--timeout", "2", "--", sys.executable, worker)
    assert confirmed(d) == ["crashed"]
    assert d["cause"].endswith(
        "after the exception `PermissionError: [Errno 1] Operation not permitted`: setsid() "
        "refused it (EPERM) because it already leads its process group: a pool starts it in a "
        "session of its own, and setsid() refuses a group leader"
    )
    assert d["remediation"].startswith("Do not call setsid() in a pool's worker")
    assert "os.getpgid(0) != os.getpid()" in d["remediation"]
    origins = [e["origin"] for e in d["evidence"]]
    assert "poolctl/children.py" in origins, origins


def test_a_worker_opening_dev_tty_is_told_a_pool_gives_it_no_terminal(run_cli: RunCli) -> None:
    """poolctl (as an Erlang port) starts a worker in a session with no controlling terminal,
    where opening /dev/tty fails with ENXIO: before, the fix was 'fix the error it reports'."""
    worker = str(WORKERS / "opens_dev_tty.py")
    d = diagnose(run_cli, "--timeout", "2", "--", sys.executable, worker)
    assert confirmed(d) == ["crashed"]
    assert d["cause"].endswith(
        "after the exception `OSError: [Errno 6] No such device or address: '/dev/tty'`: it "
        "has no controlling terminal to open /dev/tty on (ENXIO): a pool starts it in a "
        "session of its own, which has none"
    )
    assert d["remediation"].startswith("Write progress and messages to stderr, not /dev/tty")
    origins = [e["origin"] for e in d["evidence"]]
    assert "poolctl/children.py" in origins, origins


def test_a_worker_that_closes_its_stderr_and_dies_is_not_told_to_read_it(
    run_cli: RunCli,
) -> None:
    """Its traceback went to a closed stderr: the log is empty. Before, the fix said to read
    its stderr (the empty log) to find why it exits."""
    worker = str(WORKERS / "closes_stderr.py")
    d = diagnose(run_cli, "--timeout", "2", "--", sys.executable, worker)
    assert confirmed(d) == ["crashed"]
    assert d["cause"].endswith(
        "exited with code 1, leaving no word of why: its stderr log is empty and its stdout too"
    )
    assert "read its stderr" not in d["remediation"]
    assert "closed or redirected its stderr" in d["remediation"]
    assert "write(2, …) = -1 EBADF" in d["remediation"]
    empty = [e for e in d["evidence"] if e["origin"] == "workers/w1.stderr.log"]
    assert [e["text"] for e in empty] == ["0 bytes"]


def test_a_worker_that_says_why_it_exits_on_a_terminal_alone_is_quoted_from_one(
    run_cli: RunCli,
) -> None:
    """It writes its error only where stderr is a terminal. Before: 'leaving no word of why',
    told it wrote nothing or closed its stderr, and to strace it; its own words unread."""
    worker = str(WORKERS / "says_why_on_a_terminal.py")
    d = diagnose(run_cli, "--timeout", "2", "--", sys.executable, worker)
    assert confirmed(d) == ["crashed"]
    assert d["cause"].endswith(
        "leaving no word of why: its stderr log is empty and its stdout too; on a terminal it "
        "says more: with its stdout and stderr on a pseudo-terminal a fresh process wrote "
        "'fatal: MODEL_PATH is not set', where on its pipes it wrote nothing"
    ), d["cause"]
    assert d["remediation"].startswith("Make the worker write its errors to stderr whatever")
    assert d["remediation"].endswith(
        "then fix what it said there ('fatal: MODEL_PATH is not set')."
    )
    (said,) = [e for e in d["evidence"] if e["note"] == "what it said on a terminal"]
    assert said["origin"] == "workers/w1-exp-stderr-on-terminal.stdout.bin", said


def test_the_process_named_sleeping_is_the_worker_not_a_child_that_left_its_session(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """Before, 'pid N is sleeping' named the helper the worker started, which had left for a
    session of its own and works for itself, as if it were the worker."""
    pidfile = tmp_path / "helper.pid"
    worker = str(WORKERS / "leaves_a_session_child.py")
    argv = ("--timeout", "2", "--no-experiments", "--", sys.executable, worker, str(pidfile))
    try:
        d = diagnose(run_cli, *argv)
        helper = int(pidfile.read_text())
        named = re.match(r"No hypothesis was confirmed: pid (\d+) ", d["cause"])
        assert named is not None, d["cause"]
        worker_pid = int(named[1])
        assert f"and pid {worker_pid} (python) is sleeping" in d["cause"], d["cause"]
        assert f"pid {helper}" not in d["cause"]
    finally:
        if pidfile.exists():
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(pidfile.read_text()), signal.SIGKILL)


def test_a_worker_stopped_after_reading_its_request_is_not_told_to_wait_longer(
    run_cli: RunCli,
) -> None:
    """A stopped process runs again only on SIGCONT: before, the next steps ended with 'try a
    longer --timeout', which shows nothing more."""
    worker = str(WORKERS / "stops_after_reading.py")
    d = diagnose(run_cli, "--timeout", "2", "--", sys.executable, worker)
    assert confirmed(d) == []
    assert re.search(r"and pid \d+ \(python\) is stopped \(by SIGSTOP or SIGTSTP", d["cause"])
    assert "longer --timeout" not in d["remediation"]
    assert d["remediation"].startswith("Next: find what stops it (a SIGSTOP or SIGTSTP sent")
    assert "`kill -CONT`" in d["remediation"]


def test_a_worker_that_exits_in_the_middle_of_a_frame_is_told_so(run_cli: RunCli) -> None:
    """Before, the verdict was only 'exited with code 0', and the fix to find why it exits and
    read its stdout, where the frame it cut short was quoted without a word."""
    worker = str(WORKERS / "exits_mid_frame.py")
    d = diagnose(run_cli, "--timeout", "2", "--", sys.executable, worker)
    assert confirmed(d) == ["crashed"]
    assert re.search(
        r"exited with code 0, in the middle of a frame: a truncated packet-4 frame: the header "
        r"announces \d+ bytes and 20 arrived",
        d["cause"],
    ), d["cause"]
    assert d["remediation"].startswith("Write each answer whole before the worker can exit")


def test_a_worker_whose_header_miscounts_its_answer_is_not_told_to_send_less(
    run_cli: RunCli,
) -> None:
    """A header of 0xFFFFFFF0 before a whole answer of 54 bytes: before, the answer was called
    a frame of 4 GB of JSON and the fix was to send large results by reference."""
    worker = str(WORKERS / "miscounts_its_header.py")
    d = diagnose(run_cli, "--timeout", "2", "--", sys.executable, worker)
    assert confirmed(d) == ["framing"]
    assert d["cause"].startswith(
        "The worker's answer has a wrong length header: a packet-4 header announcing "
        "4,294,967,280 bytes, -16 as a signed number"
    )
    assert "before a whole JSON message of 54 bytes" in d["cause"]
    assert "by reference" not in d["remediation"]
    assert "struct.pack('>I', len(body))" in d["remediation"]


def test_a_worker_that_closed_its_stdin_is_told_so_not_stuck_in_initialization(
    run_cli: RunCli,
) -> None:
    """Its request stays unread because no process of it holds the stdin pipe: before, it was
    'stuck in initialization', after poolctl waited for its start-up to end."""
    worker = str(WORKERS / "closes_stdin.py")
    d = diagnose(run_cli, "--timeout", "2", "--", sys.executable, worker)
    assert confirmed(d) == ["crashed"]
    assert d["cause"].startswith(
        "The worker closed its stdin while it keeps running: its fd 0 is closed, and no process "
        "of it holds the pipe poolctl writes its requests to"
    )
    assert d["remediation"].startswith("Keep stdin open for the requests")
    init = next(h for h in d["hypotheses"] if h["id"] == "stuck-in-init")
    assert init["status"] == "ruled-out", init
    assert re.fullmatch(r"pid \d+: fds 1, 2", d["evidence"][0]["text"])


def test_an_answer_at_end_of_input_from_a_reader_of_lines_is_no_held_back_answer(
    run_cli: RunCli,
) -> None:
    """mcp-server-fetch 2026.10.24 spoken lsp at a load of 20: it answered LSP's initialize in
    a JSON line as its stdin closed (the line the message was on ended only there) and took
    more than the close probe's second to exit; buffered was left untested, "an answer held in
    a buffer until it exited and one slower than the timeout ... look the same here", while
    framing explained that answer: no answer could come before its input ended. Here
    tests/workers/lines_refuse_lsp.py, which mirrors it (1.5 s to exit)."""
    argv = (sys.executable, str(WORKERS / "lines_refuse_lsp.py"), "1.5")
    d = diagnose(run_cli, "--protocol", "lsp", "--timeout", "2", "--", *argv)
    assert "framing" in confirmed(d), d["cause"]
    [held] = [h for h in d["hypotheses"] if h["id"] == "buffered"]
    assert held["status"] == "ruled-out", held
    assert held["reason"].startswith(
        """its answer came as its stdin closed in a JSON line, '{"jsonrpc":"2.0","id":1,"error":"""
    ), held["reason"]
    assert held["reason"].endswith(
        "it reads lines, and the content-length request's message ended its line only at end "
        "of input, so no answer could come before (see framing)"
    ), held["reason"]


def test_a_python_worker_given_an_unknown_pythonioencoding_is_told_to_fix_the_variable(
    run_cli: RunCli,
) -> None:
    """`--env PYTHONIOENCODING=bogus`: CPython stops in its own start ('Fatal Python error:
    init_stdio_encoding …', 'LookupError: unknown encoding: bogus'), before any of the worker's
    code runs. The verdict quoted the exception and said to fix the error it reports and run
    the command by hand, where it starts fine: the variable is named now, with its fix."""
    argv = (sys.executable, str(WORKERS / "answers_late.py"), "0")
    d = diagnose(run_cli, "--env", "PYTHONIOENCODING=bogus", "--timeout", "5", "--", *argv)
    assert confirmed(d) == ["crashed"], d["cause"]
    assert d["cause"].endswith(
        "after the exception `LookupError: unknown encoding: bogus`; its interpreter stopped "
        "as it started, before any of its code ran: PYTHONIOENCODING=bogus in its environment "
        "names no codec Python knows"
    ), d["cause"]
    assert d["remediation"].startswith("Give the worker a PYTHONIOENCODING Python knows"), d
    texts = [e["text"] for e in d["evidence"]]
    assert "PYTHONIOENCODING=bogus" in texts, texts
    assert any(t.startswith("Fatal Python error: init_stdio_encoding") for t in texts), texts
