"""How every poolctl command begins and ends: the one error boundary, the signals, the exit codes.

Exit codes: 0 ok, 1 findings, 2 bad input or usage, 3 internal error (the traceback saved in
the run folder), 128+N when signal N cut the command short: 130 Ctrl-C (SIGINT, a second
Ctrl-C too), 143 SIGTERM, 129 SIGHUP (a closed terminal, a cancelled CI job), 131 SIGQUIT; as
the program, 138 SIGUSR1, 140 SIGUSR2, 142 SIGALRM, 152 SIGXCPU end it the same way (a worker
that signals its parent is ready), where their default ended it with nothing said.

A command begins by scrubbing the run folders of the reports folder that a poolctl killed
mid-run left unscrubbed (and says so). On a signal: every child of the run gets SIGTERM at once
and SIGKILL 0.3 s later (at once on a second signal), no new child starts, the command unwinds,
each run folder without a report gets one marked interrupted, every run folder is scrubbed,
and poolctl says "interrupted". As the program, poolctl is a child subreaper, a reaper process
kills what its children leave should poolctl itself be killed, and a watchdog ends the process
0.8 s after the signal if the command has not ended by then. A signal ignored when poolctl
starts (`nohup`, a background job's SIGINT) stays ignored.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from poolctl.children import become_subreaper
from poolctl.context import Interrupted, RunContext
from poolctl.errors import ExitCode, PoolctlError
from poolctl.rundir import base_folder, leftovers, scrub_leftover
from poolctl.signal_sender import ENDING, UNEXPECTED, WAITER, sender_words
from poolctl.usage_hints import closest_choice, closest_option

if TYPE_CHECKING:  # the command line is imported after the signal handlers are in place
    from typer._click.core import Command

# Seconds after the signal: every child gets SIGKILL (SIGTERM at once); the watchdog ends the
# run itself if the main thread has not begun to; scrubbing stops (the next command finishes
# it). An ending under way (a few small writes) is cut only at LAST_CALL: on a machine so
# loaded that it takes that long, the report and the message matter more than the second.
STOP_GRACE = 0.3
WATCHDOG = 0.7
SCRUB_UNTIL = 0.85
LAST_CALL = 3.0
# and up to this while its main thread is runnable: at a load of 20 the imports of the report's
# modules took longer than LAST_CALL, and the interrupted run's report.json was never written
LAST_CALL_MOST = 20.0


def exit_code(sig: signal.Signals) -> int:
    """128 + the signal's number, as a shell reports a process a signal ended."""
    return 128 + int(sig)


def _say(line: str, context: RunContext) -> None:
    """One line on standard error, redacted; a terminal already gone (SIGHUP) is no error."""
    from poolctl.console import stderr_stream

    with contextlib.suppress(OSError, ValueError):
        stream = stderr_stream(context.secrets)
        stream.write(line + "\n")
        stream.flush()


def _error(message: str, context: RunContext) -> None:
    """The error's one line: a newline in a path it names (`$'a\\nb.log'`) is written `\\n`."""
    from poolctl.termtext import one_line

    _say(f"poolctl: error: {one_line(message)}", context)


