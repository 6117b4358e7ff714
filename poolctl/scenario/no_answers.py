"""Pattern 1 after start-up in a scenario's trace: requests that got no answer (a death, a
timeout, an answer no client can read, a worker gone to the background), and workers that quit
after their init before any request reached them. Read from the groups of `no_response` events
(poolctl/scenario/unanswered.py); the checkouts that timed out waiting for the dead workers'
stand-ins are folded in (`TraceClassifier.waits_for_replacements`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from poolctl.diagnose import no_answer_pattern
from poolctl.diagnose.deaf_stdin import KEEP_STDIN
from poolctl.diagnose.hypotheses.crashed import MID_FRAME_FIX, loop_remediation
from poolctl.diagnose.readings import STOPPED_FIX
from poolctl.diagnose.unconfirmed import BUILD_WHOLE
from poolctl.events import Event
from poolctl.model import Finding
from poolctl.pool_worker import CLOSED_STDOUT, STDIN_CLOSED, UNAWAITED_RE
from poolctl.protocol.messages import READABLE_FIX
from poolctl.protocol.notified_request import notified_request
from poolctl.scenario.between_requests import between_requests, read_of_failed_write
from poolctl.scenario.broken_stream import broken_stream
from poolctl.scenario.deaths import cut_short, death_of
from poolctl.scenario.evidence import quote_event
from poolctl.scenario.failed_checks import CheckGroup, firsts, merged, span, total
from poolctl.scenario.held import fold_held
from poolctl.scenario.retrying import retrying_service
from poolctl.scenario.stopped import stopped_by_the_pool
from poolctl.scenario.stopped_again import RETIRE_FIX, handed_again
from poolctl.scenario.unreadable import unreadable_answer
from poolctl.scenario.wrong_id import WRONG_ID_FIX, request_id, wrong_id_answer

# the signals that stop a process rather than end it: a worker so stopped stays, silent
STOPPING = frozenset({"SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU"})

if TYPE_CHECKING:
    from poolctl.scenario.classify import TraceClassifier


def no_response() -> str:
    """Pattern 1's id: the pattern whose causes are the no-answer engine's hypotheses (read
    from the knowledge base when first asked, not when this module is imported)."""
    return no_answer_pattern().id


def _backgrounded(c: TraceClassifier, first: Event) -> Event | None:
    """The worker's process exited while a child held its stdout (the pool serves on, as an
    Erlang port reads until end of file)."""
    gone = [e for e in c.by_type["worker_backgrounded"] if e.worker == first.worker]
    return gone[0] if gone else None  # (a write that failed may be traced before it)


def _answered_late(c: TraceClassifier) -> list[tuple[str, Any]]:
    """The timed-out requests whose answers came afterwards (set aside by their worker,
    which keeps the first of them): (worker, request id), each worker's in their order."""
    timed_out = c.run.unanswered.timed_out
    late = []
    for worker in c.run.pool.all_workers:
        ids = timed_out.get(worker.id)
        if ids is None:
            continue
        for what in worker.process.stray:
            found = UNAWAITED_RE.match(what)
            if found and (said := request_id(found["id"])) in ids:
                late.append((worker.id, said))
    return late


# Said of a request whose answer had begun, and not ended, when its timeout came.
HALF_WRITTEN_FIX = (
    "Find what the worker waits on between the parts of its answer (its stack: `py-spy dump "
    f"--pid PID`), or raise request_timeout if it is slow work; and {BUILD_WHOLE}."
)


def no_answers(c: TraceClassifier) -> list[Finding]:
    """The requests unanswered: one finding, or two when requests timed out on workers
    other than those whose requests failed otherwise (a death) and than those that went
    to the background (whose requests time out or fail to be written alike): a slow
    request is not a crash, and the crash's cause and fix are not the timeouts'."""
    unanswered = c.run.unanswered
    if not unanswered.groups:
        return _quit_before_any_request(c)
    timed_out = unanswered.groups.get("timeout")
    others = [g for reason, g in unanswered.groups.items() if reason != "timeout"]
    backgrounded = {e.worker or "" for e in c.by_type["worker_backgrounded"]}
    shared = (unanswered.gone_workers | backgrounded) & set(unanswered.timed_out)
    if timed_out is None or not others or shared:
        # the first few of every reason, the last, how many
        return _no_answer(c, merged(unanswered.groups.values()))
    parts = [
        (merged(others), unanswered.gone_workers),
        (timed_out, set(unanswered.timed_out)),
    ]
    parts.sort(key=lambda part: part[0].first.seq)
    return [finding for part in parts for finding in _no_answer(c, *part)]


