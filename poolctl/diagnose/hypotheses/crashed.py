"""Crashed: the worker exited before it answered, or closed its stdout and runs on (no answer
can come either way)."""

from __future__ import annotations

from poolctl.framing import quote
from poolctl.model import Evidence

from ..judgement import Judgement, confirmed, hypothesis, ruled_out
from ..observe import Observations
from ..readings import exception_line

ID = "crashed"


def _closed_stdout(obs: Observations, alive: str) -> Judgement:
    """Alive, but its stdout is closed: as good as gone, for the caller."""
    size = obs.worker.transcript.total
    verdict = (
        f"The worker closed its stdout while it keeps running: poolctl read end of file after "
        f"{size} byte(s), so no answer can come on it ({alive})"
    )
    fix = (
        "Keep stdout open for the answers: something in its start-up closes or redirects file "
        "descriptor 1 (`exec 1>&-`, `sys.stdout.close()`, a daemonizing step); log elsewhere."
    )
    note = "the pipe's writing end was closed by every process of the worker"
    return confirmed(
        verdict, fix, Evidence(f"end of file after {size} byte(s)", obs.stdout_origin, note)
    )


@hypothesis(ID)
def crashed(obs: Observations) -> Judgement:
    status = obs.exit_before
    if status is None:
        live = obs.live
        alive = live.leader.describe() if live is not None and live.leader else "still running"
        if obs.stdout_closed:
            return _closed_stdout(obs, alive)
        return ruled_out(f"the process was alive when the answer was due: {alive}")
    pid = obs.worker.pid
    ev = [Evidence(f"pid {pid} {status.describe()}", f"pid {pid}", "how the process ended")]
    exc = exception_line(obs.stderr_text)
    origin = obs.stderr_origin if not obs.merged else obs.stdout_origin
    tail = [ln for ln in obs.stderr_text.splitlines() if ln.strip()][-5:]
    if tail:
        ev.append(Evidence("\n".join(tail), origin, "the end of its stderr"))
    if exc:
        ev.append(Evidence(exc, origin, "the exception that ended it"))
    if obs.pending and not obs.merged:
        ev.append(Evidence(quote(obs.pending), obs.pending_origin(), "what it wrote to stdout"))
    verdict = f"The worker exited before answering: pid {pid} {status.describe()}"
    if exc:
        verdict += f", after the exception `{exc}`"
    elif status.signal is not None:
        verdict += " (a signal from outside: the OOM killer, a supervisor or a user)"
    argv = " ".join(obs.worker.spec.argv)
    fix = (
        f"Fix the error it reports (`{exc}`); run `{argv}` by hand to see it happen."
        if exc
        else f"Find why it exits: run `{argv}` by hand and read its stderr "
        f"({obs.stderr_origin}); a worker must stay up and answer its first request."
    )
    return confirmed(verdict, fix, *ev)