class _Lifecycle:
    """One command's run: its signal handlers, its ending, and (as the program) its watchdog."""

    def __init__(self, context: RunContext, program: bool) -> None:
        self.context = context
        self.program = program
        self.ending = threading.Lock()  # the main thread or the watchdog ends the run, not both
        self.previous: dict[signal.Signals, Any] = {}
        self._said = threading.Event()  # "interrupted" was said
        self._saying = threading.Lock()

    # --- signals --------------------------------------------------------------------------
    def install(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return  # signal handlers belong to the main thread; a library caller keeps its own
        # a library caller's own (pytest-timeout's SIGALRM) are left to it
        for sig in (*ENDING, *UNEXPECTED) if self.program else ENDING:
            current = signal.getsignal(sig)
            if current is signal.SIG_IGN:
                continue  # nohup, or a background job: the caller asked poolctl to ignore it
            self.previous[sig] = current
            signal.signal(sig, self.on_signal)
        if self.program:
            # taken by a thread that learns who sent each, pending ones too (a parent may have
            # blocked them); where that cannot be, a parent's block is lifted and pending ones
            # arrive now, handled
            if not WAITER.start(list(self.previous)):
                signal.pthread_sigmask(signal.SIG_UNBLOCK, list(self.previous))
            # a parent that ignores SIGCHLD passes that on: the kernel then reaps every worker
            # itself, and each one's exit status is lost (read as "exited with code 0")
            if signal.getsignal(signal.SIGCHLD) is signal.SIG_IGN:
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)

    def restore(self) -> None:
        for sig, handler in self.previous.items():
            signal.signal(sig, handler)
        self.previous.clear()

    def on_signal(self, signum: int, frame: FrameType | None) -> None:
        sig = signal.Signals(signum)
        if not self.context.interrupt(sig):
            self.context.children.kill_all()  # a second signal: no more grace for anyone
            return
        # the sender was read as the signal was taken; told against the workers alive now,
        # before they are stopped below
        children = self.context.children
        self.context.sender = sender_words(sig, [p.pid for p in children.live()], children.token)
        # handed over before the children are stopped: the part that ends the run itself (the
        # scenario runner's event loop) records the interruption before any of its workers'
        # exits, which the stop below causes
        hand_over = self.context.on_signal
        handed = hand_over is not None and hand_over(sig)
        if not handed:  # the traces of the parts that do not end themselves say it first
            self.context.record_interruption()
        self.context.children.stop_in_background(STOP_GRACE)
        if self.program:
            threading.Thread(target=self.watchdog, name="poolctl-watchdog", daemon=True).start()
        if handed:
            return  # a part of the run ends itself
        if self.context.defer(sig):
            return  # raised at the end of the step under way (a run folder being made)
        raise Interrupted(sig)

    # --- the end --------------------------------------------------------------------------
    def end(self, code: int) -> None:
        """Any ending but an interruption: no child left, every run folder scrubbed; a run
        folder a bad input left empty is removed."""
        for run in self.context.all_runs():
            with contextlib.suppress(OSError), run.writing_reports():
                if code == ExitCode.BAD_INPUT and run.holds_nothing():
                    import shutil

                    shutil.rmtree(run.path, ignore_errors=True)
                elif not run.scrubbed:
                    run.scrub()
            run.release()
        self.context.close()

    def end_interrupted(self) -> int:
        """Stop everything, write each unwritten report marked interrupted, say so, scrub
        (until a deadline: the next command finishes what is left); the exit code."""
        from poolctl.report.publish import mark_interrupted, save_interrupted

        sig = self.context.signal
        assert sig is not None
        self.context.children.kill_all()
        runs = self.context.all_runs()
        self._say_interrupted(sig)
        last_call = self.context.signalled_at + LAST_CALL
        unfinished = []
        for run in runs:
            # the command may still be writing this folder's reports (the watchdog ends the
            # run beside it): wait for that write, then mark or write the report, and scrub
            with run.writing_reports(max(0.0, last_call - time.monotonic())) as held:
                with contextlib.suppress(Exception):
                    if held and run.report("json").exists():  # written before the signal
                        mark_interrupted(run, sig.name)
                    elif held:
                        save_interrupted(run, sig.name, self.context.sender)
                deadline = max(self.context.signalled_at + SCRUB_UNTIL, time.monotonic() + 0.05)
                with contextlib.suppress(Exception):
                    if not held or (not run.scrubbed and not run.scrub(deadline)):
                        unfinished.append(run)
            run.release()
        if unfinished:
            names = ", ".join(str(r.path) for r in unfinished)
            _say(f"poolctl: the next poolctl command finishes scrubbing {names}", self.context)
        with contextlib.suppress(Exception):
            self.context.close(wait=False)
        return exit_code(sig)

    def _say_interrupted(self, sig: signal.Signals) -> None:
        """Say once, whoever ends the run, that the signal cut it short."""
        with self._saying:
            if self._said.is_set():
                return
            self._said.set()
            runs = self.context.all_runs()
            kept = f"; what was captured is in {', '.join(str(r.path) for r in runs)}"
            _say(
                f"poolctl: interrupted by {sig.name}{self.context.sender}: every process stopped"
                f"{kept if runs else ''}",
                self.context,
            )

    def watchdog(self) -> None:
        """The program ends WATCHDOG seconds after the signal, whatever still runs (a check
        stuck in a computation, a thread on a blocking call)."""
        sig, since = self.context.signal, self.context.signalled_at
        assert sig is not None
        threading.Event().wait(max(0.0, since + WATCHDOG - time.monotonic()))
        if self.ending.acquire(blocking=False):
            code = self.end_interrupted()
        else:  # the main thread is ending the run: let it finish, but not forever
            code = exit_code(sig)
            if not self._main_ends(since):
                self.context.children.kill_all()
                self._say_interrupted(sig)  # a main thread stalled
        exit_now(code)

    def _main_ends(self, since: float) -> bool:
        """Whether the main thread ends the run by its last call: LAST_CALL after the signal,
        and as long again as it was runnable meanwhile (at work, or waiting for a CPU: a loaded
        machine's imports of the report's modules), LAST_CALL_MOST at most. One blocked, stalled,
        gets no more."""
        start = _runnable_seconds()
        while True:
            given = min(LAST_CALL + _runnable_seconds() - start, LAST_CALL_MOST)
            left = since + given - time.monotonic()
            if left <= 0:
                return False
            if self.ending.acquire(timeout=min(left, 0.25)):
                return True


