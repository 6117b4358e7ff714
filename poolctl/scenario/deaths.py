"""Why a pooled worker died in the middle of a request, from what it left: the exception that
ended it (its stderr log) or the signal that killed it, in the words `ping`'s crash reading
gives (poolctl/diagnose/hypotheses/crashed.py): a scenario's finding then says what to fix,
not the pattern's general advice."""

from __future__ import annotations

import os
import shlex
import signal
from dataclasses import dataclass

from poolctl.diagnose import exception_line
from poolctl.diagnose.endpoint_down import endpoint_down
from poolctl.diagnose.keyboard_interrupt import signalled_interrupt
from poolctl.diagnose.killed import FIND_THE_SENDER
from poolctl.diagnose.limit_reached import limit_reached
from poolctl.diagnose.observe import DISCARDED_STDOUT
from poolctl.diagnose.port_killer import sender_of_sigkill
from poolctl.diagnose.shell_reported import (
    EXEC_IT,
    UNNAMED_SIGKILL,
    UNNAMED_SIGKILL_FIX,
    shell_reported,
)
from poolctl.diagnose.signal_words import signal_words
from poolctl.diagnose.spawn_missing import spawn_missing
from poolctl.diagnose.started_as import started_as
from poolctl.diagnose.stdout_astray import DISCARDED_NOTE, ONTO_STDERR_FIX, REDIRECTED_FIX
from poolctl.diagnose.timeout_wrapper import ran_out
from poolctl.diagnose.typescript_api import no_compiler_api
from poolctl.model import Evidence
from poolctl.pool import Pool
from poolctl.pool_trace import partial_frame
from poolctl.pool_worker import CLOSED_STDOUT
from poolctl.scenario.null_settings import null_settings
from poolctl.worker import WorkerProcess

# Said of a worker that closed its stdout and ran on: the pool stopped it, no signal ended it.
CLOSED_SAID = (
    ": it closed its stdout itself while it served (no answer could reach the pool) and ran "
    "on until the pool stopped it: no signal from outside, no exit of its own"
)
KEEP_STDOUT_OPEN = (
    "Keep the worker's stdout open while it serves: find what closes it in the request's path "
    "(`sys.stdout.close()`, `os.close(1)`, a `with sys.stdout:` or `with open(1, ...)` block, "
    "a library that daemonizes or redirects fd 1); `strace -f -e trace=close,dup2,dup3 -p PID` "
    "shows the call."
)


@dataclass(frozen=True)
class Death:
    """What ended a worker: said after the finding's cause, its fix, and the line it rests on."""

    said: str
    fix: str
    evidence: Evidence | None = None
    more: tuple[Evidence, ...] = ()  # a SIGKILL's memory cgroup, read as it was told
    told: bool = False  # it says why it exited: its fix outranks what the exit's timing suggests

    def evidences(self) -> list[Evidence]:
        return [*([self.evidence] if self.evidence else []), *self.more]


def _process(pool: Pool, worker_id: str) -> WorkerProcess | None:
    worker = next((w for w in pool.all_workers if w.id == worker_id), None)
    return worker.process if worker is not None else None


def cut_short(pool: Pool, worker_id: str) -> str:
    """The framing's reading of a frame the worker left unfinished on its stdout when it ended
    ("" when it left none): it exited in the middle of writing an answer."""
    process = _process(pool, worker_id)
    return partial_frame(process) if process is not None else ""


