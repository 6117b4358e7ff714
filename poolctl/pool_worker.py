"""One worker process driven by the pool's event loop: its stdout read as it arrives, requests
matched to responses by id, its death noticed at once (pidfd), a request that outlives it failed
with why.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
import time
from collections.abc import Callable
from enum import StrEnum
from typing import Any

from poolctl.protocol import Request, Response
from poolctl.worker import READ_CHUNK, Answer, NoAnswer, WorkerProcess


class State(StrEnum):
    """Where a pooled worker is in its life."""

    STARTING = "starting"
    IDLE = "idle"
    BUSY = "busy"
    DEAD = "dead"
    RETIRED = "retired"


class PooledWorker:
    """One worker process driven by the event loop: requests matched to responses by id."""

    def __init__(self, process: WorkerProcess, overflow: bool) -> None:
        self.process = process
        self.id = process.worker_id
        self.overflow = overflow
        self.state = State.STARTING
        self.pending: dict[Any, asyncio.Future[Response]] = {}
        self.gone: str | None = None  # why requests can no longer be answered
        self.caller: str | None = None
        self.init_seconds: float | None = None
        self.reported: dict[str, Any] = {}  # what the init ping answered (mode, pid, …)
        self.sent_bytes = 0  # the last request's frame, as written (the trace's bytes_out)
        self.exited = asyncio.Event()
        self._pidfd: int | None = None
        self._on_exit: Callable[[PooledWorker], None] = lambda worker: None  # set by attach()
        self._loop = asyncio.get_running_loop()

    # --- wiring to the loop ---------------------------------------------------------------
    def attach(self, on_exit: Callable[[PooledWorker], None]) -> None:
        self._on_exit = on_exit
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
        if self._pidfd is not None:
            with contextlib.suppress(Exception):
                self._loop.remove_reader(self._pidfd)
            os.close(self._pidfd)
            self._pidfd = None

    def _readable(self) -> None:
        try:
            chunk = os.read(self.process.stdout_fd, READ_CHUNK)
        except BlockingIOError:
            return
        except OSError:
            chunk = b""
        if not chunk:
            self.process.stdout_eof = True
            with contextlib.suppress(Exception):
                self._loop.remove_reader(self.process.stdout_fd)
            if self._pidfd is None:
                self._loop.call_later(0.05, self._on_exit_signal)
            return
        self.process.on_stdout(chunk)
        frames, self.process.frames = self.process.frames, []  # consumed here, none left behind
        for payload in frames:
            response = self.process.read_message(payload)
            if response is None:
                continue
            future = self.pending.pop(response.id, None)
            if future is None or future.done():
                self.process.set_aside(f"response for id {response.id!r} nobody awaits")
            else:
                future.set_result(response)
        if self.process.frame_error is not None:
            self.fail_pending(f"bad frame on stdout: {self.process.frame_error.message}")

    def _on_exit_signal(self) -> None:
        if self.exited.is_set():
            return
        status = self.process.poll()
        if status is None:
            if self._pidfd is None:
                self._loop.call_later(0.05, self._on_exit_signal)
            return  # pidfd readable means exited; poll() sees it on the next pass
        self.detach()
        self.exited.set()
        self.fail_pending(f"worker {self.id} (pid {self.process.pid}) {status.describe()}")
        self._on_exit(self)

    def fail_pending(self, why: str) -> None:
        """Fail every request in flight with `why`; later ones fail at once."""
        self.gone = self.gone or why
        pending, self.pending = self.pending, {}
        for future in pending.values():
            if not future.done():
                future.set_exception(WorkerGone(why))

    # --- requests -------------------------------------------------------------------------
    async def request(self, request: Request, timeout: float) -> Answer | NoAnswer:
        """Send `request` and await its response, the worker's death, or the timeout."""
        start = time.monotonic()
        if self.gone is not None:
            return NoAnswer(request, "exited", self.gone, 0.0)
        future: asyncio.Future[Response] = self._loop.create_future()
        self.pending[request.id] = future
        frame = self.process.send(request)
        self.sent_bytes = len(frame)
        if not await self._write(frame, start + timeout):
            self.pending.pop(request.id, None)
            return NoAnswer(request, "write-failed", "could not write the request", 0.0)
        sent = time.monotonic()
        timer = self._loop.call_later(timeout, expire, future)
        try:
            response = await future
        except WorkerGone as gone:
            waited = time.monotonic() - start
            if self.process.frame_error is not None:
                return NoAnswer(request, "bad-frame", str(gone), waited)
            return NoAnswer(request, "exited", str(gone), waited)
        except TimeoutError:
            self.pending.pop(request.id, None)
            return NoAnswer(
                request, "timeout", f"no response within {timeout:g} s", time.monotonic() - start
            )
        finally:
            timer.cancel()
        return Answer(request, response, time.monotonic() - sent)

    async def write_frame(self, data: bytes, timeout: float) -> bool:
        """Write a frame that expects no answer (a notification)."""
        return await self._write(data, time.monotonic() + timeout)

    async def _write(self, data: bytes, deadline: float) -> bool:
        assert self.process.proc is not None and self.process.proc.stdin is not None
        fd = self.process.proc.stdin.fileno()
        view = memoryview(data)
        while view:
            try:
                view = view[os.write(fd, view) :]
                continue
            except BlockingIOError:
                pass
            except OSError as exc:
                if exc.errno in (errno.EPIPE, errno.EBADF):
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


class WorkerGone(Exception):
    """The worker can no longer answer (it exited, or its stream broke)."""

    pass


def expire(future: asyncio.Future[Any]) -> None:
    if not future.done():
        future.set_exception(TimeoutError())


def resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
