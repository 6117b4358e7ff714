"""The state of one run, carried down from where the run begins instead of held in modules.

A `RunContext` holds what used to be process-wide: the live children (`Children`), the
secrets learnt from the workers' environments and `--keep-secrets` (`Secrets`), the run
folders made, the reports already prepared for output, and whether the run was interrupted.
The CLI makes one per command; a library caller gets a fresh one with each run folder it
makes (`poolctl.rundir.create_run_dir`), so two runs in one process, one after the other or on
two threads, share nothing.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
import weakref
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from poolctl.children import Children
from poolctl.redact import Secrets
from poolctl.stderr_cap import StderrCaps

if TYPE_CHECKING:
    from poolctl.events import Trace
    from poolctl.model import Report
    from poolctl.rundir import RunDir


class Interrupted(BaseException):
    """A signal, raised in the main thread so that every `finally` runs; not a
    KeyboardInterrupt, which typer would turn into a bare exit code before poolctl's handler."""

    def __init__(self, sig: signal.Signals) -> None:
        super().__init__(sig.name)
        self.signal = sig


class RunContext:
    """One run's children, secrets, run folders and interruption."""

    def __init__(self, *, keep_secrets: bool = False, guard: bool = False) -> None:
        self.children = Children(guard=guard)
        # poolctl as the program (`lifecycle.main`), not called by a library or a test: it may
        # fork workers of its own (`poolctl.forked`), which its lifecycle sees to
        self.program = guard
        self.secrets = Secrets(keep=keep_secrets)
        self.secrets.on_change.append(self._secrets_learnt)
        self.stderr_caps = StderrCaps()  # the workers' stderr logs, held to a size on disk
        self._devnull: tuple[int, weakref.finalize[Any, Any]] | None = None  # see `devnull`
        self.runs: list[RunDir] = []
        # Reports as `poolctl.report.publish.prepare` made them, by id: a big report is walked
        # once. Weak values: an id is reused only once its report is gone, and so is its entry.
        self.prepared: weakref.WeakValueDictionary[int, Report] = weakref.WeakValueDictionary()
        self.signal: signal.Signals | None = None  # the first signal that interrupted the run
        self.signalled_at = 0.0  # when it came (time.monotonic)
        # who sent it, when a worker or its family did (` from pid 12 (python3), …`), else ""
        self.sender = ""
        # Set while a part of the run ends it itself on a signal (the scenario runner's event
        # loop): the CLI's handler hands the signal over instead of raising.
        # It returns False when it cannot take the signal (its loop is closing).
        self.on_signal: Callable[[signal.Signals], bool] | None = None
        # The traces of the run's parts that do not end themselves on a signal (ping's,
        # doctor's diagnoses), one a run folder: the handler records the interruption in each
        # before it stops the children, so that read in order a trace says why its workers
        # ended. By `events.jsonl` path: doctor's probes run side by side into one file.
        self.traces: dict[Path, Trace] = {}
        # re-entrant: the signal handler runs on the main thread, maybe while it holds the lock
        # (`add_run`), and takes it again in `interrupt`; a plain lock would wait forever
        self._lock = threading.RLock()
        self._atomic = 0  # depth of `atomic` sections in the main thread
        self._deferred: signal.Signals | None = None

    # --- run folders ----------------------------------------------------------------------
    def add_run(self, run: RunDir) -> None:
        with self._lock:
            self.runs.append(run)
        run.remember_secrets(self.secrets.remembered())

    def last_run(self) -> RunDir | None:
        """The run folder made last (where an internal error's traceback goes)."""
        with self._lock:
            return self.runs[-1] if self.runs else None

    def all_runs(self) -> list[RunDir]:
        with self._lock:
            return list(self.runs)

    def _secrets_learnt(self, remembered: Mapping[str, str]) -> None:
        """A worker's secrets go into each run folder's marker until it is scrubbed: a run
        killed before it could scrub is scrubbed by the next command with them."""
        for run in self.all_runs():
            run.remember_secrets(remembered)

    def devnull(self) -> int:
        """The /dev/null given as stderr to every worker whose stderr is discarded, opened once
        and held for the run: a worker's fd 1 found pointing at /dev/null can then be told to
        be this very open file (a copy of its stderr, `os.dup2(2, 1)`) or one of its own (a
        `>/dev/null`), which /proc's path cannot (`poolctl.open_file`)."""
        with self._lock:
            if self._devnull is None:
                fd = os.open(os.devnull, os.O_WRONLY | os.O_CLOEXEC)
                # closed with the run, or with this object (a library caller's worker's own)
                self._devnull = (fd, weakref.finalize(self, os.close, fd))
            return self._devnull[0]

    # --- interruption ---------------------------------------------------------------------
    def interrupt(self, sig: signal.Signals) -> bool:
        """Record a signal; True for the first one (the run ends), False for those after."""
        with self._lock:
            first = self.signal is None
            if first:
                self.signal = sig
                self.signalled_at = time.monotonic()
        self.children.cancelled.set()  # no new process from now on
        return first

    def trace(self, events: Path) -> Trace:
        """The trace written to `events` (made at the first call): the run's interruption is
        recorded in it, and the run's end closes it."""
        from poolctl.events import Trace

        with self._lock:
            found = self.traces.get(events)
            if found is None:
                found = self.traces[events] = Trace(events, keep=False)  # read from its file
            return found

    def record_interruption(self) -> None:
        """Record the first signal in every trace made (its handler calls this)."""
        assert self.signal is not None
        with self._lock:
            traces = list(self.traces.values())
        for trace in traces:
            with contextlib.suppress(OSError):  # a full disk: the report still says it
                trace.interrupted(self.signal.name, self.signalled_at)

    @property
    def interrupted(self) -> bool:
        return self.signal is not None

    @contextlib.contextmanager
    def atomic(self) -> Iterator[None]:
        """A short step the main thread must not leave half done (a run folder being made):
        a signal during it is raised as `Interrupted` at its end."""
        main = threading.current_thread() is threading.main_thread()
        if main:
            self._atomic += 1
        try:
            yield
        finally:
            if main:
                self._atomic -= 1
                deferred, self._deferred = self._deferred, None
                if self._atomic == 0 and deferred is not None:
                    raise Interrupted(deferred)

    def defer(self, sig: signal.Signals) -> bool:
        """From the signal handler: True (and the signal kept for later) while the main thread
        is in an `atomic` section."""
        if self._atomic:
            self._deferred = sig
            return True
        return False

    def close(self, *, wait: bool = True) -> None:
        """The end of the run: no child of it is left (see `Children.close`), every trace
        written and closed."""
        self.children.close(wait=wait)
        self.stderr_caps.close_all()  # the last check of each log, no worker left to write
        with self._lock:
            devnull, self._devnull = self._devnull, None
        if devnull is not None:
            devnull[1]()  # closes it, once
        with self._lock:
            traces = list(self.traces.values())
        for trace in traces:
            with contextlib.suppress(OSError):
                if wait:
                    trace.close()
                else:  # the watchdog ends a run whose main thread may hold a trace, stuck
                    trace.flush(timeout=0.5)


def of(ctx: Any) -> RunContext:
    """The run context the CLI made for a command (its click context's object); a fresh one
    when the command was invoked without it."""
    found = ctx.find_object(RunContext)
    if found is None:
        found = ctx.obj = RunContext()
    assert isinstance(found, RunContext)
    return found


__all__ = ["Interrupted", "RunContext", "of"]