def _no_answer(
    c: TraceClassifier, unanswered: CheckGroup, workers: set[str] | None = None
) -> list[Finding]:
    """The finding of requests unanswered (`unanswered`: their first few, the last, how
    many), worded from the first; the kill_worker steps it quotes are those of `workers`
    (whose requests they are), of any worker without."""
    count = unanswered.count
    kills = [e for e in c.by_type["kill"] if workers is None or e.worker in workers]
    exits = {e.worker: e for e in c.by_type["worker_exit"]}
    first = unanswered.first
    evidence = [quote_event(e) for e in unanswered.examples]
    evidence += [quote_event(e) for e in kills[:2]]
    worker_exit = exits.get(first.worker)
    if worker_exit is not None:
        evidence.append(quote_event(worker_exit))
    replaced = c.by_type["replace"]
    evidence += [quote_event(e) for e in replaced[:1]]
    reason = first.data.get("reason")
    remediation = None
    alike: set[str] = set()  # the workers whose exit the cause says was the same
    served = _served_and_quit(worker_exit) if not kills else 0
    # a kill_worker step that stopped (not ended) the worker before this request timed out:
    # an answer it gave once continued, as the pool stopped it, is not the worker's slowness
    paused = [
        k
        for k in kills
        if k.worker == first.worker and k.t <= first.t and k.data.get("signal") in STOPPING
    ]
    # its workers whose requests failed as they died: a worker that exits slowly after its
    # last answer lets its first request time out, and its next one finds it gone
    dead = c.run.unanswered.gone_workers
    dead = dead if workers is None else dead & workers
    quit_slowly = reason == "timeout" and first.worker in dead
    # a worker gone after its answer: its next request failed as it exited, or on writing
    cut = cut_short(c.run.pool, first.worker or "") if served else ""
    death = death_of(c.run.pool, first.worker or "") if not kills else None
    # a request whose write its exit cut: the bytes it read of what went in (None: not known)
    taken = read_of_failed_write(first, worker_exit) if reason == "write-failed" else None
    between = None  # its exit came after a whole answer, the next request unread
    if reason in ("exited", "write-failed") and not kills and not cut:
        its_stderr = death.said if death is not None else ""
        told = death.fix if death is not None and death.told else ""
        exits_of = c.by_type["worker_exit"]
        between = between_requests(first, worker_exit, exits_of, its_stderr, told)
    if reason in ("exited", "write-failed") and cut:  # not done: it stopped mid-answer
        cause = (
            f"worker {first.worker} exited with code 0 in the middle of a frame, after "
            f"answering {served} request(s) (its init among them): {cut}"
        )
        remediation = MID_FRAME_FIX
    elif between is not None:
        cause, remediation = between.cause, between.fix
        evidence += between.evidence
        evidence += death.evidences() if death is not None else []
    elif (reason in ("exited", "write-failed") or quit_slowly) and served:
        # alike: exited with code 0 between answers, not in the middle of one's frame
        quitters = [
            e
            for e in exits.values()
            if _served_and_quit(e) and not cut_short(c.run.pool, e.worker or "")
        ]
        alike = {e.worker or "" for e in quitters}
        cause = (
            f"worker {first.worker} exited with code 0 after answering {served} request(s) "
            f"(its init among them), leaving caller {first.caller} unanswered; "
            f"{len(quitters)} of {len(exits)} worker exit(s) were the same"
        )
        remediation = loop_remediation(served)
    elif reason == "exited" or taken:
        why = str(first.data.get("detail"))
        ended = "stopped answering" if why.endswith(CLOSED_STDOUT) else "died"
        cause = f"worker {first.worker} {ended} while serving caller {first.caller}: {why}"
        cause += " (the scenario's kill_worker step)" if kills else ""
        if death is not None:  # its stderr or its signal says why: the fix follows from it
            cause += death.said
            remediation = death.fix
            evidence += death.evidences()
        if worker_exit is not None and worker_exit.data.get("request") == "read":
            cause += _how_much_read(worker_exit, first)
        if taken:  # its exit closed the pipe under the write: it was in the request
            cause += (
                f"; it had read {taken:,} bytes of it, the rest of what went in still in its "
                "stdin pipe as the write failed: it ended in the request, not between requests"
            )
    else:
        detail = first.data.get("detail")
        cause = f"worker {first.worker} gave caller {first.caller} no answer: {detail}"
        if str(detail).endswith(STDIN_CLOSED):  # alive, its fd 0 closed: ping's fix
            remediation = KEEP_STDIN
        broken = broken_stream(c.run.pool, first.worker or "") if reason == "bad-frame" else None
        if broken is not None:  # its bytes in another framing: said, as ping says them
            cause += broken.said
            remediation = broken.fix
            evidence.append(broken.evidence)
        if reason == "timeout" and first.data.get("partial"):  # begun, not finished in time
            cause += (
                f"; {first.data.get('bytes_in')} byte(s) of its answer had come as the timeout "
                f"did (events.jsonl #{first.seq}): {first.data['partial']}"
            )
            remediation = HALF_WRITTEN_FIX
        if reason == "timeout" and not paused and first.data.get("stopped"):
            cause = (
                f"worker {first.worker} was stopped (SIGSTOP, SIGTSTP or a debugger: state T "
                f"in /proc at its request's timeout, events.jsonl #{first.seq}) and gave caller "
                f"{first.caller} no answer: {detail}; a stopped process reads and answers "
                "nothing until it is continued"
            )
            remediation = STOPPED_FIX[0].upper() + STOPPED_FIX[1:] + "."
            again, quoted = handed_again(first, c.run.unanswered)
            if again:  # the next caller got it too: a pool that retires it spares them
                cause += again
                evidence += [q for q in quoted if q not in evidence]
                remediation += " " + RETIRE_FIX
        if reason == "timeout" and paused:
            cause = (
                f"worker {first.worker} was stopped by the scenario's kill_worker step "
                f"({paused[-1].data.get('signal')} at t={paused[-1].t:.3f} s) and gave caller "
                f"{first.caller} no answer: {detail}; a stopped process reads and answers "
                "nothing until it is continued"
            )
    if reason in ("exited", "write-failed") and not kills:
        ends = {
            w: (str(e.data.get("exit")), bool(cut_short(c.run.pool, w)))
            for w, e in exits.items()
            if w
        }
        cause, evidence = _other_deaths(first, dead - alike, exits, ends, cause, evidence)
    gone = _backgrounded(c, first) if reason in ("timeout", "write-failed") and not kills else None
    if gone is not None:
        served = int(gone.data.get("answered") or 0)
        cause = (
            f"worker {first.worker} (pid {gone.data.get('pid')}) {gone.data.get('exit')} "
            f"after answering {served} request(s) (its init among them), and a process it "
            f"started holds its stdout open{_named(gone)}: the pool took it for alive and "
            f"sent it requests ({count} unanswered)"
        )
        remediation = (
            "Start the worker's child processes with their stdout redirected, not "
            "inherited (`stdout=subprocess.DEVNULL`, `>/dev/null`), so that the pool sees "
            "the worker end when it ends; and keep the worker serving requests in a loop "
            "rather than exiting."
        )
        evidence.append(quote_event(gone))
    late = _answered_late(c) if reason == "timeout" and not paused else []
    if late:  # slow, not lost: the answers came after their timeouts
        ids = ", ".join(f"{worker}#{request_id}" for worker, request_id in late[:5])
        timeout = c.run.scenario.pool.request_timeout
        cause = (
            f"{len(late)} of the {count} request(s) that timed out were answered after "
            f"their {timeout:g} s request_timeout ({ids}): the worker was slow, not silent"
        )
        remediation = (
            f"Raise request_timeout above the slowest answers (the workers' stdout "
            f"transcripts hold the late ones), or find why those requests take over "
            f"{timeout:g} s."
        )
        reason = "late"
    unread = unreadable_answer(c.run.pool, first.worker or "")
    if reason == "timeout" and not late and unread is not None:  # it answered, unreadably
        timeout = c.run.scenario.pool.request_timeout
        cause = (
            f"worker {first.worker} answered caller {first.caller} with a frame no client "
            f"can read: {unread.said}; the pool set it aside, and the request waited out "
            f"its {timeout:g} s request_timeout"
        )
        remediation = READABLE_FIX
        evidence.append(unread.evidence)
        reason = "unreadable"
    wrong = wrong_id_answer(c.run.pool, first.worker or "") if reason == "timeout" else None
    if not late and wrong is not None:  # it answered, under an id nobody asked
        answer_id, said = wrong
        timeout = c.run.scenario.pool.request_timeout
        cause = (
            f"worker {first.worker} answered with id {answer_id!r}, which no request to it "
            f"had, while caller {first.caller}'s request {first.data.get('id')!r} waited: "
            f"the pool matches answers by id, set it aside, and the request waited out its "
            f"{timeout:g} s request_timeout"
        )
        remediation = WRONG_ID_FIX
        evidence.append(said)
        reason = "wrong-id"
    self_stopped = bool(first.data.get("stopped"))  # not running: "still running" is not said
    if (
        reason == "timeout"
        and not paused
        and not self_stopped
        and gone is None
        and (first.worker not in dead)
    ):
        # alive and silent to the end: what it logged meanwhile, and how the pool's stop
        # ended it, when it lingered
        retried = retrying_service(c.run.pool, first.worker or "")
        if retried is not None:  # a service it retried all the while (mcp-neo4j-cypher)
            cause += retried.why()
            remediation = retried.fix()
            evidence.append(retried.evidence())
        worker = next((w for w in c.run.pool.all_workers if w.id == first.worker), None)
        sent = worker.process.notifications if worker is not None and worker.process else []
        asked = notified_request(sent, f"workers/{first.worker}.stdout.bin")
        if retried is None and asked is not None:  # an answer it waits for, maybe (vue)
            cause += asked.why()
            remediation = asked.fix()
            evidence.append(asked.evidence())
        done = c.by_type["shutdown_done"]
        grace = c.run.scenario.pool.stop_grace
        ended = stopped_by_the_pool(done, c.by_type["shutdown_begun"], first.worker or "", grace)
        cause += ended
        evidence += [quote_event(done[0])] if ended else []
    # the stand-ins of its dead workers kept checkouts waiting, whatever its first request met
    waits = c.waits_for_replacements() if reason in ("exited", "write-failed") or dead else []
    waited = c.fold(waits)
    # and a hung worker, held all through their wait, kept others waiting
    on_hung, hung_said = fold_held(c) if reason == "timeout" else ([], "")
    cause += hung_said
    evidence += [quote_event(e) for e in firsts(waited + on_hung, 2)]
    facts = {
        "requests_unanswered": count,
        "reason": reason,
        "worker": first.worker,
        "replaced": bool(replaced),
        "answered_before_exit": served,
        "checkout_timeouts_caused": total(waited) + total(on_hung),
    }
    message = f"{count} request(s) got no answer in time ({reason})"
    if waited:
        message += f"; {total(waited)} checkout(s) timed out waiting for a replacement to start"
    if on_hung:
        message += f"; {total(on_hung)} checkout(s) timed out while a hung worker was held"
    name = "requests answered too late" if late else "requests never answered"
    explains = {"no_response": count, "checkout_timeout": total(waited) + total(on_hung)}
    events = unanswered.span + span(waited) + span(on_hung)
    failure = c.failure(name, f"request-{reason}", message, events, explains)
    diagnosis = c.diagnosis(no_response(), evidence, facts, cause, remediation)
    return [Finding(failure, diagnosis)]


