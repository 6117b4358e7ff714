"""The evidence a diagnosis works from: what the failed exchange left, the live process, probes.

`collect` reads what is already there (exit status, stderr, the bytes on stdout); `look_live`
takes /proc snapshots and Python stack dumps of a worker that is still running, before anything
disturbs it; `wait_longer` probes the original process (`sample_stack` dumps its stack again while
poolctl waits), as `close_probe.close_stdin` does.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from poolctl.answer_behind import Behind, behind_stray
from poolctl.framing import ERROR_CONTEXT, quote
from poolctl.framing_explain import (
    Explanation,
    counted_in_characters,
    explain,
    header_cut_short,
    reencoded,
)
from poolctl.model import Evidence
from poolctl.program import running_program
from poolctl.protocol import Request, Response, StrayOutput
from poolctl.worker import WorkerProcess
from poolctl.worker_types import ExitStatus, NoAnswer, StderrMode

from . import procinfo
from .close_probe import CloseProbe
from .experiments import Result
from .live import Blocked, Live
from .log_levels import logged_error
from .procinfo import WRITES, ProcState
from .pystack import NoStack, PyStack

MAX_STACK_DUMPS = 3
MAX_SAMPLES = 12  # stack samples while poolctl keeps waiting, spread over the wait


@dataclass(frozen=True)
class StackSample:
    """A stack dump of the worker taken while poolctl kept waiting for its answer."""

    elapsed: float  # seconds since spawn
    stack: PyStack


@dataclass
class Observations:
    """Everything the hypotheses are judged on."""

    worker: WorkerProcess
    failed: NoAnswer
    timeout: float
    request_frame: bytes
    exit_before: ExitStatus | None
    # its stdout at end of file while it runs on, when the answer was due (the probes close
    # its stdin later, and a worker that exits then closes it too)
    stdout_closed: bool
    stderr_text: str  # captured stderr, or (merged) stdout decoded
    pending: bytes
    explanation: Explanation | None
    # its answer, a whole message right behind the stray output the stream broke on
    answer_behind: Behind | None
    run_dir: Path
    experiments_enabled: bool
    live: Live | None = None
    close_probe: CloseProbe | None = None
    request_sent_at: float = 0.0  # seconds since spawn when the request was sent
    late_answer: float | None = None  # seconds since spawn when an answer came after all
    late_refusal: str | None = None  # that answer's error, when it refused the request
    waited_longer: float | None = None  # seconds since spawn when poolctl stopped waiting
    # seconds since spawn when it exited, when that came while poolctl waited on past the timeout
    exited_in_wait: float | None = None
    unread_after_wait: int | None = None  # bytes still in its stdin pipe when it stopped
    # seconds since spawn by which it had read its request, unread at its timeout, while
    # poolctl waited on for a slow start (seen in that wait, or carried to its judgement anew)
    read_in_wait: float | None = None
    # seconds since spawn by which it read the request that lay whole in its stdin pipe at its
    # timeout, before the diagnosis' first look found the pipe empty (`first_read`)
    read_after_timeout: float | None = None
    # seconds since spawn by which its answer came after all, past the close probe's wait (read
    # once its experiments ended: a handler slower than the timeout finishing)
    answer_after_close: float | None = None
    stderr_after_wait: str | None = None  # its stderr after poolctl waited on, answered or not
    unread_at_exit: int | None = None  # bytes left in its stdin pipe once it had exited
    samples: list[StackSample] = field(default_factory=list)  # taken while poolctl kept waiting
    # its processes read again as its late answer came: the CPU it waited for over its start
    # and its request (the look at the timeout holds little of it: a start slowed past its
    # timeout had waited 0.54 s by then, 2.2 s by its answer)
    at_answer: tuple[ProcState, ...] = ()
    results: dict[str, Result] = field(default_factory=dict)
    asked_again: Evidence | None = None  # experiments starved of CPU asked again (`starved`)
    # exited, its stdout still open: the processes holding the pipe (pid, fd, comm)
    stdout_holders: tuple[tuple[int, int, str], ...] = ()
    # where `pending` starts in the stdout transcript, when known (None: not known for sure)
    pending_at: int | None = None
    stdout_seen: int = 0  # bytes of stdout when the evidence was collected
    helps: dict[tuple[str, ...], str] = field(default_factory=dict)  # `--help`s read, by argv

    @property
    def framing(self) -> str:
        return self.worker.framing.name

    @property
    def protocol(self) -> str:
        return self.worker.protocol.name

    @property
    def stray_json(self) -> bool:
        """The stream broke on JSON that is no JSON-RPC message (a JSON logger's line)."""
        error = self.worker.frame_error
        return isinstance(error, StrayOutput) and error.json

    @property
    def merged(self) -> bool:
        return self.worker.spec.stderr is StderrMode.MERGE

    @property
    def running_program(self) -> str:
        """The program its process runs, seen live (/proc/PID/exe): a start script that
        `exec`d its server shows the server's ("" when it was not seen running)."""
        leader = self.live.leader if self.live is not None else None
        return leader.exe if leader is not None else ""

    def rel(self, path: Path) -> str:
        """A path inside the run folder, as the evidence origin shows it."""
        try:
            return str(path.relative_to(self.run_dir))
        except ValueError:
            return str(path)

    @property
    def stdout_origin(self) -> str:
        return self.rel(self.worker.stdout_path)

    @property
    def stderr_origin(self) -> str:
        """Where its stderr is to be read: its file, or what became of it."""
        mode = self.worker.spec.stderr
        if mode is StderrMode.DISCARD:
            return "discarded here: `--stderr capture`, a scenario's `stderr: capture`, keeps it"
        if mode is StderrMode.MERGE:
            return f"{self.stdout_origin}, merged into stdout"
        return self.rel(self.worker.stderr_path)

    def pending_origin(self) -> str:
        """The stdout file, and the bytes of it `pending` is, when poolctl knows where they
        start: from the decoder, or its first bytes found once alone in the transcript (in
        repetitive output a search finds an earlier repeat: no offset then)."""
        data = bytes(self.worker.transcript.data)
        start = self.pending_at
        if start is None and self.pending:
            start = only_place(data, self.pending)
        if start is None or start >= len(data) or not self.pending:  # or past what is kept
            return self.stdout_origin
        return f"{self.stdout_origin} bytes {start}-{start + len(self.pending) - 1}"


def only_place(data: bytes, part: bytes) -> int | None:
    """Where the first 64 bytes of `part` are in `data`, when they are there once alone."""
    head = part[:64]
    start = data.find(head)
    return start if start >= 0 and data.find(head, start + 1) < 0 else None


def stderr_now(worker: WorkerProcess) -> str:
    """The end of what the worker wrote to stderr so far (its stdout's, merged), redacted."""
    if worker.spec.stderr is StderrMode.CAPTURE:
        stderr = worker.stderr_tail()
    elif worker.spec.stderr is StderrMode.MERGE:
        stderr = bytes(worker.transcript.data[-16384:]).decode("utf-8", "replace")
    else:
        stderr = ""
    return worker.redactor.text(stderr)


def collect(
    worker: WorkerProcess, failed: NoAnswer, timeout: float, run_dir: Path, experiments: bool
) -> Observations:
    """What the failed exchange left behind."""
    if worker.poll() is not None:  # gone since the wait ended: its last words are still unread
        worker.drain_stdout()
        # and read as the wait reads them: a line of text breaks the stream there (a worker
        # that printed its usage and exited before its request was written, on a loaded
        # machine, had its usage recorded and no word of it in the diagnosis)
        worker.take_answer(failed.request)
    pending = worker.pending_stdout()
    pending_at: int | None = worker.decoder.consumed  # where the decoder's own bytes start
    error = worker.frame_error
    if error is not None:  # reading on shows what came behind, and a crash right after it
        if isinstance(error, StrayOutput):
            # a blank line is found nowhere by its bytes: the first one starts stdout
            blank = not error.payload.strip() and error.first and worker.framing.is_line
            pending, pending_at = _what_followed(worker, error.payload, 0 if blank else None)
        else:
            pending, pending_at = _what_followed(worker, pending, pending_at)
    status = worker.poll()
    if status is None and (failed.reason in ("exited", "write-failed") or worker.stdout_eof):
        end = time.monotonic() + 1.0  # it closed its pipes: give it a moment to be reaped
        while worker.poll() is None and time.monotonic() < end:
            time.sleep(0.02)
        status = worker.poll()
    stderr = stderr_now(worker)
    # Every quote of the evidence is cut short: it is redacted here, whole, before any cut
    # (same length: offsets into the transcript still hold).
    redactor = worker.redactor
    pending = redactor.bytes(pending, same_length=True)
    explanation = explain(pending, worker.framing) if pending else None
    truly = (
        counted_in_characters(pending, len(error.payload))
        if isinstance(error, StrayOutput) and worker.framing.kind == "content-length"
        else None
    )
    if truly is not None:
        assert isinstance(error, StrayOutput)
        explanation = Explanation(
            "bad-header",
            f"its Content-Length: {len(error.payload)} counts the message's characters, not "
            f"its bytes: the message is {truly} bytes of UTF-8 (non-ASCII text in it), so a "
            f"reader cuts it {truly - len(error.payload)} bytes short: "
            f"{quote(error.payload, 60, redactor=redactor)}",
        )
    elif (recoded := _reencoded(worker, explanation)) is not None:
        (explanation, pending), pending_at = recoded, 0
    elif (cut := _header_cut_short(worker, explanation)) is not None:
        (explanation, pending), pending_at = cut, None
    elif (printed := _printed_set_aside(worker, explanation)) is not None:
        (explanation, pending), pending_at = printed, None
    elif isinstance(error, StrayOutput) and error.json:
        explanation = Explanation(
            "json-not-message",
            f"a JSON object that is not a JSON-RPC message (no jsonrpc 2.0 with a method, "
            f"result or error): {quote(error.payload, redactor=redactor)}",
        )
    frame = worker.framing.encode(failed.request.to_json())
    return Observations(
        worker=worker,
        failed=failed,
        timeout=timeout,
        request_frame=frame,
        exit_before=status,
        stdout_closed=status is None and worker.stdout_eof,
        stderr_text=stderr,
        pending=pending,
        explanation=explanation,
        answer_behind=behind_stray(worker, failed.request.id, failed.request.envelope),
        stdout_holders=_holders_after_exit(worker, status),
        run_dir=Path(worker.capture_dir).parent,
        experiments_enabled=experiments,
        request_sent_at=_sent_at(worker, failed),
        unread_at_exit=stdin_unread(worker) if status is not None else None,
        pending_at=pending_at if pending else None,
        stdout_seen=worker.transcript.total,
    )


def explain_what_came_since(obs: Observations) -> None:
    """Frames re-encoded on their way out that came on stdout after the evidence was collected,
    none before (a start slower than the timeout, its answer flushed as a probe closed its
    stdin: an Elixir worker's answer was set aside as 'a frame no client can read', with the
    fix to build answers with a JSON encoder), explained as those at the timeout are. Other
    bytes that came then are judged by what came at the close (`close_probe`)."""
    if (recoded := reencoded_since(obs)) is not None:
        (obs.explanation, obs.pending), obs.pending_at = recoded, 0


def reencoded_since(obs: Observations) -> tuple[Explanation, bytes] | None:
    """The frames re-encoded on their way out that came on stdout after the evidence was
    collected, none before (see `explain_what_came_since`), as `_reencoded` tells them."""
    worker = obs.worker
    if obs.explanation is not None or worker.transcript.total <= obs.stdout_seen:
        return None
    pending = worker.redactor.bytes(worker.pending_stdout(), same_length=True)
    stray = explain(pending, worker.framing) if pending else None
    return _reencoded(worker, stray)


def _sent_at(worker: WorkerProcess, failed: NoAnswer) -> float:
    """When the failed request was written, in seconds since spawn: as the exchange recorded
    it, else (a request not exchanged, as a pool's) reckoned back from how long it waited. The
    reckoning comes late by the time between the wait's end and now, which put a notification
    that came right after the request before it (`the last -0.0 s after it`)."""
    last = worker.last_request
    if last is not None and last[0] == failed.request.id:
        return last[1]
    return max(0.0, worker.elapsed() - failed.waited)


def _what_followed(
    worker: WorkerProcess, broke_on: bytes, at: int | None, quiet: float = 0.2
) -> tuple[bytes, int | None]:
    """The stream broke on `broke_on` (at byte `at` of stdout, when known): read on until
    stdout is quiet, to see what came behind (often the answer itself), and return the bytes
    from the break on, and where they start (None: not known for sure). Quiet is not enough
    while the worker neither waits for input nor is gone (at most a second, three behind an
    error-level log line): it may be on its way out, and its exit is evidence too (fortls,
    after the window/showMessage it writes spoken line framing, logs a traceback and exits;
    on a loaded machine the exit came more than 0.2 s after that frame, and was not seen)."""
    # an error-level log line (its command sent its stderr to stdout) is often its last word:
    # mcp-server-git's exit after its `ERROR:…` came more than a second later under load
    last_words = logged_error(broke_on.decode("utf-8", "replace")) is not None
    end = time.monotonic() + (3.0 if last_words else 1.0)
    while time.monotonic() < end:
        if worker.read_stdout(min(quiet, max(0.0, end - time.monotonic()))):
            continue
        if worker.stdout_eof or worker.poll() is not None or _waits_for_input(worker):
            break
    data = bytes(worker.transcript.data)
    start = at if at is not None and at < len(data) else None
    if start is None and broke_on:  # a frame set aside: found where it is alone
        start = only_place(data, broke_on)
        if start is None and (first := data.find(broke_on[:64])) >= 0:
            return data[first : first + ERROR_CONTEXT], None  # a repeat's bytes, the same
    if start is None:
        return broke_on, None
    return data[start : start + ERROR_CONTEXT], start


def _waits_for_input(worker: WorkerProcess) -> bool:
    if worker.proc is None or worker.proc.stdin is None or worker.proc.stdin.closed:
        return True  # poolctl closed its stdin: not told apart from waiting, not waited for
    stdin_pipe = procinfo.pipe_name(worker.proc.stdin.fileno())
    return procinfo.waits_for_input(family_pids(worker), stdin_pipe)


def _reencoded(
    worker: WorkerProcess, explanation: Explanation | None
) -> tuple[Explanation, bytes] | None:
    """Frames whose bytes over 127 were each written as two UTF-8 bytes on the way out (the
    stream broke on them as junk): that, and the stdout's first bytes to quote."""
    if explanation is None or explanation.kind == "frames" or worker.framing.kind == "line":
        return None
    data = bytes(worker.transcript.data)
    said = reencoded(data, worker.framing) if len(data) <= _REENCODED_MAX else None
    return (
        None
        if said is None
        else (said, worker.redactor.bytes(data[:ERROR_CONTEXT], same_length=True))
    )


_REENCODED_MAX = 1 << 20  # a stream checked whole for it, and no larger


def _header_cut_short(
    worker: WorkerProcess, explanation: Explanation | None
) -> tuple[Explanation, bytes] | None:
    """Stray bytes that are the end of a message whose header counted less than it (the frame
    before them set aside as no JSON, left unread as the stream broke on them, or the one it
    broke on): that, and the bytes from the header on to quote."""
    stray = ("text", "binary", "truncated", "json-without-header")  # what the rest reads as
    if explanation is None or explanation.kind not in stray:
        return None
    stream = bytes(worker.transcript.data)
    error = worker.frame_error  # in JSON-RPC, a frame that is no JSON breaks the stream
    broke_on = [error.payload] if isinstance(error, StrayOutput) else []
    for payload in (broke_on or worker.frames or worker.stray_payloads)[-1:]:
        cut = header_cut_short(stream, payload, worker.framing)
        if cut is not None:
            start = stream.find(payload) - len(cut.header)
            return cut, stream[start : start + len(cut.header) + cut.whole_json]
    return None


def _printed_set_aside(
    worker: WorkerProcess, explanation: Explanation | None
) -> tuple[Explanation, bytes] | None:
    """Frames set aside that are all text, not JSON (a log line in line framing after its
    first message, where only a first one breaks the stream), or, before any message, bytes
    that are no JSON at all cut into frames (binary in packet-1, where any byte reads as a
    length): what it printed, and its bytes. They were "frames that are not its answer", the
    fix to answer in the envelope, and prints to stdout ruled out: "no text arrived"."""
    payloads = worker.stray_payloads
    if not payloads or any(p.lstrip()[:1] in (b"{", b"[") for p in payloads):
        return None
    said = [explain(p.rstrip(b"\r\n") + b"\n", "line") for p in payloads]
    lines = all(p and e.kind == "text" for p, e in zip(payloads, said, strict=True))
    if lines and explanation is None:
        return said[0], payloads[0]
    cut = explanation is not None and explanation.kind in ("truncated", "binary")
    if worker.messages_read or not worker.framing.header_size or not (explanation is None or cut):
        return None
    data = bytes(worker.transcript.data[:ERROR_CONTEXT])
    what = (
        f"binary data that is no JSON, {quote(data)}: read as {worker.framing.name} frames, "
        f"{worker.stray_count:,} frame(s) of it, each set aside as answering nothing"
    )
    return Explanation("binary", what), data


def _holders_after_exit(
    worker: WorkerProcess, status: ExitStatus | None
) -> tuple[tuple[int, int, str], ...]:
    """The processes that still hold the worker's stdout pipe once it exited without end of
    file on it: what it left running in the background (a daemon, a `&` job)."""
    if status is None or worker.stdout_eof:
        return ()
    return tuple(procinfo.holders_of_our_fd(worker.stdout_fd, exclude=[worker.pid]))


def family_pids(worker: WorkerProcess) -> list[int]:
    """The worker's pid first, then its descendants."""
    try:
        others = sorted(worker.family() - {worker.pid})
    except OSError:
        others = []
    return [worker.pid, *others]


def look_live(worker: WorkerProcess, stack_file: Path, settle: float = 0.15) -> Live:
    """Snapshot the worker's processes twice (a blocked writer stays blocked), then dump stacks."""
    assert worker.proc is not None and worker.proc.stdin is not None
    stdin_fd = worker.proc.stdin.fileno()
    stdin_pipe = procinfo.pipe_name(stdin_fd)
    stdout_pipe = procinfo.pipe_name(worker.stdout_fd)
    unread = procinfo.unread_bytes(stdin_fd)
    elapsed = worker.elapsed()
    pids = family_pids(worker)
    first = [s for s in (procinfo.snapshot(p) for p in pids) if s is not None]
    time.sleep(settle)
    second = [s for s in (procinfo.snapshot(p) for p in pids) if s is not None]
    on_discarded = worker.fd_is_discarded_stderr(1)
    writers = _blocked_writers(first, second)
    stacks: list[PyStack | NoStack] = []
    from . import pystack

    for p in second:
        if len(stacks) >= MAX_STACK_DUMPS:
            break
        if p.pid == worker.pid or "python" in os.path.basename(p.exe):
            stacks.append(pystack.dump(p.pid, children=worker.context.children))
    live = Live(
        processes=tuple(second),
        stacks=tuple(stacks),
        stdin_pipe=stdin_pipe,
        stdout_pipe=stdout_pipe,
        stdin_unread=unread,
        elapsed=elapsed,
        blocked_writers=tuple(writers),
        stack_file=stack_file,
        cwd=worker.spec.cwd,
        listening=_listening(second),
        stdout_on_discarded_stderr=on_discarded,
        program=running_program(worker.pid),
    )
    write_stack_file(live, worker, stack_file)
    return live


def _listening(processes: list[ProcState]) -> tuple[tuple[ProcState, int, str], ...]:
    """The sockets `processes` listen on, with their fds and addresses."""
    sockets = procinfo.listening_sockets()
    return tuple(
        (p, fd, sockets[target])
        for p in processes
        for fd, target in sorted(p.fds.items())
        if target in sockets
    )


def _blocked_writers(first: list[ProcState], second: list[ProcState]) -> list[Blocked]:
    before = {
        (p.pid, t.tid): t.syscall
        for p in first
        for t in p.threads
        if t.syscall is not None and t.syscall.name in WRITES
    }
    found = []
    for p in second:
        for t in p.threads:
            sc = t.syscall
            if sc is None or sc.name not in WRITES or (p.pid, t.tid) not in before:
                continue
            if before[(p.pid, t.tid)] != sc or t.state not in ("S", "D"):
                continue
            target = p.fds.get(sc.fd, "?") if sc.fd is not None else "?"
            text = f"pid {p.pid} ({p.comm}) is blocked in {sc.describe(p.fds)}"
            if t.wchan:
                text += f" (wchan {t.wchan})"
            found.append(Blocked(p, t, target, text))
    return found


# what kcmp said of the worker's fd 1 and the /dev/null poolctl gave it as stderr
DISCARDED_STDOUT = {
    True: "fd 1 is the open /dev/null poolctl gave it as its stderr (--stderr discard)",
    False: "fd 1 is not the open /dev/null poolctl gave it as its stderr",
}


def write_stack_file(live: Live, worker: WorkerProcess, path: Path) -> None:
    """The stack dumps and /proc snapshots, for the run folder."""
    lines = [
        f"worker {worker.worker_id}: {' '.join(worker.spec.argv)}",
        f"taken {live.elapsed:.3f} s after spawn; stdin {live.stdin_pipe} "
        f"({live.stdin_unread if live.stdin_unread is not None else '?'} bytes unread), "
        f"stdout {live.stdout_pipe}",
        "",
    ]
    for p in live.processes:
        lines.append(p.describe())
        fds = ", ".join(f"{k}={v}" for k, v in p.fds.items())
        lines.append(f"  exe {p.exe or '?'}; fds {fds}")
        if p.pid == worker.pid and live.stdout_on_discarded_stderr is not None:
            lines.append(f"  {DISCARDED_STDOUT[live.stdout_on_discarded_stderr]} (kcmp)")
        lines.append(f"  parent pid {p.ppid}, session {p.sid or '?'}; cmdline {p.cmdline or '?'}")
        for t in p.threads:
            sc = t.syscall.describe(p.fds) if t.syscall is not None else "?"
            lines.append(f"  thread {t.tid}: state {t.state}, syscall {sc}, wchan {t.wchan or '-'}")
    for s in live.stacks:
        lines.append("")
        lines.append(s.text(live.cwd) if isinstance(s, PyStack) else f"pid {s.pid}: {s.reason}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def stdin_unread(worker: WorkerProcess) -> int | None:
    """Bytes still unread in the worker's stdin pipe (None once it is closed)."""
    stdin = worker.proc.stdin if worker.proc is not None else None
    if stdin is None or stdin.closed:
        return None
    return procinfo.unread_bytes(stdin.fileno())


def wait_longer(
    worker: WorkerProcess,
    request: Request,
    until: float,
    on_tick: Callable[[], object] | None = None,
    ticks: int = MAX_SAMPLES,
    once_read: tuple[float, Callable[[float], object]] | None = None,
    extend: tuple[Callable[[], float], float] | None = None,
    keep: Callable[[Response], object] | None = None,
) -> float | None:
    """Keep waiting on the original process; the seconds since spawn at which it answered.
    `on_tick` runs `ticks` times, evenly spread over the wait. With `once_read` (seconds, a
    callback), a request still unread when the wait began is waited for that much longer once
    its stdin pipe is seen empty, and the callback is given the seconds since spawn by then.
    With `extend` (seconds to add, the latest end), the wait is as much longer as the first
    says, up to the second. `keep` is given the answer, if one came."""
    every = max(0.2, (until - time.monotonic()) / (ticks + 1))
    tick = time.monotonic() + every
    while True:
        if (answer := worker.take_answer(request)) is not None:
            if keep is not None:
                keep(answer)
            return worker.elapsed()
        now = time.monotonic()
        if once_read is not None and stdin_unread(worker) == 0:
            until = min(until, now + once_read[0])  # its start-up is over: busy with it now
            once_read[1](worker.elapsed())
            once_read = None
        remaining = until - now
        if extend is not None:
            remaining = min(until + extend[0](), extend[1]) - now
        if remaining <= 0 or worker.stdout_eof or worker.frame_error is not None:
            return None
        if on_tick is not None and now >= tick:
            on_tick()
            tick = now + every
            continue
        worker.read_stdout(min(remaining, tick - now) if on_tick is not None else remaining)


def sample_stack(worker: WorkerProcess, live: Live) -> StackSample | None:
    """Dump the Python stack of the process that would read the request (the leader, or the
    one it handed its stdin to) once more and add it to the stack file; None when it has no
    Python stack (the first dump said why)."""
    reader = live.reader()
    pid = reader.pid if reader is not None else worker.pid
    if not any(isinstance(s, PyStack) and s.pid == pid for s in live.stacks):
        return None
    from . import pystack

    stack = pystack.dump(pid, children=worker.context.children)
    if not isinstance(stack, PyStack):
        return None
    sample = StackSample(worker.elapsed(), stack)
    if live.stack_file is not None:
        with live.stack_file.open("a", encoding="utf-8") as out:
            out.write(f"\nsample taken {sample.elapsed:.3f} s after spawn, while poolctl waited\n")
            out.write(stack.text(live.cwd) + "\n")
    return sample