# where a run folder cannot be written: a full disk, a quota, a read-only file system, and
# what to do about each; a file-size limit (`ulimit -f`: EFBIG, SIGXFSZ being ignored by Python)
# is no lack of room
FULL_DISK = {
    errno.ENOSPC: "make room, or --run-dir elsewhere",
    errno.EDQUOT: "make room, or --run-dir elsewhere",
    errno.EROFS: "make room, or --run-dir elsewhere",
    errno.EFBIG: "a file-size limit: raise it (`ulimit -f unlimited`), or --run-dir elsewhere",
}
# Python's words when no thread can be made (`threading.Thread.start`), and poolctl's
NO_THREAD = "can't start new thread"
NO_THREAD_SAID = (
    "poolctl could not start a thread: the user's process limit (`ulimit -u`) or a cgroup's "
    "pids.max is reached (threads count with processes)"
)
FOLDER_GONE = (
    "the run folder was deleted while the command ran, and what it had captured with it "
    "(--run-dir a folder nothing else removes)"
)


def _runnable_seconds() -> float:
    """The seconds poolctl's main thread has spent running or waiting for a CPU (its
    schedstat's first two fields); 0 where the kernel does not say."""
    try:
        with open(f"/proc/self/task/{os.getpid()}/schedstat", encoding="ascii") as f:
            ran, waited = f.read().split()[:2]
        return (int(ran) + int(waited)) / 1e9
    except (OSError, ValueError):
        return 0.0