def death_of(pool: Pool, worker_id: str) -> Death | None:
    """How the worker `worker_id` of `pool` ended, when its stderr or exit status says why."""
    process = _process(pool, worker_id)
    if process is None:
        return None
    origin = f"workers/{worker_id}.stderr.log"
    stderr = process.stderr_tail()
    exc = exception_line(stderr)
    status = process.poll()
    interrupted = signalled_interrupt(exc, status.signal, stderr, status.code) if status else None
    if exc and interrupted is None:  # Python's word for a SIGINT is said with the signal
        ev = Evidence(exc, origin, "the exception that ended it")
        started = started_as(stderr)
        if started is not None:
            return Death(f", after the exception `{exc}`: {started.why}", started.fix, ev)
        fix = f"Fix the error it reports (`{exc}`): it ended the worker in the middle of a request."
        limit = limit_reached(process.end, None, exc, process.answered)
        if limit is not None:  # `ulimit -n`, `ulimit -v`: the limit is named beside the error
            return Death(f", after the exception `{exc}`: {limit.why}", limit.fix, ev)
        api = no_compiler_api(stderr)
        if api is not None:  # `require('typescript')` found TypeScript 7, the native port
            return Death(
                f", after the exception `{exc}`; {api.why()}", api.fix(), ev, (api.evidence(),)
            )
        spawn = spawn_missing(stderr, process.spec)
        if spawn is not None:  # a program it starts, not there
            said = f", after the exception `{exc}`; {spawn.why()}"
            return Death(said, spawn.fix(), ev, (spawn.evidence(),))
        unread = null_settings(process, exc, f"workers/{worker_id}.stdout.bin")
        if unread is not None:  # a setting poolctl answered null, read unchecked
            said = f", after the exception `{exc}`{unread.said}"
            return Death(said, unread.fix, ev, (unread.evidence,))
        return Death(f", after the exception `{exc}`", fix, ev)
    worker = next(w for w in pool.all_workers if w.id == worker_id)
    if (worker.gone or "").endswith(CLOSED_STDOUT):  # its exit status is the pool's stop
        if worker.stdout_moved_to:
            onto = worker.stdout_on_discarded_stderr
            return _stdout_moved(process, worker.stdout_moved_to, origin, onto)
        return Death(CLOSED_SAID, KEEP_STDOUT_OPEN)
    # a shell that waited for the program a signal ended: its exit code and line tell which
    shell = shell_reported(status.code, stderr) if status is not None else None
    if (timed_out := ran_out(list(process.spec.argv), status.code if status else None)) is not None:
        return Death(timed_out.why(), timed_out.fix(), timed_out.evidence(), told=True)
    # 130 and a traceback ending in `KeyboardInterrupt`: the program its shell ran, by SIGINT
    through_shell = shell is None and interrupted is not None and interrupted.through_shell
    code = status.code if status is not None and status.signal is None and not shell else None
    if code and not through_shell:
        return _error_exit(process, code, stderr, origin)
    ended_by = shell.signal if shell else status.signal if status else None
    ended_by = signal.SIGINT if through_shell else ended_by
    if status is None or ended_by is None:
        return None
    evidence: Evidence | None = None
    more: tuple[Evidence, ...] = ()
    limit = limit_reached(process.end, ended_by, stderr[-2000:])  # a shell's: its limits
    if limit is not None:  # the kernel at its CPU-time limit (`ulimit -t`)
        why, how, evidence = limit.why, limit.fix, limit.evidence
    elif shell and ended_by == signal.SIGKILL and shell.pid is None:  # no pid to look up
        why, how = UNNAMED_SIGKILL, UNNAMED_SIGKILL_FIX
    elif ended_by == signal.SIGKILL:  # a copy of its command, or what the kernel log says
        victim = shell.pid if shell and shell.pid else process.pid
        sender = sender_of_sigkill(
            victim, process.started_mono, process.stderr_path, origin, process.memcg
        )
        why, how, evidence = sender.why, sender.fix, sender.evidence
        more = (sender.cgroup,) if sender.cgroup else ()
    else:
        why, how = signal_words(ended_by, shlex.join(process.spec.argv), stack_shown=False)
        if interrupted is not None:  # where Python raised it: quoted from its traceback
            evidence = Evidence(exc or "", origin, "the exception Python raised for the signal")
            why, how = interrupted.sender()  # who sent it, where that is told
    if shell is not None:  # the shell's line is what tells the signal
        why = f"{shell.said().removeprefix(': ')}; {why}"
        how = f"{how or FIND_THE_SENDER} {EXEC_IT}"
        evidence = evidence or Evidence(shell.line, origin, "its shell's report of the signal")
    if through_shell and interrupted is not None:
        why = f"{interrupted.shell_said().removeprefix(': ')}; {why}"
        how = f"{how or FIND_THE_SENDER} {EXEC_IT}"
    cut = cut_short(pool, worker_id)  # the signal came as it wrote its answer: part of it left
    said = f" ({why}); it was killed writing its answer: {cut}" if cut else f" ({why})"
    if interrupted is not None:
        said += f"; {interrupted.said()}"
    return Death(said, how or FIND_THE_SENDER, evidence, more)


def _stdout_moved(
    process: WorkerProcess, target: str, origin: str, onto_discarded: bool | None
) -> Death:
    """It ran on with its fd 1 pointed elsewhere: at its own stderr (`os.dup2(2, 1)`: its
    answers went into its stderr log, or the /dev/null its discarded stderr is), or a file,
    /dev/null, another pipe."""
    when = "read when the pool read end of file on its stdout"
    ev = Evidence(
        f"fd 1 = {target}", f"/proc/{process.pid}/fd/1, {when}", "where its stdout points"
    )
    ran_on = "and ran on until the pool stopped it: no signal from outside, no exit of its own"
    fix = ONTO_STDERR_FIX.format(where="in a request's path")
    if target == os.path.realpath(process.stderr_path):
        said = (
            f": it pointed its stdout at its stderr while it served (its fd 1 is its fd 2, "
            f"{origin}: what it writes to stdout goes to its stderr log) {ran_on}"
        )
        return Death(said, fix, ev)
    if target == "/dev/null" and onto_discarded:
        said = (
            f": it pointed its stdout at its stderr while it served (its fd 1 is the very "
            f"/dev/null the pool gave it as its stderr, `stderr: discard`: its answers are "
            f"thrown away) {ran_on}"
        )
        ev = Evidence(
            f"fd 1 = /dev/null; {DISCARDED_STDOUT[True].replace('--stderr ', 'stderr: ')}",
            f"/proc/{process.pid}/fd/1 and kcmp, {when}",
            "where its stdout points: a copy of its stderr, not a /dev/null of its own",
        )
        return Death(said, fix + DISCARDED_NOTE.replace("`--stderr ", "`stderr: "), ev)
    said = f": it pointed its stdout at {target} while it served (no answer could reach the pool) "
    return Death(said + ran_on, REDIRECTED_FIX, ev)


def _error_exit(process: WorkerProcess, code: int, stderr: str, origin: str) -> Death:
    """An exit with an error code and no exception to quote: its last stderr line, if any
    (else the pattern's general advice, text off stdout and a quicker start, was its fix)."""
    lines = stderr.strip().splitlines()
    last = lines[-1].strip() if lines else ""
    down = None if last else endpoint_down(process.spec.environment())
    if down is not None:  # silent, with a service its environment names not listening
        said = ", saying nothing on its stderr" + down.why()
        return Death(said, down.fix(), down.evidence(), told=True)
    evidence = Evidence(last, origin, "its last line on stderr") if last else None
    said = f"; its last line on stderr: {last!r}" if last else ", saying nothing on its stderr"
    fix = (
        f"Find why the worker exits with code {code} in the middle of a request: run "
        f"`{shlex.join(process.spec.argv)}` by hand and send it the request its caller sent "
        "(in the worker's stdout transcript and events.jsonl)"
        + (", and read what its stderr says" if last else "")
        + "; a pooled worker answers every request and stays up for the next."
    )
    return Death(said, fix, evidence)
