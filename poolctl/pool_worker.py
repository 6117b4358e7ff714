"""One worker process driven by the pool's event loop: its stdout read as it arrives, requests
matched to responses by id, its end noticed at once, a request that outlives it failed with why.

A worker ends as an Erlang port does: at end of file on its stdout. The exit of the process the
pool started (its pidfd) ends it only with its pipe: a worker that went to the background
(`cmd &` in a wrapper, a double fork) leaves a child holding the pipes, and that child serves on,
as it does in a real port. A worker that closes its stdout and runs on can answer nothing more.

A request's outcome is handed to its callback from the loop's own reader callback, in the same
pass that read the response: the pool checks the worker in and gives it to the next waiter
before any task wakes up.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from poolctl.answered import DUPLICATE
from poolctl.events import Trace
from poolctl.pipe_fill import unread_bytes
from poolctl.pool_line import DEADLINE_SLACK
from poolctl.proctree import descendants
from poolctl.program import Program, program_change, running_program
from poolctl.protocol import Request
from poolctl.worker import READ_CHUNK, WorkerProcess
from poolctl.worker_types import Answer, NoAnswer, NoAnswerReason


class State(StrEnum):
    """Where a pooled worker is in its life."""

    STARTING = "starting"
    IDLE = "idle"
    BUSY = "busy"
    DEAD = "dead"
    RETIRED = "retired"


Done = Callable[[Answer | NoAnswer], None]


DRAIN_CHUNKS = 64  # at most this many reads of stdout once the worker has exited
EXIT_GRACE = 0.2  # after end of file on stdout, the wait for the exit status that names the end
# a response no request waits for, set aside (a late answer, a duplicate): said, and read back
UNAWAITED = "response for id {!r} nobody awaits"
UNAWAITED_RE = re.compile(r"^response for id (?P<id>.+) nobody awaits$")
TRANSCRIPT_FLUSH = 0.1  # the stdout transcript reaches its file at most this long after a read
# a request written this long after its memory cgroup was noted notes it again (two reads of
# /proc, 60 us: not one for every request)
MEMCG_EVERY = 0.5


# said of a request a worker's closed stdin refused while it runs on
STDIN_CLOSED = "it closed its stdin itself, so no request can reach it"


@dataclass(eq=False, slots=True)
class _InFlight:
    """A request written (or being written) to the worker, waiting for its response."""

    request: Request
    done: Done
    start: float  # monotonic, just before its first byte was written
    timeout: float
    written: int = 0  # of its frame's bytes, those the pipe took
    refused: bool = False  # its write met a closed pipe (EPIPE): the worker's stdin had closed

    @property
    def deadline(self) -> float:
        return self.start + self.timeout


# how a worker that closed its stdout and runs on ended: no signal, no exit of its own
CLOSED_STDOUT = "closed its stdout and runs on"


class PooledWorker:
    """One worker process driven by the event loop: requests matched to responses by id."""

    def __init__(self, process: WorkerProcess, overflow: bool, trace: Trace | None = None) -> None:
        self.process = process
        self.id = process.worker_id
        self.overflow = overflow
        self.state = State.STARTING
        self.pending: dict[Any, _InFlight] = {}
        self.trace = trace
        self.gone: str | None = None  # why requests can no longer be answered
        self.caller: str | None = None
        self.init_seconds: float | None = None
        self.reported: dict[str, Any] = {}  # what the init ping answered (mode, pid, …)
        self.abandoned: set[Any] = set()  # ids of the requests failed as it ended or stopped
        self.diagnosed = False  # its init got no answer and the no-answer engine watches it
        self.exited = asyncio.Event()
        self.answered_as: Program | None = None  # its program when it first answered
        # where its fd 1 pointed when the pool read end of file, alive ("" closed, or unread),
        # and whether that was the /dev/null poolctl gave it as its discarded stderr (kcmp)
        self.stdout_moved_to = ""
        self.stdout_on_discarded_stderr: bool | None = None
        # at its end, the bytes of its stdin it never read (None: not read, or stdin closed)
        self.stdin_unread: int | None = None
        self._pidfd: int | None = None
        self._on_exit: Callable[[PooledWorker], None] = lambda worker: None  # set by attach()
        self._on_background: Callable[[PooledWorker], None] = lambda worker: None
        self._loop = asyncio.get_running_loop()
        assert process.proc is not None and process.proc.stdin is not None
        self._stdin_fd = process.proc.stdin.fileno()
        # One timer for every request's timeout, armed for the earliest deadline: a request
        # answered in time costs no timer of its own (see `_on_deadline`).
        self._deadline_timer: asyncio.TimerHandle | None = None
        self._deadline_at = 0.0
        # The transcript's copy on disk is written from the loop, off the answer's path.
        process.transcript.deferred = True
        self._flush_timer: asyncio.TimerHandle | None = None
        self._memcg_noted = 0.0  # monotonic; at its start too, by WorkerProcess.start
        if process.stderr_cap is not None and trace is not None:  # when its stderr log is capped
            process.stderr_cap.traced(trace, self.id)

    # --- wiring to the loop ---------------------------------------------------------------
    def attach(
        self,
        on_exit: Callable[[PooledWorker], None],
        on_background: Callable[[PooledWorker], None] = lambda worker: None,
    ) -> None:
        """Read its stdout and watch its exit from the loop: `on_exit` is called once it has
        ended, `on_background` when its process exited and left its stdout to a child."""
        self._on_exit = on_exit
        self._on_background = on_background
        self._loop.add_reader(self.process.stdout_fd, self._readable)
        try:
            self._pidfd = os.pidfd_open(self.process.pid)
        except OSError:  # the process is already gone, or no pidfd here: EOF tells instead
            self._pidfd = None
        if self._pidfd is not None:
            self._loop.add_reader(self._pidfd, self._on_exit_signal)

    def detach(self) -> None:
        with contextlib.suppress(Exception):
            self._loop.remove_reader(self.process.stdout_fd)
        self._unwatch_exit()

    def _unwatch_exit(self) -> None:
        if self._pidfd is not None:
            with contextlib.suppress(Exception):
                self._loop.remove_reader(self._pidfd)
            os.close(self._pidfd)
            self._pidfd = None

    def _readable(self) -> None:
        self._read_once()

    def _read_once(self) -> bool:
        """Read one chunk of stdout and hand out the responses it completes; False when nothing
        was there to read."""
        try:
            chunk = os.read(self.process.stdout_fd, READ_CHUNK)
        except BlockingIOError:
            return False
        except OSError:
            chunk = b""
        if not chunk:
            self._stdout_closed()
            return False
        read_at = time.monotonic()  # the round trip ends with the read that completes a frame
        self.process.on_stdout(chunk, read_at)
        if self._flush_timer is None and self.process.transcript.unwritten:
            self._flush_timer = self._loop.call_later(TRANSCRIPT_FLUSH, self._flush_transcript)
        frames, self.process.frames = self.process.frames, []  # consumed here, none left behind
        for payload in frames:
            response = self.process.read_message(payload)
            if response is None:
                continue
            flight = self.pending.pop(response.id, None)
            if flight is None:
                self._unawaited(response.id, payload)
                continue
            self.process.answered += 1
            if self.answered_as is None:  # a worker that exec()s later is told from this
                self.answered_as = running_program(self.process.pid)
            self.process.answered_ids.add(response.id)
            flight.done(Answer(flight.request, response, read_at - flight.start))
        if self.process.frame_error is not None:  # no frame can be read after it: ended,
            # the pool told first (stopped, replaced), then its callers failed with why
            self.gone = self.gone or f"bad frame on stdout: {self.process.frame_error.message}"
            self._end()
        return True

    def read_left(self) -> None:
        """Read the frames its stop drained from the pipe, once detached: an answer that came
        as it stopped (a slow request's, after its timeout) is set aside as any late one is,
        not left unread in the decoder. The answer to a request the stop itself failed (an
        init cancelled, a call cut by an abort) is no stray."""
        frames, self.process.frames = self.process.frames, []
        for payload in frames:
            response = self.process.read_message(payload)
            if response is not None and response.id not in self.abandoned:
                self._unawaited(response.id, payload)

    def _unawaited(self, answer_id: Any, payload: bytes) -> None:
        """Set aside a response no request awaits; a second answer is traced, with its bytes."""
        if answer_id not in self.process.answered_ids:  # late (its request timed out), or unasked
            self.process.set_aside(UNAWAITED.format(answer_id), payload)
            return
        quoted = self.process.quoted(payload)
        self.process.set_aside(DUPLICATE.format(answer_id, quoted), payload)
        if self.trace is not None:
            self.trace.emit("duplicate_answer", worker=self.id, id=answer_id, frame=quoted)

    def _stdout_closed(self) -> None:
        """End of file on stdout: nothing more can be read, and the worker has ended. Its exit
        status, which names the end, usually follows at once; a worker that runs on without
        its stdout is ended all the same, after `EXIT_GRACE`."""
        self.process.stdout_eof = True
        with contextlib.suppress(Exception):
            self._loop.remove_reader(self.process.stdout_fd)
        if self.process.poll() is not None:
            self._end()
        else:
            # alive: its fd 1 may point elsewhere now (`os.dup2(2, 1)`, `exec >/dev/null`),
            # which /proc tells only while it runs
            with contextlib.suppress(OSError):
                self.stdout_moved_to = os.readlink(f"/proc/{self.process.pid}/fd/1")
            self.stdout_on_discarded_stderr = self.process.fd_is_discarded_stderr(1)
            self._loop.call_later(EXIT_GRACE, self._end)

    def _on_exit_signal(self) -> None:
        """The process the pool started exited (its pidfd is readable)."""
        if self.exited.is_set() or self.process.poll() is None:
            return  # pidfd readable means exited; poll() sees it on the next pass
        self._unwatch_exit()  # a pidfd stays readable: it is watched once
        self._drain_stdout()  # what it wrote before it exited; end of file when it held stdout
        if self.process.stdout_eof:
            self._end()
        else:  # a child holds its stdout, and reading goes on until end of file
            self._on_background(self)

    def _end(self) -> None:
        """The worker has ended: the pool is told first (a failed caller must not check it
        in), then every request in flight fails with why."""
        if self.exited.is_set():
            return
        # the pipe keeps what nobody read after its reader exited, while poolctl holds its end
        self.stdin_unread = unread_bytes(self._stdin_fd)
        self.detach()
        self.exited.set()
        self.gone = self.gone or f"worker {self.id} (pid {self.process.pid}) {self.ending}"
        self._on_exit(self)
        self.fail_pending(self.gone)

    def request_fate(self) -> str | None:
        """Whether the requests in flight as it ended reached it: "unwritten" (the pipe
        refused them, its reader gone, or not a byte was written), "unread" (every byte
        written still in the pipe), "read" (it took some), or None when none was in flight or
        the pipe could not be read. Asked as it ends, before they are failed."""
        flights = list(self.pending.values())
        if not flights:
            return None
        written = sum(f.written for f in flights)
        if written == 0 and any(f.refused for f in flights):
            return "unwritten"
        if self.stdin_unread is None:
            return None
        if written == 0:
            return "unwritten"
        return "unread" if self.stdin_unread >= written else "read"

    def written_in_flight(self) -> int:
        """The bytes of the requests in flight that the stdin pipe took."""
        return sum(f.written for f in self.pending.values())

    @property
    def ending(self) -> str:
        """How it ended: its exit status, or, while it runs on, its broken or closed stdout."""
        status = self.process.poll()
        if status is not None:
            return status.describe()
        if self.process.frame_error is not None:
            return f"broke its stdout stream ({self.process.frame_error.message})"
        return CLOSED_STDOUT if self.process.stdout_eof else "running"

    def _drain_stdout(self) -> None:
        """Read what the worker wrote before it exited: the loop may report the exit before the
        answer waiting in the pipe, and that answer was given. Bounded, since a child that
        inherited the pipe may write on."""
        for _ in range(DRAIN_CHUNKS):
            if self.process.stdout_eof or not self._read_once():
                return

    def fail_pending(self, why: str) -> None:
        """Fail every request in flight with `why`; later ones fail at once."""
        self.gone = self.gone or why
        pending, self.pending = self.pending, {}
        self.abandoned.update(pending)
        reason: NoAnswerReason = "bad-frame" if self.process.frame_error is not None else "exited"
        now = time.monotonic()
        for flight in pending.values():
            flight.done(NoAnswer(flight.request, reason, why, now - flight.start))

    def _flush_transcript(self) -> None:
        self._flush_timer = None
        self.process.transcript.flush()

    # --- requests -------------------------------------------------------------------------
    def send(self, request: Request, timeout: float, done: Done) -> int:
        """Write `request`; `done` gets its answer, or the timeout, the worker's death or a
        failed write — always later than this call, from one of the loop's callbacks. Returns
        the size of the request's frame."""
        if self.gone is not None:
            self._loop.call_soon(done, NoAnswer(request, "exited", self.gone, 0.0))
            return 0
        frame = self.process.send(request)
        start = time.monotonic()  # the round trip starts before the first byte is written
        flight = _InFlight(request, done, start, timeout)
        self.pending[request.id] = flight
        self._arm(flight.deadline)
        try:
            written = os.write(self._stdin_fd, frame)
        except BlockingIOError:
            written = 0
        except OSError as exc:
            if exc.errno not in (errno.EPIPE, errno.EBADF):
                raise
            flight.refused = True
            self._loop.call_soon(self._write_failed, request.id)
            return len(frame)
        flight.written = written
        if start - self._memcg_noted >= MEMCG_EVERY:
            # a cgroup it joined since (`cgexec`, the worker itself), whose OOM killer's count
            # tells a SIGKILL's sender where the kernel log cannot be read
            self._memcg_noted = start
            self.process.note_memcg()
        if written < len(frame):  # a full pipe: the rest as it drains, within the timeout
            self._loop.create_task(self._write_rest(frame[written:], flight, start + timeout))
        return len(frame)

    async def request(self, request: Request, timeout: float) -> Answer | NoAnswer:
        """Send `request` and await its response, the worker's death, or the timeout."""
        future: asyncio.Future[Answer | NoAnswer] = self._loop.create_future()
        self.send(request, timeout, lambda outcome: settle(future, outcome))
        return await future

    def expire(self, request_id: Any) -> None:
        """End the wait for request `request_id` now (if it is still waited for), as its
        timeout would."""
        flight = self.pending.pop(request_id, None)
        if flight is not None:
            waited = time.monotonic() - flight.start
            flight.done(
                NoAnswer(flight.request, "timeout", f"no response in {waited:.1f} s", waited)
            )

    def _arm(self, deadline: float) -> None:
        """Have `_on_deadline` run by `deadline`. Deadlines mostly grow, so the timer armed for
        an earlier request usually serves: it fires, finds that request answered, and is
        armed again for the earliest request still waiting."""
        if self._deadline_timer is not None:
            if self._deadline_at <= deadline:
                return
            self._deadline_timer.cancel()
        self._deadline_at = deadline
        self._deadline_timer = self._loop.call_at(deadline, self._on_deadline)

    def _on_deadline(self) -> None:
        self._deadline_timer = None
        now = time.monotonic() + DEADLINE_SLACK
        due = [f for f in self.pending.values() if f.deadline <= now]
        for flight in due:
            if self.pending.pop(flight.request.id, None) is flight:
                waited = time.monotonic() - flight.start
                detail = f"no response within {flight.timeout:g} s" + self._program_changed()
                gone = self._stdin_gone()  # its request unread in the pipe, its fd 0 closed
                detail += f"; {gone}" if gone else ""
                flight.done(NoAnswer(flight.request, "timeout", detail, waited))
        if self.pending:
            self._arm(min(f.deadline for f in self.pending.values()))

    def _program_changed(self) -> str:
        """Said of a silent worker whose process runs another program than the one that
        answered before (poolctl/program.py); "" otherwise."""
        change = program_change(self.answered_as, running_program(self.process.pid))
        return f"; {change}" if change else ""

    def _write_failed(self, request_id: Any, size: int = 0) -> None:
        """A request whose write failed: said with how much of its `size` bytes the pipe took
        before it closed, when it took some (the worker may have read them)."""
        flight = self.pending.pop(request_id, None)
        if flight is not None:
            detail = "could not write the request"
            if flight.written and flight.refused:
                detail += (
                    f": its stdin closed after {flight.written:,} of its {size:,} bytes were "
                    "written"
                )
            elif flight.refused and (gone := self._stdin_gone()):  # no reader: fd 0 closed
                detail += f": its stdin pipe has no reader, and {gone}"
            elif flight.written:  # the pipe stayed full until its timeout
                detail += (
                    f": its stdin pipe took {flight.written:,} of its {size:,} bytes, and no "
                    "more within its timeout"
                )
            # what the worker had not read of it as the write failed (FIONREAD on our end)
            unread = unread_bytes(self._stdin_fd) if flight.written else None
            outcome = NoAnswer(
                flight.request,
                "write-failed",
                detail,
                0.0,
                written=flight.written,
                stdin_unread=unread,
            )
            flight.done(outcome)

    def _stdin_gone(self) -> str:
        """`pid 12 runs on, its fd 0 closed: it closed its stdin itself, …` for a worker alive
        whose fd 0 is no longer its stdin pipe, read from /proc ("" otherwise, or for one that
        ended): said of a request its stdin refused, or that timed out unread (it was 'could not
        write the request' or 'no response' alone, and the pattern's general advice)."""
        pid = self.process.pid
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
            ours = f"pipe:[{os.fstat(self._stdin_fd).st_ino}]"
        except (OSError, IndexError):  # gone, or our end closed
            return ""
        try:
            fd0 = "" if state == "Z" else os.readlink(f"/proc/{pid}/fd/0")
        except FileNotFoundError:  # no fd 0: closed
            fd0 = "closed"
        except OSError:
            return ""
        if not fd0 or fd0 == ours or self.process.poll() is not None:
            return ""
        if any(_holds(p, ours) for p in (pid, *descendants(pid))):  # a dup of it, a child's
            return ""
        where = fd0 if fd0 == "closed" else f"now {fd0}"
        return f"pid {pid} runs on, its fd 0 {where}: {STDIN_CLOSED}"

    async def _write_rest(self, data: bytes, flight: _InFlight, deadline: float) -> None:
        size = flight.written + len(data)
        if not await self._write(data, deadline, flight):
            self._write_failed(flight.request.id, size)

    async def write_frame(self, data: bytes, timeout: float) -> bool:
        """Write a frame that expects no answer (a notification)."""
        return await self._write(data, time.monotonic() + timeout)

    async def _write(self, data: bytes, deadline: float, flight: _InFlight | None = None) -> bool:
        fd = self._stdin_fd
        view = memoryview(data)
        while view:
            try:
                written = os.write(fd, view)
                view = view[written:]
                if flight is not None:
                    flight.written += written
                continue
            except BlockingIOError:
                pass
            except OSError as exc:
                if exc.errno in (errno.EPIPE, errno.EBADF):
                    if flight is not None:
                        flight.refused = True
                    return False
                raise
            writable: asyncio.Future[None] = self._loop.create_future()
            self._loop.add_writer(fd, resolve, writable)
            try:
                await asyncio.wait_for(writable, max(0.0, deadline - time.monotonic()))
            except TimeoutError:
                return False
            finally:
                self._loop.remove_writer(fd)
        return True


def _holds(pid: int, pipe: str) -> bool:
    """Whether process `pid` holds `pipe` (`pipe:[123]`) on any of its file descriptors."""
    folder = f"/proc/{pid}/fd"
    with contextlib.suppress(OSError):
        for fd in os.listdir(folder):
            with contextlib.suppress(OSError):
                if os.readlink(f"{folder}/{fd}") == pipe:
                    return True
    return False


def settle(future: asyncio.Future[Any], result: Any) -> None:
    """`future`'s result, unless it is already done (cancelled, timed out)."""
    if not future.done():
        future.set_result(result)


def resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
