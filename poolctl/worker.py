"""One worker process: spawned in its own process group, every byte it writes captured.

stderr goes straight to a file by file descriptor, so a worker that writes 50 MB there never
blocks (past `POOLCTL_STDERR_CAP` on disk the file's middle is dropped, and the report says so:
`poolctl.stderr_cap`); stdout is read by poolctl, decoded into frames and kept in a bounded
raw transcript. `stop()` closes stdin, sends SIGTERM, then SIGKILL after a grace period, to the
process group and every descendant.
"""

from __future__ import annotations

import contextlib
import os
import select
import subprocess
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from poolctl.answered import AnsweredIds
from poolctl.context import RunContext
from poolctl.errors import FramingError, ProtocolError, WorkerStartError
from poolctl.executable import start_error
from poolctl.framing import DEFAULT_MAX_FRAME, Decoder, Framing, get_framing
from poolctl.holes import read_tail
from poolctl.memory_cgroup import MemoryCgroup, memory_path, read_cgroup
from poolctl.open_file import same_open_file
from poolctl.pending_frames import keep_frames
from poolctl.pidfds import Held
from poolctl.pipe_fill import unread_bytes
from poolctl.process_end import ProcessEnd, read_end, still_running, wait_unreaped
from poolctl.proctree import Seen, family_seen, running, tick_now
from poolctl.program import Program, running_program
from poolctl.protocol import (
    Incoming,
    NotAMessage,
    NotJSON,
    Protocol,
    Request,
    RequestIds,
    Response,
    StrayOutput,
    WrongId,
    get_protocol,
    parse_message,
)
from poolctl.redact import Redactor
from poolctl.stderr_cap import StderrCap
from poolctl.stdin_write import write_all
from poolctl.transcript import TRANSCRIPT_LIMIT, Transcript
from poolctl.wait_end import WaitEnd
from poolctl.worker_capture import close_captures, open_captures
from poolctl.worker_end import end_with_family
from poolctl.worker_incoming import HELD_GRACE_S, answer_held, keep_incoming, not_json
from poolctl.worker_types import (
    STILL_RUNNING,
    TOKEN_ENV,
    Answer,
    ExitStatus,
    NoAnswer,
    StderrMode,
    WorkerSpec,
)

READ_CHUNK = 65536
STRAY_KEPT = 100  # frames that answered nothing, kept as evidence; the rest are counted


