"""A worker the crashed hypothesis finds still running, none of whose answers can come: its
stdout closed or sent elsewhere, no process of it holding its stdin (or a daemon it detached
alone), its answers read by no one, or its process now another program (it exec()ed one after
it answered). Otherwise the hypothesis is ruled out."""

from __future__ import annotations

from poolctl.model import Evidence
from poolctl.program import Program, program_change, reexecuted, running_program

from .deaf_stdin import closed_stdin, detached_stdin
from .judgement import Judgement, confirmed, ruled_out
from .observe import Observations
from .readings import detached_reader, request_unread, when_looked
from .stdout_astray import answers_astray, stdout_elsewhere


def still_running(obs: Observations) -> Judgement:
    """The verdict on a worker that had not exited when poolctl looked."""
    live = obs.live
    alive = live.leader.describe() if live is not None and live.leader else "still running"
    if obs.stdout_closed:
        return _closed_stdout(obs, alive)
    if live is not None and live.stdin_closed():
        return closed_stdin(obs, alive)
    if (holder := detached_reader(obs)) is not None:
        return detached_stdin(obs, holder, alive)
    if live is not None and (reader := live.answers_astray()) is not None:
        return answers_astray(obs, reader, alive)
    now = live.program if live is not None and live.program else running_program(obs.worker.pid)
    change = program_change(obs.worker.answered_as, now)
    if change and now is not None:
        return _exec_ed(obs, change, now, alive)
    return ruled_out(f"the process was alive {when_looked(obs)}: {alive}")


def _closed_stdout(obs: Observations, alive: str) -> Judgement:
    """Alive, but its stdout is closed: as good as gone, for the caller."""
    size = obs.worker.transcript.total
    live = obs.live
    target = live.leader.fds.get(1, "") if live is not None and live.leader else ""
    if target and live is not None and target != live.stdout_pipe:
        return stdout_elsewhere(obs, target, alive)
    verdict = (
        f"The worker closed its stdout while it keeps running: poolctl read end of file after "
        f"{size} byte(s), so no answer can come on it ({alive})"
    )
    if obs.worker.answered:  # it answered on it first: closed later, not at start-up
        where = f"after it answered {obs.worker.answered} request(s) on it, in a request's path,"
    elif request_unread(obs) is False:  # it took the request: either, the evidence cannot tell
        where = "at start-up or on the request it read"
    else:
        where = "in its start-up"
    fix = (
        f"Keep stdout open for the answers: something {where} closes or redirects file "
        "descriptor 1 (`exec 1>&-`, `sys.stdout.close()`, `os.close(1)`, a daemonizing step); "
        "log elsewhere."
    )
    note = "the pipe's writing end was closed by every process of the worker"
    return confirmed(
        verdict, fix, Evidence(f"end of file after {size} byte(s)", obs.stdout_origin, note)
    )


def _exec_ed(obs: Observations, change: str, now: Program, alive: str) -> Judgement:
    """Alive, but no longer the program that answered: it exec()ed another one (`sleep 60`),
    which knows nothing of the requests."""
    served = obs.worker.answered
    verdict = (
        f"The worker answered {served} request(s), then stopped being the program that "
        f"answered: {change} ({alive})"
    )
    strace = f"`strace -f -e trace=execve -p {obs.worker.pid}` shows the call."
    fix = (
        "Keep the worker's process the program that serves: find the exec in the request's "
        "path (`os.execvp`, `os.execv`, `exec` in a shell script, a library that re-executes "
        f"itself) and run that program as a child (`subprocess.run`) instead; {strace}"
    )
    before = obs.worker.answered_as
    assert before is not None
    proc = f"/proc/{obs.worker.pid}/exe, cmdline"
    said = [
        (before, "the program that answered, read then"),
        (now, "the program its process runs now"),
    ]
    if reexecuted(before, now):  # the same program: told by where its stack starts
        verdict = f"The worker answered {served} request(s), then {change} ({alive})"
        fix = (
            "Answer every request the worker has read before it restarts itself: find the "
            'exec in the request\'s path (`os.execv(sys.executable, sys.argv)`, `exec "$0"`, '
            f"a reloader watching its files) and restart only between requests, or not at all "
            f"while it serves; {strace}"
        )
        proc = f"/proc/{obs.worker.pid}/exe, cmdline, stat (startstack)"
        return confirmed(
            verdict,
            fix,
            *(Evidence(f"`{p[1]}` ({p[0]}), its stack from {p[2]:#x}", proc, n) for p, n in said),
        )
    return confirmed(verdict, fix, *(Evidence(f"`{p[1]}` ({p[0]})", proc, n) for p, n in said))