def exit_now(code: int) -> None:
    """End the process at once (threads still running are not waited for; every child has a
    parent-death signal and the reaper)."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)


def _save_traceback(context: RunContext) -> Path:
    from poolctl.redact import environment

    run = context.last_run()
    folder = run.path if run is not None else Path(tempfile.mkdtemp(prefix="poolctl-crash-"))
    path = folder / "traceback.txt"
    redactor = context.secrets.redactor() if run is not None else environment()
    path.write_text(redactor.text(traceback.format_exc()), encoding="utf-8")
    return path


def _scrub_leftovers(context: RunContext) -> None:
    """Scrub the run folders a killed poolctl left unscrubbed in the reports folder."""
    done = [f for f in leftovers(base_folder()) if scrub_leftover(f)]
    if done:  # rare: the report modules are imported by the commands that use them
        from poolctl.report.publish import say_scrubbed

        say_scrubbed(done, context.secrets)


def _invoke(command: Command, argv: list[str] | None, context: RunContext) -> int:
    """Run the command; map every outcome but a signal to the exit-code table."""
    import typer

    try:
        rv = command.main(args=argv, prog_name="poolctl", standalone_mode=False, obj=context)
        return int(rv) if isinstance(rv, int) else ExitCode.OK
    except typer.Exit as done:
        return done.exit_code
    except typer.TyperException as usage:  # click's usage errors: unknown option, bad value…
        hint = ""
        ctx = getattr(usage, "ctx", None)
        if ctx is not None:
            hint = f" (see '{ctx.command_path} --help')"
        _error(f"{_usage_message(usage) or _no_command(ctx)}{hint}", context)
        return int(getattr(usage, "exit_code", ExitCode.BAD_INPUT))
    except PoolctlError as known:
        if not context.interrupted:  # refused because of the interruption: that is the story
            _error(str(known), context)
        return known.exit_code
    except OSError as exc:
        run = context.last_run()
        if context.interrupted:
            return _internal_error(context)
        if exc.errno == errno.ENOENT and run is not None and not run.path.is_dir():
            # the run folder deleted while the command ran (a file in it not found): no bug
            context.children.kill_all()
            _error(f"cannot write {run.path}: {FOLDER_GONE}", context)
            return ExitCode.BAD_INPUT
        if exc.errno not in FULL_DISK:
            return _internal_error(context)
        context.children.kill_all()
        where = exc.filename or (run.path if run is not None else "the run folder")
        _error(f"cannot write {where}: {exc.strerror} ({FULL_DISK[exc.errno]})", context)
        return ExitCode.BAD_INPUT
    except RuntimeError as exc:
        if str(exc) != NO_THREAD or context.interrupted:
            return _internal_error(context)
        context.children.kill_all()  # no bug: the machine's limit (a fork bomb's, a container's)
        run = context.last_run()
        kept = f"; what was captured is in {run.path}" if run is not None else ""
        _error(f"{NO_THREAD_SAID}; every process it started was stopped{kept}", context)
        return ExitCode.BAD_INPUT
    except Exception:
        return _internal_error(context)


def _usage_message(usage: Any) -> str:
    """click's message for a usage error, as pydantic, which typer checks values with, words
    it: without its "Value error, " prefix, and a value that is not a number said so (`nan`
    breaks every bound, and was told "Input should be less than or equal to 86400")."""
    if (misspelt := closest_option(usage)) is not None:
        return misspelt
    message = closest_choice(str(usage.format_message()).replace(": Value error, ", ": "))
    errors = getattr(usage.__cause__, "errors", None)
    for problem in errors() if callable(errors) else ():
        given = problem.get("input")
        if isinstance(given, str) and given.strip().lstrip("+-").lower() == "nan":
            return f"{message.split(': ', 1)[0]}: {given!r} is not a number"
    return message


def _no_command(ctx: Any) -> str:
    """What a group given no command says after its help (`poolctl history`): click's message
    is the help typer already printed, an empty string."""
    names = list(ctx.command.list_commands(ctx)) if ctx is not None else []
    listed = f"{', '.join(names[:-1])} or {names[-1]}" if len(names) > 1 else "".join(names)
    where = f" to {ctx.command_path}" if ctx is not None else ""
    return f"no command given{where}: {listed}" if listed else f"no command given{where}"


def _internal_error(context: RunContext) -> int:
    """A bug: the traceback saved (in the run folder, else a folder of its own, else on stderr)."""
    if context.interrupted:
        return ExitCode.INTERRUPTED
    context.children.kill_all()
    try:
        path = _save_traceback(context)
    except OSError:
        sys.stderr.write(traceback.format_exc())
        _error("internal error; the traceback could not be saved (above)", context)
        return ExitCode.BUG
    _error(f"internal error; the traceback is in {path}", context)
    return ExitCode.BUG


def run(
    command: Command,
    argv: list[str] | None = None,
    *,
    context: RunContext | None = None,
    program: bool = False,
) -> int:
    """Run the CLI's `command` with a `RunContext` of its own (or `context`), and map every
    outcome to an exit code; the signal handlers are poolctl's while it runs."""
    life = _Lifecycle(context if context is not None else RunContext(), program)
    try:
        return _run(life, lambda: command, argv)
    finally:
        life.restore()


def main(argv: list[str] | None = None) -> int:
    """poolctl as the program: its signal handlers first (before the command line's slow
    imports), a child subreaper, a reaper for its children; then the command."""
    from poolctl.cli import root_command

    args = sys.argv[1:] if argv is None else list(argv)
    life = _Lifecycle(RunContext(guard=True), program=True)
    return _run(life, lambda: root_command(args), args)


def _run(life: _Lifecycle, load: Callable[[], Command], argv: list[str] | None) -> int:
    context = life.context
    code: int = ExitCode.BUG
    try:
        life.install()
        if life.program:
            become_subreaper()
        with contextlib.suppress(Exception):
            _scrub_leftovers(context)
        code = _invoke(load(), argv, context)
        WAITER.settle()  # a Ctrl-C already sent as a quick command ended reaches its handler
        if not context.interrupted:
            life.end(code)
    except Interrupted:
        pass
    if context.interrupted:
        with life.ending:
            code = life.end_interrupted()
        if life.program:
            exit_now(code)
    return code