class WorkerProcess:
    """A running worker: spawn, send requests, await responses, stop.

    Reading is split so that both a blocking caller (`exchange`) and an event loop
    (`on_stdout`, fed by `loop.add_reader`) share one decoder and one transcript.
    """

    def __init__(
        self,
        spec: WorkerSpec,
        capture_dir: Path,
        worker_id: str = "w1",
        max_frame: int = DEFAULT_MAX_FRAME,
        transcript_limit: int = TRANSCRIPT_LIMIT,
        context: RunContext | None = None,
    ) -> None:
        self.spec = spec
        self.context = context if context is not None else RunContext()  # its run
        self.worker_id = worker_id
        self.framing: Framing = get_framing(spec.framing)
        self.protocol: Protocol = get_protocol(spec.protocol)
        self.capture_dir = Path(capture_dir)
        self.stderr_path = self.capture_dir / f"{worker_id}.stderr.log"
        self.stdout_path = self.capture_dir / f"{worker_id}.stdout.bin"
        self.decoder: Decoder = self.framing.decoder(max_frame)
        self.transcript = Transcript(transcript_limit)
        self.ids = RequestIds(envelope=self.protocol.envelope)
        self.frames: list[bytes] = []  # decoded, not yet consumed (bounded: `keep_frames`)
        self._pending_bytes = 0  # an upper bound on the bytes in `frames`
        self.stray: list[str] = []  # frames that answered nothing (the first STRAY_KEPT)
        self.answered = 0  # requests answered (`take_answer`; the pool counts its own)
        self.answered_as: Program | None = None  # its program when it first answered
        self.stray_payloads: list[bytes] = []  # their bytes
        self.stray_count = 0
        self.answered_ids = AnsweredIds()  # to tell a second answer from a stray one
        self.unwritten = 0  # bytes of the last write that never reached the stdin pipe
        self.written = 0  # bytes written to its stdin pipe in all (`write`)
        self.last_sent = b""  # the last message sent: read back unchanged, it was echoed
        self.notifications: list[Incoming] = []  # JSON-RPC notifications the server sent
        self.server_requests: list[Incoming] = []  # its requests to us, each answered
        # Once the session's closing is sent (LSP's shutdown), its requests are left unanswered,
        # as an editor closing a server leaves them: an answer after shutdown is one a server
        # may log as an error (pyrefly: `Unexpected response after shutdown`).
        self.closing = False
        self.left_unanswered: list[str] = []  # methods of its requests read once closing
        self.held: list[Incoming] = []  # those requests, answered if the closing waits for them
        self.answered_in_closing: list[str] = []  # methods of the held requests so answered
        self.notification_count = 0  # all of them (`notifications` keeps the first few)
        self.notifications_before = 0  # ... when the last request was encoded
        # the last request exchanged, and when it was written (seconds since spawn): how long
        # after it a notification or a late answer came is measured from there
        self.last_request: tuple[Any, float] | None = None
        self.request_written = 0.0  # monotonic time the last request was all in the pipe
        self.unread_at_timeout: int | None = None  # stdin pipe bytes unread as a wait timed out
        # whether the process had exited when a wait timed out: a process it left running held
        # its stdout open, so no end of file ended the wait
        self.exited_by_timeout = False
        # the latest, with the seconds since spawn each came at: progress while it works, or
        # an error it reports instead of answering
        self.recent_notifications: deque[tuple[float, Incoming]] = deque(maxlen=8)
        self.frame_error: FramingError | None = None  # the stream is broken from here on
        # a break the decoder met behind frames not read yet (an answer, then a log line in one
        # read): it holds once the last of those frames is read
        self.pending_break: FramingError | None = None
        self._before_break = 0
        self.messages_read = 0  # JSON messages read: text before the first breaks the stream
        self.proc: subprocess.Popen[bytes] | None = None
        self.started_at = ""
        self.started_mono = 0.0
        self.first_byte_mono: float | None = None
        self.last_read_mono = 0.0  # when the last chunk of stdout was read
        self._stdout_poll: select.poll | None = None
        self.stdout_eof = False
        self.exit_status: ExitStatus | None = None
        self.end: ProcessEnd | None = None  # its CPU time and limits at exit, read unreaped
        # its memory cgroup, noted at the start and as each request is written (gone at exit):
        # the OOM killer's count there tells a SIGKILL of it where the kernel log cannot
        self.memcg: MemoryCgroup | None = None
        self.stopped_by = ""
        self.stopped = False
        self._stop_lock = threading.Lock()
        self.token = uuid.uuid4().hex
        self.token_tick = tick_now()  # no process started before it can carry the token
        self.stderr_cap: StderrCap | None = None  # its stderr log's, while it is captured
        # the bytes in its stderr log when its stdin first closed: what came after is how it
        # ended (`ty server`: 'ty failed', 'Cause: disconnected channel'), not its start
        self.stderr_before_eof: int | None = None
        # the request awaited now may be waited for no longer: another thread's evidence
        # settled why no answer comes (`end_wait`)
        self.wait_end = WaitEnd()
        self._wait_poll: select.poll | None = None

    # --- life cycle -------------------------------------------------------------------------
    def start(self) -> WorkerProcess:
        """Spawn the command; raises `WorkerStartError` when it cannot run at all."""
        # its secret-named values and options are redacted from every output of the run
        self.context.secrets.remember_command(self.spec.argv, self.spec.env)
        self.capture_dir.mkdir(parents=True, exist_ok=True)
        stderr = open_captures(self)
        # The clock starts before the fork: a busy process (another thread holding the GIL,
        # a loaded machine) may return from the spawn long after the child began, and a start
        # timed from then was shorter than the worker's own import time.
        started_mono = time.monotonic()
        try:
            self.proc = self.context.children.spawn(
                self.spec.argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=stderr,
                env={**self.spec.environment(), TOKEN_ENV: self.token},
                cwd=self.spec.cwd,
                bufsize=0,
            )
        except OSError as exc:  # the program cannot start: one line says why
            close_captures(self)
            said = start_error(exc, self.spec.argv, self.spec.environment(), self.spec.cwd)
            if said is None:
                raise
            raise WorkerStartError(said) from None
        finally:
            if hasattr(stderr, "close"):
                stderr.close()
        if self.stderr_cap is not None:  # stopped by it where no hole can be punched
            self.stderr_cap.pid = self.proc.pid
        self.started_mono = started_mono
        self.started_at = datetime.now(UTC).isoformat()
        assert self.proc.stdin is not None and self.proc.stdout is not None
        os.set_blocking(self.proc.stdin.fileno(), False)
        os.set_blocking(self.proc.stdout.fileno(), False)
        self.note_memcg()
        return self

    def note_memcg(self) -> None:
        """Note its memory cgroup, read again only when it moved (`cgexec`, a worker joining
        one itself): the OOM killer's count there is compared with this one at its end."""
        assert self.proc is not None  # (once reaped, its pid may be another's)
        found = memory_path(self.pid) if self.proc.returncode is None else None
        alive = running(self.pid)  # looked at after: a zombie's cgroup reads as the root's
        if found and alive and (self.memcg is None or self.memcg.path != found[0]):
            self.memcg = read_cgroup(*found)

    def __enter__(self) -> WorkerProcess:
        return self if self.proc else self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def pid(self) -> int:
        assert self.proc is not None, "worker not started"
        return self.proc.pid

    @property
    def stdout_fd(self) -> int:
        assert self.proc is not None and self.proc.stdout is not None
        return self.proc.stdout.fileno()

    def poll(self) -> ExitStatus | None:
        """The exit status if the process has ended, else None."""
        if self.exit_status is None and self.proc is not None:
            if self.proc.returncode is None and self.end is None:  # read before it is reaped
                if still_running(self.proc.pid):  # (an end between a look and the reap: unread)
                    return None
                self.end = read_end(self.proc.pid)
            rc = self.proc.poll()
            if rc is not None:
                self.exit_status = ExitStatus.from_returncode(rc)
        return self.exit_status

    def fd_is_discarded_stderr(self, fd: int = 1) -> bool | None:
        """Whether its fd `fd` is the very /dev/null poolctl gave it as stderr (its stderr
        discarded): a copy of its fd 2 (`os.dup2(2, 1)`), not a /dev/null it opened itself.
        None when its stderr was not discarded, or the kernel would not say."""
        if self.spec.stderr is not StderrMode.DISCARD or not self.alive():
            return None
        return same_open_file(os.getpid(), self.context.devnull(), self.pid, fd)

    def alive(self) -> bool:
        return self.proc is not None and self.poll() is None

    def elapsed(self) -> float:
        """Seconds since spawn."""
        return time.monotonic() - self.started_mono

    @property
    def time_to_first_byte(self) -> float | None:
        if self.first_byte_mono is None:
            return None
        return self.first_byte_mono - self.started_mono

    # --- stdout -----------------------------------------------------------------------------
    def on_stdout(self, chunk: bytes, at: float | None = None) -> list[bytes]:
        """Record a chunk read from stdout (at monotonic time `at`, default now) and return the
        frames it completes."""
        now = time.monotonic() if at is None else at
        self.last_read_mono = now
        if self.first_byte_mono is None:
            self.first_byte_mono = now
        self.transcript.add(chunk, now)
        frames = self.decoder.feed(chunk)
        self._pending_bytes = keep_frames(self.frames, frames, self._pending_bytes)
        error = self.decoder.error
        if error is not None and self.frame_error is None and self.pending_break is None:
            if self.frames:
                self.pending_break, self._before_break = error, len(self.frames)
            else:
                self.frame_error = error
        return frames

    def read_stdout(self, timeout: float) -> bool:
        """Wait up to `timeout` for stdout; record what came. False on timeout or at EOF."""
        if self.stdout_eof:
            return False
        fd = self.stdout_fd
        if self._stdout_poll is None:  # made once: a ping waits on it for every answer
            self._stdout_poll = select.poll()
            self._stdout_poll.register(fd, select.POLLIN)
        if not self._stdout_poll.poll(max(0.0, timeout) * 1000):
            return False
        try:
            chunk = os.read(fd, READ_CHUNK)
        except BlockingIOError:
            return True
        if not chunk:
            self.stdout_eof = True
            return False
        self.on_stdout(chunk)
        return True

    def end_wait(self, reason: str) -> None:
        """Have the request awaited now (`exchange_request`, from another thread), or the next
        one, waited for no longer: the evidence that settles why no answer comes is in
        (`reason` says which)."""
        self.wait_end.end(reason)

    def _read_or_end(self, timeout: float) -> None:
        """Like `read_stdout`, woken by `end_wait` as well."""
        if self.stdout_eof:
            return
        if self._wait_poll is None:
            self._wait_poll = select.poll()
            self._wait_poll.register(self.stdout_fd, select.POLLIN)
            self._wait_poll.register(self.wait_end.fd(), select.POLLIN)
        ready = {fd for fd, _ in self._wait_poll.poll(max(0.0, timeout) * 1000)}
        if self.stdout_fd in ready or not ready:
            self.read_stdout(0)

    def pending_stdout(self) -> bytes:
        """Bytes that arrived but form no complete frame yet (or broke the stream)."""
        return self.decoder.pending()

    # --- stdin ------------------------------------------------------------------------------
    def write(
        self, data: bytes, deadline: float, given_up: Callable[[], bool] | None = None
    ) -> bool:
        """Write all of `data` to stdin before `deadline`; False if the worker stopped reading,
        or if `given_up` says so while its stdin is full (looked at every 50 ms)."""
        assert self.proc is not None and self.proc.stdin is not None
        self.unwritten = 0
        written, self.unwritten = write_all(
            self.proc.stdin.fileno(), data, deadline, self.stdout_fd, self.read_stdout, given_up
        )
        self.written += written
        self.note_memcg()
        return not self.unwritten

    # --- one exchange -----------------------------------------------------------------------
    def send(self, request: Request) -> bytes:
        """Encode `request` in the worker's framing (without writing it)."""
        payload = request.to_json()
        self.last_sent = payload
        self.notifications_before = self.notification_count  # those since: it works on it
        return self.framing.encode(payload)

    @property
    def redactor(self) -> Redactor:
        """The run's redactor, as it is now (this worker's secrets included)."""
        return self.context.secrets.redactor()

    def quoted(self, payload: bytes, limit: int = 200) -> str:
        """`payload` as evidence: redacted, then cut to `limit` bytes, as `repr` shows it."""
        return repr(self.redactor.bytes(payload)[:limit])

    def set_aside(self, what: str, payload: bytes = b"") -> None:
        """Keep (the first few of) the frames that answered no request, and count them all."""
        self.stray_count += 1
        if len(self.stray) < STRAY_KEPT:
            self.stray.append(what)
            # redacted before it is cut: a token cut in two would no longer be recognized
            self.stray_payloads.append(self.redactor.bytes(payload, same_length=True)[:4096])

    def read_message(self, payload: bytes, expected_id: Any = None) -> Response | None:
        """One frame read as a response (to `expected_id`, when given), or None.

        A frame that answers nothing is set aside; a JSON-RPC notification is kept, and a
        request from the server is answered (minimally) and kept. But a line that is not JSON
        where the first message should be (a banner, a log line: text on the framed stream)
        breaks the stream, as it breaks a strict reader: `frame_error` is set and nothing after
        it is read. In JSON-RPC, any frame that is no message breaks it, wherever it comes.
        """
        last_before_break = self._before_break == 1
        self._before_break = max(0, self._before_break - 1)
        try:
            return self._read_message(payload, expected_id)
        finally:
            if last_before_break and self.frame_error is None:
                self.frame_error = self.pending_break

    def _read_message(self, payload: bytes, expected_id: Any) -> Response | None:
        if self.frame_error is not None:
            return None
        if payload == self.last_sent:  # `cat`, `tee`: no answer, poolctl's own message
            self.set_aside(f"poolctl's own message, written back: {self.quoted(payload)}", payload)
            return None
        jsonrpc = self.protocol.envelope == "jsonrpc"
        try:
            message = parse_message(payload, expected_id, self.protocol.envelope)
        except NotJSON as exc:  # (Misencoded too)
            not_json(self, exc, payload, jsonrpc)
            return None
        except NotAMessage:
            self.frame_error = StrayOutput(payload, json=True, first=not self.messages_read)
            return None
        except WrongId as exc:
            self.messages_read += 1
            self.set_aside(self.answered_ids.unawaited(exc.got, self.quoted(payload)), payload)
            return None
        except ProtocolError as exc:
            self.messages_read += 1
            self.set_aside(f"{exc.message}: {self.quoted(payload)}", payload)
            return None
        self.messages_read += 1
        if isinstance(message, Incoming):
            keep_incoming(self, message)
            return None
        return message

    def notify(self, method: str, params: dict[str, Any] | None, timeout: float = 5.0) -> bool:
        """Send a JSON-RPC notification; False if the worker stopped reading."""
        note = self.ids.notification(method, params)
        return self.write(self.send(note), time.monotonic() + timeout)

    def take_answer(self, request: Request) -> Response | None:
        """Pop the response to `request` from decoded frames, setting aside strays."""
        while self.frames and self.frame_error is None:
            response = self.read_message(self.frames.pop(0), request.id)
            if response is not None:
                self.answered += 1
                if self.answered_as is None:  # a worker that exec()s later is told from this
                    self.answered_as = running_program(self.pid)
                self.answered_ids.add(response.id)
                return response
        return None

    def exchange(
        self, command: str, args: dict[str, Any] | None = None, timeout: float = 5.0
    ) -> Answer | NoAnswer:
        """Send one request and wait up to `timeout` seconds for its response."""
        request = self.ids.request(command, args)
        return self.exchange_request(request, timeout)

    def exchange_request(
        self, request: Request, timeout: float, frame: bytes | None = None
    ) -> Answer | NoAnswer:
        """Like `exchange`, for a request built (and perhaps encoded: `frame`) by the caller."""
        frame = self.send(request) if frame is None else frame
        try:
            return self._exchange(request, timeout, frame)
        finally:
            self.wait_end.renew()  # what ended this wait ends no later one

    def _exchange(self, request: Request, timeout: float, frame: bytes) -> Answer | NoAnswer:
        start = time.monotonic()  # the round trip: from before the write to the frame read
        self.last_request = (request.id, start - self.started_mono)
        self.unread_at_timeout = None
        self.exited_by_timeout = False
        deadline = start + timeout
        if not self.write(frame, deadline):
            status = self.poll()
            why = status.describe() if status else "it stopped reading stdin"
            return NoAnswer(request, "write-failed", f"could not write the request: {why}", 0.0)
        self.request_written = time.monotonic()
        while True:
            response = self.take_answer(request)
            if response is not None:
                return Answer(request, response, max(0.0, self.last_read_mono - start))
            if self.frame_error is not None:
                return NoAnswer(request, "bad-frame", self.frame_error.message, self._since(start))
            remaining = deadline - time.monotonic()
            if self.stdout_eof or remaining <= 0 or self.wait_end.reason:
                break
            if self.held:  # the closing unanswered: the server may wait for its own requests
                held_for = HELD_GRACE_S - self._since(start)
                if held_for <= 0:
                    answer_held(self)
                    continue
                remaining = min(remaining, held_for)
            self._read_or_end(remaining)
        stdin = self.proc.stdin if self.proc is not None else None
        if not self.stdout_eof and stdin is not None and not stdin.closed:
            self.unread_at_timeout = unread_bytes(stdin.fileno())
        if self.wait_end.reason and not self.stdout_eof:
            waited = self._since(start)
            return NoAnswer(
                request,
                "timeout",
                f"no response in {waited:.1f} s, not waited for to its {timeout:g} s timeout: "
                f"{self.wait_end.reason}",
                waited,
                let_go=self.wait_end.reason,
            )
        if self.stdout_eof:
            status = self.wait_exit(min(1.0, max(0.0, deadline - time.monotonic()) + 0.2))
            detail = status.describe() if status else STILL_RUNNING
            return NoAnswer(request, "exited", detail, self._since(start))
        self.exited_by_timeout = self.poll() is not None
        return NoAnswer(request, "timeout", f"no response within {timeout:g} s", self._since(start))

    def _since(self, start: float) -> float:
        return time.monotonic() - start

    def wait_exit(self, timeout: float) -> ExitStatus | None:
        assert self.proc is not None
        if self.poll() is None:
            wait_unreaped(self.proc.pid, timeout)  # left unreaped for `poll` to read its end
        return self.poll()

    # --- stopping ---------------------------------------------------------------------------
    def stop(self, grace: float = 2.0) -> ExitStatus | None:
        """Close stdin, SIGTERM the group and descendants, SIGKILL them after `grace` seconds."""
        with self._stop_lock:  # the pool may stop a worker from two threads at once
            return self._stop(grace)

    def _stop(self, grace: float) -> ExitStatus | None:
        proc = self.proc
        if proc is None or self.stopped:
            return self.exit_status
        # before stdin closes (children are re-parented once it exits); held by pidfd, so that
        # the signals, seconds later, reach these processes or none (`poolctl.pidfds`)
        family = Held()
        try:
            family.add(self.family_found())
            end_with_family(self, family, grace)
        finally:
            family.close()
        self.drain_stdout()
        if proc.stdout is not None:
            proc.stdout.close()
        self.transcript.close()
        self.wait_end.close()
        self.context.stderr_caps.close(self.stderr_cap)  # the last check, the log complete
        self.stopped = True
        self.context.children.forget(proc)
        return self.exit_status

    def close_stdin(self) -> None:
        """End its input, noting first how much it had written to its stderr log."""
        proc = self.proc
        if proc is None or proc.stdin is None or proc.stdin.closed:
            return
        if self.stderr_before_eof is None and self.spec.stderr is StderrMode.CAPTURE:
            with contextlib.suppress(OSError):
                self.stderr_before_eof = os.stat(self.stderr_path).st_size
        with contextlib.suppress(OSError):
            proc.stdin.close()

    def interrupted_stop(self) -> str:
        """Why it ended when the run's interruption stopped it (empty otherwise)."""
        status = self.poll()
        if self.context.children.cancelled.is_set() and status and status.signal is not None:
            return f"stopped with the interrupted run ({status.describe()})"
        return ""

    def family(self) -> set[int]:
        """Every process descended from this worker: by parent chain and by environment token."""
        return set(self.family_found())

    def family_found(self) -> dict[int, Seen | None]:
        assert self.proc is not None
        return family_seen(self.proc.pid, TOKEN_ENV, self.token, since=self.token_tick)

    def drain_stdout(self) -> None:
        """Read what is left in the pipe after exit, so nothing written is lost."""
        for _ in range(1024):
            if not self.read_stdout(0):
                break

    # --- evidence ---------------------------------------------------------------------------
    def stderr_tail(self, max_bytes: int = 16384) -> str:
        """The end of the captured stderr, decoded leniently, redacted before it is cut (a
        secret the cut would halve is read whole, then replaced)."""
        data = self.redactor.bytes(read_tail(self.stderr_path, max_bytes + 4096))
        return data[-max_bytes:].decode("utf-8", "replace")

    def summary(self) -> dict[str, Any]:
        """What is known about this process, for the run folder and `--json`."""
        status = self.poll()
        ttfb = self.time_to_first_byte
        return {
            "id": self.worker_id,
            "argv": list(self.spec.argv),
            "pid": self.proc.pid if self.proc else None,
            "framing": self.framing.name,
            "protocol": self.protocol.name,
            "stderr_mode": str(self.spec.stderr),
            "started_at": self.started_at,
            "time_to_first_byte_s": round(ttfb, 6) if ttfb is not None else None,
            "exit": status.describe() if status else None,
            "stopped_by": self.stopped_by or None,
            "stdout_bytes": self.transcript.total,
            "stdout_bytes_dropped": self.transcript.dropped,
            "stray_frames": self.stray_count,
            "notifications": self.notification_count,
            "server_requests": [m.method for m in self.server_requests],
            "server_requests_left_unanswered": self.left_unanswered,
            "server_requests_answered_in_closing": self.answered_in_closing,
            "stderr_log": str(self.stderr_path) if self.spec.stderr is StderrMode.CAPTURE else None,
            **(self.stderr_cap.summary() if self.stderr_cap is not None else {}),
            "stdout_transcript": str(self.stdout_path),
        }


# the records a worker is started from and ends with live in `poolctl.worker_types`, named here too
__all__ = ["Answer", "NoAnswer", "StderrMode", "WorkerProcess", "WorkerSpec"]
