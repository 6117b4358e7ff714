"""The bundled reference worker: a JSON-over-stdio worker with switches that reproduce real faults.

Run as `python -m poolctl.workers.reference [--framing packet-4] [fault switches...]`.
Every fault is real: a slow import sleeps inside an `import` statement, `--buffered` writes
through Python's block-buffered stdout and never flushes, `--crash-on-start` raises so that a
traceback reaches stderr. Only the standard library and `poolctl.framing` are imported, so it
starts as fast as the interpreter does.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from typing import Any

from poolctl.framing import FRAMINGS, Framing

_COMPACT = json.JSONEncoder(separators=(",", ":"))  # reused: building one per message costs


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


_second: tuple[int, str] = (-1, "")  # the last whole second formatted, and how


def _stamp(at: float) -> str:
    """`at` (seconds since the epoch) in ISO 8601 UTC to the microsecond; the date and time of
    day are formatted once a second, not for every message."""
    global _second
    whole = int(at)
    second = _second
    if second[0] != whole:
        second = _second = (whole, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole)))
    return f"{second[1]}.{int((at - whole) * 1_000_000):06d}Z"


def _now() -> str:
    return _stamp(time.time())


def _help_formatter(prog: str) -> argparse.HelpFormatter:
    """argparse's own formatter at a fixed width: measuring the terminal (which argparse does
    for every `add_argument`) imports `shutil` and its compression modules: 6% of the worker's
    start-up, in instructions."""
    return argparse.HelpFormatter(prog, width=96)


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="poolctl.workers.reference", description=__doc__, formatter_class=_help_formatter
    )
    p.add_argument("--framing", choices=sorted(FRAMINGS), default="packet-4")
    p.add_argument("--mode", default="pool", help="the adapter/mode `ping` reports")
    p.add_argument("--worker-id", default=None, help="default: $POOLCTL_WORKER_ID or worker-PID")
    p.add_argument("--init-delay", type=float, default=0.0, help="sleep S seconds before reading")
    p.add_argument("--import-delay", type=float, default=0.0, help="a slow import of S seconds")
    p.add_argument("--stdout-noise", default=None, help="print TEXT to stdout at start")
    p.add_argument("--stderr-noise", default=None, help="print TEXT to stderr at start")
    p.add_argument("--buffered", action="store_true", help="never flush stdout")
    p.add_argument(
        "--answers-on-stderr", action="store_true", help="write each answer, framed, to stderr"
    )
    p.add_argument("--crash-on-start", type=int, default=None, metavar="CODE")
    p.add_argument("--ignore-sigterm", action="store_true")
    p.add_argument(
        "--ignore-signals", action="store_true", help="ignore SIGTERM, SIGINT, SIGHUP and SIGQUIT"
    )
    p.add_argument(
        "--api-key", default=None, help="accepted and unused: a secret on the command line"
    )
    p.add_argument(
        "--spin-on-eof", action="store_true", help="busy-loop instead of exiting when stdin closes"
    )
    p.add_argument(
        "--hang-on-eof", action="store_true", help="sleep instead of exiting when stdin closes"
    )
    return p.parse_args(argv)


FLUSH_SECONDS = 0.1  # a debug-log line reaches its file at most this long after it happened
ENDING_SIGNALS = (signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT)


class DebugLog:
    """The worker's own debug log: one line per message read and written, when asked for.

    Lines wait in memory and are written together, off the path of the answer: at most
    FLUSH_SECONDS after the first of them (a one-shot interval timer, armed only while lines
    wait: an idle worker is never woken), at end of input, before `exit`, on the way out of an
    exception or Ctrl-C, and when SIGTERM, SIGHUP or SIGQUIT ends the worker (the handler
    writes what is left, then lets the signal end it as it would have). A line's time is taken
    when it happens and formatted when it is written."""

    def __init__(self, path: str | None, worker_id: str) -> None:
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644) if path else None
        self._worker_id = worker_id
        self._lines: list[tuple[float, str, bytes]] = []
        self._armed = False
        if self._fd is None:
            return
        signal.signal(signal.SIGALRM, lambda signum, frame: self.flush())
        for sig in ENDING_SIGNALS:
            if signal.getsignal(sig) is signal.SIG_DFL:  # not one the worker was told to ignore
                signal.signal(sig, self._ended_by)

    def write(self, direction: str, raw: bytes) -> None:
        """Log the message bytes exactly as read (`in`) or written (`out`)."""
        if self._fd is None:
            return
        self._lines.append((time.time(), direction, raw))
        if not self._armed:
            self._armed = True
            signal.setitimer(signal.ITIMER_REAL, FLUSH_SECONDS)

    def flush(self) -> None:
        """Write every waiting line, in order (the timer and the ending signals wait)."""
        if self._fd is None:
            return
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM, *ENDING_SIGNALS})
        try:
            lines, self._lines = self._lines, []
            if self._armed:  # no alarm left pending: one as the interpreter exits would end it
                signal.setitimer(signal.ITIMER_REAL, 0)
                self._armed = False
            if lines:
                _write_all(self._fd, b"".join(self._line(*line) for line in lines))
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)

    def _line(self, at: float, direction: str, raw: bytes) -> bytes:
        return f"{_stamp(at)} {self._worker_id} {direction} ".encode() + raw + b"\n"

    def _ended_by(self, signum: int, frame: object) -> None:
        self.flush()
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)  # ended by the signal, as without the log


class Worker:
    """Reads framed requests from stdin, answers each on stdout."""

    def __init__(self, opts: argparse.Namespace) -> None:
        self.opts = opts
        self.framing: Framing = FRAMINGS[opts.framing]
        self.worker_id = opts.worker_id or os.environ.get(
            "POOLCTL_WORKER_ID", f"worker-{os.getpid()}"
        )
        self.log = DebugLog(os.environ.get("POOLCTL_DEBUG_LOG"), self.worker_id)
        self.programs: dict[str, dict[str, Any]] = {}

    # --- output ---------------------------------------------------------------------------
    def send(self, message: dict[str, Any]) -> None:
        payload = _COMPACT.encode(message).encode()
        self.log.write("out", payload)
        frame = self.framing.encode(payload)
        if self.opts.answers_on_stderr:  # the reply written to the log stream by mistake
            sys.stderr.flush()
            _write_all(2, frame)
        elif not self.opts.buffered:
            sys.stdout.buffer.flush()  # whatever a stray print left buffered goes first
            _write_all(1, frame)
        elif self.framing.header_size == 0:
            sys.stdout.write(frame.decode())  # as a `print` would: text layer, no flush
        else:
            sys.stdout.buffer.write(frame)  # block-buffered binary layer, no flush

    # --- commands -------------------------------------------------------------------------
    def handle(self, command: str, args: dict[str, Any]) -> Any:
        """Run one command; raise `ValueError` for a request the worker rejects."""
        if command == "ping":
            return {
                "status": "ok",
                "worker_id": self.worker_id,
                "pid": os.getpid(),
                "mode": self.opts.mode,
                "framing": self.framing.name,
            }
        if command == "echo":
            return args
        if command == "sleep":
            time.sleep(float(args.get("seconds", 1.0)))
            return {"slept": float(args.get("seconds", 1.0))}
        if command == "create_program":
            program_id = args.get("program_id")
            if not program_id:
                raise ValueError("Program ID is required")
            self.programs[program_id] = args
            return {"program_id": program_id, "status": "created"}
        if command == "list_programs":
            return {"programs": sorted(self.programs)}
        if command == "fail":
            raise ValueError(str(args.get("message", "failure requested")))
        if command == "exit":
            sys.stdout.flush()
            self.log.flush()
            os._exit(int(args.get("code", 0)))
        if command == "write_stderr":
            chunk = str(args.get("text", "x" * 1023)) + "\n"
            for _ in range(int(args.get("repeat", 1))):
                sys.stderr.write(chunk)
            sys.stderr.flush()
            return {"written": len(chunk.encode()) * int(args.get("repeat", 1))}
        if command == "write_stdout":
            raw = str(args.get("text", "")).encode() * int(args.get("repeat", 1))
            sys.stdout.buffer.write(raw)
            sys.stdout.buffer.flush()
            return {"written": len(raw)}
        raise ValueError(f"Unknown command: {command}")

    def answer(self, payload: bytes) -> None:
        self.log.write("in", payload)
        try:
            request = json.loads(payload.decode())  # UTF-8, as framed: no encoding to sniff
        except ValueError as exc:
            sys.stderr.write(f"reference worker: request is not JSON: {exc}\n")
            return
        request_id = request.get("id")
        try:
            result = self.handle(str(request.get("command")), dict(request.get("args") or {}))
        except Exception as exc:  # a rejected request is an answer, not a crash
            self.send({"id": request_id, "success": False, "error": str(exc), "timestamp": _now()})
            return
        self.send({"id": request_id, "success": True, "result": result, "timestamp": _now()})

    def serve(self) -> None:
        decoder = self.framing.decoder()
        try:
            while True:
                data = os.read(0, 65536)
                if not data:
                    break
                for payload in decoder.feed(data):
                    self.answer(payload)
            self.log.write("eof", b"")
        finally:
            self.log.flush()
        if self.opts.spin_on_eof:
            while True:  # a worker that never notices its pipe closed
                pass
        while self.opts.hang_on_eof:  # as hard to stop, on no CPU: blocked on something else
            time.sleep(3600)


def main(argv: list[str] | None = None) -> int:
    opts = parse_args(sys.argv[1:] if argv is None else argv)
    if opts.ignore_sigterm or opts.ignore_signals:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if opts.ignore_signals:
        for sig in (signal.SIGINT, signal.SIGHUP, signal.SIGQUIT):
            signal.signal(sig, signal.SIG_IGN)
    if opts.stderr_noise is not None:
        print(opts.stderr_noise, file=sys.stderr, flush=True)
    if opts.stdout_noise is not None:
        print(opts.stdout_noise, flush=True)  # a stray print on the framed stream
    if opts.crash_on_start is not None:
        try:
            raise RuntimeError(f"worker failed to start (--crash-on-start {opts.crash_on_start})")
        except RuntimeError:
            import traceback

            traceback.print_exc()
            sys.stderr.flush()
            return int(opts.crash_on_start)
    if opts.import_delay > 0:
        os.environ["POOLCTL_SLOW_IMPORT_SECONDS"] = str(opts.import_delay)
        import poolctl.workers.slow_module  # noqa: F401  (the delay happens inside this import)
    if opts.init_delay > 0:
        time.sleep(opts.init_delay)
    Worker(opts).serve()
    return 0


if __name__ == "__main__":
    sys.exit(main())
