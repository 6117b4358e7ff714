"""The verdict of a diagnosis that confirmed no hypothesis: what was ruled out, what is left
untested, the evidence gathered, and what to try next."""

from __future__ import annotations

from poolctl.framing import quote
from poolctl.model import Evidence
from poolctl.protocol.notified_request import notified_request
from poolctl.units import fmt_limit

from .asks import failure_to_reach
from .cpu_wait import cpu_wait
from .file_lock import worker_waits_on_lock
from .observe import Observations
from .peer_wait import peer_wait, wait_words
from .readings import still_working, stopped_fix

# what a worker that stopped in the middle of a frame is told, as the pool's finding is
BUILD_WHOLE = (
    "build each frame whole before writing it, so that nothing slow runs between its first "
    "byte and its last"
)


def none_confirmed(
    obs: Observations, ruled: list[str], untested: list[str]
) -> tuple[str, str, tuple[Evidence, ...]]:
    """The verdict when nothing is confirmed: what was ruled out, what is left, what next."""
    evidence: list[Evidence] = []
    state = ""
    if obs.live is not None:
        state = f", and {obs.live.activity()}"
        origin = obs.rel(obs.live.stack_file) if obs.live.stack_file else "/proc"
        where = obs.live.where()
        if where is not None:
            evidence.append(Evidence(f"its Python stack is {where.summary}", origin))
        else:
            evidence.append(Evidence(obs.live.activity(), origin))
    steps = []
    lock = None
    working = still_working(obs)
    # a request of its own sent as a notification is no progress: it may wait for the answer
    asked = notified_request(obs.worker.notifications, obs.stdout_origin)
    working = "" if asked is not None else working
    waiter = obs.live.lock_waiter() if obs.live is not None else None
    probe = obs.close_probe
    if obs.late_answer is not None:
        took = obs.late_answer - obs.request_sent_at
        evidence.append(
            Evidence(
                f"poolctl kept waiting: it answered {took:.2f} s after the request was sent",
                obs.stdout_origin,
            )
        )
        cause = (
            f"No hypothesis was confirmed: the worker is slow, not broken — it answered "
            f"{took:.1f} s after the request, later than the {fmt_limit(obs.timeout)} timeout"
        )
        if obs.worker.unread_at_timeout == 0:  # what it waited on came after it read
            evidence.append(
                Evidence(
                    f"its stdin pipe was empty as its {fmt_limit(obs.timeout)} timeout ended the "
                    "wait: it had read the request, its start over or going on beside it",
                    "FIONREAD on the stdin pipe at the timeout",
                )
            )
        read = obs.read_in_wait if obs.read_in_wait is not None else obs.read_after_timeout
        if read is not None:  # its start outlasted the timeout, and then its request did
            cause += (
                f"; its start outlasted the timeout: it read the request {read:.2f} s after it "
                f"started, and answered {obs.late_answer - read:.2f} s after that"
            )
            evidence.append(
                Evidence(
                    f"its stdin pipe, the request whole in it at the timeout, was empty by "
                    f"{read:.2f} s after it started",
                    "FIONREAD on the stdin pipe, watched past the timeout",
                )
            )
        starved = cpu_wait(obs.live, obs.timeout, obs.at_answer)
        if starved is not None:  # late for want of a CPU
            cause += f"; {starved.said(answered=True)}"
            evidence.append(starved.evidence())
            steps.append(starved.step())
        if (retried := _retries(obs, "its answer may have waited on")) is not None:
            cause += retried[0]
            evidence.append(retried[1])
            steps.append(retried[2])
        steps.append(f"raise the timeout above {took:.1f} s, or make this request faster")
    else:
        cause = (
            f"No hypothesis was confirmed: pid {obs.worker.pid} gave no answer within "
            f"{fmt_limit(obs.timeout)}{state}"
        )
        if (starved := cpu_wait(obs.live, obs.timeout)) is not None:  # silent for want of a CPU
            cause += f"; {starved.said(answered=False)}"
            evidence.append(starved.evidence())
            steps.append(starved.step())
        if working:  # progress or log messages: a slow request, not a broken worker
            cause += f"; {working}: it is alive and talks on, so it may still be working on it"
        elif probe is not None and obs.answer_after_close is not None:
            came = bytes(obs.worker.transcript.data[probe.offset :])
            took = obs.answer_after_close - obs.request_sent_at
            cause += (
                f"; its answer came after its stdin closed, by {took:.1f} s after the request: "
                "it read a whole request and answered it later than the timeout, or held the "
                "answer back until its input ended"
            )
            evidence.append(
                Evidence(
                    quote(came, 80),
                    f"{obs.stdout_origin} bytes {probe.offset}-{probe.offset + len(came) - 1}",
                    "what it wrote after its stdin closed, read once the experiments ended",
                )
            )
        elif probe is not None and probe.cancelled:
            cause += (
                f"; when its stdin closed it answered with the error {probe.cancelled!r}: it was "
                "still working on the request"
            )
            evidence.append(
                Evidence(
                    quote(probe.flushed, 80),
                    f"{obs.stdout_origin} bytes {probe.offset}-"
                    f"{probe.offset + len(probe.flushed) - 1}",
                    "what it wrote when its stdin closed: the request cancelled, not an answer",
                )
            )
        if (peer := peer_wait(obs)) is not None and not working:
            said, step = wait_words(peer)
            cause += said
            evidence.append(peer.evidence())
            steps.append(step)
        if not working and (retried := _retries(obs, "it may be waiting on")) is not None:
            cause += retried[0]
            evidence.append(retried[1])
            steps.append(retried[2])
        if asked is not None:  # an answer it waits for, maybe (vue)
            cause += asked.why()
            evidence.append(asked.evidence())
            steps.append(asked.fix()[0].lower() + asked.fix()[1:].rstrip("."))
        lock = worker_waits_on_lock(obs) if not working else None
        if lock is not None:  # a file lock another process holds (flock, lockf)
            cause += f"; {lock.said()}"
            evidence.append(lock.evidence())
            steps.append(lock.step())
        if waiter is not None and not working:
            if len(waiter.threads) == 1:  # (its state, said above, is the wait on the lock)
                cause += (
                    "; it has no other thread to release what it waits on: a lock it already "
                    "holds (taken twice, a deadlock), or one shared with another process"
                )
            if obs.live is not None and obs.live.native(waiter.pid):
                steps.append(
                    "see who holds what it waits on in each of its threads' stacks (`gdb -p "
                    f"{waiter.pid} -batch -ex 'thread apply all bt'`; a Go program prints its "
                    f"goroutines' on SIGQUIT, a JVM's are `jstack {waiter.pid}`): a lock taken "
                    "twice by one thread needs a recursive lock, or to be taken once"
                )
            else:
                steps.append(
                    f"see who holds what it waits on: `py-spy dump --pid {waiter.pid}` shows "
                    "each of its threads' stacks (one thread taking a `threading.Lock` it holds "
                    "needs an `RLock`, or to take it once)"
                )
        if working or (probe is not None and probe.cancelled):
            steps.append("raise the timeout (an MCP client waits 60 s for a tool by default)")
        part = obs.explanation
        if part is not None and part.kind == "truncated":  # an answer on its way, or cut short
            cause += f"; {len(obs.pending):,} bytes of a frame had arrived (quoted)"
            evidence.append(Evidence(quote(obs.pending), obs.pending_origin(), part.text))
            if not working:  # nothing says it works on: it stopped in the middle of a frame
                stack = "its stack, quoted" if obs.live and obs.live.where() else "its stack"
                between = f"find what it waits on between the parts of its answer ({stack})"
                steps.insert(0, f"{between}; {BUILD_WHOLE}")
    cause += f"; ruled out: {', '.join(ruled) or 'none'}"
    if untested:
        cause += f"; untested: {', '.join(untested)}"
    for r in obs.results.values():
        evidence.append(Evidence(r.sentence(), "experiment"))
    if not obs.experiments_enabled:
        steps.append("run again without --no-experiments to test the untested hypotheses")
    busiest = obs.live.busiest() if obs.live is not None else None
    dump = "" if waiter is not None else " and a stack dump (`py-spy dump --pid`)"
    if waiter is None and busiest is not None and obs.live and obs.live.native(busiest.pid):
        # no interpreter in it for py-spy to read
        dump = f" and its threads' stacks (`gdb -p {busiest.pid} -batch -ex 'thread apply all bt'`)"
    steps.append(f"look at its stderr ({obs.stderr_origin}){dump}")
    stopped = obs.live.stopped() if obs.live is not None else None
    if stopped is not None:  # waiting longer shows nothing: it runs again only when continued
        steps.insert(0, stopped_fix(stopped))
    elif (
        obs.late_answer is None
        and not working
        and not (probe is not None and probe.cancelled)
        and not (waiter is not None and len(waiter.threads) == 1)  # nothing of its own frees it
        and lock is None  # nor does waiting longer, while the holder lives
    ):
        steps.append("try a longer --timeout")
    return cause, "Next: " + "; ".join(steps) + ".", tuple(evidence)


def _retries(obs: Observations, waited: str) -> tuple[str, Evidence, str] | None:
    """Its stderr's failed connections to a service, twice or more: retries of a service it
    cannot reach (arxiv-mcp-server offline), which a silence or a late answer may have waited
    on (`waited`), untested. Said, its evidence, and the step; None without them."""
    stderr = obs.stderr_after_wait or obs.stderr_text  # the later, had it waited on
    failed = [line for line in stderr.splitlines() if failure_to_reach(line)]
    if len(failed) < 2:
        return None
    first = failed[0].strip()[:200]
    return (
        f"; its stderr logged {len(failed)} failed connection(s) to a service (`{first}`): "
        f"{waited} its retries of a service it cannot reach (untested)",
        Evidence(first, obs.stderr_origin, f"the first of {len(failed)}"),
        "give it a way to the service it connects to (start it, or the network, a name server "
        "or a proxy for a remote one), or a --timeout above its retries",
    )