def _other_deaths(
    first: Event,
    dead: set[str],
    exits: dict[str | None, Event],
    ends: dict[str, tuple[str, bool]],
    cause: str,
    evidence: list[Any],
) -> tuple[str, list[Any]]:
    """The cause worded from the first death, and the other workers that died in a request
    otherwise (`ends`: a worker's exit, and whether it cut an answer's frame short), named
    with how each ended: their requests are counted here too, but what ended them is not
    the first's (one cut its answer mid-frame, another exited between answers)."""
    own = ends.get(first.worker or "")
    others = sorted(w for w in dead if w != first.worker and w in ends and ends[w] != own)
    if not others:
        return cause, evidence
    said = ", ".join(f"{w} {ends[w][0]}{' mid-frame' if ends[w][1] else ''}" for w in others[:3])
    more = f" and {len(others) - 3} more" if len(others) > 3 else ""
    cause += (
        f"; {len(others)} other worker(s) died in a request otherwise ({said}{more}): what is "
        f"said here is {first.worker}'s, theirs is in their worker_exit events"
    )
    return cause, evidence + [quote_event(exits[w]) for w in others[:2]]


def _quit_before_any_request(c: TraceClassifier) -> list[Finding]:
    """Workers that exited on their own after answering their init, before any request
    reached one: no request went unanswered, every checkout waited for a stand-in that
    quit in turn (a loaded machine starts them slowly). Not pattern 3: the deaths."""
    if c.by_type["kill"]:
        return []
    stop = min((e.t for e in c.by_type["shutdown_begun"]), default=float("inf"))
    quitters = [e for e in c.by_type["worker_exit"] if e.t < stop and _served_and_quit(e)]
    timeouts = c.run.checkout_timeouts.groups
    waits = c.waits_for_replacements() if quitters else []
    # (none folded unless the finding is made: pattern 3's rule reads what it leaves)
    if not waits or min(e.t for e in quitters) > firsts([timeouts[k] for k in waits], 1)[0].t:
        return []
    waited = c.fold(waits)
    first, exits = quitters[0], c.by_type["worker_exit"]
    served = _served_and_quit(first)
    cause = (
        f"worker {first.worker} exited with code 0 after answering {served} request(s) "
        f"(its init among them), before any request reached it; {len(quitters)} of "
        f"{len(exits)} worker exit(s) were the same, and each checkout waited for a "
        "replacement that would quit in turn"
    )
    replaced = c.by_type["replace"]
    evidence = [quote_event(e) for e in quitters[:3]]
    evidence += [quote_event(e) for e in replaced[:1]]
    evidence += [quote_event(e) for e in firsts(waited, 2)]
    facts = {
        "requests_unanswered": 0,
        "reason": "exited",
        "worker": first.worker,
        "replaced": bool(replaced),
        "answered_before_exit": served,
        "checkout_timeouts_caused": total(waited),
    }
    message = (
        f"{total(waited)} checkout(s) timed out waiting for a replacement to start; "
        f"{len(quitters)} worker(s) had exited after answering their init"
    )
    explains = {"checkout_timeout": total(waited)}
    failure = c.failure(
        "workers quit after their init", "workers-quit", message, span(waited), explains
    )
    diagnosis = c.diagnosis(no_response(), evidence, facts, cause, loop_remediation(served))
    return [Finding(failure, diagnosis)]


