"""`poolctl ping`'s verdict on a worker that ends badly after answering: killed by SIGKILL (by
the OOM killer, another process, or itself), or turned into another program by an exec(). Each
says what the evidence tells, as the pool's findings do (tests/test_pool_endings.py)."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from poolctl.diagnose.kernel_log import read_kernel_log
from tests.conftest import Processes, RunCli

DIES = Path(__file__).resolve().parent / "workers" / "dies_on_second_request.py"


def outcome(run_cli: RunCli, *args: str) -> dict[str, Any]:
    """The first finding's outcome of a poolctl command (`--json`) that found a failure."""
    code, out, _ = run_cli(*args)
    assert code == 1, out
    diagnosis: dict[str, Any] = json.loads(out)["findings"][0]["outcome"]
    return diagnosis


def ping(run_cli: RunCli, how: str) -> dict[str, Any]:
    """`ping --count 2` of a worker that answers the first ping and ends badly on the second."""
    return outcome(
        run_cli, "ping", "--json", "--count", "2", "--timeout", "3", "--", sys.executable,
        str(DIES), how,
    )  # fmt: skip


def kernel_log(diagnosis: dict[str, Any]) -> dict[str, Any]:
    (log,) = [e for e in diagnosis["evidence"] if e["note"].startswith("the kernel log, where")]
    assert isinstance(log, dict)
    return log


def test_a_worker_killed_by_sigkill_is_told_to_find_the_sender_not_to_run_it_by_hand(
    run_cli: RunCli,
) -> None:
    """Before: 'Find why it exits: run … by hand', as if it exited on its own. It killed itself
    here: the kernel log names no OOM kill of it, and the worker itself is among the senders."""
    d = ping(run_cli, "kill")
    assert "killed by SIGKILL (9) (" in d["cause"]
    assert "a user, or the worker itself (`os.kill(os.getpid(), signal.SIGKILL)`" in d["cause"]
    assert d["remediation"].startswith("Find what sent "), d["remediation"]
    assert "Find why it exits" not in d["remediation"]
    log = kernel_log(d)
    if log["text"].startswith("not read"):  # no permission for it here: said so
        assert "the kernel log could not be read here" in d["cause"]
    else:
        assert f"the kernel log names no OOM kill of pid {d['facts']['pid']}" in d["cause"]


def test_a_kernel_log_that_cannot_be_read_is_said_unread(
    run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Neither `dmesg` nor `journalctl` on the PATH: the OOM killer stays among the senders."""
    monkeypatch.setenv("PATH", str(tmp_path))
    d = ping(run_cli, "kill")
    assert "the OOM killer or a supervisor, a timeout wrapper, a user, or the worker" in d["cause"]
    assert "the kernel log could not be read here" in d["cause"]
    assert kernel_log(d)["text"].startswith("not read: dmesg: ")
    assert d["remediation"].startswith("Find what sent the signal: the kernel log (`dmesg`)")


def test_a_worker_that_exec_ed_another_program_is_said_to_run_it(run_cli: RunCli) -> None:
    """It answered, then exec()ed `sleep 60` on the next ping. Before: 'No hypothesis was
    confirmed', though its evidence named 'pid N (sleep)'."""
    d = ping(run_cli, "exec")
    assert d["cause"].startswith("The worker answered 1 request(s), then stopped being the")
    assert "its process now runs `sleep 60` (" in d["cause"]
    assert "): it exec()ed another program" in d["cause"]
    assert d["remediation"].startswith("Keep the worker's process the program that serves")
    said = [e["note"] for e in d["evidence"]]
    assert said[:2] == ["the program that answered, read then", "the program its process runs now"]
    assert [h["id"] for h in d["hypotheses"] if h["status"] == "confirmed"] == ["crashed"]


def test_a_worker_that_closed_its_stdout_after_answering_is_not_told_its_start_up_did(
    run_cli: RunCli,
) -> None:
    """It answered, then closed fd 1 on the next ping and slept. Before: 'something in its
    start-up closes or redirects file descriptor 1', though it had answered on it."""
    d = ping(run_cli, "close")
    assert d["cause"].startswith("The worker closed its stdout while it keeps running")
    assert "in its start-up" not in d["remediation"]
    assert d["remediation"].startswith(
        "Keep stdout open for the answers: something after it answered 1 request(s) on it, in "
        "a request's path, closes or redirects file descriptor 1"
    )


def test_a_segfault_the_kernel_logged_names_the_library_it_faulted_in(run_cli: RunCli) -> None:
    """`ctypes.string_at(0)`: the kernel logs `python3[PID]: segfault at 0 … in libc.so.6[…]`
    where it can be read; ping quotes that line (before: the exit status alone)."""
    worker = Path(__file__).resolve().parent / "workers" / "segfaults.py"
    code, out, _ = run_cli(
        "ping", "--json", "--timeout", "2", "--unset-env", "PYTHONFAULTHANDLER", "--",
        sys.executable, str(worker),
    )  # fmt: skip
    d: dict[str, Any] = json.loads(out)["findings"][0]["outcome"]
    assert code == 1 and "killed by SIGSEGV (11)" in d["cause"]
    records = [e for e in d["evidence"] if e["note"] == "the kernel's record of the fault"]
    log = read_kernel_log()
    if log.lines is None:  # no kernel log to read here: nothing is claimed of it
        assert not records and "kernel log" not in d["cause"]
        return
    (record,) = records
    assert f"[{d['facts']['pid']}]: segfault at 0 " in record["text"]
    assert record["origin"] == log.source
    assert re.search(r"; the kernel log says it faulted in \S+\.so", d["cause"]), d["cause"]


def test_a_worker_that_lingers_after_its_one_answer_is_told_so_by_one_ping(
    run_cli: RunCli,
) -> None:
    """It answers, sleeps 0.8 s and exits: past the 0.5 s ping waited for it, so ping closed
    its stdin first and took its exit for the one that asked for, and it passed without a
    word (doctor's start-up check caught it). A worker seen asleep on a timer (not waiting for
    input) is now watched on, and its exit, with its stdin still open, is said."""
    worker = Path(__file__).resolve().parent / "workers" / "answers_once.py"
    argv = ("ping", "--json", "--timeout", "3", "--", sys.executable, str(worker), "0.8")
    code, out, _ = run_cli(*argv)
    assert code == 0, out  # it answered
    report = json.loads(out)
    said = "the process poolctl started, exited with code 0 after it answered: a pool's worker"
    assert any(said in n for n in report["notes"]), report["notes"]
    assert report["extra"]["worker"]["stopped_by"].startswith("nothing: it had ended by itself")


def test_a_worker_that_answers_one_ping_and_exits_is_told_so_by_one_ping(run_cli: RunCli) -> None:
    """A script that answers one request and exits passed `poolctl ping` (its default, one
    ping) without a word: it was still ending when ping closed its stdin, and its exit looked
    like the one asked for. ping now waits until a worker waits for its next request or has
    exited (a pool's worker is back in its read at once), and says it."""
    worker = Path(__file__).resolve().parent / "workers" / "answers_once.py"
    code, out, _ = run_cli("ping", "--json", "--timeout", "3", "--", sys.executable, str(worker))
    assert code == 0, out  # it answered
    notes = json.loads(out)["notes"]
    assert any(
        "the process poolctl started, exited with code 0 after it answered: a pool's worker "
        "must stay up for the next request." in n
        for n in notes
    ), notes


def test_a_worker_gone_before_its_timeout_is_not_said_to_have_exited_past_it(
    run_cli: RunCli,
) -> None:
    """Its helper held the stdout pipe, so the wait ran to its 1 s timeout; the crash came long
    before. Before: 'how the process ended: 1.1 s after it started, past its 1 s timeout, while
    poolctl waited on for a slow start', which nothing had seen."""
    worker = Path(__file__).resolve().parent / "workers" / "crashes_leaving_a_child_on_stdout.py"
    diagnosis = outcome(
        run_cli, "ping", "--json", "--timeout", "1", "--", sys.executable, str(worker)
    )
    assert "exited with code 1" in diagnosis["cause"], diagnosis["cause"]
    (ended,) = [e for e in diagnosis["evidence"] if e["note"].startswith("how the process ended")]
    assert ended["note"] == "how the process ended", ended


def test_a_worker_that_sent_itself_sigterm_is_not_said_signalled_from_outside(
    run_cli: RunCli,
) -> None:
    """It sent SIGTERM to its own process group (`kill 0`). Before: '(a signal from outside: a
    supervisor or a user)', which its exit status cannot tell, and 'Find why it exits: run …
    by hand', as if it had exited."""
    d = ping(run_cli, "term-group")
    assert "killed by SIGTERM (15) (sent by another process (a supervisor, a timeout" in d["cause"]
    assert "or by the worker itself" in d["cause"], d["cause"]
    assert "from outside" not in d["cause"]
    assert d["remediation"].startswith("Find what sent SIGTERM: "), d["remediation"]


def test_a_worker_that_sent_its_group_sigint_is_told_the_signal_not_an_error_to_fix(
    run_cli: RunCli,
) -> None:
    """It sent SIGINT to its own process group; Python raised it as `KeyboardInterrupt` and
    ended by it. Before: 'Fix the error it reports (`KeyboardInterrupt`)', as if it were one;
    then 'sent by another process … or by the worker itself', though its traceback ends at the
    call that sent it."""
    d = ping(run_cli, "int-group")
    assert (
        "killed by SIGINT (2) (sent by the worker's own code to its whole process group: "
        in (d["cause"])
    )
    where = f"{DIES}:{DIES.read_text().splitlines().index('        os.kill(0, signal.SIGINT)') + 1}"
    said = f"; Python raised it as `KeyboardInterrupt` in {where} in `<module>`: `os.kill(0, "
    assert said in d["cause"], d["cause"]
    assert "after the exception" not in d["cause"]
    assert d["remediation"].startswith(
        f"Remove the SIGINT the worker sends at {where} in `<module>` (`os.kill(0, signal.SIGINT)`)"
    ), d["remediation"]
    (tail,) = [e for e in d["evidence"] if e["note"] == "the end of its stderr"]
    assert tail["text"].endswith("KeyboardInterrupt"), tail


def test_a_keyboard_interrupt_its_code_raised_is_still_its_error(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """`raise KeyboardInterrupt` ends Python by SIGINT too, with no signal sent: its code's own
    exception stays the error to fix."""
    worker = tmp_path / "raises_interrupt.py"
    worker.write_text(
        DIES.read_text().replace("os.kill(0, signal.SIGINT)", "raise KeyboardInterrupt")
    )
    d = outcome(
        run_cli,
        "ping",
        "--json",
        "--count",
        "2",
        "--timeout",
        "3",
        "--",
        sys.executable,
        str(worker),
        "int-group",
    )
    assert "killed by SIGINT (2), after the exception `KeyboardInterrupt`" in d["cause"], d["cause"]
    assert d["remediation"].startswith("Fix the error it reports (`KeyboardInterrupt`)")


@pytest.mark.parametrize("shell", [s for s in ("dash", "bash") if shutil.which(s)])
def test_a_worker_its_shell_waited_for_is_said_killed_by_the_signal_the_shell_reports(
    run_cli: RunCli, shell: str
) -> None:
    """`sh -c 'worker; exit $?'`: the worker killed itself by SIGKILL, and the shell exited
    with 137 after its line `Killed`. Before: 'exited with code 137' and 'Find why it exits:
    run … by hand', the kernel log not read."""
    d = outcome(
        run_cli,
        "ping", "--json", "--count", "2", "--timeout", "3", "--",
        shell, "-c", '"$0" "$@"; exit $?', sys.executable, str(DIES), "kill",
    )  # fmt: skip
    assert "exited with code 137: its shell reports " in d["cause"], d["cause"]
    assert " killed by SIGKILL (9) (`" in d["cause"]
    assert d["remediation"].startswith("Find what sent SIGKILL: "), d["remediation"]
    assert "Start the program with `exec` in its shell" in d["remediation"]
    if shell == "dash":  # `Killed` alone: no pid to look up
        assert (
            "its shell reports the program it ran killed by SIGKILL (9) (`Killed` on" in d["cause"]
        )
        assert "its shell names no pid to find in the kernel log" in d["cause"]
        return
    named = re.search(r"its shell reports pid (\d+) killed by SIGKILL", d["cause"])
    assert named is not None and named[1] != str(d["facts"]["pid"]), d["cause"]
    log = kernel_log(d)  # searched for the program's pid, not the shell's
    if not log["text"].startswith("not read"):
        assert log["text"].startswith(f"no OOM kill of pid {named[1]} in "), log


def test_a_worker_that_exec_ed_itself_again_is_said_to_have_restarted_in_place(
    run_cli: RunCli,
) -> None:
    """It answered, then exec()ed the same program with the same command line on the next
    ping, and ended at the end of its input as poolctl's checks closed it. Before: 'No
    hypothesis was confirmed' (its program and command line unchanged, and it was gone by the
    time the crash was judged)."""
    d = ping(run_cli, "reexec")
    assert d["cause"].startswith(
        "The worker answered 1 request(s), then its process exec()ed the same program again, "
        "under the same command line (its stack now starts at 0x"
    ), d["cause"]
    assert d["remediation"].startswith("Answer every request the worker has read before it")
    then, now = [e["text"] for e in d["evidence"] if e["origin"].endswith("stat (startstack)")]
    assert then.split(", its stack from ")[0] == now.split(", its stack from ")[0]
    assert then != now


@pytest.mark.skipif(shutil.which("timeout") is None, reason="no timeout (coreutils)")
def test_a_worker_a_timeout_in_its_command_ended_is_told_so(run_cli: RunCli) -> None:
    """`timeout 5 worker`: it answered, hung in the next request, and `timeout` ended it,
    exiting 124. Before: 'exited with code 124, leaving no word of why', with the fix to look
    for a `close(2)` of its stderr under strace."""
    d = outcome(
        run_cli,
        "ping", "--json", "--count", "2", "--timeout", "20", "--no-experiments", "--",
        "timeout", "5", sys.executable, str(DIES), "hang",
    )  # fmt: skip
    assert (
        "exited with code 124: `timeout 5` in its command ended it: coreutils' timeout"
        in (d["cause"])
    ), d["cause"]
    assert "no word of why" not in d["cause"]
    assert d["remediation"].startswith("Drop `timeout 5` from the worker's command")


def test_a_worker_its_own_alarm_killed_is_told_to_find_the_timer(run_cli: RunCli) -> None:
    """It set `signal.alarm(1)` in a request with no handler for SIGALRM. Before: 'sent by
    another process (a supervisor, a timeout wrapper, a user) or by the worker itself', and to
    search its code for `kill`."""
    d = ping(run_cli, "alarm")
    assert (
        "killed by SIGALRM (14) (most often a timer of its own that went off with no "
        in (d["cause"])
    ), d["cause"]
    assert d["remediation"].startswith("Find the timer: a search of the worker's code")
    assert "`signal.alarm(0)`" in d["remediation"]


def _line_of(code: str, after: str = "") -> str:
    """`file:line` of the worker's first line of `code` past its line `after`."""
    lines = DIES.read_text().splitlines()
    return f"{DIES}:{lines.index(code, lines.index(after) if after else 0) + 1}"


@pytest.mark.parametrize("shell", [s for s in ("dash", "bash") if shutil.which(s)])
def test_a_shell_wrapped_worker_that_sent_itself_sigint_is_told_its_own_call(
    run_cli: RunCli, shell: str
) -> None:
    """`sh -c 'python3 worker.py; exit $?'`: Python ended by the SIGINT it sent itself and the
    shell exited with 130. Before: 'exited with code 130, after the exception
    `KeyboardInterrupt`' and 'Fix the error it reports (`KeyboardInterrupt`)'."""
    d = outcome(
        run_cli,
        "ping", "--json", "--count", "2", "--timeout", "3", "--",
        shell, "-c", '"$0" "$@"; exit $?', sys.executable, str(DIES), "int-self",
    )  # fmt: skip
    assert (
        "exited with code 130: the program its shell ran was ended by SIGINT (2), as "
        in (d["cause"])
    )
    assert (
        "(sent by the worker's own code to itself: its traceback ends at that call)" in (d["cause"])
    )
    assert "after the exception" not in d["cause"]
    where = _line_of("        os.kill(os.getpid(), signal.SIGINT)")
    assert d["remediation"].startswith(f"Remove the SIGINT the worker sends at {where} in "), d[
        "remediation"
    ]
    assert "Start the program with `exec` in its shell" in d["remediation"]


def _interrupt_when_waiting(pid_file: Path, done: threading.Event) -> None:
    """SIGINT to the pid the worker wrote into `pid_file` once it waits in its request."""
    while not done.is_set():
        if pid_file.exists():
            os.kill(int(pid_file.read_text()), signal.SIGINT)
            return
        time.sleep(0.02)


def outcome_interrupted(run_cli: RunCli, pid_file: Path, *worker: str) -> dict[str, Any]:
    """`outcome` of a ping of `worker`, sent SIGINT by this test once it waits in its second
    request (it writes its pid into `pid_file`, given it as PID_FILE)."""
    done = threading.Event()
    sender = threading.Thread(target=_interrupt_when_waiting, args=(pid_file, done))
    sender.start()
    try:
        return outcome(
            run_cli, "ping", "--json", "--count", "2", "--timeout", "10",
            "--env", f"PID_FILE={pid_file}", "--", *worker,
        )  # fmt: skip
    finally:
        done.set()
        sender.join()


@pytest.mark.parametrize("shell", [s for s in ("dash", "bash") if shutil.which(s)])
def test_a_shell_wrapped_worker_sent_sigint_from_outside_is_told_so_not_an_error_to_fix(
    run_cli: RunCli, shell: str, tmp_path: Path
) -> None:
    """This test sends SIGINT to the Python program alone as it sleeps in a request; its shell
    exits with 130. Before: 'Fix the error it reports (`KeyboardInterrupt`)'."""
    d = outcome_interrupted(
        run_cli, tmp_path / "pid",
        shell, "-c", '"$0" "$@"; exit $?', sys.executable, str(DIES), "hang",
    )  # fmt: skip
    assert (
        "exited with code 130: the program its shell ran was ended by SIGINT (2), as "
        in (d["cause"])
    )
    assert "(sent to the program alone by another process that named its pid (" in d["cause"]
    assert (
        "its shell, in the same process group, was not interrupted but exited with 130"
        in (d["cause"])
    )
    where = _line_of("        time.sleep(60)", '    if served == 2 and sys.argv[1] == "hang":')
    assert (
        f"; Python raised it as `KeyboardInterrupt` in {where} in `<module>`: `time."
        in (d["cause"])
    )
    assert d["remediation"].startswith("Find what sent SIGINT to the program's pid: ")
    assert "Nothing in the worker's code is to fix" in d["remediation"]
    assert "Fix the error it reports" not in d["remediation"]


def test_a_worker_that_switched_framing_mid_run_is_told_so(run_cli: RunCli) -> None:
    """It answered the first ping in packet-4 and the second in a JSON line. Before: 'The worker
    answers in line, not packet-4 … writes in another framing than it reads', told to make the
    worker write packet-4 as if it never had."""
    worker = Path(__file__).resolve().parent / "workers" / "switches_to_lines.py"
    d = outcome(
        run_cli,
        "ping",
        "--json",
        "--count",
        "2",
        "--timeout",
        "3",
        "--",
        sys.executable,
        str(worker),
    )
    assert d["cause"].startswith(
        "The worker switched framing mid-run: it answered 1 request(s) of this session in "
        'packet-4, then wrote its reply to this one in line: \'{"id": 2, '
    ), d["cause"]
    assert d["remediation"].startswith("Keep the worker writing packet-4 for every answer")
    earlier = d["evidence"][0]
    assert earlier["text"] == "1 answer(s) in packet-4 before it", earlier
    assert earlier["origin"] == "workers/w1.stdout.bin bytes 0-57", earlier


def test_a_worker_sent_sigint_from_outside_is_not_said_to_maybe_send_it_itself(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """This test sends SIGINT to the Python worker as it sleeps in a request (no shell). Before:
    'sent by another process … or by the worker itself (`os.kill(os.getpid(), …)`): its exit
    status does not say which', though its traceback ends in its sleep, no call that sends it."""
    d = outcome_interrupted(run_cli, tmp_path / "pid", sys.executable, str(DIES), "hang")
    assert (
        "killed by SIGINT (2) (sent by another process (a supervisor, a timeout wrapper"
        in (d["cause"])
    )
    assert (
        "or a thread of the worker's: its traceback ends where the signal found it" in (d["cause"])
    )
    assert "its exit status does not say which" not in d["cause"]
    assert d["remediation"].startswith("Find what sent SIGINT: "), d["remediation"]
    assert "Nothing at the place its traceback ends is to fix" in d["remediation"]


def test_a_worker_killed_while_its_child_holds_its_stdout_did_not_go_into_the_background(
    run_cli: RunCli,
) -> None:
    """Its multiprocessing child sent it SIGTERM and ran on, holding the stdout pipe it
    inherited. Before: 'killed by SIGTERM (15), leaving pid N (python) holding its stdout
    open: it went into the background (sent by …)', as a daemon's exit reads, the signal's
    sender said of the daemon."""
    worker = Path(__file__).resolve().parent / "workers" / "killed_by_its_child.py"
    d = outcome(run_cli, "ping", "--json", "--timeout", "1", "--", sys.executable, str(worker))
    assert "killed by SIGTERM (15) (sent by " in d["cause"], d["cause"]  # (who: below)
    assert "background" not in d["cause"] and "foreground" not in d["remediation"]
    assert re.search(
        r"\); it left pid \d+ \(python\S*\) running, holding its stdout open \(no end of file "
        r"came\)",
        d["cause"],
    ), d["cause"]
    assert d["remediation"].startswith("Find wh"), d["remediation"]  # the signal's sender
    said = [e["text"] for e in d["evidence"] if e["note"].startswith("a process it left")]
    assert len(said) == 1 and "holds fd 1 on the worker's stdout pipe" in said[0], said


def test_a_flood_of_bytes_not_utf8_on_stderr_is_quoted_by_its_end(run_cli: RunCli) -> None:
    """1 MiB of bytes not UTF-8 on one line, then the line that says why it exits. Before: the
    end of its stderr was quoted whole, 16,383 replacement characters (a screenful of them in
    the terminal, 48 KiB in each of the report's three copies of the quote)."""
    worker = Path(__file__).resolve().parent / "workers" / "floods_stderr_undecodable.py"
    d = outcome(run_cli, "ping", "--json", "--timeout", "2", "--", sys.executable, str(worker))
    assert "exited with code 3" in d["cause"], d["cause"]
    (tail,) = [e["text"] for e in d["evidence"] if e["note"] == "the end of its stderr"]
    flood, said = tail.split("\n")
    assert said == "fatal: no model configured"
    cut = re.fullmatch(r"\[([\d,]+) characters cut, ([\d,]+) of them U\+FFFD for bytes not "
                       r"UTF-8\] …(\ufffd+)", flood)  # fmt: skip
    assert cut is not None, flood[:200]
    assert cut.group(1) == cut.group(2) and int(cut.group(1).replace(",", "")) > 10_000
    assert len(cut.group(3)) == 300


def test_a_worker_that_stops_in_the_middle_of_its_answer_is_told_what_to_find(
    run_cli: RunCli,
) -> None:
    """It answered a ping, then wrote 25 bytes of its next answer and slept. Before: 'Next:
    look at its stderr …; try a longer --timeout', the half frame quoted but not acted on
    (the pool's finding of it said what to find)."""
    worker = Path(__file__).resolve().parent / "workers" / "pauses_mid_frame.py"
    d = outcome(
        run_cli,
        "ping",
        "--json",
        "--count",
        "2",
        "--timeout",
        "1",
        "--",
        sys.executable,
        str(worker),
    )
    assert "; 25 bytes of a frame had arrived (quoted)" in d["cause"], d["cause"]
    assert re.match(
        r"Next: find what it waits on between the parts of its answer \(its stack(, quoted)?\); "
        r"build each frame whole before writing it, so that nothing slow runs between its "
        r"first byte and its last; ",
        d["remediation"],
    ), d["remediation"]


STRACE = pytest.mark.skipif(shutil.which("strace") is None, reason="no strace (apt: strace)")


@STRACE
def test_a_worker_killed_by_its_own_child_is_told_so_from_a_copy_under_strace(
    run_cli: RunCli,
) -> None:
    """Its multiprocessing child sends it SIGTERM as it starts. Before: 'sent by another
    process (a supervisor, a timeout wrapper, a user) or by the worker itself …: its exit
    status does not say which', its own child not among them."""
    worker = Path(__file__).resolve().parent / "workers" / "killed_by_its_child.py"
    d = outcome(run_cli, "ping", "--json", "--timeout", "1", "--", sys.executable, str(worker))
    said = re.search(
        r"killed by SIGTERM \(15\) \(sent by its own child: in a fresh process of its command "
        r"under strace, pid (\d+) \(a fork of `[^`]*killed_by_its_child\.py`\) sent it SIGTERM, "
        r"and it died of it\)",
        d["cause"],
    )
    assert said is not None, d["cause"]
    assert d["remediation"].startswith(
        f"Find where a process the worker starts sends it SIGTERM (`kill $PPID`, "
        f"`os.kill(os.getppid(), …)`): in its copy under strace pid {said.group(1)} (a fork of `"
    ), d["remediation"]
    (traced,) = [e for e in d["evidence"] if e["origin"].endswith("-exp-signal-traced.strace")]
    sent, delivered, ended = traced["text"].split("\n")
    copy = re.fullmatch(rf"{said.group(1)} kill\((\d+), SIGTERM\)\s+= 0", sent)
    assert copy is not None, sent
    assert delivered.startswith(f"{copy.group(1)} --- SIGTERM {{si_signo=SIGTERM, si_code=SI_USER")
    assert f"si_pid={said.group(1)}," in delivered
    assert ended == f"{copy.group(1)} +++ killed by SIGTERM +++"


@STRACE
def test_a_shell_worker_killed_by_its_subshell_names_the_fork_of_the_shell(
    run_cli: RunCli,
) -> None:
    """`(sleep 0.2; kill -TERM $$) &` in the worker's shell: the subshell, a fork running no
    program of its own, is named by the shell's command line."""
    script = "(sleep 0.2; kill -TERM $$) & read -r line"
    d = outcome(run_cli, "ping", "--json", "--timeout", "2", "--", "/bin/sh", "-c", script)
    assert re.search(
        r"\(sent by its own child: in a fresh process of its command under strace, pid \d+ "
        r"\(a fork of `/bin/sh -c \(sleep 0\.2; kill -TERM \$\$\) & read -r line`\) sent it "
        r"SIGTERM, and it died of it\)",
        d["cause"],
    ), d["cause"]


@STRACE
def test_a_worker_killed_from_outside_is_not_said_killed_by_poolctl_s_stop_of_its_copy(
    tmp_path: Path, processes: Processes
) -> None:
    """The test sends the worker SIGTERM; its copy under strace waits out its experiment and is
    stopped by poolctl (SIGTERM). That stop is no sender: first said 'sent from outside the
    worker: a fresh process … was sent SIGTERM by pid N' (poolctl's own pid)."""
    worker = Path(__file__).resolve().parent / "workers" / "writes_its_pid_then_waits.sh"
    pid_file = tmp_path / "pid"
    argv = [sys.executable, "-m", "poolctl", "ping", "--json", "--timeout", "2"]
    argv += ["--run-dir", str(tmp_path / "run"), "--", "/bin/sh", str(worker)]
    ping = processes.popen(
        [*argv, str(tmp_path / "gate"), str(pid_file)], stdout=subprocess.PIPE, cwd=tmp_path
    )
    end = time.monotonic() + 60
    while not pid_file.exists():
        assert ping.poll() is None and time.monotonic() < end, "the worker never started"
        time.sleep(0.05)
    os.kill(int(pid_file.read_text()), signal.SIGTERM)
    out, _ = ping.communicate(timeout=120)
    d = json.loads(out)["findings"][0]["outcome"]
    assert "killed by SIGTERM (15) (sent by another process (a supervisor" in d["cause"], d["cause"]
    assert "under strace" not in d["cause"]
    assert (tmp_path / "run" / "workers" / "w1-exp-signal-traced.strace").exists()  # it ran


@STRACE
def test_a_worker_sigkilled_by_its_own_child_is_told_so_where_the_oom_killer_is_ruled_out(
    run_cli: RunCli,
) -> None:
    """`(sleep 0.2; kill -9 $$) &` in the worker's shell. Before: 'not the OOM killer: … a
    supervisor, a timeout wrapper, a user, or the worker itself' sent it. No delivery stops
    at a SIGKILL: the kill() of its copy names the sender. Where the kernel log cannot be
    read, the OOM killer is not ruled out, and no copy is started (it might grow as big)."""
    script = "(sleep 0.2; kill -9 $$) & read -r line"
    d = outcome(run_cli, "ping", "--json", "--timeout", "2", "--", "/bin/sh", "-c", script)
    if read_kernel_log().lines is None:
        assert "the kernel log could not be read here" in d["cause"], d["cause"]
        assert "under strace" not in d["cause"]
        return
    said = re.search(
        r"killed by SIGKILL \(9\) \(sent by its own child: in a fresh process of its command "
        r"under strace, pid (\d+) \(a fork of `/bin/sh -c \(sleep 0\.2; kill -9 \$\$\) & read "
        r"-r line`\) sent it SIGKILL, and it died of it\)",
        d["cause"],
    )
    assert said is not None, d["cause"]
    (traced,) = [e for e in d["evidence"] if e["origin"].endswith("-exp-signal-traced.strace")]
    sent, ended = traced["text"].split("\n")
    copy = re.fullmatch(rf"{said.group(1)} kill\((\d+), SIGKILL\)\s+= 0", sent)
    assert copy is not None, sent
    assert ended == f"{copy.group(1)} +++ killed by SIGKILL +++"
    notes = [e["note"] for e in d["evidence"]]
    assert "the kernel log, where the OOM killer records whom it ends" in notes  # ruled out