def _how_much_read(worker_exit: Event, first: Event) -> str:
    """What a worker that died in a request had read of it, from its `worker_exit` (the bytes
    written, those still in its stdin pipe) and the request's no_response `first` (its size):
    the whole request, or a part of it."""
    written, unread = worker_exit.data.get("written"), worker_exit.data.get("stdin_unread")
    size = first.data.get("bytes_out")
    if not isinstance(written, int) or not isinstance(unread, int) or not isinstance(size, int):
        return "; it had read the request (its bytes were gone from its stdin)"
    if unread == 0 and written >= size:
        return "; it had read the request (its bytes were gone from its stdin)"
    return (
        f"; it had read {written - unread:,} bytes of the {size:,}-byte request ({written:,} "
        f"written, {unread:,} still in its stdin pipe as it exited): it ended while reading it"
    )


def _named(gone: Event) -> str:
    """The processes holding a backgrounded worker's stdout, as its event names them."""
    holders = gone.data.get("holders") or []
    return f" ({'; '.join(holders)})" if holders else ""


def _served_and_quit(worker_exit: Event | None) -> int:
    """The requests a worker answered before it exited with code 0 on its own (0 otherwise)."""
    if worker_exit is None or worker_exit.data.get("code") != 0:
        return 0
    return int(worker_exit.data.get("answered") or 0)
